"""`draft_bio`: a bio or talk introduction. Facts the code can state exactly (counts,
years, collaborators, the profile header) are written by code; the model writes only
per-paper sentences, checked like any answer. Nothing about positions or awards can appear
unless a source holds it.
"""

from __future__ import annotations

import time

from assistant.evidence.compress import format_sources
from assistant.evidence.facts import corpus_facts
from assistant.evidence.grounding import Checker, mint_sources
from assistant.evidence.select import close_papers
from assistant.jobs.sections import assemble, check_items
from assistant.jobs.services import Services
from assistant.model.prompts import load
from assistant.model.replies import SENTENCES_SCHEMA, collect
from assistant.types import Answer, Sentence, Timings
from retrieval.models import Paper


def draft_bio(
    services: Services, *, kind: str, length: str, audience: str, topic: str | None
) -> Answer:
    started = time.perf_counter()
    info = services.info
    papers = services.papers
    policy = services.policy
    owner = services.owner
    focus = _bio_papers(services, topic, policy.bio_papers.get(length, 3))
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
    model = services.model
    qvec = services.searcher.embed(topic or "main contribution and results")
    chosen = [s for s in sources if s.paper.id in {p.id for p in focus}]
    for source in chosen:
        source.shown = services.compressor.compress(source.paper, qvec, keep=2, query=topic or "")
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
    reply = collect(model.stream_json(messages, SENTENCES_SCHEMA, policy.long_reply_tokens))
    checker = Checker(sources, allowed=[owner], min_overlap=policy.min_overlap)
    results = check_items(checker, reply.sentences)
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
    return assemble(
        f"{heading}: {owner} (from the corpus only; every claim cited).",
        sections,
        sources,
        kind="bio",
        model=model.name,
        timings=Timings(first_token=reply.first_token, total=time.perf_counter() - started),
    )


def _bio_papers(services: Services, topic: str | None, n: int) -> list[Paper]:
    """Papers to highlight: on the topic if one is given, else spread over categories."""
    if topic:
        hits = services.searcher.search(topic, k=n + 2)
        return close_papers(hits, services.policy.list_relative, services.policy.min_relevance)
    by_category: dict[str, list[Paper]] = {}
    for paper in sorted(
        services.papers, key=lambda p: (any(c.isdigit() for c in p.abstract), p.year or 0)
    )[::-1]:
        by_category.setdefault(paper.category, []).append(paper)
    ordered = sorted(by_category.values(), key=len, reverse=True)
    picked: list[Paper] = []
    while len(picked) < n and any(ordered):
        for group in ordered:
            if group and len(picked) < n:
                picked.append(group.pop(0))
    return picked
