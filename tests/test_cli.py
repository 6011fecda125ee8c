"""The CLI as a user runs it: real processes, real index in a temp dir."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.settings import ROOT


def paperchat(*args: str, state: Path, env: dict[str, str] | None = None, timeout: float = 600):
    full_env = {
        **os.environ,
        "PAPERCHAT_PATHS__DATA_DIR": str(state),
        "GRADIO_ANALYTICS_ENABLED": "False",
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=ROOT,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli-state")
    result = paperchat("index", "--json", state=path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["added"] == 42
    return path


def test_index_twice_embeds_nothing(state: Path) -> None:
    result = paperchat("index", "--json", state=state)
    assert json.loads(result.stdout)["embedded"] == 0


def test_search_json_shape(state: Path) -> None:
    result = paperchat("search", "DINO object detection", "-k", "3", "--json", state=state)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == 3
    for row in rows:
        assert isinstance(row["score"], float)
        assert {"id", "title", "year", "authors", "category", "has_code", "code_url"} <= set(
            row["paper"]
        )
    assert rows[0]["paper"]["title"].startswith(("DINO", "Mask DINO"))


def test_search_filters(state: Path) -> None:
    result = paperchat("search", "video", "--year", "2025-", "--code", "--json", state=state)
    rows = json.loads(result.stdout)
    assert rows and all(r["paper"]["year"] >= 2025 and r["paper"]["has_code"] for r in rows)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("search", "x", "--year", "abc"), "--year"),
        (("search", "   "), "Empty query"),
        (("ingest", "/nonexistent/file.bib"), "/nonexistent/file.bib"),
    ],
)
def test_errors_are_one_line_exit_2(state: Path, args: tuple[str, ...], needle: str) -> None:
    result = paperchat(*args, state=state)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in result.stderr


def test_unreachable_endpoint_is_one_line_exit_2(state: Path) -> None:
    result = paperchat(
        "ask",
        "What AP does DINO achieve in 12 epochs?",
        state=state,
        env={
            "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",
            "OPENAI_API_KEY": "x",
            "PAPERCHAT_LLM__MODEL": "m",
            "PAPERCHAT_LLM__MODE": "pipeline",
        },
    )
    assert result.returncode == 2
    assert "http://127.0.0.1:9/v1" in result.stderr and "OPENAI_BASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_ingest_reports_bad_records_and_keeps_good_ones(tmp_path: Path) -> None:
    source = tmp_path / "mine.jsonl"
    source.write_text(
        '{"title": "A good paper", "authors": ["Ann Lee"], "year": 2024}\n'
        "{broken json\n"
        '{"title": "Another paper", "abstract": "About graphs."}\n'
    )
    result = paperchat("ingest", str(source), "--json", state=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["papers"] == 2 and report["corpus"] == "mine"
    assert [s["line"] for s in report["skipped"]] == [2]
    assert f"{source}:2:" in result.stderr
    corpus = tmp_path / "corpora" / "mine" / "papers.jsonl"
    assert len(corpus.read_text().splitlines()) == 2


def test_model_prefill_needs_the_embedded_model(state: Path) -> None:
    hosted = {"OPENAI_BASE_URL": "http://127.0.0.1:9/v1", "PAPERCHAT_LLM__MODEL": "any"}
    result = paperchat("model", "prefill", state=state, env=hosted)
    assert result.returncode == 2
    assert "Prefill needs the embedded model" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
