"""Query analysis: natural language -> metadata filters, intent and the topical remainder.

Count and list questions are answered exactly from metadata, never from similarity.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from retrieval.coauthor import COAUTHOR_WORDS, find_author, name_parts, name_patterns
from retrieval.dates import LAST_YEARS, NUMBER_WORDS, RELATIVE_YEARS, YEAR_PATTERNS
from retrieval.intent import (
    ABOUT_VERB,
    BARE_YEAR,
    COUNT,
    DESCRIBES_ONE,
    DONE,
    FIRST_AUTHOR,
    GATHER,
    IN_CORPUS,
    INCLUDED,
    LIST,
    ONE_OF,
    PICK_NEWEST,
    PICK_OLDEST,
    PICK_SOME,
    RECENT,
    SOLO,
    WHERE,
    WHICH_OF,
    WHOSE,
)
from retrieval.models import CATEGORY_NAMES, Filters
from retrieval.text import STOPWORDS
from retrieval.venues import venue_in

Intent = Literal["count", "list", "question"]

# Names people use for categories, beyond the canonical ones.
CATEGORY_ALIASES: dict[str, str] = {
    **{name.lower(): code for code, name in CATEGORY_NAMES.items()},
    "vision": "CV",
    "nlp": "CL",
    "natural language processing": "CL",
    "language": "CL",
    "ml": "LG",
    "hci": "HC",
    "finance": "CP",
    "quantitative finance": "CP",
    "statistics": "ST",
    "audio": "SD",
    "speech": "SD",
}
_CAT_NAMES = "|".join(sorted((re.escape(a) for a in CATEGORY_ALIASES), key=len, reverse=True))
_CODES = "|".join(CATEGORY_NAMES)
# "computation and language" reaches the topic as "computation language".
_CATEGORY_BY_WORDS = {
    " ".join(w for w in alias.split() if w not in STOPWORDS): code
    for alias, code in CATEGORY_ALIASES.items()
}
# A category is only a filter when phrased as one: "computer vision papers", "papers in NLP",
# "in the CV category" -- "machine learning for knowledge graphs" stays a topic.
CATEGORY_PATTERNS = [
    re.compile(rf"\b(?P<cat>{_CAT_NAMES})\s+(?:papers?|works?|publications?|category)\b", re.I),
    re.compile(
        rf"\b(?:papers?|works?|publications?)\s+(?:in|on|from|about)\s+(?:the\s+)?"
        rf"(?P<cat>{_CAT_NAMES})(?:\s+category)?\s*(?:[?.!,]|$)",
        re.I,
    ),
    re.compile(rf"\b(?P<code>{_CODES})\s+(?:papers?|category)\b"),
    # "in cs.CL", "stat.ML papers": an arXiv category as arXiv writes it
    re.compile(rf"\b(?:cs|stat|eess|math|q-fin|econ|physics)\.(?P<code>{_CODES})\b"),
    re.compile(rf"\bin\s+(?:the\s+)?(?P<cat>{_CAT_NAMES}|{_CODES})\s+category\b", re.I),
]
# A topic made only of these is no topic: the question is a metadata list.
EMPTY_TOPIC = frozenset(
    """co author authors authored coauthor coauthors co-author co-authors co-authored joint
    jointly together collaboration collaborations collaborated anything something everything
    research topic topics field area areas published publish publications paper papers work
    works did he she they his her their all any some recent latest first earliest listed
    dated date dates carry carries bear bears shown here included total overall these
    those got get gets have has had put out things stuff pubs alone only just list library
    collection title titles count saved stored bookmarked""".split()
)
CODE_YES = re.compile(
    r"\b(?:with|have|has|having|that\s+(?:have|has)|released|release|providing|"
    r"(?:publicly\s+)?available)\s+(?:public\s+|released\s+|open[- ]source\s+|source\s+)?code\b"
    r"|\bcode\s+(?:is\s+|was\s+)?(?:available|released|public)\b|\bopen[- ]sourced?\b"
    # "which have github repos?", "with a repository"
    r"|\b(?:with|have|has|having)\s+(?:an?\s+|public\s+)?(?:github|gitlab|code)?\s*"
    r"(?:repos?|repositor(?:y|ies))\b|\b(?:with|have|has|having)\s+(?:a\s+)?github\b",
    re.I,
)
CODE_NO = re.compile(r"\b(?:without|no|lacking)\s+(?:public\s+|released\s+)?code\b", re.I)
LIST_WORDS = frozenset(
    """which what list show name give me find all every many how number count did write wrote
    written publish published co authored co-authored coauthored appear appeared released there
    any code available category he she they year years since after before between during until
    does have say says tell know summarize summarise summary overview describe draft short long
    talk introduction intro bio biography deal deals dealing each""".split()
)


class QueryPlan(BaseModel):
    """What the analyzer made of a question."""

    model_config = ConfigDict(extra="forbid")

    question: str
    intent: Intent = "question"
    filters: Filters = Field(default_factory=Filters)
    topic: str = Field(default="", description="The question minus its filter phrases.")
    pick: Literal["newest", "oldest"] | None = Field(
        default=None, description="'most recent paper' / 'first paper': one paper by date."
    )
    picks: int = Field(default=1, description="'the three most recent papers': how many.")

    @property
    def query(self) -> str:
        """The topic as searched: its coordinators ("A and B") mean nothing to a search and
        move an embedding across a threshold."""
        return re.sub(r"\s+(?:and|or)\s+", " ", self.topic)

    @property
    def is_metadata_only(self) -> bool:
        """A list/count question whose whole content is filters (maybe none: all papers)."""
        return self.intent in ("count", "list") and not self.topic


# Words about the request itself, never its topic: who is asked about ("this researcher",
# "his work"), what is asked for ("tell me", "draft", "based on these publications") and
# how people write questions ("whats").
REQUEST_WORDS = frozenset(
    """researcher researchers scientist author authors he she him his her hers they them their
    published publish publishes publication publications paper papers article articles work
    works research tell me please could would you can based these those this whats what's
    hes he's draft write came come comes out appeared appear here anything something
    found item items entry entries everything""".split()
)


def analyze(
    question: str,
    *,
    authors: list[str] | None = None,
    owner: str | None = None,
    today: date | None = None,
    categories: Collection[str] | None = None,
    venues: Collection[str] = (),
) -> QueryPlan:
    """Turn a question into filters + intent. `authors` are the corpus's known names;
    `categories` its category codes: a category filter only where the corpus has that
    category (a BibTeX corpus has none, so "machine learning" stays a topic); None when
    unknown; `venues` its venue strings (a venue filter only for a name one of them holds)."""

    def known(code: str) -> bool:
        return categories is None or code in categories

    today = today or date.today()
    text = question
    filters: dict[str, object] = {}
    spans: list[tuple[int, int]] = []

    for pattern, kind in YEAR_PATTERNS:
        m = pattern.search(text)
        if not m:
            continue
        years = [int(g) for g in m.groups()]
        if kind == "pair" and abs(years[0] - years[1]) != 1:
            continue  # "2019 and 2023" is not every year between them
        if kind == "decade":
            filters["year_from"], filters["year_to"] = years[0], years[0] + 9
        elif kind in ("range", "pair"):
            filters["year_from"], filters["year_to"] = min(years), max(years)
        elif kind == "since":
            filters["year_from"] = years[0]
        elif kind == "after":
            filters["year_from"] = years[0] + 1
        elif kind == "before":
            filters["year_to"] = years[0] - 1
        elif kind == "until":
            filters["year_to"] = years[0]
        else:
            filters["year_from"] = filters["year_to"] = years[0]
        spans.append(m.span())
        break
    else:
        last = LAST_YEARS.search(text)
        if last:
            n = last["n"].lower()
            filters["year_from"] = today.year - (int(n) if n.isdigit() else NUMBER_WORDS[n])
            spans.append(last.span())
        for pattern, offset in [] if last else RELATIVE_YEARS:
            m = pattern.search(text)
            if m:
                filters["year_from"] = filters["year_to"] = today.year + offset
                spans.append(m.span())
                break

    for pattern in CATEGORY_PATTERNS:
        m = pattern.search(text)
        if m:
            groups = m.groupdict()
            code = groups.get("code") or ""
            name = (groups.get("cat") or "").lower()
            chosen = code or CATEGORY_ALIASES.get(name, name.upper())
            if known(chosen):
                filters["categories"] = [chosen]
                # "cs.CL": the archive goes with its code
                spans.append(m.span() if "." in m.group() else m.span("code" if code else "cat"))
            break

    m_no = CODE_NO.search(text)
    m_yes = CODE_YES.search(text)
    if m_no:
        filters["has_code"] = False
        spans.append(m_no.span())
    elif m_yes:
        filters["has_code"] = True
        spans.append(m_yes.span())

    if owner:
        for form in name_patterns(owner):
            spans.extend(found.span() for found in re.finditer(form, text.lower()))
        # "Shum's papers on video", "What did Shum publish?": the owner by surname alone,
        # capitalised as a name is
        surname = re.escape(owner.split()[-1]) if owner.split() else ""
        spans.extend(
            m.span() for m in re.finditer(rf"(?<![\w-]){surname}(?:['’]s)?(?![\w-])", text)
        )
        # "yichi's papers": the owner by given name, as whose papers they are
        if len(owner.split()) > 1:
            given = re.escape(owner.split()[0])
            found = re.finditer(rf"(?<![\w-]){given}['’]s(?![\w-])", text, re.I)
            spans.extend(m.span() for m in found)
    author = find_author(text, authors or [], owner)
    if not owner and not author:
        spans.extend(m.span() for m in WHOSE.finditer(text))
    spans.extend(m.span("verb") for m in ABOUT_VERB.finditer(text))
    spans.extend(m.span() for m in IN_CORPUS.finditer(text))
    if author:
        filters["author"] = author[0]
        spans.append(author[1])
        # "Yichi Zhang co-author with Shane Storks" where the owner is unknown: the name
        # after "with" is the filter, the other must be on the papers too, never a topic.
        rest = text[: author[1][0]] + " " * (author[1][1] - author[1][0]) + text[author[1][1] :]
        other = find_author(rest, authors or [], owner)
        if other:  # both are on the papers asked for ("What did Ray and Taneja publish?")
            spans.append(other[1])
            filters["coauthor"] = other[0]
            if re.search(r"\bwith\s+$", text[: other[1][0]], re.I) and not re.search(
                r"\bwith\s+$", text[: author[1][0]], re.I
            ):
                filters["author"], filters["coauthor"] = other[0], author[0]
        # "tom miller (Thomas F. Miller)": the surname said again, after a nickname or alone,
        # is the same person, not a topic
        surname = name_parts(author[0])[-1] if name_parts(author[0]) else ""
        if len(surname) > 2:
            said = re.finditer(
                rf"(?<![\w-])(?:[a-z]+\s+)?{re.escape(surname)}(?![\w-])", text, re.I
            )
            spans.extend(m.span() for m in said)

    if solo := SOLO.search(text):
        filters["solo"] = True
        spans.append(solo.span())
    first = FIRST_AUTHOR.search(text)
    if first and (author or owner):  # "papers where Ray is first author", "her first-author papers"
        filters["first_author"] = filters.pop("author") if author else owner
        spans.append(first.span())
    pick: Literal["newest", "oldest"] | None = None
    picks = 1
    some = PICK_SOME.search(text)
    if some:
        n = some["n"].lower()
        picks = int(n) if n.isdigit() else NUMBER_WORDS[n]
        newest = some["which"].lower().split()[-1] in ("recent", "latest", "newest", "last")
        pick = "newest" if newest else "oldest"
        spans.append(some.span())
    for pattern, which in [] if some else ((PICK_NEWEST, "newest"), (PICK_OLDEST, "oldest")):
        m = pattern.search(text)
        if m:
            pick = which  # type: ignore[assignment]
            spans.append(m.span())
            break
    if author:
        spans.extend(m.span() for m in COAUTHOR_WORDS.finditer(text))
    spans.extend(m.span() for m in WHERE.finditer(text))
    spans.extend(m.span() for m in DONE.finditer(text))
    spans.extend(m.span() for m in GATHER.finditer(text))
    spans.extend(m.span() for m in RECENT.finditer(text))

    intent: Intent = "question"
    if COUNT.search(text):
        intent = "count"
    elif (LIST.search(text) and not ONE_OF.search(text)) or pick:
        intent = "list"
    venue = venue_in(text, venues, listing=intent != "question")
    if venue:
        filters["venue"] = venue[0]
        spans.append(venue[1])
    if intent != "question":
        spans.extend(m.span() for m in INCLUDED.finditer(text))
    if intent != "question" and "year_from" not in filters and "year_to" not in filters:
        alone = list(BARE_YEAR.finditer(text))
        if len(alone) == 1:  # "2025 alone - how many of his papers ...?"
            filters["year_from"] = filters["year_to"] = int(alone[0][1])
            spans.append(alone[0].span())
    topic = _topic(text, spans)
    if intent == "list" and WHICH_OF.search(text) and len(topic.split()) >= DESCRIBES_ONE:
        intent = "question"  # a paper described in a sentence is one paper, asked about
    if intent == "question" and not topic and filters:  # "Joint work with B. Wang?"
        intent = "list"
    if intent != "question" and not filters.get("categories"):
        bare = " ".join(w for w in topic.lower().split() if w not in STOPWORDS)
        code = _CATEGORY_BY_WORDS.get(bare) or (topic if topic in CATEGORY_NAMES else None)
        if code and known(code):  # "Which papers are about computer vision?": the category
            filters["categories"] = [code]
            topic = ""
    if intent != "question" and set(re.findall(r"[\w-]+", topic.lower())) <= EMPTY_TOPIC | {
        "and",
        "or",
    }:
        topic = ""
    return QueryPlan(
        question=question,
        intent=intent,
        filters=Filters(**filters),
        topic=topic,
        pick=pick,
        picks=picks,
    )


def _topic(text: str, spans: list[tuple[int, int]]) -> str:
    """What is left once filter phrases, list words and stopwords are taken out."""
    chars = list(text)
    for start, end in spans:
        for i in range(start, end):
            chars[i] = " "
    words = re.findall(r"[A-Za-z0-9][A-Za-z0-9\-']*", "".join(chars))
    kept = [_content(w) for w in words]
    # "misinformation and fact-checking": the coordinator between two topic words stays, so
    # a list can take a record on either side (`select.alternatives`).
    return " ".join(
        w
        for i, w in enumerate(words)
        if kept[i]
        or (w.lower() in ("and", "or") and 0 < i < len(words) - 1 and kept[i - 1] and kept[i + 1])
    )


def _content(word: str) -> bool:
    lowered = word.lower()
    bare = re.sub(r"['’]s$", "", lowered)  # "what's", "this researcher's"
    return (
        lowered not in STOPWORDS
        and bare not in LIST_WORDS
        and bare not in REQUEST_WORDS
        and lowered not in {"in", "on", "to", "of", "s", "his", "her", "their", "field"}
        and not re.fullmatch(r"(?:19|20)\d\d", word)
    )
