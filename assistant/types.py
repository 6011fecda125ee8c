"""The typed end of the pipeline: a checked `Answer`, the events `stream` yields, and the
one way from keyword arguments (API, CLI, agent tools) to `Filters`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.errors import ConfigError
from retrieval.models import Filters, Paper

History = Sequence[dict[str, Any]]

NOT_COVERED = "The corpus does not cover this."


class Citation(BaseModel):
    """A key the code minted, pointing at the paper the user can check."""

    model_config = ConfigDict(extra="forbid")

    key: str = Field(description="The marker used in the text, e.g. '1' for [1].")
    paper: Paper


class Sentence(BaseModel):
    """One answer sentence after checking; `status` explains its fate."""

    model_config = ConfigDict(extra="forbid")

    text: str
    keys: list[str] = Field(default_factory=list, description="Final citation keys.")
    status: Literal[
        "verified", "quoted", "cited", "reattributed", "attributed", "unsupported", "fact"
    ] = Field(
        default="cited",
        description="verified: the claim verifier found the cited record states it; quoted: "
        "the record's own sentence, verbatim, labelled as a quote; cited (or reattributed / "
        "attributed, when the code fixed the key): its numbers and names occur in the cited "
        "record but the verifier could not confirm it; unsupported: removed; fact: corpus "
        "metadata.",
    )
    note: str = Field(default="", description="Why it was re-attributed, not verified or removed.")
    evidence: dict[str, str] = Field(
        default_factory=dict,
        description="Final citation key -> the sentence of that paper's record that supports "
        "this sentence (what the UI highlights in the paper's card).",
    )


class Timings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    retrieval: float = Field(default=0.0, description="Seconds to plan and retrieve.")
    first_token: float | None = Field(default=None, description="Seconds to the first model token.")
    total: float = 0.0
    checking: float | None = Field(
        default=None, description="Seconds spent checking and verifying the model's sentences."
    )
    judging: float | None = Field(
        default=None,
        description="Seconds the model spent reading the best hits of a question the "
        "relevance gate would refuse (jobs/relevance.py).",
    )
    prompt_tokens: int | None = Field(default=None, description="Prompt tokens of the model call.")
    cached_tokens: int | None = Field(
        default=None, description="Of those, tokens the server reused from its prefix cache."
    )
    completion_tokens: int | None = Field(default=None, description="Tokens the model wrote.")
    server_prompt: float | None = Field(
        default=None, description="The server's own seconds for the new prompt tokens."
    )
    server_generation: float | None = Field(
        default=None, description="The server's own seconds for writing the reply."
    )

    def with_usage(self, usage: dict[str, float] | None) -> Timings:
        """These timings with a model call's token counts and server seconds, if reported."""
        if not usage:
            return self
        return self.model_copy(
            update={
                "prompt_tokens": int(usage.get("prompt_tokens", 0)),
                "cached_tokens": int(usage.get("cached_tokens", 0)),
                "completion_tokens": int(usage.get("completion_tokens", 0)),
                "server_prompt": usage.get("prompt_s"),
                "server_generation": usage.get("generation_s"),
            }
        )


class Answer(BaseModel):
    """What the user sees, with the status needed to trust it."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="Answer text with [n] markers.")
    answered: bool = Field(description="False when the corpus does not cover the question.")
    citations: list[Citation] = Field(default_factory=list)
    checked: list[Citation] = Field(
        default_factory=list,
        description="Papers looked at but not cited as support (a 'not stated' answer).",
    )
    dropped_keys: list[str] = Field(
        default_factory=list, description="Keys the model cited but was never shown."
    )
    unsupported: int = Field(default=0, description="Sentences removed by the grounding check.")
    reattributed: int = Field(default=0, description="Sentences whose citations code corrected.")
    sentences: list[Sentence] = Field(
        default_factory=list, description="Debug view: every sentence, kept or removed."
    )
    model: str = Field(default="", description="Model that wrote the text, or 'metadata'.")
    kind: Literal["ask", "summarize", "bio"] = "ask"
    timings: Timings = Field(default_factory=Timings)

    def to_json_dict(self) -> dict[str, object]:
        """The stable CLI/JSON shape other tools depend on."""
        return {
            "answer": self.text,
            "answered": self.answered,
            "citations": [{"key": c.key, "paper": paper_json(c.paper)} for c in self.citations],
            "checked": [paper_json(c.paper) for c in self.checked],
            "sentences": [s.model_dump() for s in self.sentences],
            "model": self.model,
            "timings": self.timings.model_dump(),
            "dropped_keys": self.dropped_keys,
            "unsupported": self.unsupported,
        }


def paper_json(paper: Paper) -> dict[str, object]:
    """Paper fields in the order tools expect (id, title, year, authors, ...)."""
    data = paper.model_dump(mode="json")
    first = ["id", "title", "year", "authors", "category", "has_code", "code_url"]
    return {**{k: data[k] for k in first}, **{k: v for k, v in data.items() if k not in first}}


class SourcesEvent(BaseModel):
    type: Literal["sources"] = "sources"
    citations: list[Citation]


class TextEvent(BaseModel):
    type: Literal["text"] = "text"
    delta: str


class AnswerEvent(BaseModel):
    type: Literal["answer"] = "answer"
    answer: Answer


class WaitingEvent(BaseModel):
    """The model is busy with other people's questions: `ahead` jobs go first (FIFO).
    Yielded again whenever the number changes; sources and text follow once it is 0."""

    type: Literal["waiting"] = "waiting"
    ahead: int = Field(ge=0, description="Model jobs running or queued before this one.")


Event = WaitingEvent | SourcesEvent | TextEvent | AnswerEvent


def make_filters(given: dict[str, Any]) -> Filters:
    """Filters from keyword arguments, with friendly aliases: year=2024, category="CV".
    None values are ignored, so a tool's unset optional arguments mean "no filter"."""
    given = {k: v for k, v in given.items() if v is not None}
    if "year" in given:
        year = given.pop("year")
        given.setdefault("year_from", year)
        given.setdefault("year_to", year)
    if "category" in given:
        category = given.pop("category")
        given["categories"] = [category] if isinstance(category, str) else category
    try:
        return Filters(**given)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise ConfigError(f"Bad filter {where!r}: {first['msg']}") from exc
