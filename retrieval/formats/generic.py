"""A JSON object of some paper, with field names guessed ('name' for title, 'summary' for
abstract...) and a `field_map` that overrides the guess (the CLI's `--map title=name`).
"""

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

# Our field -> the names other tools use for it, most specific first.
GUESSES: dict[str, tuple[str, ...]] = {
    "title": ("title", "name", "paper_title", "display_name", "headline"),
    "abstract": ("abstract", "summary", "description", "abstract_text", "abstractNote"),
    "authors": ("authors", "author", "creators", "author_names", "authors_list", "people"),
    "year": ("year", "publication_year", "pub_year"),
    "date": ("date", "published", "publication_date", "pubdate", "publishedDate", "issued"),
    "month": ("month",),
    "venue": ("venue", "journal", "booktitle", "conference", "container-title", "publication",
              "source", "publisher"),
    "doi": ("doi", "DOI"),
    "arxiv": ("arxiv", "arxiv_id", "arxivId", "eprint", "arXiv"),
    "url": ("url", "link", "href", "html", "paper_url", "website", "URL"),
    "pdf": ("pdf", "pdf_url", "pdfUrl"),
    "code": ("code", "code_url", "github", "repo", "repository", "source_code"),
    "award": ("award", "awards", "honor"),
    "keywords": ("keywords", "tags", "topics", "keyword"),
    "selected": ("selected", "featured", "highlight"),
}  # fmt: skip
FIELDS = tuple(GUESSES)


def _get(record: dict[str, Any], path: str) -> Any:
    """record['a']['b'] for 'a.b'; None when missing."""
    value: Any = record
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def pick(record: dict[str, Any], name: str, field_map: dict[str, str]) -> Any:
    """The value for our field `name`: the mapped key if given, else the first guess present."""
    if name in field_map:
        return _get(record, field_map[name])
    for key in GUESSES[name]:
        if record.get(key) not in (None, "", []):
            return record[key]
    return None


def _named(value: Any) -> Any:
    """{'name': 'NeurIPS'} -> 'NeurIPS'; anything else as is."""
    if isinstance(value, dict):
        return value.get("name") or value.get("display_name") or value.get("title")
    return value


def _url(value: Any) -> str | None:
    value = _named(value) if not isinstance(value, dict) else value.get("url") or _named(value)
    text = str(value or "").strip()
    return text if text.startswith(("http://", "https://")) else None


def generic_draft(record: dict[str, Any], field_map: dict[str, str] | None = None) -> Draft:
    fmap = field_map or {}
    authors, truncated = clean_authors(split_people(pick(record, "authors", fmap)))
    year, published, precision = parse_date(
        pick(record, "date", fmap) or pick(record, "year", fmap), pick(record, "month", fmap)
    )
    links = {n: u for n in ("url", "pdf", "code") if (u := _url(pick(record, n, fmap)))}
    keywords = pick(record, "keywords", fmap) or []
    if isinstance(keywords, str):
        keywords = keywords.replace(";", ",").split(",")
    selected = pick(record, "selected", fmap)
    award = pick(record, "award", fmap)
    return Draft(
        title=text_of(_named(pick(record, "title", fmap))),
        authors=authors,
        authors_truncated=truncated,
        abstract=abstract_of(pick(record, "abstract", fmap)),
        year=year,
        published=published,
        precision=precision,
        venue=text_of(_named(pick(record, "venue", fmap))) or None,
        doi=normalise_doi(pick(record, "doi", fmap)),
        arxiv_id=find_arxiv_id(pick(record, "arxiv", fmap)),
        award=text_of(award if not isinstance(award, list) else "; ".join(map(str, award))),
        keywords=[text_of(_named(k)) for k in keywords if k],
        links=links,
        selected=selected is True or str(selected).lower() in ("true", "yes", "1"),
    )
