"""`paperchat bench` on small inputs: structure and invariants, never timings.

Real parts throughout: the MiniLM embedder, Chroma on disk in tmp_path, `chroma run`.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant import bench
from assistant.errors import ConfigError
from assistant.settings import Settings

LOG = """\
Llama.generate: 24 prefix-match hit, remaining 18 prompt tokens to eval
llama_perf_context_print:        load time =       0.84 ms
llama_perf_context_print: prompt eval time =     424.90 ms /    18 tokens (   23.61 ms per token)
llama_perf_context_print:        eval time =     623.86 ms /    15 runs   (   41.59 ms per token)
llama_perf_context_print:       total time =    1098.21 ms /    33 tokens
"""


class NoEmbedder:
    """A FAKE embedder that fails if used: proves cached vectors are not re-embedded."""

    def encode(self, texts: list[str]) -> np.ndarray:
        raise AssertionError(f"re-embedded {len(texts)} texts")


def test_llama_timings_parse_llama_cpp_own_figures() -> None:
    got = bench.llama_timings("noise\n" + LOG.replace("424.90", "1.00") + LOG)
    assert got == {"prompt_ms": 424.9, "prompt_evaluated": 18, "prefix_cached": 24,
                   "gen_ms": 623.86, "gen_tokens": 15}  # fmt: skip  # the last request's
    assert bench.llama_timings("INFO: 200 OK\n") is None


def test_percentiles_are_ordered() -> None:
    p = bench.percentiles([5.0, 1.0, 9.0, 3.0, 100.0])
    assert p["n"] == 5 and p["p50_ms"] == 5.0 and p["p50_ms"] <= p["p95_ms"] <= 100.0


def test_synthetic_corpus_is_seeded_and_shaped_like_the_real_one(corpus: Any) -> None:
    _, real = corpus
    papers, bases = bench.Synthetic(real).corpus(120, 20)
    again, _ = bench.Synthetic(real).corpus(120, 20)
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

    # A rerun reads the cached vectors and embeds nothing.
    [cached] = (tmp_path / "cache" / "bench").glob("vectors-N300-*.npy")
    papers, bases = bench.Synthetic(corpus[1]).corpus(300, 50)
    vectors, info = bench.synthetic_vectors(papers, bases, 50, NoEmbedder(), cached)  # type: ignore[arg-type]
    assert info["cached"] and vectors.shape == (300, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)

    report = bench.render(result | {"command": "paperchat bench --docs 300"})
    assert f"{os.cpu_count()} cores" in report and "`paperchat bench --docs 300`" in report
    assert (
        "## Search at 300 synthetic papers" in report and "Skipped stages: answer, server" in report
    )


def test_server_stage_gives_the_same_hits_over_http(
    tmp_path: Path, corpus: Any, embedder: Any
) -> None:
    _, papers = corpus
    _, searcher = bench.stage_index(papers, embedder, tmp_path)
    local = bench.search_latency(searcher, bench.queries_for(papers)[:4])
    served = bench.stage_server("42 papers", tmp_path, searcher, local)
    assert served["same_top5_as_embedded"] is True
    assert set(served["p50_ratio_to_embedded"]) == {"unfiltered", "filtered"}
    assert served["search"]["unfiltered"]["p50_ms"] <= served["search"]["unfiltered"]["p95_ms"]


def test_unknown_skip_is_a_user_error() -> None:
    args = argparse.Namespace(docs=1000, json=False, skip="answer,gpu")
    with pytest.raises(ConfigError, match="--skip"):
        bench.main(args, Settings())
