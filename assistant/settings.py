"""One Settings object. Order: explicit argument > environment (PAPERCHAT_*) > default.

The ecosystem's own names are honoured: OPENAI_API_KEY, OPENAI_BASE_URL, CHROMA_HOST,
CHROMA_PORT.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parents[1]


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
    api_key: str | None = Field(default=None, description="Key for base_url or OpenAI.")
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
    temperature: float = 0.0
    max_tokens: int = 400
    timeout: float = Field(default=180.0, description="Seconds per model call.")
    server_port: int | None = Field(default=None, description="Port for the embedded server.")


class Settings(BaseSettings):
    """All configuration; nested fields via env like PAPERCHAT_LLM__THREADS=1."""

    model_config = SettingsConfigDict(
        env_prefix="PAPERCHAT_", env_nested_delimiter="__", extra="ignore"
    )

    paths: PathSettings = Field(default_factory=PathSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)

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

    def uses_embedded_model(self) -> bool:
        return self.llm.base_url is None and self.llm.api_key is None
