"""The MCP server's tools, resources and prompts: each tool a thin call into the
`Assistant` of the corpus asked for.

Long jobs (ask, summarize, draft_bio) run their event stream one step at a time in a worker
thread and pass each step on as an MCP progress notification. A user error is the tool's
error result with the CLI's one-line message; a client that cancels or goes away stops its
job after the current step, which gives its place in the model queue to the next caller.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import metadata
from typing import Annotated, Literal

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceNotFoundError, ToolError
from mcp.server.mcpserver.resources import FunctionResource
from pydantic import Field

from assistant.errors import PaperchatError
from assistant.jobs.check import CheckReport
from assistant.mcp_io import (
    AnswerJSON,
    Corpora,
    CorpusList,
    Overview,
    PaperList,
    PaperRecord,
    SearchResult,
    Turn,
)
from assistant.model.prompts import load
from assistant.types import Answer, AnswerEvent, Event, SourcesEvent, TextEvent, WaitingEvent
from retrieval.models import Filters, Paper

CorpusArg = Annotated[
    str | None,
    Field(description="Corpus name (the corpora tool lists them); default: the server's."),
]
Length = Literal["short", "medium", "long"]
PAPER_URI = "paperchat://{corpus}/paper/{paper_id}"
OVERVIEW_URI = "paperchat://{corpus}/overview"
TEXT_REPORT_SECONDS = 0.5  # text progress at most twice a second: a model writes ~10 tokens/s


@contextmanager
def _user_errors() -> Iterator[None]:
    """A `PaperchatError` is the caller's to fix: its message, as the CLI prints it."""
    try:
        yield
    except PaperchatError as exc:
        raise ToolError(str(exc)) from exc


class _Steps:
    """A job's events, pulled one at a time from worker threads. `close` waits for the
    step under way, then closes the generator (its `finally` leaves the model queue)."""

    def __init__(self, events: Iterator[Event]) -> None:
        self._events = events
        self._lock = threading.Lock()

    def next(self) -> Event | None:
        with self._lock:
            return next(self._events, None)

    def close(self) -> None:
        with self._lock:
            close = getattr(self._events, "close", None)
            if close is not None:
                close()


def _describe(event: Event, chars: int) -> str:
    if isinstance(event, WaitingEvent):
        return f"waiting for the model: {event.ahead} ahead"
    if isinstance(event, SourcesEvent):
        return f"found {len(event.citations)} sources"
    if isinstance(event, TextEvent):
        return f"writing: {chars} characters"
    return "checked"


async def run_job(ctx: Context, events: Callable[[], Iterator[Event]]) -> Answer:
    """The job's final `Answer`, with a progress notification per step (text throttled)."""
    steps = _Steps(events())
    step, chars, reported = 0, 0, 0.0
    try:
        with _user_errors():
            while True:
                event = await anyio.to_thread.run_sync(steps.next, abandon_on_cancel=True)
                if event is None:
                    raise AssertionError("stream ended without an answer")  # a bug
                step += 1
                if isinstance(event, TextEvent):
                    chars += len(event.delta)
                    if time.monotonic() - reported < TEXT_REPORT_SECONDS:
                        continue
                    reported = time.monotonic()
                await ctx.report_progress(step, None, _describe(event, chars))
                if isinstance(event, AnswerEvent):
                    return event.answer
    finally:
        # Not awaited: a cancelled caller must not wait for the model's current reply.
        threading.Thread(target=steps.close, daemon=True).start()


def _version() -> str:
    try:
        return metadata.version("paperchat")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return ""


def build_server(corpora: Corpora) -> MCPServer:
    server = MCPServer(
        "paperchat",
        version=_version(),
        instructions="Cited answers over one researcher's publications. Every [n] in an "
        "answer maps to a paper in its citations; the code checked each sentence against the "
        "paper it cites.",
        log_level="WARNING",
    )
    _add_tools(server, corpora)
    _add_resources(server, corpora)
    _add_prompts(server, corpora)
    return server


def _add_tools(server: MCPServer, corpora: Corpora) -> None:
    @server.tool()
    def search_papers(
        query: Annotated[str, Field(description="What to look for, e.g. 'object detection'.")],
        k: Annotated[int, Field(ge=1, le=50, description="How many papers.")] = 5,
        year_from: int | None = None,
        year_to: int | None = None,
        categories: Annotated[
            list[str] | None, Field(description="Category codes, any of, e.g. ['CV'].")
        ] = None,
        author: Annotated[str | None, Field(description="A co-author's name.")] = None,
        has_code: bool | None = None,
        venue: Annotated[
            str | None, Field(description="A name the venue holds, e.g. 'AAAI' or 'workshop'.")
        ] = None,
        corpus: CorpusArg = None,
    ) -> SearchResult:
        """Hybrid (semantic + keyword) search over the papers; no model involved."""
        with _user_errors():
            assistant = corpora.get(corpus)
            hits = assistant.search(
                query,
                k=k,
                year_from=year_from,
                year_to=year_to,
                categories=categories,
                author=author,
                has_code=has_code,
                venue=venue,
            )
            return SearchResult(corpus=assistant.corpus, hits=hits)

    @server.tool()
    def get_paper(id: str, corpus: CorpusArg = None) -> Paper:
        """One paper's full record by its id (search_papers and list_papers give ids)."""
        with _user_errors():
            paper = corpora.get(corpus).get_paper(id)
        if paper is None:
            raise ToolError(f"No paper with id {id!r}: search_papers or list_papers give ids")
        return paper

    @server.tool()
    def list_papers(filters: Filters | None = None, corpus: CorpusArg = None) -> PaperList:
        """Exactly the papers the filters admit (all when none), newest first."""
        with _user_errors():
            assistant = corpora.get(corpus)
            given = filters.model_dump(exclude_none=True) if filters else {}
            return PaperList(corpus=assistant.corpus, papers=assistant.list_papers(**given))

    @server.tool()
    async def ask(
        question: str, ctx: Context, history: list[Turn] | None = None, corpus: CorpusArg = None
    ) -> AnswerJSON:
        """A cited answer from the papers, checked sentence by sentence: the same JSON as
        `paperchat ask --json`. 'Not covered' and 'not stated' are answers, not errors."""
        with _user_errors():
            assistant = await anyio.to_thread.run_sync(corpora.get, corpus)
        turns = [t.model_dump() for t in history or []] or None
        answer = await run_job(ctx, lambda: assistant.stream(question, turns))
        return AnswerJSON.of(answer)

    @server.tool()
    async def summarize(
        ctx: Context,
        topic: Annotated[str | None, Field(description="None: the whole corpus.")] = None,
        filters: Filters | None = None,
        corpus: CorpusArg = None,
    ) -> AnswerJSON:
        """The topic's papers grouped by theme, each theme cited and checked."""
        with _user_errors():
            assistant = await anyio.to_thread.run_sync(corpora.get, corpus)
        given = filters.model_dump(exclude_none=True) if filters else {}
        answer = await run_job(ctx, lambda: assistant.stream_summary(topic, **given))
        return AnswerJSON.of(answer)

    @server.tool()
    async def draft_bio(
        ctx: Context,
        kind: Literal["bio", "talk_intro"] = "bio",
        length: Length = "short",
        audience: str = "general",
        topic: str | None = None,
        corpus: CorpusArg = None,
    ) -> AnswerJSON:
        """A bio or talk introduction of the corpus's researcher from corpus facts only."""
        with _user_errors():
            assistant = await anyio.to_thread.run_sync(corpora.get, corpus)
        answer = await run_job(
            ctx, lambda: assistant.stream_bio(kind, length, audience=audience, topic=topic)
        )
        return AnswerJSON.of(answer)

    @server.tool()
    def check_draft(
        text: Annotated[
            str, Field(description="Your text citing papers ([1] + a reference list).")
        ],
        corpus: CorpusArg = None,
    ) -> CheckReport:
        """Each sentence of a draft judged against the papers it cites, with the evidence."""
        with _user_errors():
            return corpora.get(corpus).check(text)

    @server.tool()
    def export_bibtex(ids: list[str], corpus: CorpusArg = None) -> str:
        """BibTeX for these paper ids (unknown ids are skipped), every field escaped."""
        with _user_errors():
            return corpora.get(corpus).export_bibtex(ids)

    @server.tool(name="corpora")
    def list_corpora() -> CorpusList:
        """The corpora this server answers from, the default first."""
        with _user_errors():
            return CorpusList(default=corpora.default, corpora=corpora.summaries())


def _paper(corpora: Corpora, corpus: str, paper_id: str) -> str:
    try:
        paper = corpora.get(corpus).get_paper(paper_id)
    except PaperchatError as exc:
        raise ResourceNotFoundError(str(exc)) from exc
    if paper is None:
        raise ResourceNotFoundError(f"No paper with id {paper_id!r} in corpus {corpus!r}")
    return PaperRecord.of(paper).model_dump_json(indent=2)


def _overview(corpora: Corpora, corpus: str) -> str:
    try:
        assistant = corpora.get(corpus)
        stats = assistant.corpus_stats()
    except PaperchatError as exc:
        raise ResourceNotFoundError(str(exc)) from exc
    return Overview(corpus=corpus, info=assistant.info, stats=stats).model_dump_json(indent=2)


def _add_resources(server: MCPServer, corpora: Corpora) -> None:
    json_type = "application/json"

    @server.resource(PAPER_URI, name="paper", mime_type=json_type)
    def paper(corpus: str, paper_id: str) -> str:
        """A paper: title, authors, year, venue, abstract and links."""
        return _paper(corpora, corpus, paper_id)

    @server.resource(OVERVIEW_URI, name="overview", mime_type=json_type)
    def overview(corpus: str) -> str:
        """A corpus at a glance: owner, papers per year and category, top co-authors."""
        return _overview(corpora, corpus)

    # The same, listed one by one so a client can browse them (templates are not listed).
    for name in corpora.names():
        uri = OVERVIEW_URI.format(corpus=name)
        server.add_resource(
            FunctionResource(
                uri=uri,
                name=f"{name} overview",
                description=f"The corpus {name!r} at a glance",
                mime_type=json_type,
                fn=lambda name=name: _overview(corpora, name),
            )
        )
        for p in corpora.get(name).papers:
            server.add_resource(
                FunctionResource(
                    uri=PAPER_URI.format(corpus=name, paper_id=p.id),
                    name=p.id,
                    title=p.title,
                    description=p.short_ref(),
                    mime_type=json_type,
                    fn=lambda name=name, pid=p.id: _paper(corpora, name, pid),
                )
            )


def _add_prompts(server: MCPServer, corpora: Corpora) -> None:
    def arguments(**given: str | None) -> str:
        return json.dumps({k: v for k, v in given.items() if v is not None}, ensure_ascii=False)

    @server.prompt(name="summarize_topic", title="Summarize a topic")
    def summarize_topic(topic: str, corpus: str | None = None) -> str:
        """Summarize the corpus's papers on a topic, with the code-checked citations."""
        call = arguments(topic=topic, corpus=corpus or corpora.default)
        return load("mcp_summarize").render(topic=topic, arguments=call)

    @server.prompt(name="talk_introduction", title="Draft a talk introduction")
    def talk_introduction(
        audience: str = "general",
        length: Length = "short",
        topic: str | None = None,
        corpus: str | None = None,
    ) -> str:
        """Introduce the corpus's researcher before a talk, from corpus facts only."""
        call = arguments(
            kind="talk_intro",
            length=length,
            audience=audience,
            topic=topic,
            corpus=corpus or corpora.default,
        )
        return load("mcp_talk_intro").render(audience=audience, arguments=call)
