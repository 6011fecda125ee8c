"""One Settings object. Order: explicit argument > environment (PAPERCHAT_*) > default.

The ecosystem's own names are honoured: OPENAI_API_KEY, OPENAI_BASE_URL, CHROMA_HOST,
CHROMA_PORT.
"""

from __future__ import annotations

import ipaddress
import os
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = "default"
CORPUS_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


def is_loopback(host: str) -> bool:
    """A host only this machine reaches: servers bound elsewhere need a password or token."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _default_cache() -> Path:
    return Path(os.environ.get("PAPERCHAT_CACHE", ROOT / ".cache"))


class PathSettings(BaseModel):
    corpus: Path = Field(default=ROOT / "data" / "papers.jsonl", description="Parsed corpus.")
    corpus_info: Path = Field(
        default=ROOT / "data" / "corpus_info.json", description="Profile header of the corpus."
    )
    data_dir: Path = Field(
        default_factory=lambda: ROOT / "var",
        description="Chroma store, BM25 index and other state (outside git).",
    )
    cache_dir: Path = Field(
        default_factory=_default_cache, description="Assembled model files, wheels (outside git)."
    )


class CorpusPaths(BaseModel):
    """Where one corpus lives: its files (the source of truth), its derived state (index
    collection, BM25 cache, calibration) and its ingest record."""

    name: str
    papers: Path
    info: Path
    dir: Path = Field(description="State folder of this corpus under the data dir.")
    collection: str = Field(description="Chroma collection: one per corpus, never shared.")

    @property
    def report(self) -> Path:
        return self.dir / "report.json"

    @property
    def meta(self) -> Path:
        return self.dir / "meta.json"

    @property
    def bm25(self) -> Path:
        return self.dir / "bm25"


class RetrievalSettings(BaseModel):
    embedder: Literal["minilm", "openai"] = Field(
        default="minilm", description="minilm: local ONNX, offline. openai: needs OPENAI_API_KEY."
    )
    openai_embedding_model: str = "text-embedding-3-small"
    collection: str = Field(default="papers", description="Chroma collection name prefix.")
    chroma_host: str | None = Field(default=None, description="Use a `chroma run` server.")
    chroma_port: int = 8000
    dense_weight: float = Field(default=1.0, description="Weight of cosine similarity in fusion.")
    lexical_weight: float = Field(default=0.35, description="Weight of normalised BM25 in fusion.")
    embed_batch: int = Field(default=8, ge=1, le=64, description="8 is fastest here (FINDINGS)")
    embed_threads: int = Field(default=2, ge=1)


class LLMSettings(BaseModel):
    base_url: str | None = Field(
        default=None, description="OpenAI-compatible endpoint; unset = start the embedded model."
    )
    api_key: str | None = Field(
        default=None,
        repr=False,  # never in a repr, a log line or a traceback's locals
        exclude=True,  # never in model_dump/JSON: eval reports, exports, the browser
        description="Key for base_url or OpenAI.",
    )
    model: str | None = Field(default=None, description="Model name at the endpoint.")
    provider: Literal["auto", "llamacpp", "openai", "vllm", "ollama"] = Field(
        default="auto", description="Selects the structured-output dialect of the endpoint."
    )
    mode: Literal["auto", "pipeline", "agent"] = Field(
        default="auto", description="auto: pipeline for the embedded model, agent for hosted."
    )
    gguf: Path | None = Field(default=None, description="Any GGUF file; default: assembled Qwen.")
    local_model: Literal["qwen", "smollm"] = Field(
        default="qwen", description="Which packaged model to serve when no gguf is given."
    )
    threads: int = Field(default=2, ge=1, description="llama.cpp threads: never above free cores.")
    n_ctx: int = 4096
    prefix_states: bool = Field(
        default=True,
        description="The embedded server keeps its state for each paper's prompt prefix on "
        "disk (<data_dir>/model/states): a question about a paper seen before processes only "
        "its own tokens (docs/benchmarks.md).",
    )
    prefix_states_mb: int = Field(
        default=4096,
        ge=0,
        description="Disk kept for those states (about 13 MB per paper with Qwen 1.5B); the "
        "least recently used go first.",
    )
    prefill_on_start: bool = Field(
        default=True,
        description="The UI and `paperchat serve` save those states for every paper of the "
        "corpus in the background once the model is up; a question waits for at most one.",
    )
    server_args: list[str] = Field(
        default_factory=list,
        description="More llama-server flags, as a JSON list (docs/benchmarks.md has the "
        "options measured here).",
    )
    temperature: float = 0.0
    max_tokens: int = 400
    timeout: float = Field(default=180.0, description="Seconds per model call.")
    server_port: int | None = Field(default=None, description="Port for the embedded server.")
    server_binary: Path | None = Field(
        default=None,
        description="llama.cpp's llama-server; default: the one `make` builds under .cache/.",
    )
    keep_alive: float = Field(
        default=300.0,
        description="Idle seconds before the shared embedded server stops (negative: never). "
        "5 min like Ollama: a loaded Qwen holds ~2 GB, and a start costs ~4 s.",
    )
    retries: int = Field(
        default=2,
        ge=0,
        le=5,
        description="Retries of a request that timed out or found no endpoint (openai client "
        "backoff); bounded so a dead endpoint fails within (retries+1) x timeout.",
    )
    agent_tools: Literal["auto", "native", "json"] = Field(
        default="auto",
        description="How the agent picks tools. native: the endpoint's tool calls (hosted). "
        "json: a grammar-constrained JSON step (the 1.5B model writes native calls as text, "
        "FINDINGS). auto: json for llama.cpp, native otherwise.",
    )
    concurrency: int = Field(
        default=1,
        ge=1,
        description="Model jobs run at once; others queue in turn (FIFO). 1: on 2 cores two "
        "parallel requests took 15.6 s where the same in turn took 9.5 s (FINDINGS).",
    )


class AnswerSettings(BaseModel):
    """Answer policy: every threshold, k and size the jobs use, with how it was chosen.

    Corpus-dependent calibration (the abstention cut) is computed from the corpus at index
    time and stored with the index; the values here are the fallbacks and fixed policy.
    """

    min_relevance: float = Field(
        default=0.28,
        description="Cosine below which the best hit is not about the question (MiniLM; "
        "chosen on the dev set's answerable vs unanswerable questions).",
    )
    min_named_relevance: float = Field(
        default=0.15,
        description="Weaker similarity still answers when the hit's record holds every term "
        "the question names (LazyDrag, Quant 4.0).",
    )
    rare_name_share: float = Field(
        default=0.10,
        description="A coined name the question uses (HiTUT, OrbNet) that at most this share "
        "of the corpus's records hold identifies their paper, however little a small embedder "
        "makes of it (MiniLM: cosine 0.15 for 'parameters HiTUT'); a common one (AI, LLM) "
        "does not. Chosen as 'a handful of papers in a profile', not on any dev question.",
    )
    list_relative: float = Field(
        default=0.60, description="A topic list keeps hits within this share of the best score."
    )
    answer_sources: int = Field(default=4, description="Papers shown to the model per answer.")
    stable_words: int = Field(
        default=350,
        ge=20,
        description="The best paper's abstract is shown whole up to this many words (its "
        "leading sentences beyond): the same text for every question about the paper, so the "
        "model server keeps its state (docs/benchmarks.md).",
    )
    shown_first: int = Field(
        default=3,
        ge=1,
        description="Sentences of the best paper nearest the question, shown after its "
        "stable text when that left them out.",
    )
    shown_rest: int = Field(
        default=1, ge=1, description="Sentences of each other paper an answer's prompt shows."
    )
    source_titles: Literal["full", "short"] = Field(
        default="short",
        description="How a lookup's prompt names the papers after the best one (which is "
        "named by its whole title): their whole title, or their short name where the title "
        "has one before a colon ('DINO'), else the title: fewer prompt tokens.",
    )
    source_relative: float = Field(
        default=0.5, description="Shown papers must score within this share of the best hit."
    )
    list_limit: int = Field(
        default=50,
        description="Hits retrieved for a topic list; every one passing the relevance gate "
        "is listed (no cap of 10: a list holds all the papers about its topic).",
    )
    min_overlap: float = Field(
        default=0.34,
        description="A sentence with no number or name must share this share of its content "
        "words with a cited record (a third: one content word in three).",
    )
    judged_hits: int = Field(
        default=1,
        ge=0,
        description="When no top hit holds the question's words yet some score above the "
        "abstention cut, the model reads up to this many of their abstracts and may admit "
        "one as the question's subject (a question in other words than its record's). 0: "
        "never; the lexical gate alone decides. 1: one hit, the gate's candidate whose "
        "nearest sentence is closest to the question; given more, the 1.5B model admitted a "
        "wrong paper. About 1.5-2 s a hit on 2 cores, spent only on questions "
        "that would otherwise be refused (docs/eval/relevance.md).",
    )
    choose_described: bool = Field(
        default=True,
        description="A question that describes one paper in a sentence of everyday words "
        "(eight topic words or more, no paper named): the model reads the gate's candidates "
        "and the embedder's best (title and nearest sentence) and picks the one described, "
        "before it answers. About +2 s on such questions on 2 cores; false: the ranking's "
        "first (docs/eval/relevance.md).",
    )
    model_veto: Literal["off", "check", "all"] = Field(
        default="check",
        description="Where a sentence the rules verify is also read by the model against its "
        "supporting sentences, and not verified when the model says they do not state it: "
        "`check` (a user's draft: `paperchat check`, the claims eval) or `all` (answers, "
        "summaries and bios too, one more model call per sentence: about +1 s each on 2 "
        "cores, docs/eval/claims.md).",
    )
    min_synonym_similarity: float = Field(
        default=0.40,
        description="Claim verifier: a common word the cited record never uses is accepted "
        "as a paraphrase when the embedder puts it this close (cosine) to one of the record's "
        "words (MiniLM: photo~image 0.79, dictionary~definition 0.54; entity swaps such as "
        "two dataset or method names 0.08-0.28). Chosen on the development claims (0.35, "
        "0.40, 0.45 tried: fewest errors at 0.40; docs/eval/claims.md). Names never are.",
    )
    lexical_bonus: float = Field(
        default=0.3, description="Compression: weight of words shared with the question."
    )
    number_bonus: float = Field(
        default=0.1, description="Compression: bonus for sentences with digits on quantity asks."
    )
    summary_limit: int = Field(default=8, description="Papers a topic summary covers at most.")
    summary_relative: float = Field(
        default=0.4, description="Summaries favour recall: a stray paper is still described."
    )
    theme_similarity: float = Field(
        default=0.45, description="Cosine to a theme's first paper to join that theme."
    )
    chunk: int = Field(default=4, description="Papers per summary model call (~500 tokens).")
    long_reply_tokens: int = Field(default=700, description="max_tokens of summary/bio calls.")
    bio_papers: dict[str, int] = Field(
        default_factory=lambda: {"short": 3, "medium": 5, "long": 7},
        description="Papers a bio highlights, by length.",
    )
    agent_steps: int = Field(default=6, description="Tool steps an agent may take.")


class Settings(BaseSettings):
    """All configuration; nested fields via env like PAPERCHAT_LLM__THREADS=1."""

    model_config = SettingsConfigDict(
        env_prefix="PAPERCHAT_", env_nested_delimiter="__", extra="ignore"
    )

    paths: PathSettings = Field(default_factory=PathSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    corpus: str = Field(
        default=DEFAULT_CORPUS,
        description="Which corpus to use (PAPERCHAT_CORPUS); the shipped one is the default.",
    )
    max_question_chars: int = Field(
        default=2000, ge=10, description="Longer questions are refused with a message."
    )
    max_source_mb: int = Field(
        default=50,
        ge=1,
        description="Sources larger than this are streamed in bounded memory; whole-corpus "
        "hygiene checks (duplicates, owner) are then skipped and the report says so.",
    )

    @model_validator(mode="after")
    def _ecosystem_names(self) -> Settings:
        """Honour OPENAI_* and CHROMA_* where our own PAPERCHAT_* names are unset."""
        env = os.environ
        if self.llm.base_url is None and env.get("OPENAI_BASE_URL"):
            self.llm.base_url = env["OPENAI_BASE_URL"]
        if self.llm.api_key is None and env.get("OPENAI_API_KEY"):
            self.llm.api_key = env["OPENAI_API_KEY"]
        if self.retrieval.chroma_host is None and env.get("CHROMA_HOST"):
            self.retrieval.chroma_host = env["CHROMA_HOST"]
            if env.get("CHROMA_PORT"):
                self.retrieval.chroma_port = int(env["CHROMA_PORT"])
        return self

    def corpus_paths(self, name: str | None = None) -> CorpusPaths:
        """The shipped corpus keeps its files in data/; every other corpus lives under
        `<data_dir>/corpora/<name>/` with its own collection."""
        name = name or self.corpus
        if not CORPUS_NAME.match(name):
            raise ConfigError(
                f"Corpus name {name!r}: use lower-case letters, digits, '-' and '_' (max 63)"
            )
        folder = self.paths.data_dir / "corpora" / name
        if name == DEFAULT_CORPUS:
            papers, info, collection = (
                self.paths.corpus,
                self.paths.corpus_info,
                self.retrieval.collection,
            )
        else:
            papers, info = folder / "papers.jsonl", folder / "corpus_info.json"
            collection = f"{self.retrieval.collection}-{name}"
        return CorpusPaths(name=name, papers=papers, info=info, dir=folder, collection=collection)

    def uses_embedded_model(self) -> bool:
        return self.llm.base_url is None and self.llm.api_key is None
