"""Plain text from website pages: Markdown fields and bodies made plain (then HTML, entities and
TeX, as for every format), with what templates and copy-paste leave behind taken out and
named, so the report can say what was dropped from which page.

The rules are about the layouts, not about one site: theme placeholder sentences (Hugo Blox,
academicpages), commented-out parts, stray comment ends, download-link lines and the
"Recommended citation:" line the academicpages template writes under every abstract.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from retrieval.formats.common import text_of

_LINK_RE = re.compile(r"(!?)\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_STRONG_RE = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", re.DOTALL)
_STAR_RE = re.compile(r"(?<![\w*\\])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])")
_UNDER_RE = re.compile(r"(?<![\w\\])_(?=\S)([^_]+?)(?<=\S)_(?!\w)")
_CODE_RE = re.compile(r"(?<!`)`([^`\n]+)`(?!`)")  # not TeX's ``quotes''
_LINE_MARKUP_RE = re.compile(r"^[ \t]*(?:#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+(?=\S))", re.MULTILINE)
_SHORTCODE_RE = re.compile(r"\{\{[<%].*?[%>]\}\}", re.DOTALL)
_COMMENT_RE = re.compile(r"<!--(.*?)-->", re.DOTALL)
_CITATION_LINE_RE = re.compile(r"^\s*(?:recommended citation|citation|cite as)\s*:\s*(.*)$", re.I)
_ONLY_LINKS_RE = re.compile(r"^\s*(?:" + _LINK_RE.pattern + r"[\s|·,-]*)+$")
_EMPTY_ABSTRACT_RE = re.compile(r"^\W*$")

# Sentences the themes ship in their example pages; a page that still has one was never filled
# in there. Matched on the raw Markdown, so emphasis marks are allowed around the words.
_PLACEHOLDERS = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"Add the \W*full text\W* or \W*supplementary notes\W* for the publication here"
        r" using Markdown formatting\.?",
        r"Supplementary notes can be added here, including \[code and math\]\([^)]*\)\.?",
        r"Click the \W*Cite\W* button above to demo the feature to enable visitors to import"
        r" publication metadata into their reference management software\.?",
        r"Create your slides in Markdown\W+click the \W*Slides\W* button to check out the"
        r" example\.?",
        r"This paper is about the number \d+\.(?: The number \d+ is left for future work\.)?",
        r"Use \[Google Scholar\]\([^)]*\) for full citation\.?",
        r"Lorem ipsum dolor sit amet\b.*",
    )
]
# Bibliographic details where prose should be: 'Volume 39, Issue 4', 'Pages: 543-706'.
_BIBLIO_RE = re.compile(r"\b(?:vol(?:ume)?|issue|pages?|pp|no)\b\.?\s*:?\s*\d", re.IGNORECASE)
_SENTENCE_RE = re.compile(r"(?:\b\w+\b\W+){7,}?\w*[.!?](?:\s|$)")
# A word broken at a line end in a PDF copy: 'return- ing'.
_BROKEN_WORD_RE = re.compile(
    r"\b([a-z]{2,})- (ing|ings|ed|tion|tions|ment|ments|ly|ity|ities|ness|able|ible|ance|ence"
    r"|er|ers|est|ive|ous|ize|ized|ise|ised|ization|al)\b"
)


def markdown_text(value: Any) -> str:
    """Plain text from a Markdown field: links keep their label, emphasis and code marks go."""
    if value is None or isinstance(value, bool | dict):
        return ""
    if isinstance(value, list):
        value = " ".join(markdown_text(v) for v in value)
    text = _SHORTCODE_RE.sub(" ", str(value))
    text = _LINK_RE.sub(lambda m: "" if m.group(1) else m.group(2), text)
    text = _CODE_RE.sub(r"\1", text)
    text = _STRONG_RE.sub(r"\2", text)
    text = _STAR_RE.sub(r"\1", _UNDER_RE.sub(r"\1", text))
    return text_of(_LINE_MARKUP_RE.sub("", text))


def placeholder_in(text: str) -> str | None:
    """The theme placeholder sentence in `text`, if there is one."""
    for pattern in _PLACEHOLDERS:
        if found := pattern.search(text):
            return found.group(0)[:80]
    return None


def without_placeholders(text: str) -> tuple[str, list[str]]:
    found = []
    for pattern in _PLACEHOLDERS:
        if hit := pattern.search(text):
            found.append(hit.group(0)[:80])
            text = pattern.sub(" ", text)
    return text, found


def looks_like_metadata(text: str) -> bool:
    """Issue or page details in place of an abstract: no sentence, but volume/issue/pages."""
    return bool(_BIBLIO_RE.search(text)) and not _SENTENCE_RE.search(text)


def mend_words(text: str) -> tuple[str, list[str]]:
    """Words a PDF copy broke at line ends joined again, with the ones mended."""
    mended = [m.group(0) for m in _BROKEN_WORD_RE.finditer(text)]
    return _BROKEN_WORD_RE.sub(r"\1\2", text), mended


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def extra_words(short: str, long: str) -> int | None:
    """How many words `long` has after repeating `short` word for word (None if it does not)."""
    a, b = words(short), words(long)
    if not a or len(b) < len(a) or b[: len(a)] != a:
        return None
    return len(b) - len(a)


def _link_name(label: str, url: str) -> str:
    """A link's name in `Paper.links`, from its label: 'Download paper here' -> 'paper'."""
    low = f"{label} {url}".lower()
    for name in ("code", "slides", "poster", "video", "data"):
        if name in label.lower():
            return name
    if "pdf" in low:
        return "pdf"
    slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
    return "paper" if not slug or "download" in slug or "paper" in slug else slug


@dataclass
class PageBody:
    """A page body made plain: its text, the links it listed, and what was left out."""

    text: str = ""
    links: dict[str, str] = field(default_factory=dict)
    citation: str = ""
    dropped: list[str] = field(default_factory=list)
    placeholders: list[str] = field(default_factory=list)


def _comments(body: str, out: PageBody) -> str:
    for found in _COMMENT_RE.finditer(body):
        inner = _LINK_RE.search(found.group(1))
        what = f"a link to {inner.group(3)}" if inner else f"{len(found.group(1).split())} words"
        out.dropped.append(f"a commented-out part ({what})")
    body = _COMMENT_RE.sub("\n", body)
    if "<!--" in body:
        out.dropped.append("an unclosed '<!--' and what follows it")
        body = body[: body.index("<!--")]
    if "-->" in body:
        out.dropped.append("a stray '-->'")
        body = body.replace("-->", " ")
    return body


def clean_body(body: str) -> PageBody:
    """A page body's prose, without comments, shortcodes, link lines and citation lines."""
    out = PageBody()
    body = _comments(body, out)
    if _SHORTCODE_RE.search(body):
        out.dropped.append("Hugo shortcodes")
        body = _SHORTCODE_RE.sub(" ", body)
    body, out.placeholders = without_placeholders(body)
    kept: list[str] = []
    for line in body.splitlines():
        if found := _CITATION_LINE_RE.match(line):
            out.citation = found.group(1).strip()
            out.dropped.append("the 'Recommended citation:' line")
        elif _ONLY_LINKS_RE.match(line):
            for m in _LINK_RE.finditer(line):
                if not m.group(1):
                    out.links.setdefault(_link_name(m.group(2), m.group(3)), m.group(3))
            out.dropped.append(f"a link line ({line.strip()[:60]})")
        else:
            kept.append(line)
    text = markdown_text("\n".join(kept))
    if text and text[0] in "'\"" and text.count(text[0]) % 2 == 1:
        out.dropped.append(f"a stray {text[0]} at the start")
        text = text[1:].lstrip()
    out.text = "" if _EMPTY_ABSTRACT_RE.match(text) else text
    return out
