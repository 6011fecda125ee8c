"""`paperchat bench` (bench, bench_* and synthetic) on small inputs: structure and invariants,
never timings.

Real parts throughout: the MiniLM embedder, Chroma on disk in tmp_path, `chroma run`.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.bench import main as bench
from assistant.bench.answer import concurrent, p95
from assistant.bench.measure import percentiles
from assistant.bench.report import NOTES, answer_section, quality, write_report
from assistant.bench.search import (
    queries_for,
    search_latency,
    stage_index,
    stage_server,
    synthetic_vectors,
)
from assistant.bench.synthetic import Synthetic
from assistant.errors import ConfigError
from assistant.settings import Settings
from tests.fakes import QuotingChatModel


class NoEmbedder:
    """A FAKE embedder that fails if used: proves cached vectors are not re-embedded."""

    def encode(self, texts: list[str]) -> np.ndarray:
        raise AssertionError(f"re-embedded {len(texts)} texts")


def test_concurrent_askers_all_complete_through_the_queue(make_assistant: Any) -> None:
    assistant = make_assistant(QuotingChatModel())
    questions = ["What AP does DINO achieve in 12 epochs?", "What is Step-Audio?"]
    load = concurrent(assistant, questions, 4)
    assert load["completed"] == 4 and load["errors"] == []
    assert load["p50_s"] <= load["p95_s"] and 0 <= load["max_ahead"] <= 3


def test_answer_section_renders_every_model_figure() -> None:
    row = {"question": "q?", "sources_s": 0.01, "first_text_s": 1.0, "total_s": 2.0,
           "prompt_tokens": 500, "cached_tokens": 120, "model": "m", "papers": 8}  # fmt: skip
    load = {"askers": 2, "completed": 2, "wall_s": 4.0, "throughput_per_min": 30.0,
            "p50_s": 2.0, "p95_s": 3.9, "max_ahead": 1}  # fmt: skip
    answer = {"server_start_s": 4.1, "server_reuse_s": 0.002, "backend": "llama-server",
              "model": "m", "threads": 2, "rows": [row], "median_total_s": 2.0,
              "median_first_text_s": 1.0, "cached_share": 0.24, "repeat": row,
              "repeat_cached_share": 0.9, "jobs": {"summary": row}, "load": {"2": load}}  # fmt: skip  # noqa: E501
    lines = answer_section(answer)
    text = "\n".join(lines)
    assert "| server start (cold) / reuse by a later command | 4.1 s / 2.0 ms |" in lines
    assert "0.24 / 0.9" in text and "| summary | 8 | 1.0 | 2.0 | m |" in lines
    assert "| 2 | 2/2 | 4.0 | 30.0 | 2.0 | 3.9 | 1 |" in lines
    assert p95([1.0, 2.0, 3.0, 10.0]) == 10.0


def test_percentiles_are_ordered() -> None:
    p = percentiles([5.0, 1.0, 9.0, 3.0, 100.0])
    assert p["n"] == 5 and p["p50_ms"] == 5.0 and p["p50_ms"] <= p["p95_ms"] <= 100.0


def test_synthetic_corpus_is_seeded_and_shaped_like_the_real_one(corpus: Any) -> None:
    _, real = corpus
    papers, bases = Synthetic(real).corpus(120, 20)
    again, _ = Synthetic(real).corpus(120, 20)
    assert [p.title for p in papers] == [p.title for p in again]
    assert list(bases[:20]) == list(range(20)) and bases[20:].max() < 20
    assert len({p.id for p in papers}) == 120
    assert all(2000 <= (p.year or 0) <= 2026 and 2 <= len(p.authors) <= 6 for p in papers)
    assert {p.category for p in papers} <= {p.category for p in real}
    assert all(p.code_url for p in papers if p.has_code)
    known = {a for p in real for a in p.authors}
    assert all(a in known for p in papers for a in p.authors)


def test_bench_on_small_inputs(tmp_path: Path, corpus: Any) -> None:
    settings = Settings()
    settings.paths.cache_dir = tmp_path / "cache"
    result = bench.run_bench(settings, 300, {"answer", "server"})

    index = result["index"]
    assert index["embedded"] == 42
    assert (index["reindex"]["embedded"], index["reindex"]["unchanged"]) == (0, 42)
    for key in ("embedder_papers_per_s", "index_papers_per_s", "ratio_index_to_embedder_cpu"):
        assert index[key] > 0

    scale = result["scale"]
    assert scale["build"]["upserted"] == 300 and scale["resync_unchanged"]["embedded"] == 0
    assert scale["resume"]["upserted"] == scale["resume"]["missing"] == 300  # only what is missing
    assert scale["searcher_init"]["stored_vectors_equal_cached"]
    assert scale["vectors"]["cached"] is False and scale["vectors"]["pool"] == 50
    for latency in (result["search"], scale["search"]):
        assert set(latency["by_filter"]) == {
            "none",
            "year",
            "category",
            "code",
            "author",
            "combined",
        }
        for p in [*latency["by_filter"].values(), latency["filtered"], latency["embed_query"]]:
            assert 0 < p["p50_ms"] <= p["p95_ms"]
        assert latency["ratio_filtered_p50_to_embed"] > 0 and latency["filtered_p95_vs_target"] > 0
        assert (
            0 < latency["by_filter"]["combined"]["admits"] < latency["by_filter"]["year"]["admits"]
        )
    assert all(m["peak_mb"] >= m["start_mb"] > 0 for m in result["memory"].values())
    assert result["skipped"] == ["answer", "server"]
    verify = result["verify"]
    assert verify["claims"] == 70 and verify["spacy_load_s"] >= 0
    assert 0 < verify["cached_ms_median"] <= verify["cached_ms_max"]

    # A rerun reads the cached vectors and embeds nothing.
    [cached] = (tmp_path / "cache" / "bench").glob("vectors-N300-*.npy")
    papers, bases = Synthetic(corpus[1]).corpus(300, 50)
    vectors, info = synthetic_vectors(papers, bases, 50, NoEmbedder(), cached)  # type: ignore[arg-type]
    assert info["cached"] and vectors.shape == (300, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)

    # The tables are rewritten; hand-written notes below the marker survive.
    out = tmp_path / "docs" / "benchmarks.md"
    write_report(out, result)
    out.write_text(out.read_text() + "Our notes.\n")
    write_report(out, result | {"command": "paperchat bench --docs 300"})
    report = out.read_text()
    assert report.count(NOTES) == 1 and report.endswith("Our notes.\n")
    assert f"{os.cpu_count()} cores" in report and "`paperchat bench --docs 300`" in report
    assert (
        "## Search at 300 synthetic papers" in report and "Skipped stages: answer, server" in report
    )


def test_server_stage_gives_the_same_hits_over_http(
    tmp_path: Path, corpus: Any, embedder: Any
) -> None:
    _, papers = corpus
    _, searcher = stage_index(papers, embedder, tmp_path)
    local = search_latency(searcher, queries_for(papers)[:4])
    served = stage_server("42 papers", tmp_path, searcher, local)
    assert served["same_top5_as_embedded"] is True
    assert set(served["p50_ratio_to_embedded"]) == {"unfiltered", "filtered"}
    assert served["search"]["unfiltered"]["p50_ms"] <= served["search"]["unfiltered"]["p95_ms"]


def test_unknown_skip_is_a_user_error() -> None:
    args = argparse.Namespace(docs=1000, json=False, skip="answer,gpu")
    with pytest.raises(ConfigError, match="--skip"):
        bench.main(args, Settings())


def test_quality_section_reads_the_last_eval(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    assert quality(results) == []
    overall = {"n": 3, **{v: {"recall@5": 0.5, "mrr": 1.0} for v in ("bm25", "dense", "hybrid")}}
    eval_json = {"retrieval": {"overall": overall}, "date": "d", "questions": 3}
    results.write_text(json.dumps(eval_json | {"answers": {"overall": {"fact_accuracy": 0.25}}}))
    lines = quality(results)
    assert (
        "| retrieval mrr, hybrid | 1.0 |" in lines and "| answers: fact_accuracy | 0.25 |" in lines
    )


def test_stage_shares_say_where_an_answer_s_time_goes() -> None:
    from assistant.bench.answer import stage_shares

    rows = [
        {"total_s": 4.0, "retrieval_s": 0.2, "server_prompt_s": 1.0, "server_generation_s": 2.0,
         "checking_s": 0.4, "prompt_tokens": 600, "cached_tokens": 400,
         "completion_tokens": 60},
        {"total_s": 2.0, "retrieval_s": 0.1, "server_prompt_s": 0.5, "server_generation_s": 1.0,
         "checking_s": 0.2, "prompt_tokens": 300, "cached_tokens": 200,
         "completion_tokens": 20},
    ]  # fmt: skip
    stages = stage_shares(rows)
    assert stages["median_total_s"] == 3.0 and stages["median_new_tokens"] == 150
    assert stages["server_generation_s"] == {"median": 1.5, "share": 0.5}
    assert stages["other_s"]["median"] == 0.3  # 0.4 and 0.2 of planning, prompt, rendering
    assert stages["over_server"] == 1.333
    # 200 new tokens in 1.0 s and 100 in 0.5 s; 60 tokens in 2.0 s and 20 in 1.0 s
    assert stages["prompt_tok_s"] == 200.0 and stages["generation_tok_s"] == 25.0
    row = {"question": "q?", "total_s": 3.0, "model": "m"}
    load = {"askers": 1, "completed": 1, "wall_s": 3.0, "throughput_per_min": 20.0,
            "p50_s": 3.0, "p95_s": 3.0, "max_ahead": 0}  # fmt: skip
    answer = {"server_start_s": 4.1, "server_reuse_s": 0.002, "backend": "llama-server",
              "model": "m", "threads": 2, "rows": [row], "median_total_s": 3.0,
              "median_first_text_s": 1.0, "cached_share": 0.5, "repeat": row,
              "repeat_cached_share": 0.9, "jobs": {}, "load": {"1": load},
              "stages": stages}  # fmt: skip
    text = "\n".join(answer_section(answer))
    assert "total / llama-server's own time: 1.333x" in text
    assert "host speed 200.0 tok/s prompt, 25.0 tok/s generation" in text
    assert "| llama-server generation | 1.5 | 50% |" in text
