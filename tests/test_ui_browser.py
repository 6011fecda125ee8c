"""The real Gradio server driven by headless Chromium (Debian's /usr/bin/chromium).

Real corpus, Chroma, MiniLM, Gradio and browser; the chat model is the FAKE quoting model
(tests/fakes.py) except in the `slow` test, which uses the real embedded Qwen model.
Screenshots go to the test's tmp_path. A missing Chromium fails with the command that
installs it: these tests never skip.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import bibtexparser
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from assistant import Assistant, Settings
from tests.test_ui import (
    DINO_QUESTION,
    DINO_TITLE,
    HOSTILE_TITLE,
    corpus_papers,
    free_port,
    hostile_paper,
    make_ui_assistant,
)
from ui.app import launch

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
TIMEOUT_MS = 60_000
# A bound, not a timing assertion: the real 1.5B model answers a lookup in 5-30 s here,
# but a slow or busy CI host (prompt speed seen falling to 20 tok/s) needs headroom.
REAL_MODEL_TIMEOUT_MS = 300_000
ANIMATION_QUESTION = "Which methods animate character images?"

pytestmark = pytest.mark.browser


def serve(assistant: Assistant) -> tuple[str, object]:
    port = free_port()
    demo = launch(assistant.settings, port=port, assistant=assistant, block=False)
    return f"http://127.0.0.1:{port}/", demo


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    assistant = make_ui_assistant(tmp_path_factory.mktemp("ui-browser"))
    url, demo = serve(assistant)
    yield url
    demo.close()  # type: ignore[attr-defined]
    assistant.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: run `apt-get install chromium` (Debian/Ubuntu)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_page(browser: Browser, url: str) -> Page:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url)
    expect(page.locator("#question textarea")).to_be_visible()
    return page


def ask(page: Page, question: str, turn: int, timeout: int = TIMEOUT_MS) -> None:
    page.locator("#question textarea").fill(question)
    page.locator("#question textarea").press("Enter")
    # The final answer carries its footer; streamed text does not.
    expect(page.locator(f"#pc-turn-{turn} .pc-foot")).to_be_visible(timeout=timeout)


def pick(page: Page, dropdown: str, value: str) -> None:
    box = page.locator(f"{dropdown} input")
    box.click()
    box.fill(value)
    box.press("Enter")
    expect(box).to_have_value(value)


def download(page: Page, button: str, to: Path) -> str:
    with page.expect_download() as info:
        page.locator(button).click()
    path = to / info.value.suggested_filename
    info.value.save_as(path)
    return path.read_text(encoding="utf-8")


def test_ask_check_filter_corpus_and_export(browser: Browser, server: str, tmp_path: Path) -> None:
    page = open_page(browser, server)
    expect(page.locator("#model-status")).to_contain_text("fake")
    ask(page, DINO_QUESTION, 0)
    chat = page.locator("#chat")
    expect(chat).to_contain_text("DINO achieves 49.4 AP in 12 epochs")
    expect(page.locator("#pc-turn-0 .pc-s.pc-verified").first).to_be_visible()

    # The 49.4 sentence's [1] opens the DINO card and focuses the abstract sentence that
    # supports that claim.
    claim = page.locator("#pc-turn-0 .pc-s", has_text="49.4 AP in 12 epochs").first
    claim.locator("xpath=following-sibling::a[contains(@class, 'pc-cite')][1]").click()
    card = page.locator("#pc-card-0-1")
    expect(card).to_have_class(re.compile(r"\bpc-active\b"))
    expect(card.locator(".pc-title")).to_contain_text(DINO_TITLE)
    expect(card.locator(".pc-links a", has_text="code")).to_have_attribute(
        "href", "https://github.com/IDEACVR/DINO"
    )
    focused = card.locator("mark.pc-ev.pc-focus")
    expect(focused).to_have_count(1)
    expect(focused).to_contain_text("49.4 AP in 12 epochs")
    page.screenshot(path=tmp_path / "1-answer-and-card.png", full_page=True)

    # Exports: the conversation and the cited paper.
    markdown = download(page, "#dl-md", tmp_path)
    assert DINO_QUESTION in markdown and DINO_TITLE in markdown and "\\[1\\]" in markdown
    bib = bibtexparser.parse_string(download(page, "#dl-bib", tmp_path))
    assert [e.fields_dict["title"].value for e in bib.entries] == ["{" + DINO_TITLE + "}"]

    # A year filter: only 2024 papers are cited.
    pick(page, "#f-from", "2024")
    pick(page, "#f-to", "2024")
    ask(page, ANIMATION_QUESTION, 1)
    cited = page.locator("#pc-group-1 .pc-card[id^='pc-card-1-'] .pc-meta")
    expect(cited.first).to_be_visible()
    years = {m.split(" · ")[0] for m in cited.all_inner_texts()}
    assert years == {"2024"}
    page.screenshot(path=tmp_path / "2-year-filter.png", full_page=True)

    # The Corpus tab: per-year bars, and a topic map with one point per paper.
    page.get_by_role("tab", name="Corpus").click()
    expect(page.locator("#per-year .barlayer .point").first).to_be_attached()
    points = page.locator("#topic-map .scatterlayer .point")
    expect(points).to_have_count(len(corpus_papers()))
    page.wait_for_function("document.querySelector('#topic-map .js-plotly-plot').dataset.pcHooked")
    # A click on a point opens that paper's card (Plotly's own layer takes the click).
    points.first.scroll_into_view_if_needed()
    points.first.hover(force=True)
    points.first.click(force=True)
    titles = {p.id: p.title for p in corpus_papers()}
    expect(page.locator("#map-card .pc-title")).not_to_be_empty()
    clicked = page.locator("#map-card .pc-card").get_attribute("data-paper")
    assert clicked in titles
    expect(page.locator("#map-card .pc-title")).to_have_text(titles[clicked])
    page.screenshot(path=tmp_path / "3-corpus.png", full_page=True)
    page.locator("#corpus-table input[placeholder^='Search']").fill("DeNoising")
    expect(page.locator("#corpus-table [role='row']")).to_have_count(2)  # header + DINO
    expect(page.locator("#corpus-table")).to_contain_text(DINO_TITLE)
    page.context.close()


def test_two_sessions_get_their_own_answers(browser: Browser, server: str, tmp_path: Path) -> None:
    first, second = open_page(browser, server), open_page(browser, server)
    for page, question in ((first, DINO_QUESTION), (second, ANIMATION_QUESTION)):
        page.locator("#question textarea").fill(question)
    first.locator("#question textarea").press("Enter")
    second.locator("#question textarea").press("Enter")
    for page in (first, second):
        expect(page.locator("#pc-turn-0 .pc-foot")).to_be_visible(timeout=TIMEOUT_MS)
    assert DINO_TITLE in first.locator("#sources").inner_text()
    assert DINO_TITLE not in second.locator("#sources").inner_text()
    assert ANIMATION_QUESTION not in first.locator("#chat").inner_text()
    assert DINO_QUESTION not in second.locator("#chat").inner_text()
    expect(first.locator(".pc-turn")).to_have_count(1)
    expect(second.locator(".pc-turn")).to_have_count(1)
    second.screenshot(path=tmp_path / "second-session.png", full_page=True)
    for page in (first, second):
        page.context.close()


def test_check_tab_judges_a_pasted_paragraph(browser: Browser, server: str, tmp_path: Path) -> None:
    page = open_page(browser, server)
    page.get_by_role("tab", name="Check a draft").click()
    paragraph = (
        "DINO achieves 49.4 AP in 12 epochs on COCO with a ResNet-50 backbone [1]. "
        "DINO achieves 63.2 AP in 12 epochs on COCO [1]. "
        "Researchers love this detector.\n\n"
        f"[1] {DINO_TITLE}"
    )
    page.locator("#check-text textarea").fill(paragraph)
    page.locator("#check").click()
    results = page.locator("#check-results")
    expect(results.locator("tr.pc-v-verified")).to_have_count(1, timeout=TIMEOUT_MS)
    expect(results.locator("tr.pc-v-verified")).to_contain_text("49.4 AP")
    expect(results.locator("tr.pc-v-verified .pc-ev")).to_contain_text("49.4 AP in 12 epochs")
    expect(results.locator("tr.pc-v-no-citation")).to_contain_text("love this detector")
    expect(results.locator("tr.pc-check")).to_have_count(3)
    expect(results.locator("tr.pc-check").nth(1)).not_to_have_class(re.compile("pc-v-verified"))
    page.screenshot(path=str(tmp_path / "check.png"), full_page=True)
    page.context.close()


def test_empty_question_shows_a_message_not_a_traceback(browser: Browser, server: str) -> None:
    page = open_page(browser, server)
    page.locator("#ask").click()
    expect(page.get_by_text("Type a question about the papers first.")).to_be_visible()
    assert page.locator(".pc-turn").count() == 0
    assert "Traceback" not in page.content()
    page.context.close()


def test_hostile_corpus_is_shown_as_text(
    browser: Browser, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    assistant = make_ui_assistant(
        tmp_path_factory.mktemp("ui-hostile"), [*corpus_papers(), hostile_paper()]
    )
    url, demo = serve(assistant)
    try:
        page = open_page(browser, url)
        ask(page, "What accuracy do Hostile Nets reach on the Zebra benchmark?", 0)
        page.locator("#pc-turn-0 a.pc-cite").first.click()
        card = page.locator("#pc-card-0-1")
        expect(card.locator(".pc-title")).to_contain_text("<script>window.__pwned")
        expect(card).to_contain_text('<img src=x onerror="window.__pwned=2">')
        expect(card).to_contain_text("[click here](javascript:window.__pwned=3)")
        expect(card).to_contain_text("${window.__pwned=4}")
        assert page.locator("#sources img, #chat img, #sources script").count() == 0
        assert page.locator("a[href^='javascript' i]").count() == 0
        markdown = download(page, "#dl-md", tmp_path)
        assert "&lt;script&gt;" in markdown and "<script" not in markdown
        assert "](javascript" not in markdown
        bib = download(page, "#dl-bib", tmp_path)
        assert "javascript:window.__pwned=5" not in bib  # the hostile code link is dropped
        page.get_by_role("tab", name="Corpus").click()
        page.locator("#corpus-table input[placeholder^='Search']").fill("Hostile")
        expect(page.locator("#corpus-table")).to_contain_text(HOSTILE_TITLE)
        page.screenshot(path=tmp_path / "hostile.png", full_page=True)
        assert page.evaluate("window.__pwned") is None  # nothing ran
        page.context.close()
    finally:
        demo.close()  # type: ignore[attr-defined]
        assistant.close()


def test_corpus_selector_switches_the_session_to_another_corpus(
    browser: Browser, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    data_dir = tmp_path_factory.mktemp("ui-corpora")
    mini = [p for p in corpus_papers() if p.year == 2024][:2]
    folder = data_dir / "corpora" / "mini"
    folder.mkdir(parents=True)
    (folder / "papers.jsonl").write_text("".join(p.model_dump_json() + "\n" for p in mini))
    (folder / "corpus_info.json").write_text('{"owner": "Mini Owner"}')
    assistant = make_ui_assistant(data_dir)
    url, demo = serve(assistant)
    try:
        page = open_page(browser, url)
        pick(page, "#corpus", "mini")
        expect(page.get_by_text("Mini Owner's 2 papers")).to_be_visible()
        ask(page, "Which papers were published in 2024?", 0)
        chat = page.locator("#chat").inner_text()
        assert "2 papers" in chat and all(p.title in chat for p in mini)
        page.get_by_role("tab", name="Corpus").click()
        expect(page.locator("#topic-map .scatterlayer .point")).to_have_count(2)
        page.screenshot(path=tmp_path / "corpus-selector.png", full_page=True)
        other = open_page(browser, url)  # another session still has the default corpus
        expect(other.locator("#corpus input")).to_have_value(assistant.corpus)
        for each in (page, other):
            each.context.close()
    finally:
        demo.close()  # type: ignore[attr-defined]
        assistant.close()


@pytest.mark.slow
def test_real_embedded_model_answers_a_lookup_in_the_browser(
    browser: Browser, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    settings = Settings()
    settings.paths.data_dir = tmp_path_factory.mktemp("ui-real")
    settings.llm.mode = "pipeline"
    settings.llm.base_url = None
    settings.llm.api_key = None
    assistant = Assistant(settings)
    url, demo = serve(assistant)
    try:
        page = open_page(browser, url)
        expect(page.locator("#model-status")).to_contain_text("ready")
        ask(page, DINO_QUESTION, 0, timeout=REAL_MODEL_TIMEOUT_MS)
        expect(page.locator("#chat")).to_contain_text("49.4")
        page.locator("#pc-turn-0 a.pc-cite").first.click()
        expect(page.locator(".pc-card.pc-active .pc-title")).to_contain_text("DINO")
        page.screenshot(path=tmp_path / "real-model.png", full_page=True)
        page.context.close()
    finally:
        demo.close()  # type: ignore[attr-defined]
        assistant.close()
