"""One record of a website (a page's front matter and body, or one item of a `_data` list)
-> a Draft, with a note for everything taken from a second-best place, dropped or doubtful.

Field names are those of the common themes (Hugo Blox / Wowchemy, academicpages, al-folio,
hand-made `_data` lists); any field may be missing or of any YAML type. People, dates and
links are read in `retrieval.formats.sitefields`; here:
- abstract: `abstract`, else the page body, else `excerpt` / `summary` / `description`, with
  theme placeholders and issue details (no sentence, but volume/issue/pages) refused; a body
  that repeats the excerpt and adds words after it is copy-paste debris, so the excerpt wins;
- topics: tags and keywords, without the tags some themes use as a publication type;
- status: `draft: true` and work-in-progress statuses are held back; forthcoming is kept.
"""

from __future__ import annotations

import re
from typing import Any

from retrieval.formats.common import Draft
from retrieval.formats.pagetext import (
    PageBody,
    extra_words,
    looks_like_metadata,
    markdown_text,
    mend_words,
    placeholder_in,
    without_placeholders,
    words,
)
from retrieval.formats.sitefields import (
    Notes,
    SiteContext,
    SiteEntry,
    authors,
    dates,
    links,
)

MIN_BODY_WORDS = 25  # shorter bodies are page notes ("PDF available above"), not abstracts
_WIP = frozenset(("wip", "work in progress", "in progress", "in preparation", "in prep", "draft"))
_FORTHCOMING = frozenset(("forthcoming", "in press", "accepted", "to appear"))
# Tags some themes use as a publication type, not a topic ('journal-article').
_TYPE_TAGS = frozenset(
    re.sub(r"[^a-z]", "", t)
    for t in (
        "journal-article", "article-journal", "conference-paper", "paper-conference",
        "working-paper", "other-publication", "unpublished", "preprint", "report", "chapter",
        "book", "book-chapter", "thesis", "manuscript", "publication", "publications",
    )
)  # fmt: skip
_VENUE_FIELDS = ("venue", "publication", "journal", "booktitle", "conference", "publisher")
_TEXT_FIELDS = ("abstract", "page body", "excerpt", "summary", "description")


def _candidate(source: str, raw: Any, notes: Notes) -> str:
    """One abstract candidate as plain text, or '' when it is a placeholder or no prose."""
    if raw is None or isinstance(raw, bool | dict):
        return ""
    raw = " ".join(map(str, raw)) if isinstance(raw, list) else str(raw)
    if found := placeholder_in(raw):
        notes.add(
            "placeholder", f"the {source} holds the theme's placeholder ({found!r}): left out"
        )
        raw, _ = without_placeholders(raw)
    text = markdown_text(raw)
    if text and looks_like_metadata(text):
        notes.add(
            "placeholder",
            f"the {source} holds issue details, not an abstract ({text[:70]!r}): left out",
        )
        return ""
    if text and source == "page body" and len(words(text)) < MIN_BODY_WORDS:
        notes.add(
            "abstract_source",
            f"the page body ({len(words(text))} words: "
            f"{text[:60]!r}) is too short to be an abstract: left out",
        )
        return ""
    return text


def _abstract(meta: dict[str, Any], body: PageBody | None, notes: Notes) -> str:
    raws = {
        "abstract": meta.get("abstract"),
        "page body": body.text if body else None,
        "excerpt": meta.get("excerpt"),
        "summary": meta.get("summary"),
        "description": meta.get("description"),
    }
    texts: dict[str, str] = {}
    chosen = ""
    for source in _TEXT_FIELDS:  # the first usable one; later ones are not even judged
        texts[source] = _candidate(source, raws[source], notes)
        if texts[source]:
            chosen = source
            break
    if chosen == "page body":
        for short in ("excerpt", "summary"):
            texts[short] = _candidate(short, raws[short], Notes())
            extra = extra_words(texts[short], texts[chosen]) if texts[short] else None
            if extra is None:
                continue
            if extra:
                tail = " ".join(texts[chosen].split()[-extra:])[:80]
                notes.add(
                    "page_debris",
                    f"the body repeats the {short} and adds {extra} "
                    f"words after it ({tail!r}): the {short} is the abstract",
                )
            chosen = short
            break
    if not chosen:
        return ""
    if chosen != "abstract":
        notes.add("abstract_source", f"abstract taken from the {chosen}")
    text, mended = mend_words(texts[chosen])
    if mended:
        notes.add("page_debris", f"words broken at line ends joined: {', '.join(mended)}")
    return text


def _topics(meta: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for key in ("tags", "keywords", "topics", "categories"):
        value = meta.get(key)
        items = value.split(",") if isinstance(value, str) else value
        for item in items if isinstance(items, list) else []:
            text = markdown_text(item)
            if text and re.sub(r"[^a-z]", "", text.lower()) not in _TYPE_TAGS:
                out.append(text)
    return list(dict.fromkeys(out))


def _status(meta: dict[str, Any], entry: SiteEntry) -> None:
    if meta.get("draft") is True or str(meta.get("draft")).strip().lower() in ("true", "yes"):
        entry.held_back = "draft"
        entry.notes.add("draft", "draft: true (not published on the site)")
    status = markdown_text(meta.get("status")).lower()
    if status in _WIP:
        entry.held_back = entry.held_back or "work in progress"
        entry.notes.add("work_in_progress", f"status: {status} (a work in progress)")
    elif status in _FORTHCOMING:
        entry.notes.add(
            "forthcoming",
            f"status: {status}: kept" + ("" if entry.draft.year else ", with no year"),
        )


def site_entry(
    meta: dict[str, Any], body: PageBody | None, ctx: SiteContext, stem: str = ""
) -> SiteEntry:
    """The Draft for one record (ValueError when it has no title)."""
    title = markdown_text(meta.get("title") or meta.get("name"))
    if not title:
        raise ValueError("record has no title")
    entry = SiteEntry(draft=Draft(title=title))
    draft = entry.draft
    draft.authors, draft.authors_truncated = authors(meta, body, ctx, entry)
    draft.abstract = _abstract(meta, body, entry.notes)
    venue = next((markdown_text(meta[k]) for k in _VENUE_FIELDS if meta.get(k)), "")
    citation = meta.get("citation") if isinstance(meta.get("citation"), str) else ""
    citation = citation or (body.citation if body else "")
    draft.year, draft.published, draft.precision = dates(meta, stem, entry, citation, venue)
    draft.venue = venue or None
    draft.links, draft.doi, draft.arxiv_id = links(meta, body, ctx, entry.notes)
    draft.keywords = _topics(meta)
    award = meta.get("award") or meta.get("awards")
    draft.award = markdown_text(award) or None
    draft.selected = any(meta.get(k) is True for k in ("featured", "selected", "highlight"))
    _status(meta, entry)
    for found in body.placeholders if body else []:
        entry.notes.add(
            "placeholder", f"the page body holds the theme's placeholder ({found!r}): left out"
        )
    return entry
