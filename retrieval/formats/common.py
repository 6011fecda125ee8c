"""What every importer shares: cleaning field text, identifiers, dates, and building a Paper.

Importers turn their records into a `Draft` (plain fields, already cleaned) and call
`draft_to_paper`, so ids, code links, DOI and arXiv handling are the same for every format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from retrieval.latex import clean_latex, extract_urls, github_url, make_id, unique_id
from retrieval.models import DatePrecision, Paper, category_name
from retrieval.names import clean_name, strip_html
from retrieval.profile import MONTHS

_DOI_RE = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>{}]+)", re.IGNORECASE)
_ARXIV_RE = re.compile(r"(?<![\d.])(\d{4}\.\d{4,5})(?:v\d+)?(?![\d.])")
_OLD_ARXIV_RE = re.compile(r"\b([a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?\b")
_DATE_RE = re.compile(r"(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?")
_MONTH_WORD_RE = re.compile(r"\b(" + "|".join(MONTHS) + r")[a-z]*\.?\b", re.IGNORECASE)


def text_of(value: Any) -> str:
    """Clean prose from a field: HTML tags and LaTeX markup removed, spaces collapsed."""
    if value is None:
        return ""
    if isinstance(value, list):
        value = " ".join(str(v) for v in value if v is not None)
    text = strip_html(str(value))
    text = re.sub(r"(?<!-)---(?!-)", "—", re.sub(r"(?<![-!])--(?![->])", "–", text))
    return clean_latex(text)


def abstract_of(value: Any) -> str:
    """An abstract's text, without a leading 'Abstract' heading (JATS and Crossref keep it)."""
    text = text_of(value)
    return re.sub(r"^abstract\b[\s.:—–-]*(?=[A-Z0-9])", "", text, flags=re.IGNORECASE).strip()


def normalise_doi(value: Any) -> str | None:
    """'https://doi.org/10.1/X.' -> '10.1/x' (DOIs are case-insensitive)."""
    match = _DOI_RE.search(str(value or ""))
    return match.group(1).rstrip(".,;)").lower() if match else None


def doi_from_url(url: str) -> str | None:
    """The DOI in a resolver URL (doi.org, dx.doi.org, doi.wiley.com...), else None."""
    host = re.match(r"https?://([^/]+)/", url or "")
    return normalise_doi(url) if host and "doi" in host.group(1).lower() else None


def find_arxiv_id(*values: Any) -> str | None:
    """An arXiv id in an eprint field, a URL or 'arXiv preprint arXiv:2203.03605'."""
    for value in values:
        text = str(value or "")
        if not text:
            continue
        if match := _ARXIV_RE.search(text):
            return match.group(1)
        if "arxiv" in text.lower() and (match := _OLD_ARXIV_RE.search(text)):
            return match.group(1)
    return None


def parse_date(value: Any, month: Any = None) -> tuple[int | None, date | None, DatePrecision]:
    """Year, date and precision from '2022', '2022-06-06', 2022, 'June 2022' (+ month field)."""
    text = str(value or "").strip()
    match = _DATE_RE.search(text)
    if not match or not 1000 <= int(match.group(1)) <= 2999:
        return None, None, "unknown"
    year = int(match.group(1))
    mon = int(match.group(2)) if match.group(2) else _month_number(month or text)
    day = int(match.group(3)) if match.group(3) else 0
    try:
        if mon and day:
            return year, date(year, mon, day), "day"
        if mon:
            return year, date(year, mon, 1), "month"
    except ValueError:
        pass
    return year, date(year, 1, 1), "year"


def _month_number(value: Any) -> int:
    text = str(value or "").strip()
    if text.isdigit():
        return int(text) if 1 <= int(text) <= 12 else 0
    match = _MONTH_WORD_RE.search(text)
    return MONTHS.get(match.group(1)[:3].title(), 0) if match else 0


def split_people(value: Any) -> list[str]:
    """Authors from a list (strings or dicts) or one 'A and B' / 'A; B' / 'A, B' string."""
    if value is None:
        return []
    if isinstance(value, list):
        out = []
        for item in value:
            if isinstance(item, dict):
                name = item.get("name") or item.get("display_name") or item.get("literal")
                if not name and (item.get("family") or item.get("given")):
                    name = f"{item.get('given', '')} {item.get('family', '')}"
                if not name and isinstance(item.get("author"), dict):
                    name = item["author"].get("display_name") or item["author"].get("name")
                out.append(str(name or ""))
            else:
                out.append(str(item))
        return [n for n in out if n.strip()]
    text = str(value)
    if re.search(r"\s+and\s+", text):
        return [p for p in re.split(r"\s+and\s+", text) if p.strip()]
    if ";" in text:
        return [p for p in text.split(";") if p.strip()]
    # "A. Smith, B. Jones" (a comma list) vs "Smith, Anna" (one inverted name).
    pieces = [p for p in text.split(",") if p.strip()]
    return pieces if len(pieces) > 2 or all(" " in p.strip() for p in pieces) else [text]


@dataclass
class Draft:
    """A record's fields after format-specific mapping, before it becomes a Paper."""

    title: str
    authors: list[str] = field(default_factory=list)
    authors_truncated: bool = False
    abstract: str = ""
    year: int | None = None
    published: date | None = None
    precision: DatePrecision = "unknown"
    venue: str | None = None
    doi: str | None = None
    arxiv_id: str | None = None
    award: str | None = None
    keywords: list[str] = field(default_factory=list)
    links: dict[str, str] = field(default_factory=dict)
    urls: list[str] = field(default_factory=list)
    category: str = ""
    selected: bool = False
    key: str | None = None  # the source's own id, used only in messages


def clean_authors(raw: list[str]) -> tuple[list[str], bool]:
    """Cleaned names, and whether the list was cut short ('and others', 'et al.')."""
    names = [clean_name(n) for n in raw]
    truncated = bool(names) and names[-1].lower().rstrip(".") in ("others", "et al", "al")
    return [n for n in names if n and n.lower().rstrip(".") not in ("others", "et al")], truncated


def draft_to_paper(draft: Draft, seen: dict[str, int]) -> Paper:
    """The Paper for a draft: id from the title, code link, DOI and arXiv URLs filled in."""
    # A stray full stop ends many exported titles; "et al." or "U.S." keep theirs.
    title = re.sub(r"(?<=[a-z0-9)\]])\.$", "", " ".join(draft.title.split()).strip())
    if not title:
        raise ValueError("record has no title")
    links = {k: v.strip() for k, v in draft.links.items() if isinstance(v, str) and v.strip()}
    urls = [*draft.urls, *links.values()]
    doi = draft.doi or next((d for d in map(doi_from_url, urls) if d), None)
    arxiv = draft.arxiv_id or find_arxiv_id(*(u for u in urls if "arxiv" in u.lower()))
    if doi:
        urls.append(f"https://doi.org/{doi}")
    if arxiv:
        urls.append(f"https://arxiv.org/abs/{arxiv}")
    urls = list(dict.fromkeys(u for u in urls if u.startswith(("http://", "https://"))))
    code = links.get("code") if "code" in links else github_url(urls + extract_urls(draft.abstract))
    category = draft.category.upper()
    return Paper(
        id=unique_id(make_id(title), seen),
        title=title,
        authors=draft.authors,
        authors_truncated=draft.authors_truncated,
        published=draft.published,
        date_precision=draft.precision if draft.published else "unknown",
        year=draft.year,
        category=category,
        category_name=category_name(category) if category else "",
        has_code=code is not None,
        code_url=code,
        urls=urls,
        abstract=draft.abstract,
        venue=draft.venue or None,
        doi=doi,
        arxiv_id=arxiv,
        award=draft.award or None,
        keywords=list(dict.fromkeys(k for k in draft.keywords if k)),
        links=links,
        selected=draft.selected,
    )
