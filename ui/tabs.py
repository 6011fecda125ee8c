"""Handlers of the Summarize, Draft and Search tabs and the Corpus tab's date box; plain
functions taking the assistant first."""

from __future__ import annotations

from typing import Any, Literal

import gradio as gr

from assistant import Assistant, CheckReport, Hit, PaperchatError
from ui.chat import stream_job
from ui.corpus_view import whats_new as whats_new_html
from ui.render import esc


def summarize(assistant: Assistant, topic: str) -> Any:
    what = f"Summarizing {topic.strip()!r}" if topic.strip() else "Summarizing all papers"
    yield from stream_job(lambda: assistant.stream_summary(topic.strip() or None), what)


def draft(
    assistant: Assistant,
    kind: Literal["bio", "talk_intro"],  # gr.Radio only lets its choices through
    length: Literal["short", "medium", "long"],
    audience: str,
    topic: str,
) -> Any:
    what = "Drafting a talk introduction" if kind == "talk_intro" else "Drafting a bio"
    yield from stream_job(
        lambda: assistant.stream_bio(
            kind, length, audience.strip() or "general", topic.strip() or None
        ),
        what,
    )


def search(assistant: Assistant, query: str, k: float) -> str | dict[str, Any]:
    if not query.strip():
        gr.Warning("Type what to search for first.")
        return gr.skip()
    try:
        hits = assistant.search(query, k=int(k))
    except PaperchatError as exc:
        raise gr.Error(str(exc), print_exception=False) from exc
    return render_hits(hits)


def render_hits(hits: list[Hit]) -> str:
    if not hits:
        return '<div class="pc-empty">No papers match.</div>'
    rows = "".join(
        f"<tr><td>{i}</td><td>{h.score:.3f}</td><td>{esc(h.paper.short_ref())}</td>"
        f"<td>{esc(h.why)}</td></tr>"
        for i, h in enumerate(hits, 1)
    )
    return (
        '<table class="pc-hits"><tr><th>#</th><th>Score</th><th>Paper</th><th>Why</th></tr>'
        f"{rows}</table>"
    )


def whats_new(assistant: Assistant, since: str) -> str:
    try:
        return whats_new_html(assistant, since)
    except PaperchatError as exc:
        gr.Warning(str(exc))
        return f'<div class="pc-empty">{esc(str(exc))}</div>'


VERDICT_NOTE = {
    "verified": "verified: the cited paper's abstract states this",
    "contradicted": "contradicted by the cited abstract",
    "not stated": "not stated in the cited abstract",
    "no citation": "cites no paper of the corpus",
}


def check(assistant: Assistant, text: str) -> str | dict[str, Any]:
    if not text.strip():
        gr.Warning("Paste the text to check first.")
        return gr.skip()
    try:
        report = assistant.check(text)
    except PaperchatError as exc:
        raise gr.Error(str(exc), print_exception=False) from exc
    return render_check(report)


def render_check(report: CheckReport) -> str:
    """One row per sentence: its verdict, the record sentence it was checked against, why
    it failed, and for an uncited sentence the papers that state it."""
    if not report.sentences:
        return '<div class="pc-empty">No sentences to check.</div>'
    rows = []
    for s in report.sentences:
        detail = "".join(
            f'<div class="pc-ev"><b>{esc(e.paper)}</b>: “{esc(e.sentence)}”</div>'
            for e in s.evidence
        )
        detail += "".join(f'<div class="pc-why">{esc(r)}</div>' for r in s.reasons)
        detail += "".join(f'<div class="pc-sugg">stated in: {esc(t)}</div>' for t in s.suggested)
        verdict = s.verdict.replace(" ", "-")
        rows.append(
            f'<tr class="pc-check pc-v-{verdict}"><td class="pc-verdict" '
            f'title="{esc(VERDICT_NOTE[s.verdict])}">{esc(s.verdict)}</td>'
            f"<td>{esc(s.sentence)}{detail}</td></tr>"
        )
    counts = ", ".join(f"{n} {v}" for v, n in report.counts().items())
    unresolved = "".join(
        f'<div class="pc-why">unresolved citation: {esc(u)}</div>' for u in report.unresolved
    )
    return (
        f'<div class="pc-check-summary">{esc(counts)}</div>{unresolved}'
        f'<table class="pc-checks"><tr><th>Verdict</th><th>Sentence</th></tr>{"".join(rows)}'
        "</table>"
    )
