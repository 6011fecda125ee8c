"""`paperchat eval --phrasings`: agreement between a question and its rephrasings, on the
real shipped corpus with a FAKE chat model (the pipeline's code decides lists, metadata
and refusals; the fake writes nothing)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assistant.errors import ConfigError
from assistant.eval.phrasings import base_questions, load_phrasings, render, score_phrasings
from tests.fakes import FakeChatModel


def _write(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_agreement_counts_outcome_and_cited_papers(make_assistant: Any, tmp_path: Path) -> None:
    _write(
        tmp_path / "dev.jsonl",
        [
            {"id": "q1", "question": "Which papers are about portrait animation?"},
            {"id": "q3", "question": "What is the capital of France?"},
        ],
    )
    rows = [
        {
            "id": "q1-a",
            "base": "q1",
            "set": "dev",
            "style": "casual",
            "question": "which papers r about portrait animation",
        },
        {
            "id": "q1-b",
            "base": "q1",
            "set": "dev",
            "style": "indirect",
            "question": "What is the capital of France?",
        },  # refuses an answered question
        {
            "id": "q3-a",
            "base": "q3",
            "set": "dev",
            "style": "casual",
            "question": "whats the capital of france",
        },
    ]
    assistant = make_assistant(FakeChatModel({"sentences": []}))
    bases = base_questions(rows, tmp_path)
    result = score_phrasings(rows, bases, lambda corpus, q: assistant.ask(q))
    assert result["by_style"] == {"casual": [2, 2], "indirect": [0, 1]}
    assert result["false_refusals"] == 1
    assert [d["id"] for d in result["disagreements"]] == ["q1-b"]
    assert "agreement 0.667" in render(result)


def test_phrasing_sets_split_by_base_and_refuse_unknown_bases(tmp_path: Path) -> None:
    rows = [
        {"id": "d01-x", "base": "d01", "set": "dev", "question": "a"},
        {"id": "d02-x", "base": "d02", "set": "dev", "question": "b"},
    ]
    path = _write(tmp_path / "p.jsonl", rows)
    assert [r["id"] for r in load_phrasings(path, "check")] == ["d02-x"]
    assert [r["id"] for r in load_phrasings(path, "dev")] == ["d01-x"]
    _write(tmp_path / "dev.jsonl", [{"id": "d01", "question": "a?"}])
    with pytest.raises(ConfigError, match="not in their set"):
        base_questions(rows, tmp_path)
    with pytest.raises(ConfigError, match="without base"):
        load_phrasings(_write(tmp_path / "bad.jsonl", [{"id": "x"}]), "all")
