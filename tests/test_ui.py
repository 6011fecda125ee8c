"""The Gradio UI: handlers called directly, then the real server driven by headless Chromium.

Everything is real (corpus, Chroma on disk in a temp dir, the MiniLM embedder, Gradio,
the browser) except the chat model, a deterministic fake. A missing Chromium fails with
the command that installs it: these tests never skip.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from assistant.api import Assistant
from assistant.errors import ProviderError
from assistant.settings import Settings
from tests.fakes import FakeChatModel
from ui.app import build_app, chat, draft, launch, search, summarize

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DINO_QUESTION = "What AP does DINO achieve in 12 epochs with a ResNet-50 backbone?"
DINO_TITLE = "DINO: DETR with Improved DeNoising Anchor Boxes for End-to-End Object Detection"
REPLY = {"sentences": [{"text": "DINO achieves 49.4 AP in 12 epochs.", "sources": [1]}]}
ROOT = Path(__file__).resolve().parents[1]
TIMEOUT_MS = 60_000


class FailingAssistant:
    """Stands in for a facade whose model endpoint is down."""

    info = None

    def _fail(self, *args: Any, **kwargs: Any) -> Any:
        raise ProviderError("No model reachable at http://127.0.0.1:9: start it or set X")

    stream = summarize = draft_bio = search = _fail


def papers_of(year: int) -> list[str]:
    """Titles straight from the corpus file, independently of the code under test."""
    lines = (ROOT / "data" / "papers.jsonl").read_text().splitlines()
    return [p["title"] for p in map(json.loads, lines) if p.get("year") == year]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    settings = Settings()
    settings.paths.data_dir = tmp_path_factory.mktemp("ui-data")
    settings.llm.mode = "pipeline"  # even if OPENAI_API_KEY is set in the environment
    assistant = Assistant(settings, chat_model=FakeChatModel(REPLY))
    yield assistant
    assistant.close()


# --- handlers, no server -----------------------------------------------------------------


def test_chat_handler_streams_sources_then_the_checked_answer(assistant: Assistant) -> None:
    outputs: list[Any] = list(chat(assistant, DINO_QUESTION, [], []))
    box, shown, sources, history = outputs[-1]
    assert box == ""
    assert outputs[0][1][-1]["content"] == "…"  # the question shows before any retrieval
    streamed = [o for o in outputs[1:-1] if DINO_TITLE.split(":")[0] in o[2]]
    assert streamed, "the sources panel must fill before the final answer"
    assert [m["role"] for m in shown] == ["user", "assistant"]
    assert "49.4" in shown[-1]["content"] and "[1]" in shown[-1]["content"]
    assert "References" in shown[-1]["content"] and "github.com/IDEACVR/DINO" in sources
    assert "\\[1\\] DINO" in sources
    # History keeps the plain answer (no reference list) for follow-up questions.
    assert history == [
        {"role": "user", "content": DINO_QUESTION},
        {"role": "assistant", "content": "DINO achieves 49.4 AP in 12 epochs [1]."},
    ]


def test_handlers_turn_user_errors_into_visible_messages(assistant: Assistant) -> None:
    # Empty input: a warning toast (outside a server, a Python warning) and no output change.
    with pytest.warns(UserWarning, match="Type a question"):
        assert list(chat(assistant, "   ", [], [])) == [gr.skip()]
    with pytest.warns(UserWarning, match="Type what to search"):
        assert search(assistant, " ", 5) == gr.skip()

    failing: Any = FailingAssistant()
    turn: Iterator[Any] = chat(failing, "anything?", [], [])
    next(turn)  # the question is shown first
    with pytest.warns(UserWarning, match="No model reachable"):
        box, shown, _, history = next(turn)  # then the reason, in the chat itself
    assert box == "anything?" and "No model reachable" in shown[-1]["content"]
    assert [m["role"] for m in shown] == ["user", "assistant"] and history == []
    assert list(turn) == []
    with pytest.raises(gr.Error, match="No model reachable"):
        summarize(failing, "detection")
    with pytest.raises(gr.Error, match="No model reachable"):
        draft(failing, "bio", "short", "general", "")


def test_search_handler_lists_hits_with_scores(assistant: Assistant) -> None:
    table = search(assistant, "DETR object detection denoising anchor boxes", 3)
    assert isinstance(table, str)
    rows = [line for line in table.splitlines() if line.startswith("| ") and "Score" not in line]
    assert len(rows) == 3
    assert "DINO" in rows[0] and float(rows[0].split("|")[2]) > 0


def test_build_app_names_its_endpoints(assistant: Assistant) -> None:
    demo = build_app(assistant)
    names = {d.api_name for d in demo.fns.values()}
    assert {"ask", "clear", "summarize", "draft_bio", "search"} <= names


# --- the real server in a real browser -----------------------------------------------------


@pytest.fixture(scope="module")
def server(assistant: Assistant) -> Iterator[str]:
    port = free_port()
    demo = launch(assistant.settings, port=port, assistant=assistant, block=False)
    yield f"http://127.0.0.1:{port}/"
    demo.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: run `apt-get install chromium` (Debian/Ubuntu)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_page(browser: Browser, url: str) -> Page:
    page = browser.new_context(viewport={"width": 1400, "height": 950}).new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url)
    return page


@pytest.fixture
def page(browser: Browser, server: str) -> Iterator[Page]:
    page = open_page(browser, server)
    yield page
    page.context.close()


def ask(page: Page, question: str) -> None:
    page.locator("#question textarea").fill(question)
    page.locator("#question textarea").press("Enter")
    # The final answer carries its reference list; streamed text does not.
    expect(page.locator("#chat")).to_contain_text("References", timeout=TIMEOUT_MS)


@pytest.mark.browser
def test_browser_answers_with_citation_and_sources(page: Page) -> None:
    ask(page, DINO_QUESTION)
    chat_text = page.locator("#chat").inner_text()
    assert "49.4" in chat_text and "[1]" in chat_text
    expect(page.locator("#sources")).to_contain_text(DINO_TITLE)
    expect(page.locator("#sources a", has_text="code").first).to_have_attribute(
        "href", "https://github.com/IDEACVR/DINO"
    )
    if shot := os.environ.get("PAPERCHAT_UI_SCREENSHOT"):
        page.screenshot(path=shot, full_page=True)


@pytest.mark.browser
def test_browser_empty_question_shows_a_message_not_a_traceback(page: Page) -> None:
    page.locator("#ask").click()
    expect(page.get_by_text("Type a question about the papers first.")).to_be_visible()
    expect(page.locator("#chat")).not_to_contain_text("Error")
    content = page.content()
    assert "Traceback" not in content and 'File "' not in content
    assert page.locator("#chat .message").count() == 0  # no empty bubble was added


@pytest.mark.browser
def test_browser_lists_the_2024_papers_from_metadata(page: Page) -> None:
    expected = papers_of(2024)
    assert len(expected) == 5
    ask(page, "Which papers were published in 2024?")
    chat_text = page.locator("#chat").inner_text()
    assert "5 papers" in chat_text
    for title in expected:
        assert title in chat_text
        expect(page.locator("#sources")).to_contain_text(title)


@pytest.mark.browser
def test_browser_model_failure_shows_the_reason_in_the_chat(browser: Browser) -> None:
    failing: Any = FailingAssistant()
    demo = build_app(failing)
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        page = open_page(browser, f"http://127.0.0.1:{port}/")
        page.locator("#question textarea").fill("What AP does DINO reach?")
        page.locator("#ask").click()
        reason = "No model reachable at http://127.0.0.1:9"
        expect(page.locator("#chat")).to_contain_text(reason)  # in the chat, under the question
        expect(page.locator("#chat")).to_contain_text("What AP does DINO reach?")
        expect(page.locator(".toast-body", has_text=reason)).to_be_visible()
        expect(page.locator("#question textarea")).to_have_value("What AP does DINO reach?")
        assert "Traceback" not in page.content()
        page.context.close()
    finally:
        demo.close()
