"""The model stages of `paperchat bench`, on the embedded model behind the shared warm server:
answers (with the prompt tokens llama.cpp found cached), the cached prefix of a repeated
question, summaries and bios, and 1/2/4/8 concurrent askers through the fair queue."""

from __future__ import annotations

import statistics
import threading
import time
from pathlib import Path
from typing import Any

from assistant.bench.measure import Row, log, timed
from assistant.settings import Settings
from retrieval.embedder import Embedder
from retrieval.models import CorpusInfo, Paper

ANSWER_QUESTIONS = 5
CONCURRENCY = (1, 2, 4, 8)
JOBS = {
    "summary": "Summarize the work on video generation",
    # The speed issue's size: its list holds 8 papers in the shipped corpus (the row
    # reports how many the summary cited).
    "summary, 8 papers": "Summarize his work on generative models",
    "talk intro": "Draft a short talk introduction about his work on conversational AI",
    "short bio": "Draft a short bio based on these papers",
}


def p95(xs: list[float]) -> float:
    ordered = sorted(xs)
    return round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], 2)


def timed_stream(assistant: Any, question: str) -> Row:
    """One question through `Assistant.stream`: when each kind of event arrived."""
    from assistant.types import AnswerEvent, SourcesEvent, TextEvent, WaitingEvent

    t0, row = time.perf_counter(), Row(question=question, ahead=0)
    for event in assistant.stream(question):
        at = round(time.perf_counter() - t0, 3)
        if isinstance(event, WaitingEvent):
            row["ahead"] = max(row["ahead"], event.ahead)
        elif isinstance(event, SourcesEvent):
            row.setdefault("sources_s", at)
        elif isinstance(event, TextEvent):
            row.setdefault("first_text_s", at)
        elif isinstance(event, AnswerEvent):
            row |= {"total_s": at, "model": event.answer.model,
                    "papers": len(event.answer.citations)}  # fmt: skip
            timings = event.answer.timings  # the stages, as the answer reports them
            row |= {"retrieval_s": timings.retrieval, "checking_s": timings.checking,
                    "server_prompt_s": timings.server_prompt,
                    "server_generation_s": timings.server_generation}  # fmt: skip
    usage = dict(getattr(assistant.chat_model, "last_usage", {}) or {})
    if usage:
        row |= {"prompt_tokens": usage.get("prompt_tokens"),
                "cached_tokens": usage.get("cached_tokens"),
                "completion_tokens": usage.get("completion_tokens")}  # fmt: skip
    return row


def questions_for(papers: list[Paper]) -> list[str]:
    from assistant.eval.evaluate import DEFAULT_SET, load_questions

    if DEFAULT_SET.exists():
        return [q.question for q in load_questions(DEFAULT_SET) if q.kind == "lookup"]
    return [f"What does {p.title.split(':')[0]} achieve?" for p in papers]


def stage_answer(
    settings: Settings, data_dir: Path, papers: list[Paper], info: CorpusInfo | None, emb: Embedder
) -> Row:
    from assistant.api import Assistant
    from assistant.model.warm import WarmServer

    s = settings.model_copy(deep=True)
    s.paths.data_dir = data_dir
    warm = WarmServer(s)
    warm.stop()
    state, start_s = timed(warm.ensure)
    _, reuse_s = timed(warm.ensure)
    assistant = Assistant(s, embedder=emb, papers=papers, info=info)
    questions = questions_for(papers)
    try:
        # Each paper's prefix state, as the UI saves it at launch (jobs/shown.py); then a new
        # server, so each lookup below costs what a first question about its paper does.
        log("prefill: each paper's prefix state")
        computed, prefill_s = timed(assistant.prefill)
        states = getattr(assistant.chat_model, "states", lambda: None)()
        count, size = states.usage() if states else (0, 0)
        warm.stop()
        warm.ensure()
        rows = []
        for question in questions[:ANSWER_QUESTIONS]:
            log(f"answer: {question}")
            rows.append(timed_stream(assistant, question))
        log("cached prefix: the first question again")
        again = timed_stream(assistant, questions[0])
        jobs = {}
        for name, request in JOBS.items():
            log(f"{name}: {request}")
            jobs[name] = timed_stream(assistant, request)
        load = {str(n): concurrent(assistant, questions, n) for n in CONCURRENCY}
        log("cli: a second `paperchat ask` through this warm process, and on its own")
        cli = cli_ask(assistant, s, questions[0])
    finally:
        warm.stop()
    model_rows = [r for r in rows if r.get("prompt_tokens")]
    prompt = sum(r["prompt_tokens"] for r in model_rows)
    cached = sum(r["cached_tokens"] or 0 for r in model_rows)
    return {
        "server_start_s": round(start_s, 2),
        "server_reuse_s": round(reuse_s, 4),
        "prefill": {
            "computed": computed,
            "seconds": round(prefill_s, 1),
            "states": count,
            "mb": round(size / 2**20),
        },
        "backend": state.backend,
        "model": state.alias,
        "threads": state.threads,
        "rows": rows,
        "median_total_s": round(statistics.median(r["total_s"] for r in rows), 2),
        "median_first_text_s": round(
            statistics.median(float(r.get("first_text_s") or r["total_s"]) for r in rows), 2
        ),
        "cached_share": round(cached / prompt, 3) if prompt else None,
        "stages": stage_shares(model_rows),
        "repeat": again,
        "repeat_cached_share": round((again.get("cached_tokens") or 0) / again["prompt_tokens"], 3)
        if again.get("prompt_tokens")
        else None,
        "jobs": jobs,
        "load": load,
        "cli": cli,
    }


def cli_ask(assistant: Any, settings: Settings, question: str) -> Row:
    """The same question three ways: in this warm process, by a `paperchat ask` process that
    answers through it (assistant/relay.py), and by one that answers on its own (`--here`:
    imports, embedder, index and corpus first)."""
    import os
    import subprocess
    import sys

    from assistant.relay import Relay

    warm_s = timed(lambda: assistant.ask(question))[1]
    env = {**os.environ, "PAPERCHAT_PATHS__DATA_DIR": str(settings.paths.data_dir)}
    command = [sys.executable, "-m", "assistant.cli", "ask", question, "--corpus", settings.corpus]

    def run(*extra: str) -> float:
        done, seconds = timed(
            lambda: subprocess.run([*command, *extra], env=env, capture_output=True)
        )
        return float(seconds) if done.returncode == 0 else float("nan")

    relay = Relay(assistant, settings)
    relay.start()
    try:
        relayed_s = run()
    finally:
        relay.stop()
    run("--here")  # the first builds its index in the bench's data dir; not timed
    alone_s = run("--here")
    return {
        "warm_s": round(warm_s, 2),
        "relayed_s": round(relayed_s, 2),
        "alone_s": round(alone_s, 2),
        "relayed_over_warm": round(relayed_s / warm_s, 2) if warm_s else None,
    }


STAGES = ("retrieval_s", "server_prompt_s", "server_generation_s", "checking_s")


def stage_shares(rows: list[Row]) -> Row:
    """Where an answer's time goes: each stage's median seconds and its share of the median
    total, the rest (planning, prompt building, rendering, the HTTP round trips) as
    `other_s`, and the total over llama-server's own prompt + generation time."""
    timed_rows = [r for r in rows if all(r.get(k) is not None for k in STAGES)]
    if not timed_rows:
        return {}
    total = statistics.median(r["total_s"] for r in timed_rows)
    out: Row = {"answers": len(timed_rows), "median_total_s": round(total, 3)}
    for key in STAGES:
        median = statistics.median(float(r[key]) for r in timed_rows)
        out[key] = {"median": round(median, 3), "share": round(median / total, 3)}
    other = [r["total_s"] - sum(float(r[k]) for k in STAGES) for r in timed_rows]
    out["other_s"] = {"median": round(statistics.median(other), 3),
                      "share": round(statistics.median(other) / total, 3)}  # fmt: skip
    server = [(r["total_s"], r["server_prompt_s"] + r["server_generation_s"]) for r in timed_rows]
    out["over_server"] = round(statistics.median(t / s for t, s in server if s), 3)
    new = [(r.get("prompt_tokens") or 0) - (r.get("cached_tokens") or 0) for r in timed_rows]
    out["median_new_tokens"] = statistics.median(new)
    # The host's speed on these answers, as llama-server clocked it: the targets are read
    # against it (a busy host halves both).
    rates = [n / r["server_prompt_s"] for n, r in zip(new, timed_rows, strict=True)
             if n and r["server_prompt_s"]]  # fmt: skip
    out["prompt_tok_s"] = round(statistics.median(rates), 1) if rates else None
    made = [r["completion_tokens"] / r["server_generation_s"] for r in timed_rows
            if r.get("completion_tokens") and r["server_generation_s"]]  # fmt: skip
    out["generation_tok_s"] = round(statistics.median(made), 1) if made else None
    return out


def concurrent(assistant: Any, questions: list[str], n: int) -> Row:
    """n askers at once on one Assistant (as the UI's users are): throughput and p95."""
    log(f"load: {n} concurrent askers")
    rows: list[Row] = [{} for _ in range(n)]
    errors: list[str] = []

    def ask(i: int) -> None:
        try:
            rows[i] = timed_stream(assistant, questions[i % len(questions)])
        except Exception as exc:  # a failed request is a figure here, not a crash
            errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(n)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    totals = [r["total_s"] for r in rows if "total_s" in r]
    return {
        "askers": n,
        "completed": len(totals),
        "errors": errors,
        "wall_s": round(wall, 2),
        "throughput_per_min": round(60 * len(totals) / wall, 1),
        "p50_s": round(statistics.median(totals), 2) if totals else None,
        "p95_s": p95(totals) if totals else None,
        "max_ahead": max((r.get("ahead", 0) for r in rows), default=0),
    }
