"""JSON sources: an array, JSONL, an API list response (`results`, `data`) or one object.

Each record keeps the line it starts on, so a bad one is reported by line while every good
one is kept. The kind of record (CSL, OpenAlex, Semantic Scholar, or anything else with
guessed field names) is decided from the records themselves, not the file name.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any, Literal

from pydantic import ValidationError

from retrieval.formats.common import Draft, draft_to_paper
from retrieval.formats.csl import csl_draft, is_csl
from retrieval.formats.generic import generic_draft
from retrieval.formats.openalex import is_openalex, openalex_draft
from retrieval.formats.s2 import is_s2, s2_draft
from retrieval.models import Paper
from retrieval.profile import ParseProblem

RecordKind = Literal["csl", "openalex", "s2", "json"]
LIST_KEYS = ("results", "data", "items", "papers", "publications", "works", "references")
_DECODER = json.JSONDecoder()


def _line_at(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def _array_items(text: str, start: int) -> Iterator[tuple[int, Any | ParseProblem]]:
    """(line, value) for each element of the array whose '[' is at `start`.

    After a broken element, reading resumes at the next line whose '{' sits in the column
    of the first element, so one bad record costs only itself.
    """
    pos, column = start + 1, None
    while True:
        pos = len(text) - len(text[pos:].lstrip(" \t\r\n,"))
        if pos >= len(text) or text[pos] == "]":
            return
        line = _line_at(text, pos)
        if column is None:
            column = pos - (text.rfind("\n", 0, pos) + 1)
        try:
            value, pos = _DECODER.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            yield line, ParseProblem(line=line, message=f"invalid JSON: {exc.msg}")
            found = re.compile(rf"\n[ \t]{{{column}}}\{{").search(text, pos + 1)
            if found is None:
                return
            pos = found.end() - 1
            continue
        yield line, value


def _jsonl_items(text: str) -> Iterator[tuple[int, Any | ParseProblem]]:
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, ParseProblem(line=number, message=f"invalid JSON: {exc.msg}")


def json_items(text: str) -> Iterator[tuple[int, Any | ParseProblem]]:
    """The records of a JSON or JSONL text, each with its first line."""
    stripped = text.lstrip()
    offset = len(text) - len(stripped)
    if stripped.startswith("["):
        yield from _array_items(text, offset)
        return
    try:
        whole = json.loads(text)
    except json.JSONDecodeError:
        yield from _jsonl_items(text)  # JSONL, or one broken object: reported by line
        return
    if isinstance(whole, dict):
        for key in LIST_KEYS:
            if isinstance(whole.get(key), list):
                found = re.search(rf'"{key}"\s*:\s*\[', text)
                items = list(_array_items(text, found.end() - 1)) if found else []
                if len(items) != len(whole[key]):  # the regex met another key: plain lines
                    items = [(_line_at(text, offset), v) for v in whole[key]]
                yield from items
                return
    yield _line_at(text, offset), whole


def record_kind(records: list[Any]) -> RecordKind:
    """The kind most of the first records are (generic JSON if none is recognised)."""
    votes: dict[RecordKind, int] = {}
    for record in [r for r in records if isinstance(r, dict)][:20]:
        kind: RecordKind = (
            "openalex"
            if is_openalex(record)
            else "s2"
            if is_s2(record)
            else "csl"
            if is_csl(record)
            else "json"
        )
        votes[kind] = votes.get(kind, 0) + 1
    return max(votes, key=lambda k: votes[k]) if votes else "json"


def is_paper_schema(record: Any) -> bool:
    """A record in our own `Paper` schema (what `write_corpus` writes): read strictly."""
    return isinstance(record, dict) and "title" in record and set(record) <= set(Paper.model_fields)


def drafter(
    kind: RecordKind, field_map: dict[str, str] | None
) -> Callable[[dict[str, Any]], Draft]:
    if field_map or kind == "json":
        return lambda record: generic_draft(record, field_map)
    return {"csl": csl_draft, "openalex": openalex_draft, "s2": s2_draft}[kind]


def iter_json_records(
    items: list[tuple[int, Any | ParseProblem]],
    kind: RecordKind,
    seen: dict[str, int],
    field_map: dict[str, str] | None = None,
) -> Iterator[Paper | ParseProblem]:
    to_draft = drafter(kind, field_map)
    for line, record in items:
        if isinstance(record, ParseProblem):
            yield record
            continue
        if not isinstance(record, dict):
            yield ParseProblem(line=line, message="record is not a JSON object")
            continue
        try:
            draft = to_draft(record)
            if not draft.title:
                yield ParseProblem(line=line, message="record has no title")
                continue
            yield draft_to_paper(draft, seen)
        except (ValidationError, ValueError, TypeError, AttributeError) as exc:
            yield ParseProblem(line=line, message=f"unreadable record: {exc}".splitlines()[0])
