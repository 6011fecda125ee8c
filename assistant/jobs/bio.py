"""`draft_bio`: a bio or talk introduction. Facts the code can state exactly (counts,
years, collaborators, the profile header) are written by code; the model writes only
per-paper sentences, checked like any answer. Nothing about positions or awards can appear
unless a source holds it.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator, Sequence

from assistant.evidence.compress import VALUE, format_sources
from assistant.evidence.english import PRAISE_WORDS, spellings
from assistant.evidence.facts import Fact
from assistant.evidence.grounding import Checker, Composer, mint_sources
from assistant.evidence.select import calibrated, listed
from assistant.jobs.sections import assemble, check_items, verified_only
from assistant.jobs.services import Services
from assistant.jobs.summarize import themes
from assistant.model.prompts import load
from assistant.model.replies import KeyedStreamer, per_source_schema
from assistant.settings import AnswerSettings
from assistant.types import (
    Answer,
    AnswerEvent,
    Citation,
    Event,
    Sentence,
    SourcesEvent,
    TextEvent,
    Timings,
)
from retrieval.models import CorpusInfo, Paper, category_name


def draft_bio(
    services: Services, *, kind: str, length: str, audience: str, topic: str | None
) -> Answer:
    for event in stream_bio(services, kind=kind, length=length, audience=audience, topic=topic):
        if isinstance(event, AnswerEvent):
            return event.answer
    raise AssertionError("stream_bio ended without an answer")  # a bug, not a user error


def stream_bio(
    services: Services, *, kind: str, length: str, audience: str, topic: str | None
) -> Iterator[Event]:
    """Sources, then the paragraph the code writes (facts, no model: shown at once), then
    the checked sentences about the highlighted papers, then the whole `Answer`."""
    started = time.perf_counter()
    info = services.info
    papers = services.papers
    policy = calibrated(services.policy, services.searcher.calibration)
    # A corpus with no owner (a Zotero library, a lab's list): its researcher, unnamed, is
    # "the speaker" of a talk and "the researcher" of a bio, never a name made up.
    owner = services.info.owner if services.info else ""
    owner = owner or ("the speaker" if kind == "talk_intro" else "the researcher")
    # On a topic: every paper the topic's list holds is counted, the first few highlighted.
    n = policy.bio_papers.get(length, 3)
    topical = _bio_papers(services, policy, topic, n)
    focus = topical[:n]
    if topic and not focus:
        # Nothing to write from: say so, and never call the model with no sources.
        refused = Answer(
            text=f"The corpus does not cover {_possessive(owner)} work on {topic}, so no "
            f"{'talk introduction' if kind == 'talk_intro' else 'bio'} on it can be written "
            "from these papers.",
            answered=False,
            kind="bio",
            model="retrieval",
            timings=Timings(total=time.perf_counter() - started),
        )
        yield SourcesEvent(citations=[])
        yield TextEvent(delta=refused.text)
        yield AnswerEvent(answer=refused)
        return
    facts = _prose_facts(owner, papers, info, topic, topical)
    sources = mint_sources([*focus, *[p for _, keys in facts for p in keys]])
    key_of = {s.paper.id: s.key for s in sources}
    fact_sentences = [
        Sentence(text=text, keys=[key_of[p.id] for p in cited], status="fact")
        for text, cited in facts
    ]
    heading = "Talk introduction" if kind == "talk_intro" else "Bio"
    intro = f"{heading}: {_capital(owner)} (from the corpus only; every claim cited)."
    opening = (
        [Sentence(text=f"It is a pleasure to introduce {owner}", status="fact")]
        if kind == "talk_intro"
        else []
    )
    yield SourcesEvent(citations=[Citation(key=s.key, paper=s.paper) for s in sources])
    preview = Composer(sources)  # the same first-use numbering the final answer uses
    for sentence in [*opening, *fact_sentences]:
        preview.add(sentence)
    yield TextEvent(delta=f"{intro}\n\n{preview.text}")
    model = services.model
    qvec = services.searcher.embed(topic or "main contribution and results")
    chosen = [s for s in sources if s.paper.id in {p.id for p in focus}]
    for source in chosen:
        source.shown = services.compressor.compress(source.paper, qvec, keep=2, query=topic or "")
    # The style example names a work the model is about to describe, in any corpus.
    surname = _surname(owner)
    work = next((name for s in chosen if (name := s.paper.name())), "this method")
    purpose = "a talk introduction" if kind == "talk_intro" else "a short research bio"
    if topic:
        purpose += f" about {_possessive(owner)} work on {topic}"
    messages = [
        {"role": "system", "content": load("bio_system").render(surname=surname, work=work)},
        {
            "role": "user",
            "content": load("bio_user").render(
                purpose=purpose, owner=owner, audience=audience, sources=format_sources(chosen)
            ),
        },
    ]
    checker = Checker(
        sources, allowed=[owner], min_overlap=policy.min_overlap, verifier=services.verifier
    )
    # One sentence per highlighted paper, under its key: the model can neither merge papers
    # nor add a sentence about the researcher at large. Each is shown once the model has
    # finished it and the code has checked it.
    streamer = KeyedStreamer()
    results: list[Sentence] = []
    first_token: float | None = None
    schema = per_source_schema([s.key for s in chosen])
    avoid = spellings(PRAISE_WORDS)  # "groundbreaking work": a judgement, not a fact
    for piece in model.stream_json(messages, schema, policy.long_reply_tokens, avoid):
        if first_token is None:
            first_token = time.perf_counter() - started
        for sentence in check_items(checker, streamer.feed(piece)):
            sentence = verified_only(sentence, services.verifier)
            results.append(sentence)
            delta = preview.delta(sentence)
            if delta:
                yield TextEvent(delta=delta)
    covered = {k for s in results if s.status != "unsupported" for k in s.keys}
    named = [  # a highlighted paper the model left out is still named
        Sentence(
            text=f"{_capital(_possessive(surname))} work includes {source.paper.title}",
            keys=[source.key],
            status="fact",
        )
        for source in chosen
        if source.key not in covered
    ]
    closing = (
        [Sentence(text=f"Please join me in welcoming {owner}", status="fact")]
        if kind == "talk_intro"
        else []
    )
    sections = [("", [*opening, *fact_sentences, *results, *named, *closing])]
    answer = assemble(
        intro,
        sections,
        sources,
        kind="bio",
        model=model.name,
        timings=Timings(first_token=first_token, total=time.perf_counter() - started).with_usage(
            getattr(model, "last_usage", None)
        ),
        prose=True,
    )
    rest = "".join(preview.delta(s) for s in [*named, *closing])
    if rest:
        yield TextEvent(delta=rest)
    yield AnswerEvent(answer=answer)


def _span(first: int | None, last: int | None) -> str:
    """' from 2018 to 2026', or ' in 2025' when both are the same year."""
    return f" in {first}" if first == last else f" from {first} to {last}"


def _surname(owner: str) -> str:
    """'Cloyne' of 'James Cloyne'; an unnamed 'the researcher' stays whole."""
    if owner.startswith("the "):
        return owner
    return owner.split()[-1] if owner.split() else owner


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") and not name.startswith("the ") else f"{name}'s"


def _prose_facts(
    owner: str,
    papers: Sequence[Paper],
    info: CorpusInfo | None,
    topic: str | None,
    focus: Sequence[Paper],
) -> list[Fact]:
    """The exact facts a person would open with, woven into sentences: the profile
    header, the areas and the years. No co-author tallies."""
    facts: list[Fact] = []
    if info is not None and info.citations is not None and info.h_index is not None:
        facts.append(
            (
                f"{_possessive(owner)} publications have been cited {info.citations:,} times, "
                f"with an h-index of {info.h_index} (profile header)",
                [],
            )
        )
    dated = sorted((p for p in (focus if topic else papers) if p.year), key=lambda p: p.year or 0)
    if topic and focus:
        # What the corpus holds, not all the researcher ever wrote; a long list is cited by
        # its first and latest paper, each bound to its year in the sentence.
        held = f"The corpus holds {len(focus)} {'paper' if len(focus) == 1 else 'papers'} by "
        held += f"{_surname(owner)} on {topic}"
        if len(focus) <= 3 or len(dated) < 2:
            span = _span(dated[0].year, dated[-1].year) if dated else ""
            facts.append((held + span, list(focus)))
        else:
            first, latest = dated[0], dated[-1]
            facts.append((f"{held}, the first in {first.year}", [first]))
            facts.append((f"The latest is from {latest.year}", [latest]))
        return facts
    counts = Counter(p.category for p in papers if p.category)
    if not counts and dated:  # no categories (a BibTeX or website corpus): count and years
        facts.append(
            (
                f"The corpus holds {len(papers)} of {_possessive(_surname(owner))} papers"
                f"{_span(dated[0].year, dated[-1].year)}",
                [dated[0], dated[-1]],
            )
        )
    if counts and dated:
        areas = [category_name(c).lower() for c, _ in counts.most_common(3)]
        listed = ", ".join(areas[:-1]) + (" and " if len(areas) > 1 else "") + areas[-1]
        example = [next(p for p in papers if p.category == c) for c, _ in counts.most_common(3)]
        facts.append(
            (
                f"{_capital(_possessive(_surname(owner)))} work spans {listed}, in papers"
                f"{_span(dated[0].year, dated[-1].year)}",
                [dated[0], *example, dated[-1]],
            )
        )
    return facts


def _bio_papers(
    services: Services, policy: AnswerSettings, topic: str | None, n: int
) -> list[Paper]:
    """On a topic, every paper its list holds (as a summary of it covers), most relevant
    first; else `n` papers to highlight, one per thread of the work."""
    if topic:
        hits = services.searcher.search(topic, k=policy.list_limit)
        return listed(hits, topic, topic, policy, services.allowed_names(), services.papers)
    # The threads of the work: the corpus's papers grouped by theme (as a summary groups
    # them), largest first; from each, the newest paper that reports a measured result.
    papers = [p for p in services.papers if p.abstract.strip()]
    if not papers:
        return []
    searcher = services.searcher
    vectors = searcher.vectors[[searcher.catalog.position[p.id] for p in papers]]
    groups = sorted(themes(vectors, policy.theme_similarity), key=len, reverse=True)
    ordered = [
        sorted(
            (papers[i] for i in group),
            key=lambda p: (bool(VALUE.search(p.abstract)), p.year or 0),
            reverse=True,
        )
        for group in groups
    ]
    picked: list[Paper] = []
    while len(picked) < n and any(ordered):
        for group in ordered:
            if group and len(picked) < n:
                picked.append(group.pop(0))
    return picked
