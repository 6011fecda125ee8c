"""Streaming ingest into the corpus and a real Chroma index: batches, resume, no lost data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from retrieval.errors import SourceError
from retrieval.index import PaperIndex, make_client
from retrieval.ingest import ingest


def _jsonl(path: Path, corpus: Any, n: int) -> Path:
    _, papers = corpus
    lines = [p.model_dump_json() for p in papers[:n]]
    lines.insert(3, "{not json")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_streams_in_batches_and_resumes_without_re_embedding(
    tmp_path: Path, corpus: Any, embedder: Any
) -> None:
    source = _jsonl(tmp_path / "big.jsonl", corpus, 20)
    out, info = tmp_path / "papers.jsonl", tmp_path / "info.json"
    index = PaperIndex(make_client(tmp_path / "state"), embedder, name="t-ingest")
    # An "interrupted" first run: only the first 8 papers made it into the index.
    _, papers = corpus
    index.sync(papers[:8], progress=False)
    report = ingest(source, out, info, owner="Ada", index=index, batch_size=5, progress=False)
    assert report.papers == 20 and [p.line for p in report.problems] == [4]
    assert report.index is not None
    assert report.index.embedded == 12 and report.index.unchanged == 8
    again = ingest(source, out, info, owner="Ada", index=index, batch_size=5, progress=False)
    assert again.index is not None and again.index.embedded == 0
    assert len(out.read_text().splitlines()) == 20
    assert json.loads(info.read_text())["owner"] == "Ada"


def test_a_source_with_no_papers_keeps_the_old_corpus(tmp_path: Path) -> None:
    out, info = tmp_path / "papers.jsonl", tmp_path / "info.json"
    out.write_text('{"id": "kept", "title": "Kept"}\n')
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{broken\n[1, 2]\n")
    with pytest.raises(SourceError, match="line 1"):
        ingest(bad, out, info, progress=False)
    assert out.read_text() == '{"id": "kept", "title": "Kept"}\n'


def test_removed_papers_leave_the_index(tmp_path: Path, corpus: Any, embedder: Any) -> None:
    index = PaperIndex(make_client(tmp_path / "state"), embedder, name="t-ingest")
    _, papers = corpus
    index.sync(papers[:6], progress=False)
    source = _jsonl(tmp_path / "small.jsonl", corpus, 4)
    report = ingest(source, tmp_path / "p.jsonl", tmp_path / "i.json", index=index, progress=False)
    assert report.index is not None and report.index.deleted == 2 and index.count() == 4


def test_a_source_over_the_limit_is_streamed_with_a_report(tmp_path: Path, corpus: Any) -> None:
    source = _jsonl(tmp_path / "big.jsonl", corpus, 12)
    out, info = tmp_path / "papers.jsonl", tmp_path / "info.json"
    report = ingest(source, out, info, batch_size=5, progress=False, whole_file_limit=1024)
    assert report.papers == 12 and len(out.read_text().splitlines()) == 12
    assert report.hygiene is not None
    assert report.hygiene.warnings[0].kind == "large_source"
    assert [s.line for s in report.hygiene.skipped] == [4]
