"""Facts the code states exactly from the corpus: the profile header, years, areas and
co-authors. Used by bios and by questions like "what is his h-index?".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from retrieval.models import CorpusInfo, Paper, category_name, normalise_name

Fact = tuple[str, list[Paper]]

HEADER = re.compile(r"\bh[- ]?index\b|\bcitations?\b|\bcited\b", re.I)
AREAS = re.compile(r"\b(?:research\s+)?(?:areas?|fields?|topics?|interests?)\b", re.I)
COAUTHORS = re.compile(
    r"\b(?:collaborat(?:ors?|es?|ed|ing|ion)|co-?authors?|work(?:s|ed)?\s+with\s+most)\b", re.I
)
SPAN = re.compile(r"\b(?:what|which)\s+years?\b|\bspan\b|\bfirst\s+paper\b", re.I)
# "Which journals has she published in?", "Where does he publish?": the venues of the
# papers, not of one paper; a publishing verb, so "which outlets did they study" is not it.
VENUES = re.compile(
    r"\b(?:which|what)\s+(?:\w+\s+)?(?:journals?|venues?|conferences?|outlets?)\b.*"
    r"\b(?:publish\w*|appear\w*)"
    r"|\bwhere\s+(?:has|have|did|does|do)\b.*\bpublish\w*",
    re.I,
)
SHOWN_VENUES = 8


def corpus_facts(owner: str, papers: Sequence[Paper], info: CorpusInfo | None) -> list[Fact]:
    """Sentences the code can state exactly, each with the papers that show it."""
    facts: list[Fact] = []
    if info is not None and info.citations is not None and info.h_index is not None:
        facts.append(
            (
                f"{owner}'s profile lists {info.paper_count or len(papers)} papers, "
                f"{info.citations:,} citations and an h-index of {info.h_index} (profile header)",
                [],
            )
        )
    dated = sorted((p for p in papers if p.year), key=lambda p: p.year or 0)
    if dated:
        facts.append(
            (
                f"The papers here span {dated[0].year} to {dated[-1].year}",
                [dated[0], dated[-1]],
            )
        )
    counts = Counter(p.category for p in papers if p.category)
    if counts:
        top = counts.most_common(3)
        example = {c: next(p for p in papers if p.category == c) for c, _ in top}
        listed = ", ".join(f"{category_name(c)} ({n} papers)" for c, n in top)
        facts.append(
            (
                f"The largest research areas are {listed}; one example of each is cited",
                list(example.values()),
            )
        )
    owner_key = normalise_name(owner)
    coauthors = Counter(
        a for p in papers for a in p.authors if normalise_name(a) != owner_key
    ).most_common(3)
    frequent = [(a, n) for a, n in coauthors if n >= 2]
    if frequent:
        cited = [p for a, _ in frequent for p in papers if a in p.authors][:4]
        names = ", ".join(f"{a} ({n} papers)" for a, n in frequent)
        facts.append((f"Frequent co-authors (among the listed authors) include {names}", cited))
    return facts


def venue_fact(papers: Sequence[Paper]) -> Fact:
    """The venues the records name, most papers first, each with one paper that shows it."""
    counts = Counter(p.venue for p in papers if p.venue)
    if not counts:
        return ("The corpus's records give no venues", [])
    shown = counts.most_common(SHOWN_VENUES)
    listed = "; ".join(f"{v} ({n} paper{'s' if n > 1 else ''})" for v, n in shown)
    more = f"; and {len(counts) - len(shown)} more" if len(counts) > len(shown) else ""
    cited = [next(p for p in papers if p.venue == v) for v, _ in shown]
    kinds = "venue" if len(counts) == 1 else "venues"
    return (f"The records name {len(counts)} {kinds}: {listed}{more}", cited)


def facts_for(
    question: str, owner: str, papers: Sequence[Paper], info: CorpusInfo | None
) -> list[Fact]:
    """The corpus facts a question asks for (header, areas, co-authors, years, venues)."""
    if VENUES.search(question):
        return [venue_fact(papers)]
    all_facts = corpus_facts(owner, papers, info)
    wanted = []
    for fact in all_facts:
        text = fact[0]
        if (
            (HEADER.search(question) and "h-index" in text)
            or (AREAS.search(question) and "research areas" in text)
            or (COAUTHORS.search(question) and "co-authors" in text)
            or (SPAN.search(question) and "span" in text)
        ):
            wanted.append(fact)
    return wanted
