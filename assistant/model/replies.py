"""The shapes a model must reply in, as pydantic models; their JSON schema is generated
(and inlined, so every endpoint's grammar compiler takes it), and streamed replies are
parsed into them item by item, never handled as dicts.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class ReplySentence(BaseModel):
    """One sentence the model wrote, with the source keys it claims."""

    model_config = ConfigDict(extra="ignore")

    text: str
    sources: list[int] = Field(default_factory=list)


class SentencesReply(BaseModel):
    sentences: list[ReplySentence] = Field(max_length=6)


class ThemedReply(BaseModel):
    theme: str
    sentences: list[ReplySentence] = Field(max_length=6)


def schema_of(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema with `$ref`s inlined and titles dropped."""
    raw = model.model_json_schema()
    defs = raw.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return inline(defs[node["$ref"].rsplit("/", 1)[-1]])
            return {k: inline(v) for k, v in node.items() if k != "title"}
        if isinstance(node, list):
            return [inline(v) for v in node]
        return node

    return inline(raw)


SENTENCES_SCHEMA = schema_of(SentencesReply)
THEMED_SCHEMA = schema_of(ThemedReply)


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


class Collected(BaseModel):
    """A whole reply: its complete sentence items (a reply cut off at max_tokens keeps the
    ones it finished), its theme if any, and the seconds to its first token."""

    theme: str = ""
    sentences: list[ReplySentence] = Field(default_factory=list)
    first_token: float | None = None


def collect(chunks: Iterator[str]) -> Collected:
    started = time.perf_counter()
    first: float | None = None
    streamer = SentenceStreamer()
    items: list[ReplySentence] = []
    for chunk in chunks:
        if first is None:
            first = time.perf_counter() - started
        items.extend(streamer.feed(chunk))
    return Collected(theme=streamer.theme(), sentences=items, first_token=first)
