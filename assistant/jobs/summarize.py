"""`summarize`: a topic's papers (or a filter's), grouped by theme, map then reduce.

The model writes only per-paper sentences, which are checked like any answer; a paper the
model skipped is still listed, as a fact.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from assistant.evidence.compress import format_sources
from assistant.evidence.grounding import Checker, Source, claims, mint_sources
from assistant.evidence.select import close_papers
from assistant.jobs.sections import assemble, check_items
from assistant.jobs.services import Services
from assistant.model.prompts import load
from assistant.model.replies import THEMED_SCHEMA, collect
from assistant.types import NOT_COVERED, Answer, Sentence, Timings
from retrieval.models import Filters


def summarize(services: Services, topic: str | None, filters: Filters) -> Answer:
    started = time.perf_counter()
    searcher = services.searcher
    policy = services.policy
    if topic and topic.strip():
        hits = searcher.search(topic, k=policy.summary_limit, filters=filters)
        papers = close_papers(hits, policy.summary_relative, policy.min_relevance)
        query_vector = searcher.embed(topic)
    else:
        papers = searcher.catalog.select(filters)
        topic = filters.describe() or "all papers"
        query_vector = None
    if not papers:
        return Answer(text=NOT_COVERED, answered=False, kind="summarize", model="retrieval")
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
    checker = Checker(sources, services.allowed_names(), min_overlap=policy.min_overlap)
    model = services.model
    sections: list[tuple[str, list[Sentence]]] = []
    first_token: float | None = None
    for group in themes(vectors, policy.theme_similarity):
        group_sources = [sources[i] for i in group]
        theme = ""
        kept: list[Sentence] = []
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
            reply = collect(model.stream_json(messages, THEMED_SCHEMA, policy.long_reply_tokens))
            first_token = first_token if first_token is not None else reply.first_token
            theme = theme or _checked_theme(reply.theme, chunk)
            kept.extend(check_items(checker, reply.sentences))
        covered = {k for s in kept for k in s.keys}
        for source in group_sources:
            if source.key not in covered:  # the model skipped it: still list it, as a fact
                kept.append(
                    Sentence(text=source.paper.short_ref(), keys=[source.key], status="fact")
                )
        heading = theme or "Related work"
        for existing, sentences in sections:
            if existing.lower() == heading.lower():
                sentences.extend(kept)
                break
        else:
            sections.append((heading, kept))
    return assemble(
        f"{len(sources)} papers on {topic}, grouped by theme.",
        sections,
        sources,
        kind="summarize",
        model=model.name,
        timings=Timings(
            retrieval=retrieval, first_token=first_token, total=time.perf_counter() - started
        ),
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


def _checked_theme(theme: str, chunk: Sequence[Source]) -> str:
    """A heading, not a claim: at most 6 words, and any name in it must be in the sources."""
    if not theme.strip():
        return ""
    theme = " ".join(theme.strip().strip("#*:").split()[:6])
    checker = Checker(chunk)
    needed = claims(theme)
    return theme if all(any(checker.supports(s.key, {c}) for s in chunk) for c in needed) else ""
