"""The Markdown report of `paperchat bench` (docs/benchmarks.md): tables from a result,
with the hand-written notes below the NOTES marker kept across rewrites."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.bench.measure import Row
from assistant.bench.search import TARGET_P95_MS
from assistant.bench.synthetic import SEED
from assistant.settings import ROOT


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
    if "verify" in r:
        v = r["verify"]
        out += section(f"Claim verifier ({v['claims']} claims of data/eval/claims_shipped.jsonl)", [
            ["spaCy load, once per process", f"{v['spacy_load_s']} s"],
            ["per sentence, record parsed first: median / max",
             f"{v['first_pass_ms_median']} / {v['first_pass_ms_max']} ms"],
            ["per sentence, record cached: median / max",
             f"{v['cached_ms_median']} / {v['cached_ms_max']} ms"],
            ["budget (issue 17)", "1000 ms per sentence"],
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
            ["Searcher start-up: cold (BM25 built) / warm (BM25 cached)",
             both(sc["searcher_init"], "seconds", "warm_seconds", " s")],
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
        out += answer_section(r["answer"])
    mem = [[k, v["start_mb"], v["peak_mb"]] for k, v in r["memory"].items()]
    out += ["", "## Peak memory per stage (RSS of this process and its children)", ""]
    out += table(["stage", "RSS at start, MB", "peak, MB"], mem)
    out += quality()
    if r["skipped"]:
        out += ["", f"Skipped stages: {', '.join(r['skipped'])}."]
    return "\n".join(out) + "\n"


def answer_section(a: Row) -> list[str]:
    """The embedded model: answers, cached prefixes, long jobs and concurrent askers."""
    title = f"Answers, embedded model ({a['model']}, {a['backend']}, {a['threads']} threads)"
    out = section(title, [
        ["server start (cold) / reuse by a later command", f"{a['server_start_s']} s / "
         f"{round(1000 * a['server_reuse_s'], 1)} ms"],
        ["prefix states saved before the answers: computed, seconds, on disk",
         "{computed} in {seconds} s; {states} states, {mb} MB".format(**a["prefill"])
         if a.get("prefill") else "not measured"],
        ["median first text / total", f"{a['median_first_text_s']} / {a['median_total_s']} s"],
        ["prompt tokens found cached: these answers / the same question again",
         f"{a['cached_share']} / {a['repeat_cached_share']}"],
        ["the same question again: total", f"{a['repeat']['total_s']} s"],
    ])  # fmt: skip
    stages = a.get("stages") or {}
    if stages:
        names = {"retrieval_s": "retrieval", "server_prompt_s": "llama-server prompt",
                 "server_generation_s": "llama-server generation",
                 "checking_s": "checks and verifier", "other_s": "the rest (plan, prompt, "
                 "render, HTTP)"}  # fmt: skip
        lead = (f"Where an answer's time goes (median of {stages['answers']} answers, total "
                f"{stages['median_total_s']} s; {stages['median_new_tokens']} new prompt tokens; "
                f"total / llama-server's own time: {stages['over_server']}x; host speed "
                f"{stages.get('prompt_tok_s')} tok/s prompt, {stages.get('generation_tok_s')} "
                "tok/s generation; the checks run "
                "while the model streams, so the stages may sum past the total):")  # fmt: skip
        out += ["", lead, ""]
        out += table(
            ["stage", "median s", "share of total"],
            [[label, stages[k]["median"], f"{100 * stages[k]['share']:.0f}%"]
             for k, label in names.items()],
        )  # fmt: skip
    heads = ["question", "sources s", "first text s", "total s", "prompt tokens", "cached"]
    rows = [
        [q["question"][:55], q.get("sources_s"), q.get("first_text_s"), q["total_s"],
         q.get("prompt_tokens"), q.get("cached_tokens")]
        for q in a["rows"]
    ]  # fmt: skip
    out += ["", *table(heads, rows)]
    jobs = [[name, j.get("papers"), j.get("first_text_s"), j["total_s"], j.get("model")]
            for name, j in a["jobs"].items()]  # fmt: skip
    out += ["", "### Summaries and bios (through chat routing)", ""]
    out += table(["job", "papers cited", "first text s", "total s", "model"], jobs)
    load = [[d["askers"], f"{d['completed']}/{d['askers']}", d["wall_s"], d["throughput_per_min"],
             d["p50_s"], d["p95_s"], d["max_ahead"]] for d in a["load"].values()]  # fmt: skip
    out += ["", "### Concurrent askers (one Assistant, fair queue, one model job at a time)", ""]
    heads = ["askers", "completed", "wall s", "answers/min", "p50 s", "p95 s", "most ahead"]
    out += table(heads, load)
    cli = a.get("cli")
    if cli:
        out += ["", "### A second CLI `ask` (the same question; assistant/relay.py)", ""]
        out += table(
            ["in the warm process s", "`paperchat ask` through it s", "`paperchat ask --here` s",
             "through it / warm"],
            [[cli["warm_s"], cli["relayed_s"], cli["alone_s"], cli["relayed_over_warm"]]],
        )  # fmt: skip
    return out


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


def write_report(out: Path, result: Row) -> Path:
    """Rewrite the tables; keep the hand-written notes below the NOTES marker."""
    out.parent.mkdir(parents=True, exist_ok=True)
    old = out.read_text(encoding="utf-8") if out.exists() else ""
    notes = old[old.index(NOTES) :] if NOTES in old else NOTES + "\n"
    out.write_text(render(result) + "\n" + notes, encoding="utf-8")
    return out
