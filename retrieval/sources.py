"""Ingest entry points: read a source file (profile page, JSONL, BibTeX) into `Paper` records.

Every source goes through the same contract: good records become papers, bad ones become
`ParseProblem`s with the line they start on, and nothing is dropped without a trace.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any, Literal

import pyparsing
from bibtexparser.bibdatabase import UndefinedString
from bibtexparser.bparser import BibTexParser
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from retrieval.errors import SourceError
from retrieval.latex import clean_latex, extract_urls, github_url, make_id, unique_id
from retrieval.models import CorpusInfo, Paper, category_name
from retrieval.profile import MONTHS, ParseProblem, parse_profile

SourceFormat = Literal["profile", "jsonl", "bibtex"]
_EXTENSIONS: dict[str, SourceFormat] = {
    ".txt": "profile", ".jsonl": "jsonl", ".ndjson": "jsonl", ".bib": "bibtex", ".bibtex": "bibtex",
}  # fmt: skip
_HINT = "use a profile page (.txt), Paper records (.jsonl) or BibTeX (.bib)"


class LoadResult(BaseModel):
    """What a source yielded: its header (profile pages only), papers and problems."""

    model_config = ConfigDict(extra="forbid")

    info: CorpusInfo | None = None
    papers: list[Paper] = Field(default_factory=list)
    problems: list[ParseProblem] = Field(default_factory=list)
    format: SourceFormat


def detect_format(path: str | Path) -> SourceFormat:
    """By extension, else by the first non-blank character of the file."""
    path = Path(path)
    if not path.is_file():
        raise SourceError(f"No source file at {path}: check the path ({_HINT}).")
    if path.suffix.lower() in _EXTENSIONS:
        return _EXTENSIONS[path.suffix.lower()]
    with path.open(encoding="utf-8-sig", errors="replace") as handle:
        head = handle.read(4096)
    first = head.lstrip()[:1]
    if first == "{":
        return "jsonl"
    if first in ("@", "%"):
        return "bibtex"
    if re.search(r"^h-index\s*\d", head, re.MULTILINE):
        return "profile"
    raise SourceError(f"Cannot tell the format of {path}: {_HINT}.")


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(f"{path} is not UTF-8 text: re-save it as UTF-8.") from exc


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """Numbered lines, streamed, so huge files are read in constant memory."""
    try:
        with path.open(encoding="utf-8-sig") as handle:
            yield from enumerate(handle, 1)
    except UnicodeDecodeError as exc:
        raise SourceError(f"{path} is not UTF-8 text: re-save it as UTF-8.") from exc


def _error_text(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(map(str, e['loc'])) or 'record'}: {e['msg']}" for e in exc.errors()
    )


def _jsonl_paper(record: Any, seen: dict[str, int]) -> Paper:
    """A Paper from one JSON record, filling what can be derived (ValueError if invalid)."""
    if not isinstance(record, dict):
        raise ValueError("record is not a JSON object")
    title = record.get("title")
    if title is None or title == "":
        raise ValueError("record has no title")
    if not isinstance(title, str):
        raise ValueError("title: must be a string")
    record = dict(record)
    base = record.get("id") if isinstance(record.get("id"), str) and record["id"] else None
    record["id"] = base or make_id(title)
    if isinstance(record.get("category"), str) and not record.get("category_name"):
        record["category_name"] = category_name(record["category"]) if record["category"] else ""
    if record.get("code_url") and "has_code" not in record:
        record["has_code"] = True
    paper = Paper.model_validate(record)
    if paper.published and paper.year is None:
        paper.year = paper.published.year
    if paper.published and "date_precision" not in record:
        paper.date_precision = "day"
    paper.id = unique_id(paper.id, seen)
    return paper


def _iter_jsonl(path: Path, seen: dict[str, int]) -> Iterator[Paper | ParseProblem]:
    for number, line in _lines(path):
        if not line.strip():
            continue
        try:
            yield _jsonl_paper(json.loads(line), seen)
        except json.JSONDecodeError as exc:
            yield ParseProblem(line=number, message=f"invalid JSON: {exc.msg}")
        except ValidationError as exc:
            yield ParseProblem(line=number, message=f"invalid paper: {_error_text(exc)}")
        except ValueError as exc:
            yield ParseProblem(line=number, message=str(exc))


def _bib_name(name: str) -> str:
    """'Shum, Heung-Yeung' -> 'Heung-Yeung Shum' ('Last, Jr, First' keeps the Jr)."""
    parts = [p.strip() for p in clean_latex(name).split(",")]
    if len(parts) == 2:
        return f"{parts[1]} {parts[0]}".strip()
    if len(parts) == 3:
        return f"{parts[2]} {parts[0]} {parts[1]}".strip()
    return " ".join(parts)


def _split_authors(value: str) -> list[str]:
    """Split on ' and ' outside braces, as BibTeX does ({Barnes and Noble} is one name)."""
    names, depth, start = [], 0, 0
    for m in re.finditer(r"[{}]|\s+and\s+", value, re.IGNORECASE):
        token = m.group(0)
        depth += 1 if token == "{" else -1 if token == "}" else 0
        if token not in "{}" and depth == 0:
            names.append(value[start : m.start()])
            start = m.end()
    names.append(value[start:])
    return [" ".join(n.split()) for n in names if n.strip()]


def _bib_date(entry: dict[str, str]) -> tuple[int | None, date | None, Literal["month", "year"]]:
    year_match = re.search(r"\d{4}", entry.get("year", ""))
    if not year_match:
        return None, None, "year"
    year = int(year_match.group(0))
    month_text = entry.get("month", "").strip()
    month = MONTHS.get(month_text[:3].title()) or (int(month_text) if month_text.isdigit() else 0)
    if 1 <= month <= 12:
        return year, date(year, month, 1), "month"
    return year, date(year, 1, 1), "year"


def _bib_paper(entry: dict[str, str], seen: dict[str, int]) -> Paper:
    names = _split_authors(entry.get("author", ""))
    truncated = bool(names) and names[-1].lower() == "others"
    year, published, precision = _bib_date(entry)
    raw_text = " ".join(entry.get(f, "") for f in ("url", "abstract", "note", "howpublished"))
    urls = extract_urls(raw_text)
    if doi := entry.get("doi", "").strip():
        urls.append(doi if doi.startswith("http") else f"https://doi.org/{doi}")
    eprint = entry.get("eprint", "") or entry.get("journal", "")
    if arxiv := re.search(r"(\d{4}\.\d{4,5})(v\d+)?", eprint):
        urls.append(f"https://arxiv.org/abs/{arxiv.group(1)}")
    urls = list(dict.fromkeys(urls))
    category = entry.get("primaryclass", "").rpartition(".")[2].strip().upper()
    venue = clean_latex(entry.get("journal") or entry.get("booktitle") or "") or None
    code = github_url(urls)
    title = clean_latex(entry["title"])
    return Paper(
        id=unique_id(make_id(title), seen),
        title=title,
        authors=[_bib_name(n) for n in names if n.lower() != "others"],
        authors_truncated=truncated,
        published=published,
        date_precision=precision if published else "unknown",
        year=year,
        category=category,
        category_name=category_name(category) if category else "",
        has_code=code is not None,
        code_url=code,
        urls=urls,
        abstract=clean_latex(entry.get("abstract", "")),
        venue=venue,
    )


def _bib_chunks(path: Path) -> Iterator[tuple[int, str]]:
    """Entries as (first line, text), split at lines starting with '@'."""
    start = 1
    chunk: list[str] = []
    for number, line in _lines(path):
        if line.lstrip().startswith("@") and chunk:
            yield start, "".join(chunk)
            chunk = []
        if not chunk:
            start = number
        chunk.append(line)
    if chunk:
        yield start, "".join(chunk)


def _iter_bibtex(path: Path, seen: dict[str, int]) -> Iterator[Paper | ParseProblem]:
    # One parser for the whole file so @string macros carry over; entries are taken out
    # after every chunk to keep memory flat.
    parser = BibTexParser(common_strings=True, ignore_nonstandard_types=False)
    parser.expect_multiple_parse = True
    for start, chunk in _bib_chunks(path):
        kind = re.match(r"\s*@\s*(\w+)", chunk)
        if kind is None:
            continue  # text before the first entry: BibTeX ignores it too
        # bibtexparser turns an unparseable entry into a comment, so "no entry" is the signal.
        problem = "malformed BibTeX entry (check its braces and commas)"
        try:
            entries = list(parser.parse(chunk).entries)
        except pyparsing.ParseBaseException:
            entries = []
        except UndefinedString as exc:
            entries, problem = [], f"undefined @string macro {exc.args[0]!r}"
        parser.bib_database.entries.clear()
        parser.bib_database.comments.clear()
        if not entries and kind.group(1).lower() not in ("comment", "string", "preamble"):
            yield ParseProblem(line=start, message=problem)
        for entry in entries:
            if not clean_latex(entry.get("title", "")):
                key = entry.get("ID", "?")
                yield ParseProblem(line=start, message=f"BibTeX entry {key!r} has no title")
            else:
                yield _bib_paper(entry, seen)


def _records(path: Path, fmt: SourceFormat, today: date | None) -> Iterator[Paper | ParseProblem]:
    if fmt == "jsonl":
        return _iter_jsonl(path, {})
    if fmt == "bibtex":
        return _iter_bibtex(path, {})
    # Profile pages hold a few dozen papers: parsed whole, their problems first.
    _, papers, problems = parse_profile(_read_text(path), today=today, source=str(path))
    return iter([*problems, *papers])


def iter_source_batches(
    path: str | Path, batch_size: int = 512, *, today: date | None = None
) -> Iterator[tuple[list[Paper], list[ParseProblem]]]:
    """Papers and problems in batches, streaming JSONL and BibTeX for files too big to load."""
    path = Path(path)
    fmt = detect_format(path)
    papers: list[Paper] = []
    problems: list[ParseProblem] = []
    for record in _records(path, fmt, today):
        if isinstance(record, Paper):
            papers.append(record)
        else:
            problems.append(record)
        if len(papers) >= batch_size:
            yield papers, problems
            papers, problems = [], []
    if papers or problems:
        yield papers, problems


def load_source(path: str | Path, *, today: date | None = None) -> LoadResult:
    """Read a whole source file; `today` anchors the profile page's year-less dates.

    A file that yields no paper at all is an error, not an empty corpus.
    """
    path = Path(path)
    result = LoadResult(format=detect_format(path))
    if result.format == "profile":
        result.info, result.papers, result.problems = parse_profile(
            _read_text(path), today=today, source=str(path)
        )
    else:
        for papers, problems in iter_source_batches(path, today=today):
            result.papers.extend(papers)
            result.problems.extend(problems)
    if not result.papers:
        first = result.problems[0] if result.problems else None
        detail = f" (line {first.line}: {first.message})" if first else ""
        raise SourceError(f"No papers found in {path}{detail}: {_HINT}.")
    return result


def _write_atomic(path: Path, lines: Iterable[str]) -> None:
    """Write to a temporary file beside `path`, then rename, so readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.writelines(lines)
        os.chmod(tmp, 0o644)  # mkstemp makes it 0600; the corpus is meant to be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_corpus(
    papers: Iterable[Paper], info: CorpusInfo | None, papers_path: str | Path, info_path: str | Path
) -> None:
    """Save the corpus as JSONL plus header JSON; with no header a stale one is removed."""
    _write_atomic(Path(papers_path), (p.model_dump_json() + "\n" for p in papers))
    if info is None:
        Path(info_path).unlink(missing_ok=True)
    else:
        _write_atomic(Path(info_path), [info.model_dump_json(indent=2) + "\n"])


def read_corpus(
    papers_path: str | Path, info_path: str | Path
) -> tuple[CorpusInfo | None, list[Paper]]:
    """Load a corpus written by `write_corpus`; any bad line means the file is damaged."""
    papers_path, info_path = Path(papers_path), Path(info_path)
    if not papers_path.is_file():
        raise SourceError(f"No corpus at {papers_path}: ingest a source file first.")
    papers: list[Paper] = []
    for record in _iter_jsonl(papers_path, {}):
        if isinstance(record, ParseProblem):
            raise SourceError(
                f"Corpus {papers_path} line {record.line} is damaged ({record.message}): "
                "ingest the source again."
            )
        papers.append(record)
    info = None
    if info_path.is_file():
        try:
            info = CorpusInfo.model_validate_json(info_path.read_text(encoding="utf-8"))
        except ValidationError as exc:
            reason = _error_text(exc)
            raise SourceError(
                f"Corpus info {info_path} is damaged ({reason}): ingest again."
            ) from exc
    return info, papers
