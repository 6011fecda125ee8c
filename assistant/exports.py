"""Take an answer away: a conversation as Markdown with one reference list, the cited
papers as BibTeX.

Every field of a paper and every answer sentence is untrusted text (a title may hold
`<script>` or a `[link](javascript:...)`): it is escaped so any Markdown or BibTeX reader
shows it as text, and only http(s) URLs ever become links.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from urllib.parse import quote, urlsplit

from assistant.types import Answer
from retrieval.models import Paper

MARKER = re.compile(r"\[(\d+)\]")
# Characters that start Markdown syntax (links, emphasis, code, headings, tables, HTML).
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#|~])")
_BIB_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "$": r"\$",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_BIB_RE = re.compile("|".join(re.escape(c) for c in _BIB_SPECIAL))


def safe_url(url: str | None) -> str | None:
    """The URL if it is plain http(s), else None: `javascript:` and friends never link."""
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    # Percent-encode whatever could close the link or start markup.
    return quote(url, safe=":/?#[]@!$&'()*+,;=%-._~")


def md_text(text: str) -> str:
    """Markdown that renders as exactly `text`: HTML is entity-escaped, syntax backslashed."""
    text = re.sub(r"\s+", " ", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def paper_links(paper: Paper) -> list[tuple[str, str]]:
    """(label, url) for the paper's code, PDF, DOI and arXiv pages; http(s) only."""
    candidates: list[tuple[str, str | None]] = [
        ("code", paper.code_url or paper.links.get("code")),
        ("pdf", paper.links.get("pdf")),
        ("doi", f"https://doi.org/{paper.doi}" if paper.doi else None),
        ("arXiv", f"https://arxiv.org/abs/{paper.arxiv_id}" if paper.arxiv_id else None),
        ("html", paper.links.get("html")),
    ]
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for label, url in candidates:
        safe = safe_url(url)
        if safe and safe not in seen:
            seen.add(safe)
            out.append((label, safe))
    return out


def reference_line(number: int, paper: Paper) -> str:
    authors = ", ".join(paper.authors[:6])
    if len(paper.authors) > 6 or paper.authors_truncated:
        authors += " et al."
    bits = [md_text(paper.title)]
    if authors:
        bits.append(md_text(authors))
    if paper.venue:
        bits.append("_" + md_text(paper.venue) + "_")
    if paper.year:
        bits.append(str(paper.year))
    links = " ".join(f"[{label}](<{url}>)" for label, url in paper_links(paper))
    text = ". ".join(b.rstrip(".") for b in bits) + "."
    return f"{number}. {text}" + (f" {links}" if links else "")


def conversation_markdown(turns: Sequence[tuple[str, Answer]], owner: str | None = None) -> str:
    """Questions and checked answers, with the [n] markers renumbered into one reference
    list for the whole conversation (the same paper keeps one number)."""
    numbers: dict[str, int] = {}
    papers: list[Paper] = []
    title = f"# paperchat: questions about {md_text(owner)}'s papers" if owner else "# paperchat"
    parts = [title]
    for question, answer in turns:
        by_key = {c.key: c.paper for c in answer.citations}

        def renumber(match: re.Match[str], by_key: dict[str, Paper] = by_key) -> str:
            paper = by_key.get(match[1])
            if paper is None:
                return ""  # a marker with no checked citation is not exported
            if paper.id not in numbers:
                numbers[paper.id] = len(numbers) + 1
                papers.append(paper)
            return f"\\[{numbers[paper.id]}\\]"

        # Keep the answer's line breaks (lists, sections) while escaping each line.
        body = "\n".join(_escape_line(line, renumber) for line in answer.text.split("\n"))
        parts.append(f"## {md_text(question)}\n\n{body}")
        if answer.checked and not answer.citations:
            checked = "; ".join(md_text(c.paper.short_ref()) for c in answer.checked)
            parts.append(f"_Papers checked:_ {checked}")
    if papers:
        refs = "\n".join(reference_line(i, p) for i, p in enumerate(papers, 1))
        parts.append("## References\n\n" + refs)
    return "\n\n".join(parts) + "\n"


def _escape_line(line: str, renumber: Callable[[re.Match[str]], str]) -> str:
    """One answer line: text escaped, [n] markers renumbered, a leading list dash kept."""
    bullet = ""
    if line.startswith("- "):
        bullet, line = "- ", line[2:]
    heading = re.fullmatch(r"\*\*(.+)\*\*", line.strip())
    if heading:  # a summary's theme heading
        return f"**{md_text(heading[1])}**"
    out: list[str] = []
    last = 0
    for match in MARKER.finditer(line):
        out += [md_text(line[last : match.start()]), renumber(match)]
        last = match.end()
    out.append(md_text(line[last:]))
    return bullet + "".join(out)


def bib_text(text: str) -> str:
    """A BibTeX field value that reads back as `text`: braces and TeX specials escaped."""
    text = " ".join(text.split())
    return _BIB_RE.sub(lambda m: _BIB_SPECIAL[m[0]], text)


def bib_key(paper: Paper, taken: set[str]) -> str:
    """'carion2020end'-style keys, ASCII only, unique within the file."""
    first = paper.authors[0].split()[-1] if paper.authors else "anon"
    word = next((w for w in re.findall(r"[A-Za-z]{3,}", paper.title)), "paper")
    base = _ascii(first).lower() + str(paper.year or "") + word.lower()
    key, n = base or "paper", 1
    while key in taken:
        n += 1
        key = f"{base}{chr(ord('a') + n - 2)}" if n <= 27 else f"{base}{n}"
    taken.add(key)
    return key


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]", "", folded)


def bibtex(papers: Iterable[Paper]) -> str:
    """One entry per paper: @inproceedings/@article when the venue is known, else @misc."""
    taken: set[str] = set()
    entries = []
    for paper in papers:
        venue = paper.venue or ""
        journal = re.search(r"journal|transactions|letters|review", venue, re.I)
        kind = "misc" if not venue else ("article" if journal else "inproceedings")
        fields: list[tuple[str, str]] = [("title", "{" + bib_text(paper.title) + "}")]
        if paper.authors:
            names = " and ".join(bib_text(a) for a in paper.authors)
            fields.append(("author", names + (" and others" if paper.authors_truncated else "")))
        if paper.year:
            fields.append(("year", str(paper.year)))
        if venue:
            fields.append(("journal" if journal else "booktitle", bib_text(venue)))
        if paper.doi:
            fields.append(("doi", bib_text(paper.doi)))
        if paper.arxiv_id:
            fields += [("eprint", bib_text(paper.arxiv_id)), ("archiveprefix", "arXiv")]
        links = dict(paper_links(paper))
        if url := links.get("pdf") or links.get("html") or links.get("arXiv"):
            fields.append(("url", bib_text(url)))
        if code := links.get("code"):
            fields.append(("code", bib_text(code)))
        if paper.award:
            fields.append(("note", bib_text(paper.award)))
        if paper.abstract:
            fields.append(("abstract", bib_text(paper.abstract)))
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        entries.append(f"@{kind}{{{bib_key(paper, taken)},\n{body}\n}}")
    return "\n\n".join(entries) + ("\n" if entries else "")
