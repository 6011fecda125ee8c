"""`paperchat bench`: speed and memory, each figure shown with the machine and as a ratio to
the limit it runs into, measured in the same run; the report goes to docs/benchmarks.md.

Stages: index and search over the real corpus; `scale`: the same search over N synthetic
papers; `server`: the same figures against `chroma run`; `answer`: the embedded llama.cpp
model against llama.cpp's own timings for the same requests.

This module runs them in order; the search stages are in `bench_search`, the answer stage
in `bench_answer`, the timers in `bench_measure`, the synthetic papers in `synthetic` and
the Markdown report in `bench_report`.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from datetime import date
from pathlib import Path

from assistant.bench.answer import stage_answer
from assistant.bench.measure import Row, log, machine, peak_rss
from assistant.bench.report import render, write_report
from assistant.bench.search import (
    queries_for,
    search_latency,
    stage_index,
    stage_scale,
    stage_server,
)
from assistant.bench.verify import stage_verify
from assistant.errors import ConfigError
from assistant.settings import ROOT, Settings
from retrieval.embedder import MiniLMEmbedder

STAGES = ("answer", "server", "scale", "verify")


def run_bench(settings: Settings, docs: int, skip: set[str]) -> Row:
    """All stages not in `skip`; the real corpus's index lives in a temp dir for the run."""
    from retrieval.sources import read_corpus

    info, papers = read_corpus(settings.paths.corpus, settings.paths.corpus_info)
    r = settings.retrieval
    embedder = MiniLMEmbedder(batch_size=r.embed_batch, threads=r.embed_threads)
    result: Row = {"machine": machine(), "date": date.today().isoformat(), "docs": docs}
    result |= {"skipped": sorted(skip), "memory": {}}
    memory = result["memory"]
    with tempfile.TemporaryDirectory(prefix="paperchat-bench-") as tmp:
        small = Path(tmp)
        log(f"index + search: {len(papers)} papers")
        with peak_rss(memory, "index"):
            result["index"], searcher = stage_index(papers, embedder, small)
        with peak_rss(memory, f"search at {len(papers)}"):
            result["search"] = search_latency(searcher, queries_for(papers))
        if "verify" not in skip:
            with peak_rss(memory, "verify (spaCy + MiniLM)"):
                min_similarity = settings.answer.min_synonym_similarity
                result["verify"] = stage_verify(papers, embedder, min_similarity)
        served = (f"{len(papers)} papers", small, searcher, result["search"])
        if "scale" not in skip:
            result["scale"], big, big_dir = stage_scale(settings, papers, embedder, docs, memory)
            served = (f"{docs} synthetic papers", big_dir, big, result["scale"]["search"])
        if "server" not in skip:
            log(f"server: search against `chroma run` ({served[0]})")
            with peak_rss(memory, f"server: {served[0]} (incl. chroma)"):
                result["server"] = stage_server(*served)
        served = big = None  # type: ignore[assignment]  # free the big corpus before the LLM
        if "answer" not in skip:
            with peak_rss(memory, "answer (incl. llama.cpp server)"):
                result["answer"] = stage_answer(settings, small, papers, info, embedder)
    result["machine"]["load_avg_end"] = [round(x, 2) for x in os.getloadavg()]
    return result


def main(args: argparse.Namespace, settings: Settings) -> int:
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    if skip - set(STAGES):
        raise ConfigError(f"--skip {args.skip!r}: use a comma list of {', '.join(STAGES)}")
    if args.docs < 50:
        raise ConfigError("--docs must be at least 50")
    result = run_bench(settings, args.docs, skip)
    result["command"] = f"paperchat bench --docs {args.docs}" + (
        f" --skip {','.join(sorted(skip))}" if skip else ""
    )
    out = write_report(ROOT / "docs" / "benchmarks.md", result)
    print(json.dumps(result, indent=2, default=float) if args.json else render(result))
    log(f"wrote {out}")
    return 0
