"""Handlers of the Summarize, Draft and Search tabs and the Corpus tab's date box; plain
functions taking the assistant first."""

from __future__ import annotations

from typing import Any, Literal

import gradio as gr

from assistant import Assistant, Hit, PaperchatError
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
