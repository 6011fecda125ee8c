"""BibTeX (Google Scholar, DBLP, ACL Anthology, al-folio sites) -> Paper records.

Parsed by bibtexparser 2.x, which splits a file into blocks with their line numbers and
isolates a broken entry as one failed block, so every good entry around it is kept (pybtex
stops at the first error, so one bad entry would lose the whole file). Text before the first
entry (Jekyll front matter, `#` or `%` lines) is ignored, as BibTeX does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import bibtexparser
from bibtexparser import model
from bibtexparser.middlewares.names import split_multiple_persons_names

from retrieval.formats.common import (
    Draft,
    abstract_of,
    clean_authors,
    draft_to_paper,
    find_arxiv_id,
    normalise_doi,
    parse_date,
    text_of,
)
from retrieval.latex import extract_urls
from retrieval.models import Paper
from retrieval.profile import ParseProblem

# Fields that hold a link, by the name it gets in `Paper.links`. Template sites (al-folio)
# use html/pdf/code/video/website/slides/poster; `url` is the standard one.
LINK_FIELDS = {
    "code": "code", "github": "code", "html": "html", "pdf": "pdf", "url": "url",
    "video": "video", "website": "website", "project": "website", "slides": "slides",
    "poster": "poster", "blog": "blog", "supp": "supplement", "demo": "demo",
}  # fmt: skip
_TRUE = ("true", "yes", "1")


def _pieces(raw: str) -> list[str]:
    """A raw value split at '#' outside braces and quotes: `iclr # {, ICLR 2023}`."""
    pieces, depth, quoted, start = [], 0, False, 0
    for i, ch in enumerate(raw):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == '"' and depth == 0:
            quoted = not quoted
        elif ch == "#" and depth == 0 and not quoted:
            pieces.append(raw[start:i])
            start = i + 1
    return [*pieces, raw[start:]]


def resolve(raw: str, macros: dict[str, str]) -> str:
    """A field's text: enclosing braces or quotes removed, @string macros and '#' resolved.

    Bare month macros (`jul`) and unknown macros stay as written.
    """
    out = []
    for piece in (p.strip() for p in _pieces(raw)):
        if len(piece) >= 2 and (piece[0], piece[-1]) in (("{", "}"), ('"', '"')):
            out.append(piece[1:-1])
        else:
            out.append(macros.get(piece.lower(), piece))
    return "".join(out)


def _fields(entry: model.Entry, macros: dict[str, str]) -> dict[str, str]:
    """Field values by lower-case name (URL = url), first one wins, all as strings."""
    out: dict[str, str] = {}
    for f in entry.fields:
        out.setdefault(f.key.lower().strip(), resolve(str(f.value), macros))
    return out


def _keywords(value: str) -> list[str]:
    return [k for k in (text_of(p) for p in re.split(r"[;,]", value)) if k]


def _arxiv(fields: dict[str, str]) -> str | None:
    eprint = fields.get("eprint", "")
    prefix = fields.get("archiveprefix", "") + fields.get("eprinttype", "")
    is_arxiv_eprint = "arxiv" in (prefix + eprint).lower() or bool(
        re.fullmatch(r"\s*\d{4}\.\d{4,5}(v\d+)?\s*", eprint)
    )
    arxiv_texts = [
        v
        for k in ("journal", "booktitle", "url", "html", "pdf", "note", "howpublished")
        if "arxiv" in (v := fields.get(k, "")).lower()
    ]
    return find_arxiv_id(fields.get("arxiv"), eprint if is_arxiv_eprint else "", *arxiv_texts)


def entry_draft(entry: model.Entry, macros: dict[str, str] | None = None) -> Draft:
    """Map one entry's fields onto a Draft (no validation beyond what the fields say)."""
    fields = _fields(entry, macros or {})
    raw_names = split_multiple_persons_names(fields.get("author", "")) if "author" in fields else []
    authors, truncated = clean_authors(raw_names)
    year, published, precision = parse_date(fields.get("year") or fields.get("date"),
                                            fields.get("month"))  # fmt: skip
    links: dict[str, str] = {}
    for key, name in LINK_FIELDS.items():
        value = fields.get(key, "").strip()
        if value.startswith(("http://", "https://")) and name not in links:
            links[name] = value
    arxiv = _arxiv(fields)
    if "arxiv" in fields and arxiv:
        links.setdefault("arxiv", f"https://arxiv.org/abs/{arxiv}")
    raw_text = " ".join(fields.get(k, "") for k in ("abstract", "note", "howpublished"))
    venue = fields.get("journal") or fields.get("booktitle") or fields.get("venue") or ""
    return Draft(
        title=text_of(fields.get("title", "")),
        authors=authors,
        authors_truncated=truncated,
        abstract=abstract_of(fields.get("abstract", "")),
        year=year,
        published=published,
        precision=precision,
        venue=text_of(venue) or None,
        doi=normalise_doi(fields.get("doi")),
        arxiv_id=arxiv,
        award=text_of(fields.get("award") or fields.get("award_name")) or None,
        keywords=_keywords(fields.get("keywords", fields.get("keyword", ""))),
        links=links,
        urls=extract_urls(raw_text),
        category=fields.get("primaryclass", "").rpartition(".")[2].strip(),
        selected=fields.get("selected", "").strip().lower() in _TRUE,
        key=entry.key,
    )


def _entry_of(block: Any) -> model.Entry | None:
    """The entry in a block; a duplicate citation key still holds a usable entry."""
    if isinstance(block, model.Entry):
        return block
    inner = getattr(block, "ignore_error_block", None)
    return inner if isinstance(inner, model.Entry) else None


def iter_bibtex(text: str, seen: dict[str, int]) -> Iterator[Paper | ParseProblem]:
    """Papers and problems in file order; a problem names the line its entry starts on."""
    # No middleware: values stay raw so `resolve` handles macros, '#' and quotes itself.
    library = bibtexparser.parse_string(text, parse_stack=[])
    macros: dict[str, str] = {}
    for block in library.blocks:
        if isinstance(block, model.String):
            macros[block.key.lower()] = resolve(str(block.value), macros)
            continue
        line = (block.start_line or 0) + 1
        entry = _entry_of(block)
        if entry is None:
            if isinstance(block, model.ParsingFailedBlock):
                yield ParseProblem(
                    line=line, message="malformed BibTeX entry (check its braces and commas)"
                )
            continue
        draft = entry_draft(entry, macros)
        if not draft.title:
            yield ParseProblem(line=line, message=f"BibTeX entry {entry.key!r} has no title")
            continue
        yield draft_to_paper(draft, seen)


def looks_like_bibtex(head: str) -> bool:
    """An '@type{' or '@type(' entry start at the beginning of some line."""
    return re.search(r"^\s*@\s*[A-Za-z]+\s*[{(]", head, re.MULTILINE) is not None
