"""The people, dates and links of one website record (see `retrieval.formats.siterecord`),
each read from wherever the common themes put it, with a note when it is a guess.

- authors: a list or 'A and B' string; Hugo profile keys (`me`, `admin`, a `data/authors`
  key) resolved to the profile's name, else to the given owner; a `coauthors` list holds
  only the others, so the owner is added; else names parsed out of a formatted `citation`;
- year: `year`, else `date`, else the citation's or venue's year, else the file name's or
  `publishDate` (both reported as guesses); every year found is kept to report disagreements;
- links: the theme's link fields and `links:` lists; site-relative ones joined to the site's
  base URL; a "code" link that is the paper's own URL is not code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urljoin

from retrieval.formats.common import (
    Draft,
    clean_authors,
    find_arxiv_id,
    normalise_doi,
    parse_date,
    split_people,
    text_of,
)
from retrieval.formats.pagetext import PageBody, markdown_text
from retrieval.models import DatePrecision


class Notes(list[tuple[str, str]]):
    """(warning kind, detail) for one record, in the order they were found."""

    def add(self, kind: str, detail: str) -> None:
        self.append((kind, detail))


OWNER_KEYS = ("me", "admin")  # the profile keys Hugo Blox / Wowchemy give the site's owner
_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_INITIALS_RE = re.compile(r"^(?:[A-Z][a-z]?\.[\s-]*|[A-Z](?:[\s-]+|$))+$")
_YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_CITED_YEAR_RE = re.compile(r"\(\s*((?:19|20)\d{2})[a-z]?\s*\)")
_LINK_FIELDS = {
    "url_pdf": "pdf", "url_code": "code", "url_dataset": "dataset", "url_poster": "poster",
    "url_project": "website", "url_slides": "slides", "url_source": "source",
    "url_video": "video", "paperurl": "paper", "pdf": "pdf", "code": "code", "slides": "slides",
    "slidesurl": "slides", "video": "video", "poster": "poster", "html": "html",
    "website": "website", "url": "url", "link": "url",
}  # fmt: skip
# In Hugo `url` is the page's own address; only an absolute one can be the paper's.
_PAGE_URLS = frozenset(("url", "link"))


@dataclass
class SiteContext:
    """What the whole site says about its records: the owner, profile keys, base URL."""

    owner: str | None = None
    owner_source: str = ""
    profiles: dict[str, str] = field(default_factory=dict)  # key -> display name
    profile_files: dict[str, str] = field(default_factory=dict)  # key -> file it came from
    base_url: str | None = None
    coauthor_style: bool = False  # the list names only the owner's co-authors


@dataclass
class SiteEntry:
    draft: Draft
    notes: Notes = field(default_factory=Notes)
    held_back: str | None = None  # 'draft' / 'work in progress': kept only with keep_all
    years: dict[str, int] = field(default_factory=dict)  # year by where it was read


def citation_authors(citation: str) -> list[str]:
    """Names before the year or quoted title of 'Kerner, H. R., and Bell III, J. F. (2021).'"""
    text = text_of(citation)
    head = re.split(r"\(\s*(?:1[6-9]|20)\d{2}|[\"“”]|\b(?:1[6-9]|20)\d{2}\.", text, maxsplit=1)[0]
    tokens = [t.strip() for t in re.split(r",|;|\s&\s|\band\b", head.strip(" ,"))]
    tokens = [t for t in tokens if t.strip(".")]
    names: list[str] = []
    i = 0
    while i < len(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if nxt and _INITIALS_RE.match(nxt) and not _INITIALS_RE.match(tokens[i]):
            names.append(f"{tokens[i]}, {nxt}")
            i += 2
        else:
            names.append(tokens[i])
            i += 1
    return names


def resolve_key(name: Any, ctx: SiteContext, notes: Notes) -> Any:
    if not isinstance(name, str):
        return name
    key = name.strip()
    if key in ctx.profiles:
        where = ctx.profile_files.get(key, "the site's author profile")
        notes.add("author_key", f"author key {key!r} is {ctx.profiles[key]} ({where})")
        return ctx.profiles[key]
    if key in OWNER_KEYS:
        if ctx.owner:
            notes.add(
                "author_key",
                f"author key {key!r} taken as the owner {ctx.owner} "
                f"({ctx.owner_source}); the site has no profile for it",
            )
            return ctx.owner
        notes.add(
            "author_key",
            f"author key {key!r} has no profile and no owner was given: left out (give --owner)",
        )
        return ""
    if _KEY_RE.match(key):
        notes.add(
            "author_key",
            f"author {key!r} looks like a profile key the site does not define: kept as written",
        )
    return name


def authors(
    meta: dict[str, Any], body: PageBody | None, ctx: SiteContext, entry: SiteEntry
) -> tuple[list[str], bool]:
    notes = entry.notes
    raw = meta.get("authors", meta.get("author"))
    people = [resolve_key(p, ctx, notes) for p in split_people(raw if raw else None)]
    names, truncated = clean_authors([markdown_text(p) for p in people if p])
    if names:
        return names, truncated
    co = meta.get("coauthors", meta.get("co_authors"))
    if co or ctx.coauthor_style:
        others, truncated = clean_authors([markdown_text(p) for p in split_people(co or None)])
        if ctx.owner is None:
            notes.add(
                "authors_guessed",
                "the list names only co-authors and no owner was "
                "given: the owner is missing from this paper (give --owner)",
            )
            return others, truncated
        what = "co-authors only" if others else "no co-authors (a single-author work)"
        notes.add(
            "authors_guessed",
            f"the record lists {what}: the owner {ctx.owner} "
            "added first; the site does not say where in the byline",
        )
        return [ctx.owner, *others], truncated
    citation = meta.get("citation") or (body.citation if body else "")
    if isinstance(citation, str) and citation.strip():
        names, truncated = clean_authors(citation_authors(citation))
        if names:
            notes.add(
                "authors_guessed", f"authors read from the formatted citation ({len(names)} names)"
            )
        return names, truncated
    return [], False


def _date_of(value: Any) -> tuple[int | None, date | None, DatePrecision]:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.year, value, "day"
    if isinstance(value, bool) or value in (None, ""):
        return None, None, "unknown"
    return parse_date(value if isinstance(value, int) else str(value))


def dates(
    meta: dict[str, Any], stem: str, entry: SiteEntry, citation: str, venue: str
) -> tuple[int | None, date | None, DatePrecision]:
    found: dict[str, tuple[int | None, date | None, DatePrecision]] = {
        "year": _date_of(meta.get("year")),
        "date": _date_of(meta.get("date")),
    }
    if cited := _CITED_YEAR_RE.search(text_of(citation)):
        found["citation"] = _date_of(cited.group(1))
    if in_venue := _YEAR_RE.search(venue):
        found["venue"] = _date_of(in_venue.group(1))
    for where, text in (("file name", stem), ("permalink", str(meta.get("permalink") or ""))):
        if named := _YEAR_RE.search(text):
            found[where] = _date_of(named.group(1))
    found["publishDate"] = _date_of(meta.get("publishDate"))
    entry.years = {k: v[0] for k, v in found.items() if v[0] and k != "publishDate"}
    for where in ("year", "date", "citation", "venue"):
        year, published, precision = found.get(where, (None, None, "unknown"))
        if year:
            if where == "year" and found["date"][0] == year:
                return found["date"]  # the same year, with the date's month and day
            return year, published, precision
    for where in ("file name", "permalink", "publishDate"):
        if where in found and found[where][0]:
            entry.notes.add(
                "no_year", f"no year in the record: {found[where][0]} guessed from the {where}"
            )
            entry.years.setdefault(where, found[where][0] or 0)
            return found[where][0], None, "unknown"
    return None, None, "unknown"


def _absolute(url: str, ctx: SiteContext, local: list[str]) -> str | None:
    """An absolute URL; a site-relative one joined to the site's base URL, else noted."""
    url = url.strip()
    if url.startswith(("http://", "https://")):
        return url
    if not url or url.startswith(("mailto:", "#", "javascript:")):
        return None
    if ctx.base_url:
        return urljoin(ctx.base_url.rstrip("/") + "/", url.lstrip("/"))
    local.append(url)
    return None


def _link_list(value: Any) -> list[tuple[str, str]]:
    """Hugo's `links:` list ({name|type|label, url}) as (name, url) pairs."""
    out = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, dict) and isinstance(item.get("url"), str):
            label = item.get("name") or item.get("type") or item.get("label") or "link"
            name = re.sub(r"[^a-z0-9]+", "-", str(label).lower()).strip("-") or "link"
            out.append((name, item["url"]))
        elif isinstance(item, str):
            out.append(("url", item))
    return out


def _ids(meta: dict[str, Any]) -> dict[str, Any]:
    """Identifier blocks: Hugo Blox `hugoblox: {ids: {doi}}`, plain `ids: {doi}`."""
    out: dict[str, Any] = {}
    for block in (
        meta.get("ids"),
        (meta.get("hugoblox") or {}).get("ids") if isinstance(meta.get("hugoblox"), dict) else None,
    ):
        if isinstance(block, dict):
            out.update({str(k).lower(): v for k, v in block.items()})
    return out


def links(
    meta: dict[str, Any], body: PageBody | None, ctx: SiteContext, notes: Notes
) -> tuple[dict[str, str], str | None, str | None]:
    pairs = [
        (name, meta[key])
        for key, name in _LINK_FIELDS.items()
        if isinstance(meta.get(key), str)
        and (key not in _PAGE_URLS or meta[key].startswith(("http://", "https://")))
    ]
    pairs += _link_list(meta.get("links")) + list((body.links if body else {}).items())
    links: dict[str, str] = {}
    local: list[str] = []
    for name, url in pairs:
        if (full := _absolute(url, ctx, local)) and name not in links:
            links[name] = full
    if links.get("code") and links.get("code") in (links.get("pdf"), links.get("paper")):
        notes.add("links", "the code link is the paper's own URL: not taken as code")
        del links["code"]
    raw_doi = meta.get("doi") or meta.get("DOI") or _ids(meta).get("doi")
    doi = normalise_doi(raw_doi) if raw_doi else None
    if raw_doi and not doi:
        notes.add("links", f"the doi field holds a web page, not a DOI ({raw_doi}): kept as a link")
        if page := _absolute(str(raw_doi), ctx, local):
            links.setdefault("html", page)
    if local:
        notes.add(
            "links",
            f"site-local links left out (the site's config gives no base URL): {', '.join(local)}",
        )
    arxiv = find_arxiv_id(meta.get("arxiv"), meta.get("eprint"), _ids(meta).get("arxiv"))
    return links, doi, arxiv
