"""`paperchat bench` stage `verify`: the claim verifier's cost per sentence, on the shipped
claim set's 70 claims against their papers' records (the same call answers make)."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Sequence

from assistant.bench.measure import Row, log
from assistant.evidence.grounding import record_text
from assistant.evidence.parsed import nlp
from assistant.evidence.verify import Verifier, embedding_similarity
from assistant.settings import ROOT
from retrieval.embedder import Embedder
from retrieval.models import Paper

CLAIMS = ROOT / "data" / "eval" / "claims_shipped.jsonl"


def stage_verify(papers: Sequence[Paper], embedder: Embedder, min_similarity: float) -> Row:
    rows = [json.loads(line) for line in CLAIMS.read_text().splitlines() if line.strip()]
    by_title = {p.title: p for p in papers}
    pairs = [(r["claim"], by_title[r["paper"]]) for r in rows if r["paper"] in by_title]
    log(f"verify: {len(pairs)} claims")
    start = time.perf_counter()
    nlp()
    load = time.perf_counter() - start
    verifier = Verifier(embedding_similarity(embedder.encode), min_similarity)
    cold: list[float] = []
    warm: list[float] = []
    for times in (cold, warm):  # first pass parses each record; the second finds it cached
        for claim, paper in pairs:
            t0 = time.perf_counter()
            verifier.check(claim, record_text(paper))
            times.append(time.perf_counter() - t0)
    ms = [1000 * t for t in cold]
    return {
        "claims": len(pairs),
        "spacy_load_s": round(load, 2),
        "first_pass_ms_median": round(statistics.median(ms), 1),
        "first_pass_ms_max": round(max(ms), 1),
        "cached_ms_median": round(1000 * statistics.median(warm), 1),
        "cached_ms_max": round(1000 * max(warm), 1),
    }
