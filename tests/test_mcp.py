"""`paperchat mcp` as a client meets it: a real subprocess driven by the MCP SDK's own
client, over stdio and streamable HTTP, on the real corpus and a real index in a temp dir.

The chat model is the FAKE quoting model (tests/fakes.py) behind a loopback
OpenAI-compatible endpoint, so the server and `paperchat ask --json` reach it through the
production client; the `slow` test asks the real embedded model.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx
import httpx2
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError
from mcp.types import TextContent, TextResourceContents

from assistant.model.server import free_port
from assistant.settings import ROOT
from tests.fakes import FakeEndpoint
from tests.test_cli import paperchat

DINO_ID = "dino-detr-with-improved-denoising-anchor"
DINO_QUESTION = "What AP does DINO achieve in 12 epochs?"
XIAOICE_ID = "design-implementation-xiaoice-empathetic-social-chatbot"
XIAOICE_QUESTION = "How many users has XiaoIce communicated with?"
TOKEN = "test-token"
MCP = ["-m", "assistant.cli", "mcp"]
TOOLS = {"search_papers", "get_paper", "list_papers", "ask", "summarize", "draft_bio"}
TOOLS |= {"check_draft", "export_bibtex", "corpora"}
START_SECONDS = 120  # import, corpus and index sync on a busy 2-core host: a bound, not a timing

Target = StdioServerParameters | str


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeEndpoint]:
    endpoint = FakeEndpoint()
    yield endpoint
    endpoint.close()


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("mcp-state")
    result = paperchat("index", "--json", state=path)
    assert result.returncode == 0, result.stderr
    return path


def server_env(state: Path, fake: FakeEndpoint) -> dict[str, str]:
    return {
        **os.environ,
        "PAPERCHAT_PATHS__DATA_DIR": str(state),
        "GRADIO_ANALYTICS_ENABLED": "False",
        **fake.env(),
    }


def stdio(state: Path, fake: FakeEndpoint) -> StdioServerParameters:
    env = server_env(state, fake)
    return StdioServerParameters(command=sys.executable, args=MCP, env=env, cwd=ROOT)


@contextmanager
def http_server(state: Path, fake: FakeEndpoint, *args: str) -> Iterator[tuple[str, Any]]:
    """`paperchat mcp --http` on a free loopback port; yields its URL and process."""
    port = free_port()
    log = (state / f"mcp-{port}.log").open("w")
    command = [sys.executable, *MCP, "--http", "--port", str(port), *args]
    proc = subprocess.Popen(command, env=server_env(state, fake), cwd=ROOT, stderr=log)
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            assert proc.poll() is None, (state / f"mcp-{port}.log").read_text()
            try:
                socket.create_connection(("127.0.0.1", port), 0.5).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "paperchat mcp --http did not start"
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}/mcp", proc
    finally:
        proc.terminate()
        proc.wait(30)
        log.close()


@pytest.fixture(scope="module")
def http_url(state: Path, fake: FakeEndpoint) -> Iterator[str]:
    with http_server(state, fake, "--auth", TOKEN) as (url, _):
        yield url


@asynccontextmanager
async def connect(target: Target, **options: Any) -> AsyncIterator[Client]:
    if isinstance(target, StdioServerParameters):
        async with Client(target, **options) as client:
            yield client
        return
    headers = {"Authorization": f"Bearer {TOKEN}"}
    timeout = httpx2.Timeout(30, read=300)
    async with (
        httpx2.AsyncClient(headers=headers, timeout=timeout) as http,
        Client(streamable_http_client(target, http_client=http), **options) as client,
    ):
        yield client


@pytest.fixture(params=["stdio", "http"])
def target(request: pytest.FixtureRequest, state: Path, fake: FakeEndpoint) -> Target:
    if request.param == "stdio":
        return stdio(state, fake)
    return str(request.getfixturevalue("http_url"))


def data(result: Any) -> dict[str, Any]:
    assert not result.is_error, result.content
    return dict(result.structured_content)


def text(block: object) -> str:
    assert isinstance(block, TextContent | TextResourceContents), block
    return block.text


def error_text(result: Any) -> str:
    assert result.is_error
    return text(result.content[0])


def without_timings(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer.items() if k != "timings"}


def test_lists_tools_resources_and_prompts(target: Target) -> None:
    async def session() -> None:
        async with connect(target) as client:
            tools = {t.name: t for t in (await client.list_tools()).tools}
            assert set(tools) == TOOLS
            ask = tools["ask"]
            assert ask.input_schema["required"] == ["question"]
            assert ask.output_schema is not None
            assert {"answer", "citations", "sentences"} <= set(ask.output_schema["properties"])
            assert "Filters" in json.dumps(tools["list_papers"].input_schema)
            uris = {str(r.uri) for r in (await client.list_resources()).resources}
            assert f"paperchat://default/paper/{DINO_ID}" in uris
            assert "paperchat://default/overview" in uris and len(uris) == 43
            templates = (await client.list_resource_templates()).resource_templates
            assert {t.uri_template for t in templates} == {
                "paperchat://{corpus}/paper/{paper_id}",
                "paperchat://{corpus}/overview",
            }
            prompts = {p.name: p for p in (await client.list_prompts()).prompts}
            assert set(prompts) == {"summarize_topic", "talk_introduction"}
            talk = [a.name for a in prompts["talk_introduction"].arguments or []]
            assert talk == ["audience", "length", "topic", "corpus"]

    anyio.run(session)


def test_search_papers_finds_dino(target: Target) -> None:
    async def session() -> None:
        async with connect(target) as client:
            found = data(await client.call_tool("search_papers", {"query": "object detection"}))
            assert DINO_ID in [h["paper"]["id"] for h in found["hits"]]
            assert found["corpus"] == "default"
            recent = data(
                await client.call_tool(
                    "search_papers", {"query": "video", "year_from": 2025, "has_code": True}
                )
            )
            papers = [h["paper"] for h in recent["hits"]]
            assert papers and all(p["year"] >= 2025 and p["has_code"] for p in papers)
            # the shipped records give no venues: a venue filter admits none of them
            venue = {"query": "object detection", "venue": "workshop"}
            assert data(await client.call_tool("search_papers", venue))["hits"] == []

    anyio.run(session)


def test_ask_returns_the_json_of_paperchat_ask(
    target: Target, state: Path, fake: FakeEndpoint
) -> None:
    cli = paperchat("ask", DINO_QUESTION, "--json", state=state, env=fake.env())
    assert cli.returncode == 0, cli.stderr
    expected = json.loads(cli.stdout)
    messages: list[str] = []

    async def record(progress: float, total: float | None, message: str | None) -> None:
        messages.append(message or "")

    async def session() -> None:
        async with connect(target) as client:
            result = await client.call_tool(
                "ask", {"question": DINO_QUESTION}, progress_callback=record
            )
            answer = data(result)
            assert without_timings(answer) == without_timings(expected)
            assert json.loads(text(result.content[0])) == answer
            assert answer["answered"] and answer["model"] == "fake-quoter"
            assert DINO_ID in [c["paper"]["id"] for c in answer["citations"]]

    anyio.run(session)
    assert messages[0].startswith("found") and messages[-1] == "checked"
    assert any(m.startswith("writing: ") for m in messages)


def test_bad_arguments_are_tool_errors_with_the_cli_message(target: Target, state: Path) -> None:
    cli = paperchat("search", "   ", state=state)
    assert cli.returncode == 2
    message = cli.stderr.strip().removeprefix("paperchat: error: ")

    async def session() -> None:
        async with connect(target) as client:
            empty = await client.call_tool("search_papers", {"query": "   "})
            assert error_text(empty).endswith(message)
            not_a_number = await client.call_tool("search_papers", {"query": "x", "k": "five"})
            assert "k" in error_text(not_a_number)
            too_many = await client.call_tool("search_papers", {"query": "x", "k": 500})
            assert "less than or equal to 50" in error_text(too_many)
            unknown = await client.call_tool("ask", {"question": "hi", "corpus": "nope"})
            assert "No corpus named 'nope'" in error_text(unknown)
            filters = await client.call_tool("list_papers", {"filters": {"decade": 2020}})
            assert "decade" in error_text(filters)
            assert "No paper with id" in error_text(
                await client.call_tool("get_paper", {"id": "nope"})
            )
            with pytest.raises(MCPError, match="No paper with id 'nope'"):
                await client.read_resource("paperchat://default/paper/nope")
            # Still serving.
            found = data(await client.call_tool("search_papers", {"query": "object detection"}))
            assert found["hits"]

    anyio.run(session)


def test_every_tool_resource_and_prompt_answers(state: Path, fake: FakeEndpoint) -> None:
    draft = (
        "DINO reaches 49.4 AP in 12 epochs [1].\n\n"
        "[1] DINO: DETR with Improved DeNoising Anchor Boxes for End-to-End Object Detection"
    )

    async def session() -> None:
        async with connect(stdio(state, fake), mode="legacy") as client:  # desktop clients
            paper = data(await client.call_tool("get_paper", {"id": DINO_ID}))
            assert paper["title"].startswith("DINO")
            listed = data(await client.call_tool("list_papers", {"filters": {"year_from": 2026}}))
            assert listed["papers"] and all(p["year"] >= 2026 for p in listed["papers"])
            summary = data(await client.call_tool("summarize", {"topic": "video generation"}))
            assert summary["answered"] and summary["citations"]
            bio = data(await client.call_tool("draft_bio", {"kind": "talk_intro"}))
            assert "Heung-Yeung Shum" in bio["answer"] and bio["citations"]
            checked = data(await client.call_tool("check_draft", {"text": draft}))
            assert checked["sentences"][0]["verdict"] == "verified"
            bib = data(await client.call_tool("export_bibtex", {"ids": [DINO_ID, "nope"]}))
            assert bib["result"].startswith("@") and bib["result"].count("title = ") == 1
            corpora = data(await client.call_tool("corpora", {}))
            assert corpora["default"] == "default" and corpora["corpora"][0]["papers"] == 42
            before = [
                {"role": "user", "content": DINO_QUESTION},
                {"role": "assistant", "content": "49.4 AP [1]."},
            ]
            asked_again = {"question": "What about in 24 epochs?", "history": before}
            follow_up = data(await client.call_tool("ask", asked_again))
            assert DINO_ID in [c["paper"]["id"] for c in follow_up["citations"]]
            record = await client.read_resource(f"paperchat://default/paper/{DINO_ID}")
            shown = json.loads(text(record.contents[0]))
            assert shown["paper"]["id"] == DINO_ID and shown["links"]
            overview = await client.read_resource("paperchat://default/overview")
            assert json.loads(text(overview.contents[0]))["stats"]["papers"] == 42
            prompt = await client.get_prompt("summarize_topic", {"topic": "video generation"})
            asked = text(prompt.messages[0].content)
            assert "`summarize`" in asked and '"topic": "video generation"' in asked
            intro = await client.get_prompt("talk_introduction", {"audience": "students"})
            asked = text(intro.messages[0].content)
            assert '"kind": "talk_intro"' in asked and "students" in asked

    anyio.run(session)


def test_two_clients_at_once_get_their_own_answers(http_url: str) -> None:
    answers: dict[str, dict[str, Any]] = {}

    async def ask(question: str) -> None:
        async with connect(http_url) as client:
            answers[question] = data(await client.call_tool("ask", {"question": question}))

    async def session() -> None:
        async with anyio.create_task_group() as group:
            group.start_soon(ask, DINO_QUESTION)
            group.start_soon(ask, XIAOICE_QUESTION)

    anyio.run(session)
    cited = {q: [c["paper"]["id"] for c in a["citations"]] for q, a in answers.items()}
    assert cited[DINO_QUESTION][0] == DINO_ID and XIAOICE_ID not in cited[DINO_QUESTION]
    assert cited[XIAOICE_QUESTION][0] == XIAOICE_ID and DINO_ID not in cited[XIAOICE_QUESTION]


async def _leave_mid_answer(client: Client, fake: FakeEndpoint) -> None:
    """Ask, and cancel the call once the model is writing; the server must stop reading
    the model's reply (the fake sees the dropped stream) well before it would end."""
    writing = anyio.Event()

    async def watch(progress: float, total: float | None, message: str | None) -> None:
        if (message or "").startswith("writing"):
            writing.set()

    async def call() -> None:
        await client.call_tool("ask", {"question": DINO_QUESTION}, progress_callback=watch)

    dropped = fake.dropped
    async with anyio.create_task_group() as group:
        group.start_soon(call)
        await writing.wait()
        group.cancel_scope.cancel()
    with anyio.fail_after(10):  # the rest of the reply takes ~70 x delay seconds
        while fake.dropped == dropped:
            await anyio.sleep(0.1)


@pytest.fixture
def slow_fake(fake: FakeEndpoint) -> Iterator[FakeEndpoint]:
    fake.delay = 0.2
    yield fake
    fake.delay = 0.0


def test_server_survives_a_client_that_disconnects_mid_answer(
    state: Path, slow_fake: FakeEndpoint
) -> None:
    with http_server(state, slow_fake) as (url, proc):  # loopback needs no token

        async def session() -> None:
            async with Client(url) as gone:
                await _leave_mid_answer(gone, slow_fake)
            slow_fake.delay = 0.0
            async with Client(url) as client:
                answer = data(await client.call_tool("ask", {"question": XIAOICE_QUESTION}))
                assert answer["citations"][0]["paper"]["id"] == XIAOICE_ID

        anyio.run(session)
        assert proc.poll() is None


def test_a_cancelled_call_leaves_the_stdio_session_serving(
    state: Path, slow_fake: FakeEndpoint
) -> None:
    async def session() -> None:
        async with connect(stdio(state, slow_fake)) as client:
            await _leave_mid_answer(client, slow_fake)
            slow_fake.delay = 0.0
            answer = data(await client.call_tool("ask", {"question": XIAOICE_QUESTION}))
            assert answer["citations"][0]["paper"]["id"] == XIAOICE_ID

    anyio.run(session)


def test_http_needs_the_token_it_was_given(http_url: str) -> None:
    initialize = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        refused = httpx.post(http_url, json=initialize, headers=headers, timeout=10)
        assert refused.status_code == 401 and "Bearer" in refused.headers["www-authenticate"]


def test_http_beyond_loopback_or_on_a_taken_port_is_one_line(state: Path) -> None:
    exposed = paperchat("mcp", "--http", "--host", "0.0.0.0", state=state)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = paperchat("mcp", "--http", "--port", str(taken.getsockname()[1]), state=state)
    for result, needle in ((exposed, "--auth TOKEN"), (busy, "choose another --port")):
        assert result.returncode == 2
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and needle in lines[0] and "Traceback" not in result.stderr


def test_only_the_named_corpus_is_served(state: Path, fake: FakeEndpoint) -> None:
    params = stdio(state, fake)
    params.args = [*MCP, "--corpus", "default"]

    async def session() -> None:
        async with connect(params) as client:
            corpora = data(await client.call_tool("corpora", {}))
            assert [c["name"] for c in corpora["corpora"]] == ["default"]
            other = await client.call_tool("search_papers", {"query": "x", "corpus": "other"})
            assert "answers from corpus 'default' only" in error_text(other)

    anyio.run(session)


@pytest.mark.slow
def test_real_model_answers_ask_over_stdio(tmp_path: Path) -> None:
    """The embedded model (no fake): a checked answer whose every [n] is a citation."""
    env = {**os.environ, "PAPERCHAT_PATHS__DATA_DIR": str(tmp_path)}
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "PAPERCHAT_LLM__BASE_URL"):
        env.pop(name, None)  # the environment must not turn the embedded model into a hosted one
    env.pop("PAPERCHAT_LLM__API_KEY", None)
    env["PAPERCHAT_LLM__MODE"] = "pipeline"
    params = StdioServerParameters(command=sys.executable, args=MCP, env=env, cwd=ROOT)

    async def session() -> None:
        async with Client(params, read_timeout_seconds=600) as client:
            answer = data(await client.call_tool("ask", {"question": DINO_QUESTION}))
            keys = {c["key"] for c in answer["citations"]}
            assert answer["answered"] and answer["model"] not in ("metadata", "retrieval")
            assert DINO_ID in [c["paper"]["id"] for c in answer["citations"]]
            assert all(f"[{k}]" in answer["answer"] for k in keys)
            # the model's own sentence carries the value, not a quote the code made
            written = [s for s in answer["sentences"] if s["status"] in ("verified", "cited")]
            assert any("49.4" in s["text"] for s in written), answer["sentences"]

    try:
        anyio.run(session)
    finally:
        stopped = paperchat(
            "model", "stop", state=tmp_path, env={"PAPERCHAT_LLM__MODE": "pipeline"}
        )
        assert stopped.returncode == 0, stopped.stderr
