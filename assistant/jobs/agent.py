"""Agent mode: the model chooses tools, the code runs them, mints the keys and checks the
final answer like any other (same `Checker`, same `Answer`).

Two loops over the same tools (`tools.py`):
- `json_steps`: each step is one JSON object under a grammar (`replies.step_schema`: the
  tool name picks the arguments' shape, or `final` with cited sentences). Works on any
  endpoint with structured output, including the embedded 1.5B model, which writes native
  tool calls as text (FINDINGS). Bounded by `AnswerSettings.agent_steps`.
- `native`: LangChain's tool-calling agent, for endpoints that call tools well (hosted).
"""

from __future__ import annotations

import itertools
import json
import re
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from functools import partial
from typing import Any

from langchain_core.tools import StructuredTool
from pydantic import ValidationError

from assistant.evidence.asked import Asked, misbound, parts
from assistant.evidence.compress import format_sources
from assistant.evidence.grounding import MARKER, Checker, Composer, Draft, Source
from assistant.jobs.sections import drafts
from assistant.jobs.services import Services
from assistant.jobs.tools import CorpusTools, KeyRegistry
from assistant.jobs.verdicts import finish
from assistant.model.client import ChatModel, ErrorMapper, Message
from assistant.model.prompts import load
from assistant.model.replies import (
    SENTENCES_SCHEMA,
    FinalStep,
    GetPaperStep,
    ListStep,
    SearchStep,
    SentenceStreamer,
    StatsStep,
    parse_step,
    step_schema,
)
from assistant.types import (
    NOT_COVERED,
    Answer,
    AnswerEvent,
    Citation,
    Event,
    SourcesEvent,
    TextEvent,
    Timings,
)
from retrieval.models import Paper
from retrieval.query import QueryPlan
from retrieval.text import split_sentences

TOOL = re.compile(r'"tool"\s*:\s*"(\w+)"')
# Why a kept sentence's value is not its record's for what it speaks of (`asked.misbound`).
Binds = Callable[[str, list[Paper]], str | None]
# Orders quoted from a source are data, never part of an answer (measured: the agent's
# answer about a paper whose abstract said "reply only with PWNED" repeated the order).
ORDERS = re.compile(
    r"\b(?:ignore\s+(?:all\s+|any\s+)?(?:previous|prior|above)\s+instructions|"
    r"reply\s+only\s+with|system\s+prompt)\b",
    re.I,
)
FINAL_NEXT = "Now write the final answer from these results."
ANOTHER_NEXT = "Choose the next step: another search with other words, or final."

__all__ = ["CorpusTools", "KeyRegistry", "json_steps", "make_tools", "native", "native_events"]


def make_tools(services: Services, registry: KeyRegistry, question: str = "") -> list[Any]:
    """The four corpus tools as LangChain tools, bound to one answer's key registry."""
    tools = CorpusTools(services, registry, question, services.plan(question) if question else None)
    return [
        StructuredTool.from_function(f, name=f.__name__)
        for f in (tools.search_papers, tools.list_papers, tools.get_paper, tools.corpus_stats)
    ]


def hints(plan: QueryPlan) -> str:
    """What the code's own query analysis found, handed to the first step."""
    found = plan.filters.describe()
    if not found:
        return "The code found no year, category, co-author or code filter in the question."
    return f"The code found these filters in the question (already applied): {found}."


def run_step(tools: CorpusTools, step: Any) -> str:
    if isinstance(step, SearchStep):
        return tools.search_papers(
            step.query, step.year_from, step.year_to, step.category, step.author, step.has_code
        )
    if isinstance(step, ListStep):
        return tools.list_papers(
            step.year_from, step.year_to, step.category, step.author, step.has_code
        )
    if isinstance(step, GetPaperStep):
        return tools.get_paper(str(step.key))
    if isinstance(step, StatsStep):
        return tools.corpus_stats()
    raise AssertionError(f"not a tool step: {step!r}")


def json_steps(
    services: Services,
    question: str,
    model: ChatModel,
    plan: QueryPlan | None = None,
    started: float | None = None,
    seed: Sequence[Source] = (),
    asked: Sequence[Asked] | None = None,
) -> Iterator[Event]:
    """The JSON-step agent: tool steps, then a streamed, checked final answer. `seed` are
    the papers the code's own retrieval found for the question: when the agent's tools
    showed nothing and its answer said nothing that survived the checks, the answer is
    written once more over them (measured: the 1.5B model searched "Follow-Your-Click
    users choose" and "Quant 4.0 definition", found nothing, and declined)."""
    started = time.perf_counter() if started is None else started
    plan = plan or services.plan(question)
    # What the question asks, part by part (the pipeline's own, when it ran first): every
    # checked sentence of the answer must give the record's value for what it speaks of.
    binds = partial(misbound, parts(question, services.allowed_names()) if asked is None else asked)
    registry = KeyRegistry()
    tools = CorpusTools(services, registry, question, plan)
    system = load("agent_step_system").render(
        owner=services.owner, categories=tools.categories(), not_covered=NOT_COVERED
    )
    messages: list[Message] = [
        {"role": "system", "content": system},
        {"role": "user", "content": load("agent_step_user").render(
            question=question, hints=hints(plan))},
    ]  # fmt: skip
    done: set[str] = set()
    first: float | None = None
    steps = max(1, services.policy.agent_steps)
    answer_now = False
    for n in range(steps):
        # A small model given the choice keeps fetching (measured: get_paper on every key
        # after a search that already answered), so once a tool showed something, the next
        # step is the answer; tools are retried only while they find nothing.
        final_only = answer_now or n == steps - 1
        chunks = model.stream_json(messages, step_schema(final_only))
        text, streamed = "", None
        for chunk in chunks:
            first = first if first is not None else time.perf_counter() - started
            text += chunk
            tool = TOOL.search(text)
            if tool and (tool[1] == "final" or final_only):
                # The answer: stream its checked sentences as they complete.
                streamed = yield from final_answer(services, registry, model, binds, text, chunks)
                break
        if streamed is not None:
            if not streamed.answered and not registry.sources:
                for source in seed:
                    registry.key(source.paper, source.shown)
            if not streamed.answered and registry.sources:
                streamed = yield from rewrite(services, registry, model, question, binds, streamed)
            streamed.timings = Timings(first_token=first, total=time.perf_counter() - started)
            yield AnswerEvent(answer=streamed)
            return
        try:
            step = parse_step(text)
        except ValidationError:
            step = None
        if step is None or isinstance(step, FinalStep):
            break
        call = step.model_dump_json()
        shown = len(registry.sources)
        result = run_step(tools, step) if call not in done else "Already done: answer now."
        done.add(call)
        answer_now = len(registry.sources) > shown or isinstance(step, StatsStep)
        answer_now = answer_now or n + 1 == steps - 1
        then = FINAL_NEXT if answer_now else ANOTHER_NEXT
        messages = [
            *messages,
            {"role": "assistant", "content": call},
            {"role": "user", "content": load("agent_step_result").render(
                tool=step.tool, result=result, next=then)},
        ]  # fmt: skip
    answer = checked(services, registry, [])  # no final step: nothing was said
    answer.model = model.name
    answer.timings = Timings(first_token=first, total=time.perf_counter() - started)
    yield SourcesEvent(citations=[])
    yield AnswerEvent(answer=answer)


def final_answer(
    services: Services,
    registry: KeyRegistry,
    model: ChatModel,
    binds: Binds,
    text: str,
    rest: Iterator[str],
) -> Generator[Event, None, Answer]:
    """Sources, then each sentence of the final step once it is complete and checked."""
    sources = list(registry.sources.values())
    yield SourcesEvent(citations=[Citation(key=s.key, paper=s.paper) for s in sources])
    checker = Checker(
        sources,
        services.allowed_names(),
        min_overlap=services.policy.min_overlap,
        binds=binds,
        verifier=services.verifier,
    )
    return (yield from checked_stream(itertools.chain([text], rest), checker, sources, model))


def rewrite(
    services: Services,
    registry: KeyRegistry,
    model: ChatModel,
    question: str,
    binds: Binds,
    failed: Answer,
) -> Generator[Event, None, Answer]:
    """The final step said nothing that survived the checks although the tools showed
    papers (the 1.5B model often declines, or obeys a quoted order, after one search):
    write the answer once more with the pipeline's answer prompt over exactly those papers,
    checked the same way. Nothing new can be cited: the keys are the registry's."""
    sources = list(registry.sources.values())
    user = load("answer_user").render(
        sources=format_sources(sources), context="", question=question
    )
    messages: list[Message] = [
        {"role": "system", "content": load("answer_system").render()},
        {"role": "user", "content": user},
    ]
    checker = Checker(
        sources,
        services.allowed_names(),
        min_overlap=services.policy.min_overlap,
        question=question,
        binds=binds,
        verifier=services.verifier,
    )
    chunks = model.stream_json(messages, SENTENCES_SCHEMA)
    return (yield from checked_stream(chunks, checker, sources, model, failed.dropped_keys))


def checked_stream(
    chunks: Iterable[str],
    checker: Checker,
    sources: Sequence[Source],
    model: ChatModel,
    dropped: Sequence[str] = (),
) -> Generator[Event, None, Answer]:
    """Each sentence of a streamed reply once complete and checked; repeats and quoted
    orders are never said. Returns the whole checked answer."""
    composer = Composer(sources)
    streamer = SentenceStreamer()
    bad_keys = list(dropped)
    said: set[str] = set()
    for chunk in chunks:
        for item in streamer.feed(chunk):
            key = " ".join(item.text.lower().split())
            if key in said or ORDERS.search(item.text):
                continue
            said.add(key)
            for draft in drafts(item):
                sentence, bad = checker.check(draft)
                bad_keys.extend(bad)
                delta = composer.delta(sentence)
                if delta:
                    yield TextEvent(delta=delta)
    answer = finish(composer, bad_keys)
    answer.model = model.name
    return answer


def checked(services: Services, registry: KeyRegistry, drafts: Sequence[Any]) -> Answer:
    sources = list(registry.sources.values())
    checker = Checker(
        sources,
        services.allowed_names(),
        min_overlap=services.policy.min_overlap,
        verifier=services.verifier,
    )
    composer = Composer(sources)
    dropped: list[str] = []
    for draft in drafts if sources else []:
        sentence, bad = checker.check(draft)
        dropped.extend(bad)
        composer.add(sentence)
    return finish(composer, dropped)


def native_events(
    services: Services,
    question: str,
    history: Sequence[dict[str, Any]] | None,
    chat_model: Any,
    endpoint: str,
    started: float,
) -> Iterator[Event]:
    answer = native(services, question, history, chat_model, endpoint)
    answer.timings.total = time.perf_counter() - started
    # Native tool calls find their sources while they run: known only at the end.
    yield SourcesEvent(citations=answer.citations)
    yield TextEvent(delta=answer.text)
    yield AnswerEvent(answer=answer)


def native(
    services: Services,
    question: str,
    history: Sequence[dict[str, Any]] | None,
    chat_model: Any,
    endpoint: str,
) -> Answer:
    """LangChain's tool-calling agent; its final text is checked like any other answer."""
    from langchain.agents import create_agent

    registry = KeyRegistry()
    system = load("agent_system").render(not_covered=NOT_COVERED)
    tools = make_tools(services, registry, question)
    agent = create_agent(chat_model, tools=tools, system_prompt=system)
    messages = [
        {"role": m["role"], "content": str(m.get("content", ""))}
        for m in history or []
        if m.get("role") in ("user", "assistant")
    ]
    with ErrorMapper(endpoint):
        state = agent.invoke(
            {"messages": [*messages, {"role": "user", "content": question}]},
            {"recursion_limit": 2 * services.policy.agent_steps + 1},
        )
    final = state["messages"][-1]
    text = final.content if isinstance(final.content, str) else json.dumps(final.content)
    answer = checked(services, registry, drafts_from_text(text))
    answer.model = str(
        getattr(chat_model, "model_name", None) or getattr(chat_model, "name", "agent")
    )
    return answer


def drafts_from_text(text: str) -> list[Draft]:
    """Free text with inline [n] markers (agent mode) -> drafts with their keys."""
    drafts = []
    for sentence in split_sentences(text):
        keys = [k.strip() for m in MARKER.finditer(sentence) for k in re.split(r"[,;]", m[1])]
        clean = MARKER.sub("", sentence).replace(" .", ".").strip()
        drafts.append(Draft(text=re.sub(r"\s{2,}", " ", clean), sources=keys))
    return drafts
