"""Semantic Scholar Graph API paper objects (`/paper`, `/author/{id}/papers`) -> Draft."""

from __future__ import annotations

from typing import Any

from retrieval.formats.common import (
    Draft,
    abstract_of,
    clean_authors,
    normalise_doi,
    parse_date,
    split_people,
    text_of,
)


def is_s2(record: dict[str, Any]) -> bool:
    return "paperId" in record or ("externalIds" in record and "title" in record)


def s2_draft(record: dict[str, Any]) -> Draft:
    authors, _ = clean_authors(split_people(record.get("authors")))
    year, published, precision = parse_date(record.get("publicationDate") or record.get("year"))
    ids: dict[str, Any] = record.get("externalIds") or {}
    journal: dict[str, Any] = record.get("journal") or {}
    ids, journal = (d if isinstance(d, dict) else {} for d in (ids, journal))
    links: dict[str, str] = {}
    if record.get("url"):
        links["semantic_scholar"] = str(record["url"])
    pdf = record.get("openAccessPdf")
    if isinstance(pdf, dict) and pdf.get("url"):
        links["pdf"] = str(pdf["url"])
    arxiv = ids.get("ArXiv")
    return Draft(
        title=text_of(record.get("title")),
        authors=authors,
        abstract=abstract_of(record.get("abstract")),
        year=year,
        published=published,
        precision=precision,
        venue=text_of(record.get("venue") or journal.get("name")) or None,
        doi=normalise_doi(ids.get("DOI")),
        arxiv_id=str(arxiv) if arxiv else None,
        links=links,
        key=str(record.get("paperId") or "") or None,
    )
