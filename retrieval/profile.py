"""Parse a researcher's profile page, copied as text, into `CorpusInfo` and `Paper` records.

The page is a header (name, field, h-index, counts, scores) followed by one block per
paper: a meta line such as ``CVMar 7, 2022Code``, the title, the authors and the abstract,
separated by blank lines. The newest papers show no year ("SEFeb 10Code"): the page lists
them relative to the day it was saved, so the year is inferred from `today`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from retrieval.latex import clean_latex, extract_urls, github_url, make_id, unique_id
from retrieval.models import CorpusInfo, Paper, category_name

_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTHS = {m: i for i, m in enumerate(_MONTH_NAMES, 1)}
_MONTH_ALT = "|".join(MONTHS)
# Loose: anything shaped like a meta line (code, month, day), so a mangled one such as
# "CVMarch 7" is reported rather than glued onto the previous abstract.
_META_LOOSE = re.compile(r"^[A-Z]{2}[A-Z][a-z]{2,8}\.? ?\d{1,2}(?!\d)")
_META = re.compile(
    rf"^(?P<cat>[A-Z]{{2}})(?P<mon>{_MONTH_ALT}) (?P<day>\d{{1,2}})"
    r"(?:, (?P<year>\d{4}))?(?P<code>Code)?$"
)
_PAPERS_HEADING = re.compile(r"^(\d[\d,]*) Papers$")
_HEADER_PATTERNS: dict[str, re.Pattern[str]] = {
    "h_index": re.compile(r"^h-index\s*(\d[\d,]*)$"),
    "paper_count": re.compile(r"^(\d[\d,]*)\s*papers$"),
    "citations": re.compile(r"^(\d[\d,]*)\s*citations$"),
}
_SCORE = re.compile(r"^(?P<name>[A-Za-z][A-Za-z ]*?)\s*(?P<value>\d+)%?$")
_FIELD = re.compile(r"^[A-Z]{2}$")
_AFFILIATION_SEP = " · "
_ET_AL = re.compile(r",?\s*et al\.?$")


class ParseProblem(BaseModel):
    """A record that could not be read: reported with its line, never silently dropped."""

    model_config = ConfigDict(extra="forbid")

    line: int = Field(description="1-based line in the source file where the record starts.")
    message: str
    file: str | None = Field(
        default=None, description="The file inside a folder source (a website repository)."
    )


def _paragraphs(text: str) -> Iterator[list[tuple[int, str]]]:
    """Blank-line separated groups of (line number, line); a meta line always starts one."""
    group: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if group and (not line or _META_LOOSE.match(line)):
            yield group
            group = []
        if line:
            group.append((number, line))
    if group:
        yield group


def _int(value: str) -> int:
    return int(value.replace(",", ""))


def _parse_header(
    lines: list[tuple[int, str]], source: str | None
) -> tuple[CorpusInfo, list[ParseProblem]]:
    info = CorpusInfo(owner=lines[0][1] if lines else "", source=source)
    problems: list[ParseProblem] = []
    for number, text in lines[1:]:
        if _FIELD.match(text):
            info.field = text
        elif _PAPERS_HEADING.match(text):
            continue
        elif found := [(n, m) for n, p in _HEADER_PATTERNS.items() if (m := p.match(text))]:
            setattr(info, found[0][0], _int(found[0][1].group(1)))
        elif m := _SCORE.match(text):
            info.scores[m.group("name")] = int(m.group("value"))
        else:
            problems.append(ParseProblem(line=number, message=f"unknown header line {text[:60]!r}"))
    return info, problems


def _published(meta: re.Match[str], today: date) -> tuple[date, bool]:
    """The date of a meta line, and whether its year was inferred (ValueError if invalid)."""
    month, day = MONTHS[meta.group("mon")], int(meta.group("day"))
    if meta.group("year"):
        return date(int(meta.group("year")), month, day), False
    published = date(today.year, month, day)
    if published > today:
        published = date(today.year - 1, month, day)
    return published, True


def _looks_like_authors(text: str) -> bool:
    """Author lines are short comma lists of names; abstracts have long clauses."""
    names = _ET_AL.sub("", text.split(_AFFILIATION_SEP)[0]).split(",")
    return len(text) < 2000 and all(0 < len(n.split()) <= 6 for n in names)


def parse_authors(text: str) -> tuple[list[str], bool, str | None]:
    """'A, B, C et al. · tsinghua' -> (['A', 'B', 'C'], truncated, 'tsinghua')."""
    names, _, affiliation = text.partition(_AFFILIATION_SEP)
    truncated = bool(_ET_AL.search(names.strip()))
    names = _ET_AL.sub("", names.strip())
    authors = [n.strip() for n in names.split(",") if n.strip()]
    return authors, truncated, affiliation.strip() or None


def _paper(
    block: list[list[tuple[int, str]]], today: date, seen: dict[str, int]
) -> Paper | ParseProblem:
    """One paper block (paragraphs, meta line first), or the problem that makes it unreadable."""
    (line, meta_text), *title_lines = block[0]
    meta = _META.match(meta_text)
    if meta is None:
        return ParseProblem(line=line, message=f"unreadable paper meta line {meta_text!r}")
    try:
        published, inferred = _published(meta, today)
    except ValueError:
        return ParseProblem(line=line, message=f"invalid date in {meta_text!r}")
    # The title normally follows the meta line directly; tolerate a blank line between them.
    rest = [title_lines, *block[1:]] if title_lines else block[1:]
    if len(rest) < 2:
        return ParseProblem(line=line, message="paper block needs a title and an author line")
    title = " ".join(text for _, text in rest[0])
    authors_text = " ".join(text for _, text in rest[1])
    if not _looks_like_authors(authors_text):
        return ParseProblem(line=rest[1][0][0], message="expected an author line after the title")
    authors, truncated, affiliation = parse_authors(authors_text)
    raw_abstract = " ".join(text for group in rest[2:] for _, text in group)
    urls = extract_urls(raw_abstract)
    category = meta.group("cat")
    return Paper(
        id=unique_id(make_id(title), seen),
        title=clean_latex(title),
        authors=authors,
        authors_truncated=truncated,
        affiliation=affiliation,
        published=published,
        date_precision="day",
        year=published.year,
        year_inferred=inferred,
        category=category,
        category_name=category_name(category),
        has_code=meta.group("code") is not None,
        code_url=github_url(urls),
        urls=urls,
        abstract=clean_latex(raw_abstract),
    )


def parse_profile(
    text: str, *, today: date | None = None, source: str | None = None
) -> tuple[CorpusInfo, list[Paper], list[ParseProblem]]:
    """Header, papers and problems of a profile page; `today` anchors year-less dates."""
    today = today or date.today()
    header: list[tuple[int, str]] = []
    blocks: list[list[list[tuple[int, str]]]] = []
    for group in _paragraphs(text):
        if _META_LOOSE.match(group[0][1]):
            blocks.append([group])
        elif blocks:
            blocks[-1].append(group)
        else:
            header.extend(group)
    info, problems = _parse_header(header, source)
    papers: list[Paper] = []
    seen: dict[str, int] = {}
    for block in blocks:
        result = _paper(block, today, seen)
        if isinstance(result, Paper):
            papers.append(result)
        else:
            problems.append(result)
    return info, papers, problems
