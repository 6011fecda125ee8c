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
# Said of the papers: a question about a glacier's years is not one about the corpus's.
_PAPERS = (
    r"(?=.*\b(?:papers?|publications?|publish\w*|wr(?:ote|itten|ite)|works?|research|output|"
    r"library|collection|corpus)\b)"
)
SPAN = re.compile(
    rf"{_PAPERS}\b(?:what|which)\s+years?\b(?!.*\bmost\b)|\bspan\b|\bfirst\s+paper\b"
    # "When did she start publishing?", "how long has he been publishing?"
    r"|\bwhen\s+did\s+\w+(?:\s+\w+)?\s+(?:start|begin)\s+(?:to\s+)?(?:publish|writ)\w*"
    r"|\bhow\s+long\s+has\b.*\bpublish",
    re.I,
)
# "Which year did he publish the most?", "her most productive year"
BUSIEST = re.compile(
    rf"{_PAPERS}\b(?:what|which)\s+years?\b.*\bmost\b|\bmost\s+(?:productive|prolific)\s+year\b"
    r"|\bbusiest\s+year\b",
    re.I,
)
PER_PAPER_CITED = re.compile(r"\bmost[- ](?:cited|citations)\b|\bcited\s+the\s+most\b", re.I)
HOW_MANY_COAUTHORS = re.compile(r"\bhow\s+many\s+(?:different\s+)?co-?authors\b", re.I)
# "Which journals has she published in?", "Where does he publish?": the venues of the
# papers, not of one paper; a publishing verb, so "which outlets did they study" is not it.
VENUES = re.compile(
    r"\b(?:which|what)\s+(?:\w+\s+)?(?:journals?|venues?|conferences?|outlets?)\b.*"
    r"\b(?:publish\w*|appear\w*)"
    # "Where does he publish?", not "where did they publish the dataset?"
    r"|\bwhere\s+(?:has|have|did|does|do)\s+\S+(?:\s+\S+)?\s+publish(?:ed)?\s*"
    r"(?:most(?:ly)?|usually|often|in|at)?\s*[?.!]*\s*$"
    r"|\b(?:publish\w*|appear\w*)\s+(?:in|at)\s+(?:which|what)\s+(?:journals?|venues?|conferences?)",
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


# Where a venue string goes on past the venue's name: its volume, issue, pages or number
# ("American Economic Review, Volume 103(4), 1507-1528", "NBER Working Paper 30246").
VENUE_DETAIL = re.compile(
    r",?\s+(?:Volume|Vol\.|Issue|No\.|pp\.)\s.*$|,\s*\d.*$|\s+\d[\w()\-–:,. ]*$", re.I
)


def venue_name(venue: str) -> str:
    return VENUE_DETAIL.sub("", venue).strip(" ,") or venue


def venue_fact(papers: Sequence[Paper]) -> Fact:
    """The venues the records name, most papers first, each with one paper that shows it."""
    counts = Counter(venue_name(p.venue) for p in papers if p.venue)
    if not counts:
        return ("The corpus's records give no venues", [])
    shown = counts.most_common(SHOWN_VENUES)
    listed = "; ".join(f"{v} ({n} paper{'s' if n > 1 else ''})" for v, n in shown)
    more = f"; and {len(counts) - len(shown)} more" if len(counts) > len(shown) else ""
    cited = [next(p for p in papers if p.venue and venue_name(p.venue) == v) for v, _ in shown]
    kinds = "venue" if len(counts) == 1 else "venues"
    return (f"The records name {len(counts)} {kinds}: {listed}{more}", cited)


def of_the_papers(question: str) -> bool:
    """A question about the papers as a whole that the corpus's facts answer, however it
    is phrased ("which years do his papers cover?", "which journals ...")."""
    return any(p.search(question) for p in (SPAN, VENUES, BUSIEST, HOW_MANY_COAUTHORS))


def busiest_year(papers: Sequence[Paper]) -> Fact:
    """The year with the most papers (all such years on a tie), its papers cited."""
    counts = Counter(p.year for p in papers if p.year)
    if not counts:
        return ("The records give no years", [])
    most = max(counts.values())
    years = sorted(y for y, n in counts.items() if n == most)
    cited = [p for p in papers if p.year in years][:4]
    which = " and ".join(str(y) for y in years)
    return (f"The most papers in one year: {most}, in {which}", cited)


def coauthor_count(owner: str, papers: Sequence[Paper]) -> Fact:
    """How many different co-authors the author lists name; "at least" where a record
    shortens its list."""
    owner_key = normalise_name(owner)
    people = {normalise_name(a) for p in papers for a in p.authors} - {owner_key, ""}
    least = "at least " if any(p.authors_truncated for p in papers) else ""
    return (f"The author lists name {least}{len(people)} different co-authors", [])


def facts_for(
    question: str, owner: str, papers: Sequence[Paper], info: CorpusInfo | None
) -> list[Fact]:
    """The corpus facts a question asks for (header, areas, co-authors, years, venues)."""
    if VENUES.search(question):
        return [venue_fact(papers)]
    if BUSIEST.search(question):
        return [busiest_year(papers)]
    if HOW_MANY_COAUTHORS.search(question):
        return [coauthor_count(owner, papers)]
    if PER_PAPER_CITED.search(question):
        header = [f for f in corpus_facts(owner, papers, info) if "h-index" in f[0]]
        return [("The records give no citation count for any one paper", []), *header]
    if HEADER.search(question) and not (info and info.citations is not None):
        return [("The corpus has no profile header: its records give no citations or h-index", [])]
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
