"""The shapes a model must reply in, as pydantic models; their JSON schema is generated
(and inlined, so every endpoint's grammar compiler takes it), and streamed replies are
parsed into them item by item, never handled as dicts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from assistant.model.grammar import ONE_SENTENCE


class ReplySentence(BaseModel):
    """One sentence the model wrote, with the source keys it claims."""

    model_config = ConfigDict(extra="ignore")

    text: str
    sources: list[int] = Field(default_factory=list)


class SentencesReply(BaseModel):
    sentences: list[ReplySentence] = Field(max_length=6)


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        if "$ref" in node:
            return _inline(defs[node["$ref"].rsplit("/", 1)[-1]], defs)
        return {k: _inline(v, defs) for k, v in node.items() if k != "title"}
    if isinstance(node, list):
        return [_inline(v, defs) for v in node]
    return node


def schema_of(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema with `$ref`s inlined and titles dropped."""
    raw = model.model_json_schema()
    return _inline(raw, raw.pop("$defs", {}))


SENTENCES_SCHEMA = schema_of(SentencesReply)


# A yes or no: does the passage state the claim, is the paper about the question. (No
# docstring: it would become the schema's description, sent with every call.)
class VerdictReply(BaseModel):
    verdict: Literal["yes", "no"]


VERDICT_SCHEMA = schema_of(VerdictReply)


def choice_schema(count: int) -> dict[str, Any]:
    """One of `count` numbered papers (1..count), or 0 for none."""
    return {
        "type": "object",
        "properties": {"paper": {"type": "integer", "enum": list(range(count + 1))}},
        "required": ["paper"],
    }


def choice_of(reply: str, count: int) -> int | None:
    """The chosen paper's number (1..count); None for none, or no usable reply."""
    try:
        chosen = json.loads(reply).get("paper")
    except (ValueError, AttributeError):
        return None
    return chosen if isinstance(chosen, int) and 1 <= chosen <= count else None


def verdict_of(reply: str) -> bool | None:
    """The model's yes (True) or no (False); None when it gave neither (a mute model)."""
    try:
        return VerdictReply.model_validate_json(reply).verdict == "yes"
    except ValidationError:
        return None


def synthesis_schema(keys: list[int]) -> dict[str, Any]:
    """A theme's paragraph: a name; one sentence on what several of the theme's sources
    share, citing at least two of them (one when the theme has one paper); then one
    sentence per source, citing it alone. No sentence can cite outside the theme. Asked
    for a free list of sentences, the 1.5B model wrote one per paper and never joined two
    (docs/eval/syntheses.md)."""

    def item(least: int, most: int) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {
                "text": {"type": "string", "pattern": ONE_SENTENCE},
                "sources": {
                    "type": "array",
                    "items": {"enum": keys},
                    "minItems": least,
                    "maxItems": most,
                },
            },
            "required": ["text", "sources"],
        }

    return {
        "type": "object",
        "properties": {
            "theme": {"type": "string", "maxLength": 60},
            "common": item(min(2, len(keys)), len(keys)),
            "each": {
                "type": "array",
                "items": item(1, 1),
                "minItems": len(keys),
                "maxItems": len(keys),
            },
        },
        "required": ["theme", "common", "each"],
    }


def predicate_schema(keys: list[int], labels: list[str]) -> dict[str, Any]:
    """A theme's paragraph: a name, one sentence citing at least two of the theme's sources
    (what they share), then, under each paper's label in order, the rest of a sentence
    whose subject is that label ("MAGI": "combines masked and causal modeling"). Shown the
    papers' sentences and asked for whole sentences, the 1.5B model copied them; asked to
    go on from the paper's name, it shortens and rewords (docs/eval/syntheses.md). The
    label is the key, so no sentence can land on the wrong paper."""
    common = synthesis_schema(keys)["properties"]["common"]
    return {
        "type": "object",
        "properties": {
            "theme": {"type": "string", "maxLength": 60},
            "common": common,
            "each": {
                "type": "object",
                "properties": {
                    label: {"type": "string", "pattern": ONE_SENTENCE} for label in labels
                },
                "required": labels,
            },
        },
        "required": ["theme", "common", "each"],
    }


def per_source_schema(keys: list[str]) -> dict[str, Any]:
    """One sentence for each source, under its key, in order: {"1": "...", "2": "..."}.
    For bios: given a list of sentences to fill, the 1.5B model merged three papers into
    one sentence and opened with praise of the researcher that no source holds; given a
    string per paper, it wrote two long sentences in each (44 s for a short bio)."""
    sentence = {"type": "string", "pattern": ONE_SENTENCE}
    return {
        "type": "object",
        "properties": dict.fromkeys(keys, sentence),
        "required": list(keys),
        "additionalProperties": False,
    }


# --- the agent's steps: one JSON object per step, its `tool` picks the shape (anyOf) -----
# Optional arguments are required-but-nullable: the grammar makes the model write each one,
# and the description steers it to null (FINDINGS: left free, it invents year ranges).
UNSAID = "null when the question does not say"


class SearchStep(BaseModel):
    """search_papers: find papers by meaning and keywords, optionally filtered."""

    tool: Literal["search_papers"]
    query: str = Field(max_length=200, description="What to look for, in the question's words.")
    year_from: int | None = Field(description=UNSAID)
    year_to: int | None = Field(description=UNSAID)
    category: str | None = Field(description=f"A category code; {UNSAID}")
    author: str | None = Field(description=f"A co-author's name; {UNSAID}")
    has_code: bool | None = Field(description=UNSAID)


class ListStep(BaseModel):
    """list_papers: exactly the papers matching metadata (count and list questions)."""

    tool: Literal["list_papers"]
    year_from: int | None = Field(description=UNSAID)
    year_to: int | None = Field(description=UNSAID)
    category: str | None = Field(description=f"A category code; {UNSAID}")
    author: str | None = Field(description=f"A co-author's name; {UNSAID}")
    has_code: bool | None = Field(description=UNSAID)


class GetPaperStep(BaseModel):
    """get_paper: the full record of a paper a result showed, by its source number."""

    tool: Literal["get_paper"]
    key: int = Field(description="A source number shown in a result, like 2 for [2].")


class StatsStep(BaseModel):
    """corpus_stats: owner, h-index, citations, paper count, categories and years."""

    tool: Literal["corpus_stats"]


class CitedSentence(BaseModel):
    """A final-answer sentence; its sources are required, so the grammar asks for them."""

    text: str = Field(max_length=300)
    sources: list[int] = Field(max_length=3)


class FinalStep(BaseModel):
    """final: the answer, as sentences naming the source numbers that support them."""

    tool: Literal["final"]
    # 4: the 1.5B model fills every allowed item, repeating itself past the facts it has.
    sentences: list[CitedSentence] = Field(max_length=4)


AgentStep = SearchStep | ListStep | GetPaperStep | StatsStep | FinalStep
STEP_ADAPTER: TypeAdapter[AgentStep] = TypeAdapter(AgentStep)
TOOL_STEPS: tuple[type[BaseModel], ...] = (SearchStep, ListStep, GetPaperStep, StatsStep)


def step_schema(final_only: bool = False) -> dict[str, Any]:
    """The grammar for one step: any tool, or (when steps run out) only `final`."""
    if final_only:
        return schema_of(FinalStep)
    raw = STEP_ADAPTER.json_schema()
    defs = raw.pop("$defs", {})
    return _inline(raw, defs)


def parse_step(text: str) -> AgentStep:
    """A step reply parsed into its model (ValidationError if it is not one)."""
    return STEP_ADAPTER.validate_json(text)


class SentenceStreamer:
    """Yields each `{"text", "sources"}` item of a streamed JSON reply once it is complete,
    so every sentence is checked before the user sees it."""

    ITEM = re.compile(r'\{\s*"text"')
    THEME = re.compile(r'"theme"\s*:\s*"((?:[^"\\]|\\.)*)"')

    def __init__(self) -> None:
        self.buffer = ""
        self.position = 0
        self.decoder = json.JSONDecoder()

    def feed(self, chunk: str) -> list[ReplySentence]:
        self.buffer += chunk
        done: list[ReplySentence] = []
        while True:
            match = self.ITEM.search(self.buffer, self.position)
            if not match:
                return done
            try:
                item, end = self.decoder.raw_decode(self.buffer, match.start())
            except json.JSONDecodeError:
                return done  # incomplete: wait for more
            self.position = end
            try:
                done.append(ReplySentence.model_validate(item))
            except ValidationError:
                continue  # a malformed item is dropped, like an unsupported sentence

    def theme(self) -> str:
        found = self.THEME.search(self.buffer)
        return str(json.loads(f'"{found[1]}"')) if found else ""


class PredicateStreamer(SentenceStreamer):
    """A `predicate_schema` reply: the "common" item as `SentenceStreamer` yields it, then
    each `"label": "rest of the sentence"` entry once complete, as the sentence
    `compose(subject, rest)` citing that label's key."""

    def __init__(
        self, labels: dict[str, tuple[int, str]], compose: Callable[[str, str], str]
    ) -> None:
        super().__init__()
        self.labels = labels  # label -> (key, the subject the sentence is shown with)
        self.compose = compose
        alternatives = "|".join(re.escape(json.dumps(label)) for label in labels)
        self.entry = re.compile(rf'({alternatives})\s*:\s*"((?:[^"\\]|\\.)*)"')
        self.entry_position = 0

    def feed(self, chunk: str) -> list[ReplySentence]:
        done = super().feed(chunk)
        for match in self.entry.finditer(self.buffer, self.entry_position):
            self.entry_position = match.end()
            key, subject = self.labels[json.loads(match[1])]
            text = self.compose(subject, json.loads(f'"{match[2]}"'))
            if text:
                done.append(ReplySentence(text=text, sources=[key]))
        return done


class KeyedStreamer:
    """Yields each `"key": "sentence"` entry of a streamed `per_source_schema` reply once
    its string is complete, as a sentence citing that key."""

    ENTRY = re.compile(r'"(\d+)"\s*:\s*"((?:[^"\\]|\\.)*)"')

    def __init__(self) -> None:
        self.buffer = ""
        self.position = 0

    def feed(self, chunk: str) -> list[ReplySentence]:
        self.buffer += chunk
        done: list[ReplySentence] = []
        for match in self.ENTRY.finditer(self.buffer, self.position):
            self.position = match.end()
            text = json.loads(f'"{match[2]}"')
            done.append(ReplySentence(text=text, sources=[int(match[1])]))
        return done
