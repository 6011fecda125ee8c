"""`summarize`: a topic's papers (or a filter's) as a synthesis: the code's overview of
the body of work, then a paragraph per theme, then what the papers say is left open.

The model writes each theme's paragraph, whose sentences may speak for several papers;
each is verified against its cited records like any answer, and shown only then. A paper
no kept sentence covers is still named, as a fact.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterator, Sequence

import numpy as np

from assistant.evidence.compress import format_sources
from assistant.evidence.english import OPEN_ENDS, PURPOSE_ONLY
from assistant.evidence.grounding import Checker, Source, claims, mint_sources
from assistant.evidence.select import calibrated, listed
from assistant.jobs.named import quote, title_name
from assistant.jobs.sections import (
    Renderer,
    by_authors,
    check_items,
    verified_only,
    with_subject,
)
from assistant.jobs.services import Services
from assistant.model.prompts import load
from assistant.model.replies import PredicateStreamer, predicate_schema
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
from retrieval.models import Filters, Paper
from retrieval.text import split_sentences, tokenize


def summarize(services: Services, topic: str | None, filters: Filters) -> Answer:
    for event in stream_summary(services, topic, filters):
        if isinstance(event, AnswerEvent):
            return event.answer
    raise AssertionError("summary stream ended without an answer")  # a bug


def stream_summary(services: Services, topic: str | None, filters: Filters) -> Iterator[Event]:
    """Sources, the opening the code writes (how many papers, which years, which paper
    follows which), then each theme as a paragraph the model writes and the code checks
    sentence by sentence (a sentence may speak for several papers; one the verifier cannot
    pass is dropped), then the final answer (whose text is exactly what was streamed).
    The papers are the ones the topic's list holds, all of them, a theme at a time."""
    started = time.perf_counter()
    searcher = services.searcher
    policy = calibrated(services.policy, searcher.calibration)
    if topic and topic.strip():
        query_vector = searcher.embed(topic)
        hits = searcher.search(
            topic, k=policy.list_limit, filters=filters, query_vector=query_vector
        )
        papers = listed(hits, topic, topic, policy, services.allowed_names(), services.papers)
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
        compressor.contributions(
            p, query_vector if query_vector is not None else vectors[i], keep=1, query=topic
        )
        for i, p in enumerate(papers)
    ]
    sources = mint_sources(papers, shown)
    yield SourcesEvent(citations=[Citation(key=s.key, paper=s.paper) for s in sources])
    renderer = Renderer(sources, prose=True)
    opening = [
        Sentence(text=text, keys=[_key(sources, p) for p in cited], status="fact")
        for text, cited in overview(topic, [s.paper for s in sources])
    ]
    intro = ""  # the opening is the overview's facts, rendered as the first block
    for sentence in opening:
        delta = renderer.line("", sentence)
        if delta:
            yield TextEvent(delta=delta.lstrip("\n"))
    checker = Checker(
        sources,
        services.allowed_names(),
        min_overlap=policy.min_overlap,
        verifier=services.verifier,
    )
    model = services.model
    by_key = {s.key: s for s in sources}
    seen_headings: set[str] = set()
    shown_words: list[set[str]] = []  # of each sentence shown
    usage: dict[str, float] = {}  # token counts and server seconds, summed over the calls
    first_token: float | None = None
    # A record with no abstract has nothing to summarize: it is named at the end, and the
    # model never sees it (shown only its title, the model wrote the title back).
    bare = [s for s in sources if not s.paper.abstract.strip()]
    with_text = [i for i, s in enumerate(sources) if s.paper.abstract.strip()]
    for group in themes(vectors[with_text], policy.theme_similarity):
        group_sources = [sources[with_text[i]] for i in group]
        for start in range(0, len(group_sources), policy.chunk):
            chunk = group_sources[start : start + policy.chunk]
            heading = ""  # decided by the chunk's first kept sentence
            covered: set[str] = set()
            labels = subjects(chunk)
            messages = [
                {"role": "system", "content": load("summary_system").render()},
                {
                    "role": "user",
                    "content": load("summary_user").render(
                        topic=topic,
                        sources=format_sources(
                            chunk,
                            labels={
                                k: _dated(label, by_key[k].paper)
                                for label, (k, _) in labels.items()
                            },
                        ),
                    ),
                },
            ]
            streamer = PredicateStreamer(
                {label: (int(k), s) for label, (k, s) in labels.items()}, with_subject
            )
            schema = predicate_schema([int(s.key) for s in chunk], list(labels))
            for piece in model.stream_json(messages, schema, policy.long_reply_tokens):
                if first_token is None:
                    first_token = time.perf_counter() - started
                # Each sentence is shown once it is complete and verified.
                for sentence in check_items(checker, streamer.feed(piece)):
                    sentence = by_authors(verified_only(sentence, services.verifier), by_key)
                    if sentence.status == "unsupported":
                        renderer.line(heading, sentence)  # recorded, never shown
                        continue
                    if _echoes(sentence.text, topic):
                        continue
                    covered.update(sentence.keys)
                    if _repeats(sentence.text, shown_words):
                        continue
                    shown_words.append(set(tokenize(sentence.text)))
                    heading = heading or _heading(streamer.theme(), chunk, seen_headings)
                    delta = renderer.line(heading, sentence)
                    if delta:
                        yield TextEvent(delta=delta)
            for name, value in (getattr(model, "last_usage", None) or {}).items():
                usage[name] = usage.get(name, 0.0) + value
            skipped = [s for s in chunk if s.key not in covered]
            if skipped:  # the model skipped it or said nothing verifiable: still list it
                heading = heading or _heading("", chunk, seen_headings)
                delta = renderer.line(heading, _also(skipped, bool(covered)))
                if delta:
                    yield TextEvent(delta=delta)
    ends = left_open([s.paper for s in sources])
    for paper, said in ends:  # only when the abstracts say so; quoted, as written
        delta = renderer.line(
            "What the papers leave open", quote(_key(sources, paper), paper, said)
        )
        if delta:
            yield TextEvent(delta=delta)
    if bare:
        refs = [s.paper.short_ref() for s in bare]
        text = f"Also on {topic}, with no abstract in the corpus: " + _joined(refs)
        delta = renderer.line(
            "Without an abstract", Sentence(text=text, keys=[s.key for s in bare], status="fact")
        )
        if delta:
            yield TextEvent(delta=delta)
    yield AnswerEvent(
        answer=renderer.answer(
            intro,
            kind="summarize",
            model=model.name,
            timings=Timings(
                retrieval=retrieval, first_token=first_token, total=time.perf_counter() - started
            ).with_usage(usage),
        )
    )


def _repeats(text: str, said: Sequence[set[str]], share: float = 0.7) -> bool:
    """Most of the shorter sentence's words are in an earlier one (the model's sentence on
    what a paper shares with no other, then that paper's own sentence)."""
    words = set(tokenize(text))
    return any(len(words & other) >= share * min(len(words), len(other)) for other in said)


def _echoes(text: str, topic: str) -> bool:
    """'Agents follow natural-language instructions' for the topic 'agents following
    natural-language instructions': the request said back, not a finding."""
    return len(set(tokenize(text)) - set(tokenize(topic))) < 2


def _dated(label: str, paper: Paper) -> str:
    """'MAGI (2025)': the year beside the name, so the model can tell what came first."""
    return f"{label} ({paper.year})" if paper.year and str(paper.year) not in label else label


def subjects(chunk: Sequence[Source]) -> dict[str, tuple[str, str]]:
    """Each source's label in the prompt and reply (unique) -> (its key, the subject its
    sentence is shown with): the paper's name ("MAGI"), else how a reader cites it
    ("Kerner et al. (2019)"), else its title."""
    out: dict[str, tuple[str, str]] = {}
    for source in chunk:
        paper = source.paper
        label = paper.name() or paper.cited_as() or paper.title
        label = label if label not in out else f"{label} [{source.key}]"
        # "One paper" until checked: "Kerner et al. (2019)" would be split at "al." as two
        # sentences; `by_authors` then names the paper as a reader cites it.
        out[label] = (source.key, paper.name() or "One paper")
    return out


def left_open(papers: Sequence[Paper], limit: int = 3) -> list[tuple[Paper, str]]:
    """Sentences where a paper names what it leaves open or what should come next, from
    the second half of its abstract (the first half states the problem the paper then
    takes on), newest papers first, at most `limit`."""
    found: list[tuple[Paper, str]] = []
    for paper in sorted(papers, key=lambda p: p.year or 0, reverse=True):
        parts = split_sentences(paper.abstract)
        for i, sentence in enumerate(parts):
            # a purpose clause ("to enable future research") does not count
            if i >= len(parts) / 2 and OPEN_ENDS.search(PURPOSE_ONLY.sub(" ", sentence)):
                found.append((paper, sentence))
                break
    return found[:limit]


def _key(sources: Sequence[Source], paper: Paper) -> str:
    return next(s.key for s in sources if s.paper.id == paper.id)


def _also(skipped: Sequence[Source], after_text: bool) -> Sentence:
    """The papers of a theme no kept sentence covers, named as facts."""
    lead = "Also on this theme" if after_text else "On this theme"
    refs = _joined([s.paper.short_ref() for s in skipped])
    return Sentence(text=f"{lead}: {refs}", keys=[s.key for s in skipped], status="fact")


def _joined(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def overview(topic: str, papers: Sequence[Paper]) -> list[tuple[str, list[Paper]]]:
    """What the code can say of the body of work before any model call: how many papers,
    over which years, and which paper takes its name from an earlier one (a name is a
    fact; what one paper owes another is not, so nothing more is said)."""
    dated = sorted((p for p in papers if p.year), key=lambda p: p.year or 0)
    noun = "paper" if len(papers) == 1 else "papers"
    span = ""
    if dated:
        first, last = dated[0].year, dated[-1].year
        span = f" in {first}" if first == last else f", from {first} to {last}"
        if first != last:
            busiest, count = Counter(p.year for p in dated).most_common(1)[0]
            if count > 1 and count * 2 > len(dated):
                span += f" ({count} of them in {busiest})"
    out: list[tuple[str, list[Paper]]] = [(f"{len(papers)} {noun} on {topic}{span}", [])]
    for later, earlier in lineage(papers):
        out.append((f"{_named(later)} takes its name from {_named(earlier)}", [later, earlier]))
    return out


def _named(paper: Paper) -> str:
    """'Follow-Your-Emoji (2024)': the title's name as the title writes it, else the title."""
    name = paper.name() or paper.title
    return f"{name} ({paper.year})" if paper.year else name


def lineage(papers: Sequence[Paper]) -> list[tuple[Paper, Paper]]:
    """(later, earlier) pairs where the later title's name starts with the earlier one's
    ("Follow-Your-Emoji-Faster" after "Follow-Your-Emoji")."""
    pairs = []
    for later in papers:
        name = title_name(later)
        for earlier in papers:
            base = title_name(earlier)
            if (
                base
                and earlier is not later
                and name != base
                and re.match(re.escape(base) + r"(?![a-z0-9])", name)
                and (earlier.year or 0) <= (later.year or 0)
            ):
                pairs.append((later, earlier))
    return pairs


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
    heading = heading[:1].upper() + heading[1:]
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
