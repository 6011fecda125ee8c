"""The Gradio chat UI; it talks only to the `Assistant` facade. Handlers are plain functions
taking the assistant first (tests call them directly); `build_app` wires them up."""

from __future__ import annotations

import os

# Before importing gradio: otherwise it contacts its analytics and version hosts at launch.
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from typing import Any, Literal

import gradio as gr

from assistant import (
    Answer,
    AnswerEvent,
    Assistant,
    Citation,
    Hit,
    Paper,
    PaperchatError,
    Settings,
    SourcesEvent,
    TextEvent,
)

Message = dict[str, Any]
ChatOutput = tuple[str, list[Message], str, list[Message]] | dict[str, Any]  # or gr.skip()

SOURCES_IDLE = "### Sources\n\n_The papers behind an answer appear here as soon as they are found._"
THINKING = "…"
# One queue for every event: the assistant (and a local model) serves one job at a time,
# and its collaborators are built lazily, so two jobs must not race to build them.
QUEUE = "assistant"


@contextmanager
def user_errors() -> Iterator[None]:
    """Errors the user can act on become a visible `gr.Error`; anything else is a bug."""
    try:
        yield
    except PaperchatError as exc:
        raise gr.Error(str(exc), print_exception=False) from exc


def _md(text: str) -> str:
    """Escape characters that would turn titles into Markdown tables or emphasis."""
    return text.replace("|", "\\|").replace("*", "\\*").replace("_", "\\_")


def paper_line(paper: Paper) -> str:
    """'Title (year) — authors · code' for the sources panel, references and hits."""
    authors = ", ".join(paper.authors) + (" et al." if paper.authors_truncated else "")
    line = " — ".join(_md(x) for x in (paper.short_ref(), authors) if x)
    return line + (f" · [code]({paper.code_url})" if paper.code_url else "")


def render_references(citations: Sequence[Citation]) -> str:
    return "\n".join(f"- \\[{c.key}\\] {paper_line(c.paper)}" for c in citations)


def render_answer(answer: Answer) -> str:
    """The checked text, then the references its [n] markers point to, then its status."""
    parts = [answer.text]
    if answer.citations:
        parts.append("**References**\n\n" + render_references(answer.citations))
    notes = [
        f"{answer.unsupported} unsupported sentence(s) removed" if answer.unsupported else "",
        f"{answer.reattributed} citation(s) corrected" if answer.reattributed else "",
        "unknown keys dropped: " + ", ".join(answer.dropped_keys) if answer.dropped_keys else "",
    ]
    timing = f"{answer.timings.total:.1f} s" if answer.timings.total else ""
    if footer := " · ".join(x for x in [answer.model, timing, *notes] if x):
        parts.append(f"<sub>{footer}</sub>")
    return "\n\n".join(parts)


def render_sources(retrieved: Sequence[Citation], answer: Answer | None = None) -> str:
    """Only the final answer's sources carry [n]: while streaming, the pipeline still
    renumbers keys by first use, so a number shown early could point to the wrong paper."""
    cited = answer.citations if answer else []
    rest = [c for c in retrieved if c.paper.id not in {x.paper.id for x in cited}]
    parts = ["### Sources"]
    if cited:
        parts.append(render_references(cited))
    if rest:
        lines = "\n".join(f"- {paper_line(c.paper)}" for c in rest)
        parts.append(("_Also retrieved:_\n\n" if cited else "") + lines)
    if len(parts) == 1:
        parts.append("_No papers were used._")
    return "\n\n".join(parts)


def _nothing_to_do(what: str) -> dict[str, Any]:
    """A warning toast for empty input; unlike an error it leaves every output as it was."""
    gr.Warning(f"Type {what} first.")
    return gr.skip()


def bubble(text: str) -> Message:
    return {"role": "assistant", "content": text}


def chat(
    assistant: Assistant, message: str, shown: list[Message], history: list[Message]
) -> Iterator[ChatOutput]:
    """One turn: sources first, then streamed text, then the final checked answer.

    `shown` is what the Chatbot displays (with references); `history` holds the plain
    answers the assistant reads for follow-ups.
    """
    question = (message or "").strip()
    if not question:
        yield _nothing_to_do("a question about the papers")
        return
    shown = [*shown, {"role": "user", "content": question}]
    yield "", [*shown, bubble(THINKING)], "_Searching the papers…_", history
    retrieved: list[Citation] = []
    text = ""
    try:
        for event in assistant.stream(question, history):
            if isinstance(event, SourcesEvent):
                retrieved = event.citations
            elif isinstance(event, TextEvent):
                text += event.delta
            elif isinstance(event, AnswerEvent):
                answer = event.answer
                turn = [{"role": "user", "content": question}, bubble(answer.text)]
                panel = render_sources(retrieved, answer)
                yield "", [*shown, bubble(render_answer(answer))], panel, history + turn
                return
            yield "", [*shown, bubble(text or THINKING)], render_sources(retrieved), history
    except PaperchatError as exc:
        # A toast, and the reason in the chat under the question; the question goes back in
        # the box to retry. Not gr.Error: that would cover the whole conversation.
        gr.Warning(str(exc))
        yield message, [*shown, bubble(f"⚠️ {exc}")], SOURCES_IDLE, history
        return
    raise AssertionError("stream ended without an answer")  # a bug in the facade


def clear() -> tuple[str, list[Message], str, list[Message]]:
    return "", [], SOURCES_IDLE, []


def summarize(assistant: Assistant, topic: str) -> str:
    with user_errors():
        return render_answer(assistant.summarize(topic.strip() or None))


def draft(
    assistant: Assistant,
    kind: Literal["bio", "talk_intro"],  # gr.Radio only lets its choices through
    length: Literal["short", "medium", "long"],
    audience: str,
    topic: str,
) -> str:
    with user_errors():
        answer = assistant.draft_bio(
            kind, length, audience.strip() or "general", topic.strip() or None
        )
    return render_answer(answer)


def search(assistant: Assistant, query: str, k: float) -> str | dict[str, Any]:
    if not query.strip():
        return _nothing_to_do("what to search for")
    with user_errors():
        hits = assistant.search(query, k=int(k))
    return render_hits(hits)


def render_hits(hits: Sequence[Hit]) -> str:
    if not hits:
        return "_No papers match._"
    rows = ["| # | Score | Paper | Why |", "|---|---|---|---|"]
    for i, hit in enumerate(hits, 1):
        rows.append(f"| {i} | {hit.score:.3f} | {paper_line(hit.paper)} | {_md(hit.why)} |")
    return "\n".join(rows)


def _title(assistant: Assistant) -> str:
    try:
        info = assistant.info
    except PaperchatError:
        info = None
    who = f" over {info.owner}'s papers" if info else ""
    return f"# paperchat\nCited answers{who}. Every [n] points to a paper the code checked."


def build_app(assistant: Assistant) -> gr.Blocks:
    queue: dict[str, Any] = {"concurrency_id": QUEUE, "concurrency_limit": 1}
    with gr.Blocks(title="paperchat", analytics_enabled=False) as demo:
        gr.Markdown(_title(assistant))
        with gr.Tab("Ask"):
            history = gr.State([])
            with gr.Row():
                with gr.Column(scale=3):
                    chatbot = gr.Chatbot(
                        label="Chat", height=520, elem_id="chat", buttons=["copy", "copy_all"]
                    )
                    question = gr.Textbox(
                        show_label=False,
                        placeholder="Ask about the papers, e.g. What AP does DINO reach?",
                        elem_id="question",
                    )
                    with gr.Row():
                        ask = gr.Button("Ask", variant="primary", elem_id="ask")
                        reset = gr.Button("Clear", elem_id="clear")
                with gr.Column(scale=2):
                    sources = gr.Markdown(SOURCES_IDLE, elem_id="sources")
            gr.on(
                [question.submit, ask.click],
                partial(chat, assistant),
                inputs=[question, chatbot, history],
                outputs=[question, chatbot, sources, history],
                api_name="ask",
                **queue,
            )
            # The Chatbot's own trash icon must forget the history the assistant reads, too.
            gr.on(
                [reset.click, chatbot.clear],
                clear,
                outputs=[question, chatbot, sources, history],
                api_name="clear",
            )
        with gr.Tab("Summarize a topic"):
            topic = gr.Textbox(label="Topic (empty: all papers)", elem_id="summary-topic")
            summarize_button = gr.Button("Summarize", variant="primary")
            summary = gr.Markdown(elem_id="summary")
            gr.on(
                [topic.submit, summarize_button.click],
                partial(summarize, assistant),
                inputs=topic,
                outputs=summary,
                api_name="summarize",
                **queue,
            )
        with gr.Tab("Draft bio / talk intro"):
            with gr.Row():
                kind = gr.Radio(
                    [("Bio", "bio"), ("Talk intro", "talk_intro")], value="bio", label="Kind"
                )
                length = gr.Radio(["short", "medium", "long"], value="short", label="Length")
            with gr.Row():
                audience = gr.Textbox(value="general", label="Audience")
                bio_topic = gr.Textbox(label="Focus topic (optional)")
            draft_button = gr.Button("Draft", variant="primary")
            bio = gr.Markdown(elem_id="bio")
            draft_button.click(
                partial(draft, assistant),
                inputs=[kind, length, audience, bio_topic],
                outputs=bio,
                api_name="draft_bio",
                **queue,
            )
        with gr.Tab("Search"):
            with gr.Row():
                query = gr.Textbox(label="Search the papers", scale=4, elem_id="search-query")
                k = gr.Slider(1, 20, value=5, step=1, label="Results", scale=1)
            search_button = gr.Button("Search", variant="primary")
            results = gr.Markdown(elem_id="search-results")
            gr.on(
                [query.submit, search_button.click],
                partial(search, assistant),
                inputs=[query, k],
                outputs=results,
                api_name="search",
                **queue,
            )
    return demo


def launch(
    settings: Settings,
    host: str = "127.0.0.1",
    port: int = 7860,
    *,
    assistant: Assistant | None = None,
    block: bool = True,
) -> gr.Blocks:
    """Serve the UI; `block=False` returns at once (tests). A missing corpus fails here,
    as one line from the CLI, rather than on the first question."""
    assistant = assistant or Assistant(settings)
    _ = assistant.searcher  # read the corpus, sync the index, load the embedder: now, once
    demo = build_app(assistant)
    demo.queue(default_concurrency_limit=1)
    try:
        demo.launch(
            server_name=host,
            server_port=port,
            prevent_thread_lock=not block,
            show_error=False,  # unexpected errors show a generic message, never a traceback
            quiet=not block,
            footer_links=["api"],
        )
    finally:
        if block:
            assistant.close()
    return demo
