"""What the MCP server's tools take and give, as pydantic models (their JSON schemas are
generated from these), and the corpora it answers from.

The answer shape is `paperchat ask --json`'s own: `AnswerJSON` is validated from
`Answer.to_json_dict()`, so the CLI and the MCP tools cannot drift apart unnoticed.
"""

from __future__ import annotations

import threading
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.api import Assistant
from assistant.corpora import CorpusSummary
from assistant.errors import ConfigError
from assistant.exports import paper_links
from assistant.overview import CorpusStats
from assistant.settings import Settings
from assistant.types import Answer, Citation, Sentence, Timings
from retrieval.models import CorpusInfo, Hit, Paper


class Turn(BaseModel):
    """One earlier message of the conversation, so a follow-up ('and its code?') resolves."""

    model_config = ConfigDict(extra="forbid")

    role: Literal["user", "assistant"]
    content: str


class AnswerJSON(BaseModel):
    """A checked answer, exactly as `paperchat ask --json` prints it."""

    model_config = ConfigDict(extra="forbid")

    answer: str = Field(description="Answer text with [n] markers; only code-minted keys.")
    answered: bool = Field(description="False when the corpus does not cover the question.")
    citations: list[Citation] = Field(description="Each [n] marker and the paper it cites.")
    checked: list[Paper] = Field(description="Papers looked at but not cited as support.")
    sentences: list[Sentence] = Field(
        description="Every sentence with its status (verified, quoted, cited, ..., unsupported: "
        "removed) and the record sentence that supports it (evidence)."
    )
    model: str = Field(description="Model that wrote the text, or 'metadata'.")
    timings: Timings
    dropped_keys: list[str] = Field(description="Keys the model cited but was never shown.")
    unsupported: int = Field(description="Sentences removed by the grounding check.")

    @classmethod
    def of(cls, answer: Answer) -> AnswerJSON:
        return cls.model_validate(answer.to_json_dict())


class SearchResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    corpus: str
    hits: list[Hit] = Field(description="Best first; `why` says what matched.")


class PaperList(BaseModel):
    model_config = ConfigDict(extra="forbid")

    corpus: str
    papers: list[Paper] = Field(description="Every paper the filters admit, newest first.")


class CorpusList(BaseModel):
    model_config = ConfigDict(extra="forbid")

    default: str = Field(description="The corpus a tool uses when given none.")
    corpora: list[CorpusSummary]


class PaperRecord(BaseModel):
    """A paper as a resource: its record and the pages a reader can open."""

    model_config = ConfigDict(extra="forbid")

    paper: Paper
    links: dict[str, str] = Field(description="Code, PDF, DOI and arXiv pages (http(s) only).")

    @classmethod
    def of(cls, paper: Paper) -> PaperRecord:
        return cls(paper=paper, links=dict(paper_links(paper)))


class Overview(BaseModel):
    """A corpus at a glance: whose it is, its headline figures, papers per year."""

    model_config = ConfigDict(extra="forbid")

    corpus: str
    info: CorpusInfo | None
    stats: CorpusStats


class Corpora:
    """The corpora the server answers from: the one it started with, or (when no corpus was
    named) every corpus in the data dir. One `Assistant` each, built on first use and kept;
    they share one embedder."""

    def __init__(self, settings: Settings, only: str | None = None) -> None:
        self.settings = settings
        self.only = only
        self.base = Assistant(settings, corpus=only)
        self.default = self.base.corpus
        self._made: dict[str, Assistant] = {self.default: self.base}
        self._lock = threading.Lock()

    def warm(self) -> None:
        """Read the corpus, sync its index and load the embedder now, not on the first call
        (and not twice, from two calls at once)."""
        _ = self.base.pipeline, self.base.verifier

    def names(self) -> list[str]:
        if self.only is not None:
            return [self.default]
        listed = [c.name for c in self.base.corpora()]
        return [self.default, *[n for n in listed if n != self.default]]

    def summaries(self) -> list[CorpusSummary]:
        served = set(self.names())
        return [c for c in self.base.corpora() if c.name in served]

    def get(self, name: str | None = None) -> Assistant:
        if not name or name == self.default:
            return self.base
        with self._lock:
            if name not in self._made:
                if name not in self.names():
                    raise ConfigError(self._unknown(name))
                made = Assistant(self.settings, corpus=name, embedder=self.base.embedder)
                _ = made.pipeline, made.verifier
                self._made[name] = made
            return self._made[name]

    def _unknown(self, name: str) -> str:
        if self.only is not None:
            return (
                f"This server answers from corpus {self.only!r} only: start `paperchat mcp` "
                "without --corpus to serve every corpus"
            )
        return f"No corpus named {name!r}: the corpora tool lists them"

    def close(self) -> None:
        for assistant in self._made.values():
            assistant.close()
