"""`paperchat bench`: speed and memory, each figure shown with the machine and as a ratio to
the limit it runs into, measured in the same run; the report goes to docs/benchmarks.md.

Stages: index and search over the real corpus; `scale`: the same search over N synthetic
papers; `server`: the same figures against `chroma run`; `answer`: the embedded llama.cpp
model against llama.cpp's own timings for the same requests.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import psutil

from assistant.errors import ConfigError
from assistant.settings import ROOT, Settings
from retrieval.embedder import DIM, Embedder, MiniLMEmbedder
from retrieval.index import PaperIndex, make_client
from retrieval.lexical import Lexical
from retrieval.models import CorpusInfo, Filters, Paper, category_name
from retrieval.search import Catalog, Searcher

TARGET_P95_MS = 150.0  # issue 4: filtered search at 100k papers
POOL_MAX = 2000  # synthetic texts embedded for real; the others get modelled vectors
CALIBRATION = 200  # variants embedded for real to calibrate the modelled vectors' noise
SEED = 7
PASSES = 2
ANSWER_QUESTIONS = 5
STAGES = ("answer", "server", "scale")
Row = dict[str, Any]


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


# --- measuring ---
def rss_mb() -> float:
    """Resident memory of this process and all its children (llama.cpp, chroma)."""
    me = psutil.Process()
    total = 0
    for proc in [me, *me.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            total += proc.memory_info().rss
    return total / 2**20


@contextlib.contextmanager
def peak_rss(memory: Row, stage: str, interval: float = 0.05) -> Iterator[None]:
    """Record RSS at the start and the sampled peak of a stage into `memory[stage]`."""
    start, peak, done = rss_mb(), [0.0], threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], rss_mb())
            done.wait(interval)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
        memory[stage] = {"start_mb": round(start), "peak_mb": round(max(peak[0], start))}


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    t = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - t


def timed_cpu(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    """Value, wall seconds and this process's CPU seconds (all threads): CPU time barely
    moves when other work shares the machine, so ratios of it are the stable ones."""
    c = time.process_time()
    value, wall = timed(fn)
    return value, wall, time.process_time() - c


def time_each(fn: Callable[[str], object], items: Sequence[str]) -> list[float]:
    """Milliseconds per call."""
    return [timed(partial(fn, item))[1] * 1000 for item in items]


def percentiles(ms: Sequence[float]) -> Row:
    p50, p95 = np.percentile(np.asarray(ms, float), [50, 95])
    return {"n": len(ms), "p50_ms": round(float(p50), 2), "p95_ms": round(float(p95), 2)}


def machine() -> Row:
    info = Path("/proc/cpuinfo")
    lines = info.read_text().splitlines() if info.exists() else []
    models = [ln.split(":", 1)[1].strip() for ln in lines if ln.startswith("model name")]
    return {
        "cores": os.cpu_count(),
        "cpu": models[0] if models else platform.processor() or "unknown",
        "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "load_avg_start": [round(x, 2) for x in os.getloadavg()],
    }


# --- workload ---
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


# --- stages ---
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


class Synthetic:
    """Abstract-like papers made from the real corpus's sentences and vocabulary (seeded).

    The first `pool` papers are base texts recombining real abstract sentences; every later
    paper is a variant of a base (12% of words swapped for corpus words, shuffled title)
    with its own random year 2000-2026, category, 2-6 real co-authors and code flag.
    """

    def __init__(self, real: Sequence[Paper], seed: int = SEED) -> None:
        from assistant.grounding import split_sentences

        self.seed = seed
        self.sentences = [s for p in real for s in split_sentences(p.abstract) if len(s) > 40]
        self.vocab = sorted({w for p in real for w in re.findall(r"[A-Za-z][a-z]{3,}", p.abstract)})
        self.title_words = sorted({w for p in real for w in p.title.split()})
        cats = Counter(p.category for p in real if p.category)
        self.categories = sorted(cats)
        self.cat_p = np.array([cats[c] for c in self.categories], float) / cats.total()
        self.authors = sorted({a for p in real for a in p.authors})
        self.code_share = sum(p.has_code for p in real) / max(1, len(real))

    def corpus(self, n: int, pool: int) -> tuple[list[Paper], np.ndarray]:
        """n papers and, per paper, the index of its base text (itself for the pool)."""
        rng = np.random.default_rng(self.seed)
        bases = np.concatenate([np.arange(pool), rng.integers(0, pool, max(0, n - pool))])[:n]
        papers: list[Paper] = []
        for i in range(n):
            if i < pool:
                title = " ".join(rng.choice(self.title_words, rng.integers(5, 11)))
                picks = rng.choice(len(self.sentences), rng.integers(4, 9), replace=False)
                abstract = " ".join(self.sentences[j] for j in picks)
            else:
                title, abstract = self.variant(rng, papers[bases[i]])
            year, cat = (
                int(rng.integers(2000, 2027)),
                str(rng.choice(self.categories, p=self.cat_p)),
            )
            code = bool(rng.random() < self.code_share)
            papers.append(
                Paper(
                    id=f"syn-{i:06d}",
                    title=title,
                    abstract=abstract,
                    year=year,
                    published=date(year, 1, 1) + timedelta(days=int(rng.integers(0, 365))),
                    date_precision="day",
                    category=cat,
                    category_name=category_name(cat),
                    authors=list(rng.choice(self.authors, rng.integers(2, 7), replace=False)),
                    has_code=code,
                    code_url=f"https://github.com/synthetic/p{i}" if code else None,
                )
            )
        return papers, bases

    def variant(self, rng: np.random.Generator, base: Paper) -> tuple[str, str]:
        words = base.abstract.split()
        swap = np.flatnonzero(rng.random(len(words)) < 0.12)
        for j, w in zip(swap, rng.integers(0, len(self.vocab), len(swap)), strict=True):
            words[j] = self.vocab[w]
        title = base.title.split()
        rng.shuffle(title)
        return " ".join(title), " ".join(words)


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
    with peak_rss(memory, "scale: Searcher start-up"):
        searcher, init_s = timed(lambda: Searcher(papers, index, embedder))
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
    from assistant.server import free_port

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


LLAMA_PERF = re.compile(
    r"prompt eval time =\s*([\d.]+) ms /\s*(\d+) tokens.*\n.*?\beval time =\s*([\d.]+) ms /\s*(\d+)"
)
PREFIX_HIT = re.compile(r"(\d+) prefix-match hit, remaining (\d+) prompt tokens")


def llama_timings(log_text: str) -> Row | None:
    """llama.cpp's own figures for the last request in a server log segment."""
    perf = LLAMA_PERF.findall(log_text)
    if not perf:
        return None
    prompt_ms, prompt_n, gen_ms, gen_n = perf[-1]
    hit = PREFIX_HIT.findall(log_text)
    return {
        "prompt_ms": float(prompt_ms),
        "prompt_evaluated": int(prompt_n),
        "prefix_cached": int(hit[-1][0]) if hit else 0,
        "gen_ms": float(gen_ms),
        "gen_tokens": int(gen_n),
    }


def stage_answer(
    settings: Settings, data_dir: Path, papers: list[Paper], info: CorpusInfo | None, emb: Embedder
) -> Row:
    """Each answer through the pipeline, then the same messages straight to llama.cpp with
    its prompt cache emptied by an unrelated request first."""
    from assistant.answer import AnswerEvent, SourcesEvent, TextEvent
    from assistant.api import Assistant
    from assistant.evaluate import DEFAULT_SET, load_questions
    from assistant.llm import response_format
    from assistant.prompting import SENTENCES_SCHEMA
    from assistant.server import LlamaServer

    s = settings.model_copy(deep=True)
    s.paths.data_dir = data_dir
    server, start_s = timed(lambda: LlamaServer.shared(s))
    assistant = Assistant(s, embedder=emb, papers=papers, info=info)
    client = assistant.chat_model.client  # type: ignore[attr-defined]
    alias, log_path = server.model_alias, Path(str(server.log_path))
    if DEFAULT_SET.exists():
        questions = [q.question for q in load_questions(DEFAULT_SET) if q.kind == "lookup"]
    else:
        questions = [f"What does {p.title.split(':')[0]} achieve?" for p in papers]

    def llama_since(mark: int) -> Row | None:
        time.sleep(0.3)  # llama.cpp prints its timings just after the last chunk
        return llama_timings(log_path.read_text(errors="replace")[mark:])

    rows = []
    try:
        for question in questions[:ANSWER_QUESTIONS]:
            log(f"answer: {question}")
            prepared = assistant.pipeline.prepare(question)
            mark, t0, row = log_path.stat().st_size, time.perf_counter(), Row()
            for event in assistant.stream(question):
                at = round(time.perf_counter() - t0, 3)
                if isinstance(event, SourcesEvent | TextEvent):
                    row.setdefault("sources_s" if event.type == "sources" else "first_text_s", at)
                elif isinstance(event, AnswerEvent):
                    first = event.answer.timings.first_token
                    row |= {"total_s": at, "first_token_s": first and round(first, 3)}
            row |= {"question": question, "llama": llama_since(mark)}
            if prepared.final is None and row["llama"]:
                own = row["llama"]["prompt_ms"] + row["llama"]["gen_ms"]
                row["overhead_s"] = round(row["total_s"] - own / 1000, 3)
                client.chat.completions.create(
                    model=alias, max_tokens=1, messages=[{"role": "user", "content": "ok"}]
                )
                mark = log_path.stat().st_size
                call = partial(
                    client.chat.completions.create,
                    model=alias,
                    messages=assistant.pipeline.messages(prepared),
                    temperature=s.llm.temperature,
                    max_tokens=s.llm.max_tokens,
                    response_format=response_format("llamacpp", SENTENCES_SCHEMA),
                )
                reply, direct_s = timed(call)
                row["direct"] = {"wall_s": round(direct_s, 3), "llama": llama_since(mark),
                                 "prompt_tokens": reply.usage.prompt_tokens,
                                 "completion_tokens": reply.usage.completion_tokens}  # fmt: skip
                row["ratio_total_to_direct"] = round(row["total_s"] / direct_s, 2)
                if row["direct"]["llama"]:  # the server's own share: sampling, grammar, HTTP
                    d = row["direct"]["llama"]
                    row["direct"]["overhead_s"] = round(
                        direct_s - (d["prompt_ms"] + d["gen_ms"]) / 1000, 3
                    )
            rows.append(row)
    finally:
        server.stop()
    direct = [r["direct"] for r in rows if r.get("direct", {}).get("llama")]

    def med(xs: list[float]) -> float | None:
        return round(statistics.median(xs), 3) if xs else None

    return {
        "server_start_s": round(start_s, 1),
        "model": alias,
        "threads": s.llm.threads,
        "rows": rows,
        "median_total_s": med([r["total_s"] for r in rows if "direct" in r]),
        "median_direct_s": med([d["wall_s"] for d in direct]),
        "median_overhead_s": med([r["overhead_s"] for r in rows if "overhead_s" in r]),
        "median_direct_overhead_s": med([d["overhead_s"] for d in direct]),
        "median_prompt_tokens": med([d["prompt_tokens"] for d in direct]),
        "llama_prompt_tok_s": med([1000 * d["llama"]["prompt_evaluated"] / d["llama"]["prompt_ms"]
                                   for d in direct if d["llama"]["prompt_ms"]]),
        "llama_gen_tok_s": med([1000 * d["llama"]["gen_tokens"] / d["llama"]["gen_ms"]
                                for d in direct if d["llama"]["gen_ms"]]),
    }  # fmt: skip


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


# --- report ---
def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    return out + ["| " + " | ".join("–" if c is None else str(c) for c in r) + " |" for r in rows]


def latency_table(lat: Row) -> list[str]:
    floor, f = lat["embed_query"], lat["filtered"]
    rows = [
        [
            k,
            f"{v['admits']:.0%}",
            v["p50_ms"],
            v["p95_ms"],
            round(v["p50_ms"] / floor["p50_ms"], 1),
            round(v["p95_ms"] / TARGET_P95_MS, 2),
        ]
        for k, v in lat["by_filter"].items()
    ]
    total = [
        f["p50_ms"],
        f["p95_ms"],
        lat["ratio_filtered_p50_to_embed"],
        lat["filtered_p95_vs_target"],
    ]
    rows.append(["**all filtered**", "", *total])
    heads = ["filter", "admits", "p50 ms", "p95 ms", "p50 / query embed", "p95 / 150 ms target"]
    note = (
        f"Query embedding alone, the floor of every search: p50 {floor['p50_ms']} ms, p95 "
        f"{floor['p95_ms']} ms. {f['n']} filtered, {lat['unfiltered']['n']} unfiltered searches."
    )
    return [*table(heads, rows), "", note]


def section(title: str, rows: Sequence[Sequence[Any]], intro: str = "") -> list[str]:
    return [
        "",
        f"## {title}",
        "",
        *([intro, ""] if intro else []),
        *table(["figure", "value"], rows),
    ]


def both(d: Row, a: str, b: str, unit: str = "") -> str:
    return f"{d[a]} / {d[b]}{unit}"


def render(r: Row) -> str:
    """Tables only; how each figure is made is in the hand-written notes below them."""
    m, i = {"load_avg_end": None, **r["machine"]}, r["index"]
    out = [
        "# Benchmarks",
        "",
        f"Produced by `{r.get('command', 'paperchat bench')}` on {r['date']} (`make bench`) on "
        f"{m['cores']} cores ({m['cpu']}), {m['ram_gb']} GiB RAM, Python {m['python']}; load "
        f"average {m['load_avg_start']} at start, {m['load_avg_end']} at end. Ratios are to "
        "limits measured in the same run; the notes at the end say how each figure is made.",
    ]
    rx = i["reindex"]
    out += section("Index and re-index (real corpus)", [
        ["index throughput", f"{i['index_papers_per_s']} papers/s"],
        ["embedder alone, same texts", f"{i['embedder_papers_per_s']} papers/s"],
        ["ratio index/embedder: wall / CPU time",
         both(i, "ratio_index_to_embedder", "ratio_index_to_embedder_cpu")],
        ["CPU-s per paper: index / embedder",
         both(i, "index_cpu_s_per_paper", "embedder_cpu_s_per_paper")],
        ["re-index, unchanged", f"{rx['seconds']} s, {rx['embedded']} embedded"],
        ["re-index / full index time", rx["ratio_to_full_index"]],
    ])  # fmt: skip
    out += [f"\n## Search at {i['papers']} papers (Searcher start-up {i['searcher_init_s']} s)\n"]
    out += latency_table(r["search"])
    if "scale" in r:
        sc, v, b = r["scale"], r["scale"]["vectors"], r["scale"]["build"]
        real = f"{v['pool']:,} bases + {v['calibration_texts']} variants"
        built = f"{b['upserted']:,} upserted, {b['seconds']} s"
        resync, resume = sc["resync_unchanged"], sc["resume"]
        out += section(f"Search at {sc['papers']:,} synthetic papers", [
            [f"generated (seed {SEED})", f"{sc['generate_s']} s"],
            ["vectors embedded for real",
             real + (" (cached)" if v["cached"] else f" in {v['pool_embed_s']} s")],
            ["modelled vectors: mean cosine to base", v["variant_cosine_to_base"]],
            ["Chroma build, vectors given",
             built + (f", {b['papers_per_s']} papers/s" if b["upserted"] else " (store reused)")],
            ["re-sync, unchanged", f"{resync['seconds']} s, {resync['embedded']} embedded"],
            [f"resume, last {resume['missing']} missing",
             f"{resume['seconds']} s, {resume['upserted']} upserted"],
            ["Searcher start-up", f"{sc['searcher_init']['seconds']} s"],
            ["... alone: vectors from Chroma / BM25 / catalog",
             both(sc["searcher_init"], "load_vectors_s", "bm25_s") + " / "
             + f"{sc['searcher_init']['catalog_s']} s"],
            ["Chroma `where` year filter, k=5, p50 / p95",
             both(sc["chroma_where_year"], "p50_ms", "p95_ms", " ms")],
        ])  # fmt: skip
        out += ["", *latency_table(sc["search"])]
    if "server" in r:
        sv = r["server"]
        out += section(f"Against `chroma run` on 127.0.0.1 ({sv['corpus']})", [
            ["Searcher start-up", f"{sv['searcher_init_s']} s"],
            ["same top 5 as the embedded store", sv["same_top5_as_embedded"]],
            ["p50 / embedded store's: unfiltered / filtered",
             both(sv["p50_ratio_to_embedded"], "unfiltered", "filtered")],
        ])  # fmt: skip
        out += ["", *latency_table(sv["search"])]
    if "answer" in r:
        a = r["answer"]
        heads = ["question", "sources s", "first token s", "total s", "prompt tokens"]
        heads += ["llama.cpp direct s", "overhead s", "total / direct"]
        rows = [
            [q["question"][:55], q.get("sources_s"), q.get("first_token_s"), q["total_s"]]
            + [q.get("direct", {}).get(k) for k in ("prompt_tokens", "wall_s")]
            + [q.get("overhead_s"), q.get("ratio_total_to_direct")]
            for q in a["rows"]
        ]
        out += section(f"Answers, embedded model ({a['model']}, {a['threads']} threads)", [
            ["server start", f"{a['server_start_s']} s"],
            ["median total / llama.cpp direct", both(a, "median_total_s", "median_direct_s", " s")],
            ["median overhead beyond llama.cpp's own time: pipeline / direct",
             both(a, "median_overhead_s", "median_direct_overhead_s", " s")],
            ["median prompt tokens", a["median_prompt_tokens"]],
            ["llama.cpp prompt / generation speed",
             both(a, "llama_prompt_tok_s", "llama_gen_tok_s", " tok/s")],
        ])  # fmt: skip
        out += ["", *table(heads, rows)]
    mem = [[k, v["start_mb"], v["peak_mb"]] for k, v in r["memory"].items()]
    out += ["", "## Peak memory per stage (RSS of this process and its children)", ""]
    out += table(["stage", "RSS at start, MB", "peak, MB"], mem)
    out += quality()
    if r["skipped"]:
        out += ["", f"Skipped stages: {', '.join(r['skipped'])}."]
    return "\n".join(out) + "\n"


def quality(path: Path = ROOT / "docs" / "eval" / "results.json") -> list[str]:
    """The last `paperchat eval` overall figures, so speed and quality sit side by side."""
    if not path.exists():
        return []
    e = json.loads(path.read_text())
    ret = e["retrieval"]["overall"]
    rows = [
        [f"retrieval {m}, {v}", ret[v][m]] for m in ("recall@5", "mrr") for v in ret if v != "n"
    ]
    rows += [[f"answers: {k}", v] for k, v in e.get("answers", {}).get("overall", {}).items()]
    rows = [[k, round(v, 3) if isinstance(v, float) else v] for k, v in rows]
    head = f"From `{e.get('command')}` on {e['date']} ({e['questions']} questions); details in"
    intro = ["", "## Quality (last eval)", "", f"{head} [eval/report.md](eval/report.md).", ""]
    return [*intro, *table(["figure", "value"], rows)]


NOTES = (
    "<!-- Notes below this line are written by hand and kept when the bench rewrites the file. -->"
)


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
    out = ROOT / "docs" / "benchmarks.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    old = out.read_text(encoding="utf-8") if out.exists() else ""
    notes = old[old.index(NOTES) :] if NOTES in old else NOTES + "\n"
    out.write_text(render(result) + "\n" + notes, encoding="utf-8")
    print(json.dumps(result, indent=2, default=float) if args.json else render(result))
    log(f"wrote {out}")
    return 0
