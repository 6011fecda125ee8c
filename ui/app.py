"""The Gradio app: wires the handlers (ui/chat.py, ui/py) to components and
serves them. It talks only to the `Assistant` facade.

Serving is loopback by default, with no share link and no analytics; binding elsewhere
without `--auth` prints a warning. Each browser session keeps its own conversation.
"""

from __future__ import annotations

import os

# Before importing gradio: otherwise it contacts its analytics and version hosts at launch.
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

import sys
from collections import Counter
from typing import Any

import gradio as gr

from assistant import Assistant, ConfigError, PaperchatError, Relay, Settings, is_loopback
from ui.assets import CSS, SCRIPT
from ui.chat import api_ask, api_export_bibtex, chat, clear
from ui.corpora import Corpora
from ui.corpus_view import (
    TABLE_COLUMNS,
    coauthor_figure,
    paper_card,
    paper_table,
    per_year_figure,
    topic_map_figure,
)
from ui.render import conversation_html, esc, sources_html
from ui.tabs import check, draft, search, summarize, whats_new

# Questions may run side by side when the facade queues model jobs itself (it then says
# "busy, N ahead of you"); long jobs and facades without that queue run one at a time.
QUEUE = "assistant"
LONG_QUEUE = "long-jobs"
ASKERS = 8
QUEUE_MAX = 64  # beyond this many waiting requests, a user is told the server is busy
EXAMPLES = [
    "What AP does DINO achieve in 12 epochs with a ResNet-50 backbone?",
    "Which papers were published in 2024?",
    "How many parameters does the Step-Audio model have?",
    "Who are his most frequent co-authors?",
    "Summarize the work on talking heads and face synthesis",
]
LEGEND = (
    '<div class="pc-legend">Underlined sentences were checked by code: '
    '<span class="pc-s pc-verified">verified: the cited abstract states it</span> · '
    '<span class="pc-s pc-quoted">quoted from the abstract</span> · '
    '<span class="pc-s pc-cited">cited, not verified</span> · '
    '<span class="pc-s pc-reattributed">citation corrected by the code</span> · '
    '<span class="pc-s pc-fact">exact, from metadata</span>. '
    "Click a sentence or its [n] to see the supporting sentence in the card.</div>"
)


def _header(assistant: Assistant) -> str:
    try:
        info = assistant.info
        count = len(assistant.papers)
    except PaperchatError:
        info, count = None, 0
    who = f" over {esc(info.owner)}'s {count} papers" if info else ""
    return f"<h1>paperchat</h1><p>Cited answers{who}. The code checks every citation.</p>"


def _filter_choices(assistant: Assistant) -> tuple[list[str], list[tuple[str, str]], list[str]]:
    papers = assistant.papers
    years = sorted({str(p.year) for p in papers if p.year})
    categories = sorted({(p.category_name or p.category, p.category) for p in papers if p.category})
    owner = assistant.info.owner if assistant.info else None
    counts = Counter(a for p in papers for a in p.authors if a != owner)
    coauthors = [a for a, _ in counts.most_common()]
    return years, categories, coauthors


def _switch(assistant: Assistant) -> tuple[Any, ...]:
    """A session picked another corpus: its header, filters, empty conversation, charts."""
    years, categories, coauthors = _filter_choices(assistant)
    any_year = ["any", *years]
    return (
        _header(assistant),
        gr.update(choices=any_year, value="any"),
        gr.update(choices=any_year, value="any"),
        gr.update(choices=categories, value=[]),
        gr.update(choices=coauthors, value=None),
        gr.update(value=""),  # the venue box: another corpus, other venues
        *clear(),
        *_corpus_figures(assistant),
    )


def _corpus_figures(assistant: Assistant) -> tuple[Any, ...]:
    return (
        paper_table(assistant),
        per_year_figure(assistant),
        topic_map_figure(assistant),
        coauthor_figure(assistant),
    )


def build_app(assistant: Assistant) -> gr.Blocks:
    corpora = Corpora(assistant)
    names = corpora.names()
    fair = hasattr(assistant, "model_queue")
    # Gradio's progress overlay redraws a timer on every output ten times a second; in a
    # browser on the model's machine that took a core from llama.cpp (a lookup's prompt
    # fell to 20 tok/s, against 28-34 without it). The chat shows its own static "…" line
    # and the long jobs their progress line, so the overlay is off (not in `queue`, which
    # `gr.api` also takes and which has no show_progress).
    quiet: dict[str, Any] = {"show_progress": "hidden"}
    queue: dict[str, Any] = {"concurrency_id": QUEUE, "concurrency_limit": ASKERS if fair else 1}
    long: dict[str, Any] = {"concurrency_id": LONG_QUEUE, "concurrency_limit": 1, **quiet}
    years, categories, coauthors = _filter_choices(assistant)
    with gr.Blocks(title="paperchat", analytics_enabled=False) as demo:
        header = gr.HTML(_header(assistant))
        with gr.Row():
            status = gr.Markdown(assistant.model_status(), elem_id="model-status")
            corpus = gr.Dropdown(
                names,
                value=corpora.default,
                label="Corpus" if len(names) > 1 else "Corpus (the only one in the data dir)",
                interactive=len(names) > 1,
                elem_id="corpus",
            )
        with gr.Tab("Ask"):
            turns = gr.State([])
            with gr.Row():
                with gr.Column(scale=3):
                    conversation = gr.HTML(conversation_html([]), elem_id="chat")
                    gr.HTML(LEGEND)
                    question = gr.Textbox(
                        show_label=False,
                        placeholder="Ask about the papers, e.g. What AP does DINO reach?",
                        elem_id="question",
                    )
                    with gr.Row():
                        ask = gr.Button("Ask", variant="primary", elem_id="ask")
                        reset = gr.Button("Clear", elem_id="clear")
                    gr.Examples([[q] for q in EXAMPLES], inputs=[question], label="Examples")
                    with gr.Accordion("Filters (applied to the question)", open=True):
                        with gr.Row():
                            year_from = gr.Dropdown(
                                ["any", *years], value="any", label="From year", elem_id="f-from"
                            )
                            year_to = gr.Dropdown(
                                ["any", *years], value="any", label="To year", elem_id="f-to"
                            )
                            code_only = gr.Checkbox(label="Only papers with code", elem_id="f-code")
                        cats = gr.CheckboxGroup(categories, label="Categories", elem_id="f-cats")
                        coauthor = gr.Dropdown(
                            coauthors, value=None, label="Co-author", elem_id="f-coauthor"
                        )
                        venue = gr.Textbox(label="Venue (a name it holds)", elem_id="f-venue")
                    with gr.Row():
                        md_file = gr.DownloadButton(
                            "Conversation (.md)", value=None, elem_id="dl-md", size="sm"
                        )
                        bib_file = gr.DownloadButton(
                            "Cited papers (.bib)", value=None, elem_id="dl-bib", size="sm"
                        )
                with gr.Column(scale=2):
                    sources = gr.HTML(sources_html([]), elem_id="sources")
            gr.on(
                [question.submit, ask.click],
                corpora.bind(chat),
                inputs=[
                    corpus,
                    question,
                    turns,
                    year_from,
                    year_to,
                    cats,
                    code_only,
                    coauthor,
                    venue,
                ],
                outputs=[question, conversation, sources, turns, md_file, bib_file, status],
                api_name="chat",
                api_visibility="undocumented",
                **queue,
                **quiet,
            )
            reset.click(
                clear,
                outputs=[question, conversation, sources, turns, md_file, bib_file],
                api_visibility="private",
            )
        with gr.Tab("Summarize a topic"):
            topic = gr.Textbox(label="Topic (empty: all papers)", elem_id="summary-topic")
            summarize_button = gr.Button("Summarize", variant="primary", elem_id="summarize")
            summary_progress = gr.Markdown(elem_id="summary-progress")
            with gr.Row():
                summary = gr.HTML(elem_id="summary")
                summary_cards = gr.HTML(elem_id="summary-cards")
            gr.on(
                [topic.submit, summarize_button.click],
                corpora.bind(summarize),
                inputs=[corpus, topic],
                outputs=[summary_progress, summary, summary_cards],
                api_name="summarize",
                **long,
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
            draft_button = gr.Button("Draft", variant="primary", elem_id="draft")
            bio_progress = gr.Markdown(elem_id="bio-progress")
            with gr.Row():
                bio = gr.HTML(elem_id="bio")
                bio_cards = gr.HTML(elem_id="bio-cards")
            draft_button.click(
                corpora.bind(draft),
                inputs=[corpus, kind, length, audience, bio_topic],
                outputs=[bio_progress, bio, bio_cards],
                api_name="draft_bio",
                **long,
            )
        with gr.Tab("Search"):
            with gr.Row():
                query = gr.Textbox(label="Search the papers", scale=4, elem_id="search-query")
                k = gr.Slider(1, 20, value=5, step=1, label="Results", scale=1)
            search_button = gr.Button("Search", variant="primary")
            results = gr.HTML(elem_id="search-results")
            gr.on(
                [query.submit, search_button.click],
                corpora.bind(search),
                inputs=[corpus, query, k],
                outputs=results,
                api_name="search",
                **queue,
                **quiet,
            )
        with gr.Tab("Check a draft"):
            draft_text = gr.Textbox(
                label="Your text: cite papers as [1] with a reference list at the end "
                "([1] Title), as \\cite{key}, as (Author, Year), or by naming a title",
                lines=8,
                elem_id="check-text",
            )
            check_button = gr.Button("Check", variant="primary", elem_id="check")
            checked = gr.HTML(elem_id="check-results")
            gr.on(
                [check_button.click],
                corpora.bind(check),
                inputs=[corpus, draft_text],
                outputs=checked,
                api_name="check",
                **queue,
                **quiet,
            )
        with gr.Tab("Corpus", elem_id="corpus-tab"):
            figures = _corpus_tab(demo, corpora, corpus)
        corpus.change(
            corpora.bind(_switch),
            inputs=corpus,
            outputs=[
                header,
                year_from,
                year_to,
                cats,
                coauthor,
                venue,
                question,
                conversation,
                sources,
                turns,
                md_file,
                bib_file,
                *figures,
            ],
            api_visibility="private",
        )

        def ask_json(
            question: str, history: list[dict[str, str]] | None = None, corpus: str | None = None
        ) -> dict[str, Any]:
            """The answer as `paperchat ask --json` prints it (corpus: the server's if None)."""
            return api_ask(corpora.get(corpus), question, history)

        def export_bibtex(paper_ids: list[str], corpus: str | None = None) -> str:
            """BibTeX for these paper ids (unknown ids are skipped)."""
            return api_export_bibtex(corpora.get(corpus), paper_ids)

        gr.api(ask_json, api_name="ask", **queue)
        gr.api(export_bibtex, api_name="export_bibtex")
        demo.load(assistant.model_status, outputs=status, api_visibility="private")
    return demo


def _corpus_tab(demo: gr.Blocks, corpora: Corpora, corpus: gr.Dropdown) -> list[Any]:
    """The Corpus tab's components; returns the four that follow the corpus selector."""
    table = gr.Dataframe(
        headers=TABLE_COLUMNS,
        interactive=False,
        show_search="search",
        max_height=420,
        wrap=True,
        column_widths=["70px", "34%", "20%", "12%", "12%", "60px", "14%"],
        elem_id="corpus-table",
        label="All papers (click a column to sort)",
    )
    with gr.Row():
        per_year = gr.Plot(elem_id="per-year", show_label=False)
        network = gr.Plot(elem_id="coauthors", show_label=False)
    with gr.Row():
        with gr.Column(scale=3):
            topic_map = gr.Plot(elem_id="topic-map", show_label=False)
        with gr.Column(scale=2):
            card = gr.HTML(paper_card(corpora.base, ""), elem_id="map-card")
    # The page's script writes a clicked point's paper id here and presses the button.
    pick = gr.Textbox(elem_id="map-pick", show_label=False, container=False)
    open_card = gr.Button("Open", elem_id="map-open")
    with gr.Row():
        since = gr.Textbox(label="What's new since (YYYY-MM-DD)", value="2025-01-01", scale=3)
        since_button = gr.Button("Show", scale=1)
    new = gr.HTML(elem_id="whats-new")
    private: dict[str, Any] = {"api_visibility": "private"}
    open_card.click(corpora.bind(paper_card), inputs=[corpus, pick], outputs=card, **private)
    since_button.click(corpora.bind(whats_new), inputs=[corpus, since], outputs=new, **private)

    def select_row(name: str, event: gr.SelectData) -> str:
        row = event.row_value or []
        return paper_card(corpora.get(name), str(row[-1]) if row else "")

    table.select(select_row, inputs=corpus, outputs=card, **private)
    figures = [table, per_year, topic_map, network]
    demo.load(corpora.bind(_corpus_figures), inputs=corpus, outputs=figures, **private)
    return figures


def parse_auth(value: str | None) -> tuple[str, str] | None:
    """'user:pass' -> (user, pass); the password may hold ':'."""
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise ConfigError("--auth takes user:password (both non-empty)")
    return user, password


def exposure_warning(host: str, auth: tuple[str, str] | None) -> str | None:
    if is_loopback(host) or auth is not None:
        return None
    return (
        f"paperchat: warning: serving on {host} without --auth: anyone who can reach this "
        "address can use the assistant"
    )


def launch(
    settings: Settings,
    host: str = "127.0.0.1",
    port: int = 7860,
    *,
    auth: tuple[str, str] | None = None,
    assistant: Assistant | None = None,
    block: bool = True,
) -> gr.Blocks:
    """Serve the UI; `block=False` returns at once (tests). A missing corpus fails here,
    as one line from the CLI, rather than on the first question."""
    if warning := exposure_warning(host, auth):
        print(warning, file=sys.stderr)
    assistant = assistant or Assistant(settings)
    _ = assistant.searcher  # read the corpus, sync the index, load the embedder: now, once
    warm_up = getattr(assistant, "warm_up", None)
    if callable(warm_up):
        warm_up()  # start the embedded model now, not on the first question
    demo = build_app(assistant)
    demo.queue(default_concurrency_limit=1, max_size=QUEUE_MAX)
    relay = Relay(assistant, settings)  # `paperchat ask` answers through this warm process
    relay.start()
    try:
        demo.launch(
            server_name=host,
            server_port=port,
            auth=auth,
            share=False,
            prevent_thread_lock=not block,
            show_error=False,  # unexpected errors show a generic message, never a traceback
            quiet=not block,
            footer_links=["api"],
            css=CSS,
            head=SCRIPT,
        )
    finally:
        if block:
            relay.stop()
            assistant.close()
    return demo
