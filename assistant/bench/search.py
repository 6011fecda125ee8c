"""The search stages of `paperchat bench`: index and search over the real corpus, the
same search over N synthetic papers (`scale`), and against `chroma run` (`server`)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from functools import partial
from pathlib import Path

import numpy as np

from assistant.bench.measure import Row, log, peak_rss, percentiles, time_each, timed, timed_cpu
from assistant.bench.synthetic import SEED, Synthetic
from assistant.settings import Settings
from retrieval.embedder import DIM, Embedder
from retrieval.index import PaperIndex, make_client
from retrieval.lexical import Lexical
from retrieval.models import Filters, Paper
from retrieval.search import Catalog, Searcher

TARGET_P95_MS = 150.0  # issue 4: filtered search at 100k papers
POOL_MAX = 2000  # synthetic texts embedded for real; the others get modelled vectors
CALIBRATION = 200  # variants embedded for real to calibrate the modelled vectors' noise
PASSES = 2


def queries_for(papers: Sequence[Paper]) -> list[str]:
    """Title fragments of the real corpus: what people type when looking for a paper."""
    words = [re.sub(r"[^\w\s-]", " ", p.title).split() for p in papers]
    return [" ".join(w[:5]) for w in words[::3]] + [" ".join(w[-5:]) for w in words[1::3]]


def filter_sets(papers: Sequence[Paper]) -> dict[str, Filters]:
    """No filter, each filter kind, and all at once, with values common in the corpus."""
    years = sorted(p.year for p in papers if p.year)
    mid = years[len(years) // 2] if years else 2020
    category = Counter(p.category for p in papers).most_common(1)[0][0]
    authors = Counter(a for p in papers for a in p.authors).most_common()
    author = next((a for a, n in authors if n < len(papers)), "nobody")
    return {
        "none": Filters(),
        "year": Filters(year_from=mid),
        "category": Filters(categories=[category]),
        "code": Filters(has_code=True),
        "author": Filters(author=author),
        "combined": Filters(year_from=mid, categories=[category], has_code=True),
    }


def search_latency(searcher: Searcher, queries: Sequence[str]) -> Row:
    """p50/p95 of hybrid search (k=5) per filter, each search embedding its query, against
    query embedding alone: the floor every search pays."""
    queries = list(queries) * PASSES
    floor = percentiles(time_each(searcher.embed, queries))
    by_filter: Row = {}
    pooled: list[float] = []
    for name, f in filter_sets(searcher.catalog.papers).items():
        search = partial(searcher.search, k=5, filters=f)
        search(queries[0])  # warm-up
        ms = time_each(search, queries)
        mask = searcher.catalog.mask(f)
        admits = 1.0 if mask is None else round(float(mask.mean()), 3)
        by_filter[name] = {**percentiles(ms), "admits": admits}
        pooled += ms if name != "none" else []
    filtered = percentiles(pooled)
    return {
        "embed_query": floor,
        "by_filter": by_filter,
        "unfiltered": by_filter["none"],
        "filtered": filtered,
        "ratio_filtered_p50_to_embed": round(filtered["p50_ms"] / floor["p50_ms"], 2),
        "filtered_p95_vs_target": round(filtered["p95_ms"] / TARGET_P95_MS, 3),
    }


def stage_index(papers: list[Paper], embedder: Embedder, data_dir: Path) -> tuple[Row, Searcher]:
    """Index the corpus into a fresh Chroma vs the embedder alone on the same texts; re-index."""
    texts = [p.embed_text() for p in papers]
    embedder.encode(texts[:4])  # warm-up: start-up costs are not throughput
    _, embed_s, embed_cpu = timed_cpu(lambda: embedder.encode(texts))
    index = PaperIndex(make_client(data_dir), embedder, name="bench")
    first, index_s, index_cpu = timed_cpu(lambda: index.sync(papers, progress=False))
    again, reindex_s = timed(lambda: index.sync(papers, progress=False))
    searcher, init_s = timed(lambda: Searcher(papers, index, embedder))
    n = len(papers)
    return {
        "papers": n,
        "embedded": first.embedded,
        "embedder_papers_per_s": round(n / embed_s, 1),
        "index_papers_per_s": round(n / index_s, 1),
        "ratio_index_to_embedder": round(embed_s / index_s, 3),
        "embedder_cpu_s_per_paper": round(embed_cpu / n, 4),
        "index_cpu_s_per_paper": round(index_cpu / n, 4),
        "ratio_index_to_embedder_cpu": round(embed_cpu / index_cpu, 3),
        "reindex": {
            "seconds": round(reindex_s, 3),
            "embedded": again.embedded,
            "unchanged": again.unchanged,
            "ratio_to_full_index": round(reindex_s / index_s, 3),
        },
        "searcher_init_s": round(init_s, 3),
    }, searcher


def synthetic_vectors(
    papers: list[Paper], bases: np.ndarray, pool: int, embedder: Embedder, path: Path
) -> tuple[np.ndarray, Row]:
    """Real vectors for the pool and the calibration variants; for the rest, the base's
    vector plus Gaussian noise whose size makes the mean cosine to the base equal that of
    the really embedded variants. Cached as .npy (+ .json) so a rerun embeds nothing."""
    meta_path = path.with_suffix(".json")
    if path.exists() and meta_path.exists():
        return np.load(path), {**json.loads(meta_path.read_text()), "cached": True}
    texts = [p.embed_text() for p in papers]
    log(f"scale: embedding {pool} base texts for real (cached afterwards in {path.parent})")
    pool_vecs, embed_s = timed(lambda: embedder.encode(texts[:pool]))
    cal = list(range(pool, min(len(papers), pool + min(CALIBRATION, pool))))
    real = embedder.encode([texts[i] for i in cal])
    cos = float((real * pool_vecs[bases[cal]]).sum(axis=1).mean()) if cal else 0.9
    sigma = float(
        np.sqrt(1 / cos**2 - 1)
    )  # |base|=1, noise ~ N(0, sigma^2/DIM): cos ~ 1/sqrt(1+sigma^2)
    rng = np.random.default_rng(SEED + 1)
    vecs = np.zeros((len(papers), DIM), np.float32)
    vecs[:pool] = pool_vecs
    for start in range(pool, len(papers), 10_000):
        rows = np.arange(start, min(len(papers), start + 10_000))
        noisy = pool_vecs[bases[rows]] + rng.normal(0, sigma / np.sqrt(DIM), (len(rows), DIM))
        vecs[rows] = noisy / np.linalg.norm(noisy, axis=1, keepdims=True)
    vecs[cal] = real
    meta = {"pool": pool, "pool_embed_s": round(embed_s, 1), "calibration_texts": len(cal)}
    meta |= {"variant_cosine_to_base": round(cos, 4), "noise_sigma": round(sigma, 4)}
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, vecs)
    meta_path.write_text(json.dumps(meta))
    return vecs, {**meta, "cached": False}


def stage_scale(
    settings: Settings, real: list[Paper], embedder: Embedder, n: int, memory: Row
) -> tuple[Row, Searcher, Path]:
    """The search figures at n synthetic papers, in a Chroma store reused across runs."""
    cache = settings.paths.cache_dir / "bench"
    pool = max(min(POOL_MAX, n // 50), min(n, 50))
    digest = hashlib.sha256("\n".join(p.embed_text() for p in real).encode()).hexdigest()[:10]
    with peak_rss(memory, "scale: generate + vectors"):
        log(f"scale: generating {n} synthetic papers")
        (papers, bases), gen_s = timed(lambda: Synthetic(real).corpus(n, pool))
        vectors_file = cache / f"vectors-N{n}-seed{SEED}-pool{pool}-{digest}.npy"
        vecs, vinfo = synthetic_vectors(papers, bases, pool, embedder, vectors_file)
    data_dir = cache / f"chroma-{n}"
    row = {p.id: i for i, p in enumerate(papers)}

    def feed(batch: list[Paper]) -> np.ndarray:
        return vecs[[row[p.id] for p in batch]]

    with peak_rss(memory, "scale: Chroma build / re-sync"):
        index = PaperIndex(make_client(data_dir), embedder, name="bench")
        log(f"scale: syncing into {data_dir} (reused when present)")
        build, build_s = timed(lambda: index.sync(papers, progress=True, vectors_for=feed))
        again, resync_s = timed(lambda: index.sync(papers, progress=False, vectors_for=feed))
        index.collection.delete(ids=[p.id for p in papers[-1000:]])  # as if interrupted
        resumed, resume_s = timed(lambda: index.sync(papers, progress=False, vectors_for=feed))
    bm25_cache = data_dir / "bm25"
    with peak_rss(memory, "scale: Searcher start-up"):
        # Cold: BM25 built (and saved); warm: BM25 loaded from the cache, as on a restart.
        shutil.rmtree(bm25_cache, ignore_errors=True)
        searcher, init_s = timed(lambda: Searcher(papers, index, embedder, cache_dir=bm25_cache))
        _, warm_s = timed(lambda: Searcher(papers, index, embedder, cache_dir=bm25_cache))
    stored, load_s = timed(lambda: index.vectors([p.id for p in papers]))  # the parts alone
    same_vectors = bool(np.allclose(stored, vecs, atol=1e-5))
    del stored
    _, bm25_s = timed(lambda: Lexical([p.embed_text() for p in papers]))
    _, catalog_s = timed(lambda: Catalog(papers))
    log("scale: search latency")
    with peak_rss(memory, f"scale: search at {n}"):
        queries = queries_for(real)
        latency = search_latency(searcher, queries)
        where = {"year": {"$gte": filter_sets(papers)["year"].year_from}}
        qvecs = [searcher.embed(q).tolist() for q in queries]
        chroma_where = [
            timed(partial(index.collection.query, query_embeddings=[v], n_results=5, where=where))[
                1
            ]
            for v in qvecs
        ]
    built = build.embedded
    return (
        {
            "papers": n,
            "generate_s": round(gen_s, 1),
            "vectors": vinfo,
            "build": {"upserted": built, "seconds": round(build_s, 1)}
            | ({"papers_per_s": round(built / build_s, 1)} if built else {}),
            "resync_unchanged": {"embedded": again.embedded, "seconds": round(resync_s, 2)},
            "resume": {
                "missing": min(n, 1000),
                "upserted": resumed.embedded,
                "seconds": round(resume_s, 2),
            },
            "searcher_init": {
                "seconds": round(init_s, 2),
                "warm_seconds": round(warm_s, 2),
                "load_vectors_s": round(load_s, 2),
                "bm25_s": round(bm25_s, 2),
                "catalog_s": round(catalog_s, 2),
                "stored_vectors_equal_cached": same_vectors,
            },
            "search": latency,
            "chroma_where_year": percentiles([s * 1000 for s in chroma_where]),
        },
        searcher,
        data_dir,
    )


@contextlib.contextmanager
def chroma_server(path: Path, log_dir: Path) -> Iterator[tuple[str, int]]:
    """`chroma run` on 127.0.0.1 at a free port, stopped on exit."""
    from assistant.model.server import free_port

    binary = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    port = free_port()
    log_dir.mkdir(parents=True, exist_ok=True)
    cmd = [binary, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)]
    with open(log_dir / f"chroma-server-{port}.log", "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    make_client(path, "127.0.0.1", port)
                    break
                except Exception:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise
                    time.sleep(0.3)
            yield "127.0.0.1", port
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def stage_server(label: str, data_dir: Path, local: Searcher, local_latency: Row) -> Row:
    """The same search figures with the same store served by `chroma run` over HTTP."""
    papers, embedder = local.catalog.papers, local.embedder
    with chroma_server(data_dir / "chroma", data_dir / "logs") as (host, port):
        index = PaperIndex(make_client(data_dir, host, port), embedder, name="bench")
        searcher, init_s = timed(lambda: Searcher(papers, index, embedder))
        queries = queries_for(papers[:42])
        latency = search_latency(searcher, queries)
        same = all(
            [h.paper.id for h in searcher.search(q)] == [h.paper.id for h in local.search(q)]
            for q in queries
        )
    ratio = {k: round(latency[k]["p50_ms"] / local_latency[k]["p50_ms"], 2) for k in latency
             if k in ("unfiltered", "filtered")}  # fmt: skip
    return {"corpus": label, "searcher_init_s": round(init_s, 2), "search": latency,
            "same_top5_as_embedded": same, "p50_ratio_to_embedded": ratio}  # fmt: skip
