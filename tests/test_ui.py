"""The UI's handlers and renderers, called directly (no server), and the exports.

Real corpus, real Chroma in a temp dir, real MiniLM; the chat model is a FAKE (tests/fakes.py)
that quotes source [1], so every answer sentence is grounded and carries its evidence.
Shared helpers for the browser and API tests live here too (not tests themselves).
"""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import bibtexparser
import gradio as gr
import pytest

from assistant import Assistant, CorpusInfo, Paper, ProviderError, Settings
from tests.fakes import QuotingChatModel
from ui.chat import api_ask, api_export_bibtex, chat, filters_of, history_of
from ui.corpus_view import paper_table, per_year_figure, topic_map_figure, whats_new
from ui.render import card_html, esc

ROOT = Path(__file__).resolve().parents[1]
DINO_QUESTION = "What AP does DINO achieve in 12 epochs with a ResNet-50 backbone?"
DINO_TITLE = "DINO: DETR with Improved DeNoising Anchor Boxes for End-to-End Object Detection"
HOSTILE_TITLE = (
    'Hostile <script>window.__pwned="title"</script><img src=x onerror="window.__pwned=1"> Nets'
)
HOSTILE_ABSTRACT = (
    "Hostile Nets reach 77.7 accuracy on the Zebra benchmark. "
    'See <img src=x onerror="window.__pwned=2"> and [click here](javascript:window.__pwned=3). '
    "Templating ${window.__pwned=4} and {{constructor}} stay text."
)


def corpus_papers() -> list[Paper]:
    lines = (ROOT / "data" / "papers.jsonl").read_text().splitlines()
    return [Paper.model_validate(json.loads(line)) for line in lines if line.strip()]


def hostile_paper() -> Paper:
    return Paper(
        id="hostile-nets",
        title=HOSTILE_TITLE,
        authors=["Eve <b>Mallory</b>", "Heung-Yeung Shum"],
        year=2025,
        category="CV",
        category_name="Computer Vision",
        has_code=True,
        code_url="javascript:window.__pwned=5",
        links={"pdf": "javascript:window.__pwned=6", "html": "https://example.org/hostile"},
        abstract=HOSTILE_ABSTRACT,
        venue="Proc. <i>Evil</i> & {Co}",
    )


def make_ui_assistant(data_dir: Path, papers: list[Paper] | None = None) -> Assistant:
    """The real corpus (or `papers`) with the FAKE quoting model, pinned to pipeline mode."""
    settings = Settings()
    settings.paths.data_dir = data_dir
    settings.llm.mode = "pipeline"
    settings.llm.base_url = None
    settings.llm.api_key = None

    info = CorpusInfo(owner="Heung-Yeung Shum")
    return Assistant(
        settings, chat_model=QuotingChatModel(), papers=papers or corpus_papers(), info=info
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    a = make_ui_assistant(tmp_path_factory.mktemp("ui-data"))
    yield a
    a.close()


class FailingAssistant:
    """Stands in for a facade whose model endpoint is down."""

    info = None

    def model_status(self) -> str:
        return "down"

    def stream(self, *args: Any, **kwargs: Any) -> Any:
        raise ProviderError("No model reachable at http://127.0.0.1:9: start it or set X")


# --- the chat handler ----------------------------------------------------------------------


def test_chat_streams_sources_then_checked_sentences_and_exports(assistant: Assistant) -> None:
    outputs: list[Any] = list(chat(assistant, DINO_QUESTION, []))
    first, last = outputs[0], outputs[-1]
    assert "…" in first[1] and DINO_QUESTION in first[1]  # the question shows at once
    assert any(DINO_TITLE in o[2] and "retrieved" in o[2] for o in outputs[1:-1])
    box, conversation, sources, turns, md, bib, status = last
    assert box == "" and "fake" in status
    assert 'class="pc-s pc-verified"' in conversation and "49.4 AP in 12 epochs" in conversation
    assert 'href="#pc-card-0-1"' in conversation
    card = re.search(r'<div class="pc-card" id="pc-card-0-1".*?</details></div>', sources, re.S)
    assert card and DINO_TITLE in card[0]
    marked = re.findall(r'<mark class="pc-ev ([^"]*)">(.*?)</mark>', card[0])
    # the record's sentence the answer's 49.4 sentence stands on is marked for that sentence
    assert any(re.search(r"pc-ev-0-\d", c) and "49.4 AP in 12 epochs" in text for c, text in marked)
    assert len(turns) == 1 and turns[0].answer is not None
    assert DINO_TITLE in Path(md).read_text() and "\\[1\\]" in Path(md).read_text()
    entries = bibtexparser.parse_string(Path(bib).read_text()).entries
    assert [e.fields_dict["title"].value for e in entries] == ["{" + DINO_TITLE + "}"]
    # The next turn reads this one as history; a second session starts empty.
    assert history_of(turns)[0] == {"role": "user", "content": DINO_QUESTION}


def test_year_filter_narrows_what_is_cited(assistant: Assistant) -> None:
    *_, last = chat(assistant, "Which methods animate character images?", [], "2024", "2024")
    answer = last[3][-1].answer
    assert answer.citations and {c.paper.year for c in answer.citations} == {2024}


def test_bad_input_is_a_message_not_a_traceback(assistant: Assistant) -> None:
    with pytest.warns(UserWarning, match="Type a question"):
        assert list(chat(assistant, "   ", [])) == [gr.skip()]
    with pytest.warns(UserWarning, match="year range 2025–2020 is empty"):
        assert list(chat(assistant, "anything", [], "2025", "2020")) == [gr.skip()]
    failing: Any = FailingAssistant()
    turn = chat(failing, "anything?", [])
    next(turn)
    with pytest.warns(UserWarning, match="No model reachable"):
        box, conversation, _, kept, *_ = next(turn)
    assert box == "anything?" and "No model reachable" in conversation and kept == []
    with pytest.raises(gr.Error, match="Empty question"):
        api_ask(assistant, "  ")
    with pytest.raises(gr.Error, match="list of paper id"):
        api_export_bibtex(assistant, "dino")  # type: ignore[arg-type]
    with pytest.raises(Exception, match="not a date"):
        whats_new(assistant, "last tuesday")


def test_filters_of_builds_facade_filters() -> None:
    assert filters_of("2022", "any", ["CV"], True, "Lei Zhang") == {
        "year_from": 2022,
        "categories": ["CV"],
        "has_code": True,
        "author": "Lei Zhang",
    }
    assert filters_of("any", "any", [], False, None) == {}
    assert filters_of("any", "any", [], False, None, "  Journal of  Glaciology ") == {
        "venue": "Journal of Glaciology"
    }
    assert filters_of("any", "any", [], False, None, "   ") == {}


def test_api_ask_returns_the_cli_json(assistant: Assistant) -> None:
    data = api_ask(assistant, DINO_QUESTION)
    assert data == assistant.ask(DINO_QUESTION).to_json_dict() | {"timings": data["timings"]}
    assert data["citations"][0]["paper"]["title"] == DINO_TITLE


# --- corpus tab ------------------------------------------------------------------------------


def test_corpus_figures_have_one_point_per_paper(assistant: Assistant) -> None:
    papers = corpus_papers()
    assert len(paper_table(assistant)) == len(papers)
    topic_map = topic_map_figure(assistant)
    ids = [i for trace in topic_map.data for i in trace.customdata]
    assert sorted(ids) == sorted(p.id for p in papers)
    bars = per_year_figure(assistant)
    per_year = {}
    for trace in bars.data:
        for year, n in zip(trace.x, trace.y, strict=True):
            per_year[year] = per_year.get(year, 0) + n
    assert per_year[2024] == sum(p.year == 2024 for p in papers)
    assert "since 2026-01-01" in whats_new(assistant, "2026")


# --- hostile text ------------------------------------------------------------------------------


def test_hostile_fields_render_as_text() -> None:
    paper = hostile_paper()
    card = card_html(paper, turn=0, key="1", label="cited", marks={})
    assert "<script" not in card and "<img" not in card and "<b>" not in card
    assert "&lt;script&gt;" in card and "&lt;img src=x onerror=" in card
    assert "javascript:" not in card.split("pc-abs")[0]  # no link to it, only text below
    assert 'href="https://example.org/hostile"' in card
    assert "${" not in card and "{{" not in card
    assert esc("${x}") == "&#36;&#123;x&#125;"


def test_hostile_fields_are_text_in_exports(tmp_path: Path) -> None:
    from assistant.exports import bibtex, conversation_markdown
    from assistant.types import Answer, Citation

    paper = hostile_paper()
    answer = Answer(
        text="Hostile Nets reach 77.7 accuracy [1].",
        answered=True,
        citations=[Citation(key="1", paper=paper)],
    )
    md = conversation_markdown([("What about <img src=x onerror=alert(1)>?", answer)], "Shum")
    assert "<script" not in md and "<img" not in md and "](javascript" not in md
    assert "&lt;script&gt;" in md and "\\[1\\]" in md and "(<https://example.org/hostile>)" in md
    bib = bibtex([paper, paper])
    library = bibtexparser.parse_string(bib)
    assert not library.failed_blocks and len(library.entries) == 2
    assert len({e.key for e in library.entries}) == 2
    fields = library.entries[0].fields_dict
    assert "javascript" not in fields.get("url", bibtexparser.model.Field("url", "")).value
    assert "code" not in fields  # a javascript: code link is dropped, not exported
    assert fields["booktitle"].value == r"Proc. <i>Evil</i> \& \{Co\}"


# --- waiting, not-stated answers, long jobs -------------------------------------------------


class WaitingAssistant:
    """Stands in for a facade whose model serves two other users first."""

    def __init__(self, answer: Any) -> None:
        self.answer = answer

    def model_status(self) -> str:
        return "busy"

    def stream(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        from assistant.types import AnswerEvent, WaitingEvent

        yield WaitingEvent(ahead=2)
        yield WaitingEvent(ahead=1)
        yield AnswerEvent(answer=self.answer)

    def export_markdown(self, turns: Any) -> str:
        return "md"

    def export_bibtex(self, ids: Any) -> str:
        return "bib"


def test_waiting_user_is_told_their_place_and_not_stated_shows_checked_papers() -> None:
    from assistant.types import Answer, Citation

    dino = next(p for p in corpus_papers() if p.title == DINO_TITLE)
    answer = Answer(
        text="The DINO abstract does not state its parameter count.",
        answered=False,
        checked=[Citation(key="1", paper=dino)],
    )
    fake: Any = WaitingAssistant(answer)
    outputs = list(chat(fake, "How many parameters does DINO have?", []))
    assert "busy, 2 ahead of you" in outputs[1][1] and "busy, 1 ahead of you" in outputs[2][1]
    conversation, sources = outputs[-1][1], outputs[-1][2]
    assert "busy" not in conversation and "does not state its parameter count" in conversation
    assert "checked: does not state it" in sources and DINO_TITLE in sources


def test_long_jobs_report_progress_then_the_answer() -> None:
    import time

    from assistant.types import Answer
    from ui.chat import run_with_progress

    def job() -> Answer:
        time.sleep(0.35)
        return Answer(text="Done [1].", answered=True)

    steps = list(run_with_progress(job, "Summarizing", every=0.1))
    assert all(line.startswith("Summarizing… ") and a is None for line, a in steps[:-1])
    assert len(steps) >= 3 and steps[-1][1] is not None and steps[-1][0].startswith("Done in")

    def failing() -> Answer:
        raise ProviderError("No model reachable at http://127.0.0.1:9")

    with pytest.raises(ProviderError):
        list(run_with_progress(failing, "Summarizing", every=0.1))


def test_summary_tab_streams_parts_with_a_progress_line(assistant: Assistant) -> None:
    from ui.tabs import summarize

    steps = list(summarize(assistant, "character image animation"))
    lines = [line for line, _, _ in steps]
    assert any("papers found" in line for line in lines)
    assert any("part 1 written" in line for line in lines)
    assert lines[-1].startswith("Done in")
    text, cards = steps[-1][1], steps[-1][2]
    assert "pc-cite" in text and 'class="pc-card"' in cards


def test_draft_tab_streams_parts_with_a_progress_line(assistant: Assistant) -> None:
    from ui.tabs import draft

    steps = list(draft(assistant, "talk_intro", "short", "", "conversational AI"))
    lines = [line for line, _, _ in steps]
    assert any("part 1 written" in line for line in lines)
    assert lines[-1].startswith("Done in")
    assert any("pleasure to introduce" in text for _, text, _ in steps[:-1])  # streamed early
    assert "welcoming" in steps[-1][1] and 'class="pc-card"' in steps[-1][2]


def test_model_jobs_draw_no_progress_overlay(assistant: Assistant) -> None:
    """The browser shares the model's cores: jobs that call the model show our own static
    progress text, not Gradio's overlay (a timer redrawn ten times a second per output)."""
    from ui.app import build_app

    demo = build_app(assistant)
    shown = {
        dep["api_name"]: dep["show_progress"]
        for dep in demo.config["dependencies"]
        if dep.get("api_name") in {"chat", "summarize", "draft_bio", "search"}
    }
    assert shown == dict.fromkeys(["chat", "summarize", "draft_bio", "search"], "hidden")
