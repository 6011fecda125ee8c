"""The Ask tab's handlers and the API endpoints. Plain functions taking the assistant
first (tests call them directly); `app.build_app` wires them to components.

A browser session's conversation lives in its own `gr.State` (a list of `Turn`), so two
sessions never see each other's history, sources or exports.
"""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from assistant import (
    Answer,
    AnswerEvent,
    Assistant,
    PaperchatError,
    SourcesEvent,
    TextEvent,
)
from ui.render import Turn, conversation_html, esc, sources_html

ChatOutput = tuple[str, str, str, list[Turn], str | None, str | None, str]


def filters_of(
    year_from: Any,
    year_to: Any,
    categories: list[str] | None,
    code_only: bool,
    coauthor: Any,
    venue: Any = None,
) -> dict[str, Any]:
    """The filter controls as `Assistant.search`/`stream` keyword filters."""
    out: dict[str, Any] = {}
    lo = int(year_from) if year_from not in (None, "", "any") else None
    hi = int(year_to) if year_to not in (None, "", "any") else None
    if lo is not None and hi is not None and lo > hi:
        raise PaperchatError(f"The year range {lo}–{hi} is empty: pick a 'from' year ≤ 'to'")
    if lo is not None:
        out["year_from"] = lo
    if hi is not None:
        out["year_to"] = hi
    if categories:
        out["categories"] = list(categories)
    if code_only:
        out["has_code"] = True
    if coauthor:
        out["author"] = str(coauthor)
    if venue and str(venue).strip():
        out["venue"] = " ".join(str(venue).split())
    return out


def history_of(turns: list[Turn]) -> list[dict[str, str]]:
    """What the assistant reads for follow-ups: the plain questions and checked answers."""
    out: list[dict[str, str]] = []
    for turn in turns:
        if turn.answer is not None:
            out += [
                {"role": "user", "content": turn.question},
                {"role": "assistant", "content": turn.answer.text},
            ]
    return out


def write_exports(assistant: Assistant, turns: list[Turn]) -> tuple[str | None, str | None]:
    """The conversation (.md) and its cited papers (.bib) as files for the download buttons."""
    done = [(t.question, t.answer) for t in turns if t.answer is not None]
    if not done:
        return None, None
    folder = Path(tempfile.mkdtemp(prefix="paperchat-export-"))
    md = folder / "paperchat-conversation.md"
    md.write_text(assistant.export_markdown(done), encoding="utf-8")
    ids = [c.paper.id for _, a in done for c in a.citations]
    if not ids:
        return str(md), None
    bib = folder / "paperchat-cited.bib"
    bib.write_text(assistant.export_bibtex(ids), encoding="utf-8")
    return str(md), str(bib)


def chat(
    assistant: Assistant,
    message: str,
    turns: list[Turn],
    year_from: Any = None,
    year_to: Any = None,
    categories: list[str] | None = None,
    code_only: bool = False,
    coauthor: Any = None,
    venue: Any = None,
) -> Iterator[ChatOutput | dict[str, Any]]:
    """One turn: the question at once, sources when retrieval ends, the streamed text,
    then the checked answer with its cards and export files."""
    question = (message or "").strip()
    if not question:
        gr.Warning("Type a question about the papers first.")
        yield gr.skip()
        return
    try:
        filters = filters_of(year_from, year_to, categories, code_only, coauthor, venue)
    except PaperchatError as exc:
        gr.Warning(str(exc))
        yield gr.skip()
        return
    history = history_of(turns)
    turn = Turn(question=question)
    turns = [*turns, turn]
    status = assistant.model_status()

    def out(box: str = "", files: tuple[str | None, str | None] = (None, None)) -> ChatOutput:
        md, bib = files
        return box, conversation_html(turns), sources_html(turns), turns, md, bib, status

    yield out()
    try:
        for event in assistant.stream(question, history, filters or None):
            if isinstance(event, SourcesEvent):
                turn.retrieved = event.citations
            elif isinstance(event, TextEvent):
                turn.streamed += event.delta
                turn.notice = ""
            elif isinstance(event, AnswerEvent):
                turn.answer = event.answer
                turn.notice = ""
                status = assistant.model_status()
                yield out(files=write_exports(assistant, turns))
                return
            elif getattr(event, "type", "") == "waiting":  # the model serves someone else
                turn.notice = f"busy, {getattr(event, 'ahead', '?')} ahead of you"
            yield out()
    except PaperchatError as exc:
        # A toast, and the reason under the question; the question goes back in the box to
        # retry. The failed turn is shown but never kept in the session's history.
        gr.Warning(str(exc))
        turn.notice, turn.streamed = f"⚠️ {exc}", ""
        kept = turns[:-1]
        shown = conversation_html(turns)
        yield message, shown, sources_html(kept), kept, *write_exports(assistant, kept), status
        return
    raise AssertionError("stream ended without an answer")  # a bug in the facade


def clear() -> tuple[str, str, str, list[Turn], None, None]:
    return "", conversation_html([]), sources_html([]), [], None, None


# --- long jobs: summaries and drafts, with a progress line -------------------------------


def run_with_progress(
    job: Callable[[], Answer], what: str, every: float = 1.0
) -> Iterator[tuple[str, Answer | None]]:
    """Run a long job in a thread; yield a progress line every `every` seconds, then the
    answer. The job's own errors are re-raised here, in the handler's thread."""
    result: dict[str, Any] = {}

    def work() -> None:
        try:
            result["answer"] = job()
        except BaseException as exc:  # handed to the caller below, not swallowed
            result["error"] = exc

    started = time.perf_counter()
    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    while thread.is_alive():
        thread.join(every)
        if thread.is_alive():
            yield f"{what}… {time.perf_counter() - started:.0f} s", None
    if "error" in result:
        raise result["error"]
    answer: Answer = result["answer"]
    yield f"Done in {time.perf_counter() - started:.1f} s.", answer


def stream_job(events: Callable[[], Iterable[Any]], what: str) -> Iterator[tuple[str, str, str]]:
    """(progress line, text HTML, cards HTML) for a job that streams its parts (a summary:
    the intro, then each sentence once it is checked; a bio: the facts paragraph, then the
    model's checked sentences)."""
    turn = Turn(question=what)
    started = time.perf_counter()
    parts = 0
    yield f"{what}…", "", ""
    try:
        for event in events():
            elapsed = time.perf_counter() - started
            if isinstance(event, SourcesEvent):
                turn.retrieved = event.citations
                line = f"{what}: {len(event.citations)} papers found, writing theme by theme…"
            elif isinstance(event, TextEvent):
                turn.streamed += event.delta
                parts += 1
                line = f"{what}: part {parts} written after {elapsed:.0f} s, continuing…"
            elif isinstance(event, AnswerEvent):
                turn.answer = event.answer
                line = f"Done in {elapsed:.1f} s."
            elif getattr(event, "type", "") == "waiting":
                line = f"busy, {getattr(event, 'ahead', '?')} ahead of you"
            else:
                continue
            yield line, conversation_html([turn]), sources_html([turn])
    except PaperchatError as exc:
        gr.Warning(str(exc))
        yield f"⚠️ {esc(str(exc))}", "", ""


# --- the API (gradio_client, curl): JSON exactly as the CLI prints it ---------------------


def api_ask(
    assistant: Assistant, question: str, history: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    """`/ask`: the answer as `paperchat ask --json` prints it."""
    try:
        return assistant.ask(question, history or None).to_json_dict()
    except PaperchatError as exc:
        raise gr.Error(str(exc), print_exception=False) from exc


def api_export_bibtex(assistant: Assistant, paper_ids: list[str]) -> str:
    """`/export_bibtex`: BibTeX for the given paper ids (unknown ids are skipped)."""
    if not isinstance(paper_ids, list) or not all(isinstance(i, str) for i in paper_ids):
        raise gr.Error("paper_ids must be a list of paper id strings", print_exception=False)
    return assistant.export_bibtex(paper_ids)
