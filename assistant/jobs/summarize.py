"""`summarize`: a topic's papers (or a filter's), grouped by theme, map then reduce.

The model writes only per-paper sentences, which are checked like any answer; a paper the
model skipped is still listed, as a fact.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence

import numpy as np

from assistant.evidence.compress import format_sources
from assistant.evidence.grounding import Checker, Source, claims, mint_sources
from assistant.evidence.select import calibrated, on_topic, relevant
from assistant.jobs.sections import Renderer, check_items
from assistant.jobs.services import Services
from assistant.model.prompts import load
from assistant.model.replies import THEMED_SCHEMA, SentenceStreamer, one_per_source
from assistant.types import (
    NOT_COVERED,
    Answer,
    AnswerEvent,
    Citation,
    Event,
    Sentence,
    SourcesEvent,
    TextEvent,
    Timings,
)
from retrieval.models import Filters


def summarize(services: Services, topic: str | None, filters: Filters) -> Answer:
    for event in stream_summary(services, topic, filters):
        if isinstance(event, AnswerEvent):
            return event.answer
    raise AssertionError("summary stream ended without an answer")  # a bug


def stream_summary(services: Services, topic: str | None, filters: Filters) -> Iterator[Event]:
    """Sources, the intro line at once, then each sentence as soon as it is complete and
    checked, under its theme's heading, then the final answer (whose text is exactly what
    was streamed). Measured before this streamed per sentence: the first theme's block
    came 36 s after the request (two model calls of a 5-paper theme)."""
    started = time.perf_counter()
    searcher = services.searcher
    policy = calibrated(services.policy, searcher.calibration)
    if topic and topic.strip():
        hits = searcher.search(
            topic, k=max(policy.summary_limit, policy.list_limit), filters=filters
        )
        papers = (
            on_topic(hits, topic, topic, policy.summary_relative, policy, services.allowed_names())[
                : policy.summary_limit
            ]
            if hits and relevant(topic, topic, hits[0], policy, services.allowed_names())
            else []
        )
        query_vector = searcher.embed(topic)
    else:
        papers = searcher.catalog.select(filters)[: policy.summary_limit * 4]
        topic = filters.describe() or "all papers"
        query_vector = None
    if not papers:
        answer = Answer(text=NOT_COVERED, answered=False, kind="summarize", model="retrieval")
        yield SourcesEvent(citations=[])
        yield TextEvent(delta=answer.text)
        yield AnswerEvent(answer=answer)
        return
    retrieval = time.perf_counter() - started
    compressor = services.compressor
    vectors = searcher.vectors[[searcher.catalog.position[p.id] for p in papers]]
    shown = [
        compressor.compress(
            p, query_vector if query_vector is not None else vectors[i], keep=2, query=topic
        )
        for i, p in enumerate(papers)
    ]
    sources = mint_sources(papers, shown)
    yield SourcesEvent(citations=[Citation(key=s.key, paper=s.paper) for s in sources])
    intro = f"{len(sources)} papers on {topic}, grouped by theme."
    yield TextEvent(delta=intro)
    checker = Checker(
        sources,
        services.allowed_names(),
        min_overlap=policy.min_overlap,
        verifier=services.verifier,
    )
    model = services.model
    renderer = Renderer(sources)
    seen_headings: set[str] = set()
    first_token: float | None = None
    for group in themes(vectors, policy.theme_similarity):
        group_sources = [sources[i] for i in group]
        heading = ""  # decided by the group's first kept sentence
        covered: set[str] = set()
        for start in range(0, len(group_sources), policy.chunk):
            chunk = group_sources[start : start + policy.chunk]
            messages = [
                {"role": "system", "content": load("summary_system").render()},
                {
                    "role": "user",
                    "content": load("summary_user").render(
                        topic=topic, sources=format_sources(chunk)
                    ),
                },
            ]
            streamer = SentenceStreamer()
            schema = one_per_source(THEMED_SCHEMA, len(chunk))
            for piece in model.stream_json(messages, schema, policy.long_reply_tokens):
                if first_token is None:
                    first_token = time.perf_counter() - started
                # Each sentence is shown once it is complete and checked.
                for sentence in check_items(checker, streamer.feed(piece)):
                    if sentence.status == "unsupported":
                        renderer.line(heading, sentence)  # recorded, never shown
                        continue
                    heading = heading or _heading(streamer.theme(), chunk, seen_headings)
                    covered.update(sentence.keys)
                    delta = renderer.line(heading, sentence)
                    if delta:
                        yield TextEvent(delta=delta)
        for source in group_sources:
            if source.key not in covered:  # the model skipped it: still list it, as a fact
                heading = heading or _heading("", group_sources, seen_headings)
                fact = Sentence(text=source.paper.short_ref(), keys=[source.key], status="fact")
                delta = renderer.line(heading, fact)
                if delta:
                    yield TextEvent(delta=delta)
    yield AnswerEvent(
        answer=renderer.answer(
            intro,
            kind="summarize",
            model=model.name,
            timings=Timings(
                retrieval=retrieval, first_token=first_token, total=time.perf_counter() - started
            ),
        )
    )


def themes(vectors: np.ndarray, similarity: float) -> list[list[int]]:
    """Greedy grouping by cosine similarity to each group's first (most relevant) paper."""
    groups: list[list[int]] = []
    for i in range(len(vectors)):
        for group in groups:
            if float(vectors[group[0]] @ vectors[i]) >= similarity:
                group.append(i)
                break
        else:
            groups.append([i])
    # Fold singletons into one "other" group so a summary is not a list of one-liners.
    singles = [g[0] for g in groups if len(g) == 1]
    multi = [g for g in groups if len(g) > 1]
    return [*multi, singles] if len(singles) > 1 else groups


def _heading(theme: str, chunk: Sequence[Source], seen: set[str]) -> str:
    """The section's heading: the model's checked theme, never the same twice."""
    heading = _checked_theme(theme, chunk) or "Related work"
    if heading.lower() in seen:
        heading = f"{heading} (continued)"
    seen.add(heading.lower())
    return heading


def _checked_theme(theme: str, chunk: Sequence[Source]) -> str:
    """A heading, not a claim: at most 6 words, and any name in it must be in the sources."""
    if not theme.strip():
        return ""
    theme = " ".join(theme.strip().strip("#*:").split()[:6])
    checker = Checker(chunk)
    needed = claims(theme)
    return theme if all(any(checker.supports(s.key, {c}) for s in chunk) for c in needed) else ""
