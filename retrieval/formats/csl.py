"""CSL-JSON (the Zotero, Mendeley and Better BibTeX export) -> Draft."""

from __future__ import annotations

from typing import Any

from retrieval.formats.common import (
    Draft,
    abstract_of,
    clean_authors,
    find_arxiv_id,
    normalise_doi,
    parse_date,
    split_people,
    text_of,
)


def is_csl(record: dict[str, Any]) -> bool:
    """CSL items carry `type` plus CSL-only keys (issued, container-title, citation-key)."""
    csl_keys = ("issued", "container-title", "citation-key", "URL", "DOI", "accessed")
    people = record.get("author")
    split_names = isinstance(people, list) and any(
        isinstance(p, dict) and ("family" in p or "literal" in p) for p in people
    )
    return "type" in record and (any(k in record for k in csl_keys) or split_names)


def _issued(value: Any) -> tuple[Any, Any]:
    """(year-ish, month) from {'date-parts': [[2020, 5, 1]]} or {'raw': '2020-05'}."""
    if not isinstance(value, dict):
        return value, None
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        first = [str(p) for p in parts[0]]
        return "-".join(p.zfill(2) if i else p for i, p in enumerate(first)), None
    return value.get("raw") or value.get("literal") or value.get("season"), None


def csl_draft(record: dict[str, Any]) -> Draft:
    authors, truncated = clean_authors(split_people(record.get("author")))
    year, published, precision = parse_date(*_issued(record.get("issued")))
    url = (str(record.get("URL") or "").split() or [""])[0]
    keywords = record.get("keyword") or ""
    return Draft(
        title=text_of(record.get("title")),
        authors=authors,
        authors_truncated=truncated,
        abstract=abstract_of(record.get("abstract")),
        year=year,
        published=published,
        precision=precision,
        venue=text_of(record.get("container-title") or record.get("event-title")) or None,
        doi=normalise_doi(record.get("DOI")),
        arxiv_id=find_arxiv_id(url) if "arxiv" in url.lower() else None,
        keywords=[text_of(k) for k in str(keywords).replace(";", ",").split(",") if k.strip()],
        links={"url": url} if url else {},
        key=str(record.get("citation-key") or record.get("id") or "") or None,
    )
