"""The longer jobs: `summarize` (grouped by theme, map then reduce) and `draft_bio`.

Facts the code can state exactly (counts, years, collaborators, the profile header) are
written by code; the model writes only per-paper sentences, which are checked like any
answer. Nothing about positions or awards can appear: no source holds them.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.answer import NOT_COVERED, Answer, Sentence, Timings
from assistant.context import SentenceStreamer, format_sources
from assistant.facts import corpus_facts
from assistant.grounding import Checker, Draft, Source, claims, compose, mint_sources
from assistant.llm import ChatModel, Message
from assistant.pipeline import LIST_RELATIVE, close_papers
from assistant.prompting import SENTENCES_SCHEMA, THEMED_SCHEMA, load
from retrieval.models import Filters, Paper

if TYPE_CHECKING:
    from assistant.api import Assistant

CHUNK = 4  # papers per model call: keeps prompts ~500 tokens
LONG_REPLY_TOKENS = 700
THEME = re.compile(r'"theme"\s*:\s*"((?:[^"\\]|\\.)*)"')
SUMMARY_LIMIT = 8
SUMMARY_RELATIVE = 0.4  # summaries favour recall: a stray paper is still described truthfully
THEME_SIMILARITY = 0.45
BIO_RESULTS = {"short": 3, "medium": 5, "long": 7}


def summarize(assistant: Assistant, topic: str | None, filters: Filters) -> Answer:
    started = time.perf_counter()
    searcher = assistant.searcher
    if topic and topic.strip():
        hits = searcher.search(topic, k=SUMMARY_LIMIT, filters=filters)
        papers = close_papers(hits, SUMMARY_RELATIVE)
        query_vector = searcher.embed(topic)
    else:
        papers = searcher.catalog.select(filters)
        topic = filters.describe() or "all papers"
        query_vector = None
    if not papers:
        return Answer(text=NOT_COVERED, answered=False, kind="summarize", model="retrieval")
    retrieval = time.perf_counter() - started
    compressor = assistant.pipeline.compressor
    vectors = searcher.vectors[[searcher.catalog.position[p.id] for p in papers]]
    shown = [
        compressor.compress(
            p, query_vector if query_vector is not None else vectors[i], keep=2, query=topic
        )
        for i, p in enumerate(papers)
    ]
    sources = mint_sources(papers, shown)
    checker = Checker(sources, allowed=assistant.pipeline.allowed_names())
    model = assistant.chat_model
    sections: list[tuple[str, list[Sentence]]] = []
    first_token: float | None = None
    for group in themes(vectors):
        group_sources = [sources[i] for i in group]
        theme = ""
        kept: list[Sentence] = []
        for start in range(0, len(group_sources), CHUNK):
            chunk = group_sources[start : start + CHUNK]
            messages = [
                {"role": "system", "content": load("summary_system").render()},
                {
                    "role": "user",
                    "content": load("summary_user").render(
                        topic=topic, sources=format_sources(chunk)
                    ),
                },
            ]
            reply, first = collect(model, messages, THEMED_SCHEMA)
            first_token = first_token if first_token is not None else first
            theme = theme or _checked_theme(reply.get("theme"), chunk)
            kept.extend(_check_items(checker, reply))
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
    return _assemble(
        f"{len(sources)} papers on {topic}, grouped by theme.",
        sections,
        sources,
        kind="summarize",
        model=model.name,
        timings=Timings(
            retrieval=retrieval, first_token=first_token, total=time.perf_counter() - started
        ),
    )


def themes(vectors: np.ndarray) -> list[list[int]]:
    """Greedy grouping by cosine similarity to each group's first (most relevant) paper."""
    groups: list[list[int]] = []
    for i in range(len(vectors)):
        for group in groups:
            if float(vectors[group[0]] @ vectors[i]) >= THEME_SIMILARITY:
                group.append(i)
                break
        else:
            groups.append([i])
    # Fold singletons into one "other" group so a summary is not a list of one-liners.
    singles = [g[0] for g in groups if len(g) == 1]
    multi = [g for g in groups if len(g) > 1]
    return [*multi, singles] if len(singles) > 1 else groups


def _checked_theme(theme: Any, chunk: Sequence[Source]) -> str:
    """A heading, not a claim: at most 6 words, and any name in it must be in the sources."""
    if not isinstance(theme, str) or not theme.strip():
        return ""
    theme = " ".join(theme.strip().strip("#*:").split()[:6])
    checker = Checker(chunk)
    needed = claims(theme)
    return theme if all(any(checker.supports(s.key, {c}) for s in chunk) for c in needed) else ""


def collect(
    model: ChatModel, messages: list[Message], schema: dict[str, Any]
) -> tuple[dict[str, Any], float | None]:
    """The reply's complete sentence items (a reply cut off at max_tokens keeps those it
    finished) and its theme, with the time to the first token."""
    started = time.perf_counter()
    first: float | None = None
    streamer = SentenceStreamer()
    items: list[dict[str, Any]] = []
    for chunk in model.stream_json(messages, schema, LONG_REPLY_TOKENS):
        if first is None:
            first = time.perf_counter() - started
        items.extend(streamer.feed(chunk))
    theme = THEME.search(streamer.buffer)
    return {"theme": json.loads(f'"{theme[1]}"') if theme else "", "sentences": items}, first


def _check_items(checker: Checker, reply: dict[str, Any]) -> list[Sentence]:
    out = []
    for item in reply.get("sentences") or []:
        if isinstance(item, dict):
            keys = [str(k) for k in item.get("sources") or []]
            out.append(checker.check(Draft(text=str(item.get("text", "")), sources=keys))[0])
    return out


def _assemble(
    intro: str,
    sections: list[tuple[str, list[Sentence]]],
    sources: Sequence[Source],
    *,
    kind: str,
    model: str,
    timings: Timings,
) -> Answer:
    """Reduce: one block per theme, keys renumbered across the whole answer."""
    flat = [s for _, sentences in sections for s in sentences]
    _, citations, final = compose(flat, sources)
    lines = [intro]
    i = 0
    for heading, sentences in sections:
        block = final[i : i + len(sentences)]
        i += len(sentences)
        body = [
            f"- {s.text.rstrip('.')} {''.join(f'[{k}]' for k in s.keys)}".rstrip()
            for s in block
            if s.status != "unsupported"
        ]
        if body:
            lines.append(f"\n**{heading}**" if heading else "")
            lines.extend(body)
    unsupported = sum(s.status == "unsupported" for s in final)
    return Answer(
        text="\n".join(lines).strip(),
        answered=bool(citations),
        citations=citations,
        unsupported=unsupported,
        reattributed=sum(s.status in ("reattributed", "attributed") for s in final),
        sentences=final,
        kind=kind,
        model=model,
        timings=timings,
    )


def draft_bio(
    assistant: Assistant, *, kind: str, length: str, audience: str, topic: str | None
) -> Answer:
    started = time.perf_counter()
    info = assistant.info
    papers = assistant.papers
    owner = info.owner if info else "The researcher"
    focus = _bio_papers(assistant, topic, BIO_RESULTS.get(length, 3))
    facts = corpus_facts(owner, papers, info)
    if topic and focus:
        # A focused introduction: the header, then what the corpus holds on that topic.
        years = sorted(p.year for p in focus if p.year)
        span = f", from {years[0]} to {years[-1]}" if years else ""
        noun = "paper" if len(focus) == 1 else "papers"
        facts = [*facts[:1], (f"The corpus holds {len(focus)} {noun} on {topic}{span}", focus)]
    sources = mint_sources([*focus, *[p for _, keys in facts for p in keys]])
    key_of = {s.paper.id: s.key for s in sources}
    fact_sentences = [
        Sentence(text=text, keys=[key_of[p.id] for p in cited], status="fact")
        for text, cited in facts
    ]
    model = assistant.chat_model
    qvec = assistant.searcher.embed(topic or "main contribution and results")
    chosen = [s for s in sources if s.paper.id in {p.id for p in focus}]
    for source in chosen:
        source.shown = assistant.pipeline.compressor.compress(
            source.paper, qvec, keep=2, query=topic or ""
        )
    purpose = "a talk introduction" if kind == "talk_intro" else "a short research bio"
    if topic:
        purpose += f" about {owner}'s work on {topic}"
    messages = [
        {"role": "system", "content": load("bio_system").render()},
        {
            "role": "user",
            "content": load("bio_user").render(
                purpose=purpose, audience=audience, sources=format_sources(chosen)
            ),
        },
    ]
    reply, first = collect(model, messages, SENTENCES_SCHEMA)
    checker = Checker(sources, allowed=[owner])
    results = _check_items(checker, reply)
    opening = (
        [Sentence(text=f"It is a pleasure to introduce {owner}", status="fact")]
        if kind == "talk_intro"
        else []
    )
    closing = (
        [Sentence(text=f"Please join me in welcoming {owner}", status="fact")]
        if kind == "talk_intro"
        else []
    )
    heading = "Talk introduction" if kind == "talk_intro" else "Bio"
    sections = [("", [*opening, *fact_sentences]), ("Selected work", results), ("", closing)]
    return _assemble(
        f"{heading}: {owner} (from the corpus only; every claim cited).",
        sections,
        sources,
        kind="bio",
        model=model.name,
        timings=Timings(first_token=first, total=time.perf_counter() - started),
    )


def _bio_papers(assistant: Assistant, topic: str | None, n: int) -> list[Paper]:
    """Papers to highlight: on the topic if one is given, else spread over categories."""
    if topic:
        hits = assistant.searcher.search(topic, k=n + 2)
        return close_papers(hits, LIST_RELATIVE)
    by_category: dict[str, list[Paper]] = {}
    for paper in sorted(
        assistant.papers, key=lambda p: (any(c.isdigit() for c in p.abstract), p.year or 0)
    )[::-1]:
        by_category.setdefault(paper.category, []).append(paper)
    ordered = sorted(by_category.values(), key=len, reverse=True)
    picked: list[Paper] = []
    while len(picked) < n and any(ordered):
        for group in ordered:
            if group and len(picked) < n:
                picked.append(group.pop(0))
    return picked
