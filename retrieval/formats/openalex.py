"""OpenAlex works (`/works` list responses, single works) -> Draft.

Abstracts come only as inverted indexes (word -> positions), rebuilt here in order.
Machine-assigned keywords and concepts are left out: they are often spurious ("Botany").
"""

from __future__ import annotations

import html
from typing import Any

from retrieval.formats.common import (
    Draft,
    abstract_of,
    clean_authors,
    doi_from_url,
    normalise_doi,
    parse_date,
    text_of,
)


def is_openalex(record: dict[str, Any]) -> bool:
    work_id = str(record.get("id") or "")
    return (
        "authorships" in record
        or "abstract_inverted_index" in record
        or (work_id.startswith("https://openalex.org/W"))
    )


def rebuild_abstract(index: Any) -> str:
    """The text of an `abstract_inverted_index` ({'word': [0, 5], ...})."""
    if not isinstance(index, dict):
        return ""
    slots: dict[int, str] = {}
    for word, positions in index.items():
        for pos in positions if isinstance(positions, list) else []:
            if isinstance(pos, int):
                slots[pos] = word
    return " ".join(slots[i] for i in sorted(slots))


def _dig(record: Any, *path: str) -> Any:
    for key in path:
        record = record.get(key) if isinstance(record, dict) else None
    return record


def openalex_draft(record: dict[str, Any]) -> Draft:
    people = [
        _dig(a, "author", "display_name") or a.get("raw_author_name") or ""
        for a in record.get("authorships") or []
        if isinstance(a, dict)
    ]
    authors, _ = clean_authors(people)
    year, published, precision = parse_date(
        record.get("publication_date") or record.get("publication_year")
    )
    if year is None and isinstance(record.get("publication_year"), int):
        year = record["publication_year"]
    locations = [loc for loc in record.get("locations") or [] if isinstance(loc, dict)]
    urls = [
        html.unescape(str(u))
        for loc in locations
        for u in (loc.get("landing_page_url"), loc.get("pdf_url"))
        if u
    ]
    # A work without its own DOI often has a location at the publisher's DOI (a duplicate's).
    doi = normalise_doi(record.get("doi")) or next((d for d in map(doi_from_url, urls) if d), None)
    links: dict[str, str] = {}
    if landing := _dig(record, "primary_location", "landing_page_url"):
        links["html"] = html.unescape(str(landing))
    if pdf := _dig(record, "best_oa_location", "pdf_url") or _dig(record, "open_access", "oa_url"):
        links["pdf"] = html.unescape(str(pdf))
    if work_id := record.get("id"):
        links["openalex"] = str(work_id)
    return Draft(
        title=text_of(record.get("title") or record.get("display_name")),
        authors=authors,
        abstract=abstract_of(rebuild_abstract(record.get("abstract_inverted_index"))),
        year=year,
        published=published,
        precision=precision,
        venue=text_of(_dig(record, "primary_location", "source", "display_name")) or None,
        doi=doi,
        arxiv_id=None,
        links=links,
        urls=urls,
        key=str(record.get("id") or "") or None,
    )
