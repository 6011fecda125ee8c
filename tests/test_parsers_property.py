"""Property tests (hypothesis) for the source parsers: whatever a file holds, loading it
gives papers and reported problems, or the project's own error with a one-line message;
never another exception, never a crash."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant import PaperchatError
from retrieval.formats.jsonfile import iter_json_records
from retrieval.models import Paper
from retrieval.profile import ParseProblem
from retrieval.sources import load_source

SUFFIXES = [".bib", ".json", ".jsonl", ".txt", ".csv"]
BIB_PIECES = st.sampled_from(
    [
        "@article{", "@INPROCEEDINGS{", "@string{a = {b}}", "title = {", "author = ", "}",
        "{", '"', " and ", "others", ",", "=", "#", "%", "\\\"u", "{\\%}", "<b>", "</em>",
        "year = 2021", "month = jul", "abstract = {", "\n", "---\n", "@comment{", "\\url{",
        "code = {https://github.com/x/y}", "Last, First", "*", "\x00", "é",
    ]
)  # fmt: skip
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "title",
                    "abstract",
                    "authors",
                    "author",
                    "year",
                    "issued",
                    "doi",
                    "id",
                    "name",
                    "abstract_inverted_index",
                    "authorships",
                    "publication_year",
                    "paperId",
                    "venue",
                    "date-parts",
                    "family",
                    "given",
                    "externalIds",
                    "results",
                    "data",
                    "x",
                ]
            ),
            children,
            max_size=6,
        )
    ),
    max_leaves=20,
)


def _load(text: str, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"source{suffix}"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            result = load_source(path)
        except PaperchatError as exc:
            message = str(exc)
            assert message and "\n" not in message
            return
        assert result.papers and all(isinstance(p, Paper) for p in result.papers)
        assert all(isinstance(p, ParseProblem) for p in result.problems)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(BIB_PIECES, max_size=40).map("".join), st.sampled_from(SUFFIXES))
def test_any_bibtex_like_text_loads_or_fails_cleanly(text: str, suffix: str) -> None:
    _load(text, suffix)


@settings(max_examples=150, deadline=None)
@given(JSON_VALUES, st.sampled_from([".json", ".jsonl"]))
def test_any_json_loads_or_fails_cleanly(value: Any, suffix: str) -> None:
    _load(json.dumps(value), suffix)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300), st.sampled_from(SUFFIXES))
def test_any_text_loads_or_fails_cleanly(text: str, suffix: str) -> None:
    _load(text.replace("\x00", ""), suffix)


@settings(max_examples=200, deadline=None)
@given(st.lists(JSON_VALUES, max_size=5), st.sampled_from(["json", "csl", "openalex", "s2"]))
def test_json_records_become_papers_or_problems(records: list[Any], kind: Any) -> None:
    items = list(enumerate(records, 1))
    for record in iter_json_records(items, kind, {}):
        assert isinstance(record, Paper | ParseProblem)
