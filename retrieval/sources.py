"""Ingest entry points: read a source file into `Paper` records, then check its hygiene.

Formats are told apart by content (the extension is only a hint): a profile page, BibTeX,
our own Paper JSONL, CSL-JSON, OpenAlex works, Semantic Scholar papers, or any JSON array /
JSONL of paper objects with guessed field names (`field_map` overrides the guess).

Every source goes through the same contract: good records become papers, bad ones become
`ParseProblem`s with the line they start on, and nothing is dropped without a trace: the
`HygieneReport` lists what was skipped, merged, excluded or is missing.
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

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from retrieval.errors import SourceError
from retrieval.formats.bibtex import iter_bibtex, looks_like_bibtex
from retrieval.formats.jsonfile import (
    RecordKind,
    is_paper_schema,
    iter_json_records,
    json_items,
    record_kind,
)
from retrieval.formats.site import SITE_HINT, FoundFile, load_site
from retrieval.formats.siteconfig import SITE_FOLDERS
from retrieval.hygiene import HygieneReport, check
from retrieval.latex import make_id, unique_id
from retrieval.models import CorpusInfo, Paper, category_name
from retrieval.profile import ParseProblem, parse_profile

SourceFormat = Literal["profile", "jsonl", "bibtex", "csl", "openalex", "s2", "json", "site"]
_HINT = (
    "use a profile page, BibTeX, CSL-JSON, OpenAlex or Semantic Scholar JSON, "
    "a JSON array / JSONL of papers, or a website repository's folder"
)
_SITE_SUFFIXES = (".md", ".markdown", ".yml", ".yaml")
_EXTENSIONS: dict[str, SourceFormat] = {".txt": "profile", ".jsonl": "jsonl", ".bib": "bibtex"}
_PROFILE_RE = re.compile(r"^h-index\s*\d", re.MULTILINE)


class LoadResult(BaseModel):
    """What a source yielded: header (profile pages only), papers, problems and the report."""

    model_config = ConfigDict(extra="forbid")

    info: CorpusInfo | None = None
    papers: list[Paper] = Field(default_factory=list)
    problems: list[ParseProblem] = Field(default_factory=list)
    format: SourceFormat
    excluded: list[Paper] = Field(
        default_factory=list,
        description="Papers left out (see the report): not by the owner; from a website, also "
        "drafts, works in progress and the theme's example publications.",
    )
    found: list[FoundFile] = Field(
        default_factory=list, description="A website source's files and what each gave."
    )
    report: HygieneReport | None = Field(default=None, description="None for a raw load.")


def _read_text(path: Path) -> str:
    if not path.is_file():
        raise SourceError(f"No source file at {path}: check the path ({_HINT}).")
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


def _first_record(path: Path) -> Any:
    """The first JSON line of a JSONL file (None if it is not one)."""
    for _, line in _lines(path):
        if line.strip():
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                return None
    return None


def _json_format(text: str) -> tuple[RecordKind, list[tuple[int, Any]]]:
    items = list(json_items(text))
    records = [r for _, r in items if not isinstance(r, ParseProblem)]
    return record_kind(records), items


def detect_format(path: str | Path) -> SourceFormat:
    """The format by content: the first characters, then the shape of the first records.

    A folder, a Markdown page or YAML file, or a file in a site's publications folder
    (`_data/publications.json`) is a website source (`retrieval.formats.site`).
    """
    path = Path(path)
    if path.is_dir():
        return "site"
    suffix, in_site = path.suffix.lower(), path.parent.name in SITE_FOLDERS
    if path.is_file() and (suffix in _SITE_SUFFIXES or (suffix == ".json" and in_site)):
        return "site"
    if not path.is_file():
        raise SourceError(f"No source file at {path}: check the path ({_HINT}).")
    with path.open(encoding="utf-8-sig", errors="replace") as handle:
        head = handle.read(65536)
    first = head.lstrip()[:1]
    if not first and path.suffix.lower() in _EXTENSIONS:  # an empty file: its name is all
        return _EXTENSIONS[path.suffix.lower()]
    if first == "{" and is_paper_schema(_first_record(path)):
        return "jsonl"  # our own corpus format: streamed and read strictly
    if first in "[{" and first:
        return _json_format(_read_text(path))[0]
    if looks_like_bibtex(head):
        return "bibtex"
    if _PROFILE_RE.search(head):
        return "profile"
    if head.lstrip().startswith(("---", "+++")):
        return "site"  # a front-matter page, whatever the file is called
    raise SourceError(f"Cannot tell the format of {path}: {_HINT}.")


def _error_text(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(map(str, e['loc'])) or 'record'}: {e['msg']}" for e in exc.errors()
    )


def _jsonl_paper(record: Any, seen: dict[str, int]) -> Paper:
    """A Paper from one record in our schema, filling what can be derived (ValueError)."""
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


def _records(
    path: Path, fmt: SourceFormat, today: date | None, field_map: dict[str, str] | None
) -> Iterator[Paper | ParseProblem]:
    if fmt == "jsonl":
        return _iter_jsonl(path, {})
    if fmt == "bibtex":
        return iter_bibtex(_read_text(path), {})
    if fmt == "site":
        site = load_site(path)
        return iter([*site.problems, *site.papers])
    if fmt == "profile":  # a few dozen papers: parsed whole, their problems first
        _, papers, problems = parse_profile(_read_text(path), today=today, source=str(path))
        return iter([*problems, *papers])
    kind, items = _json_format(_read_text(path))
    return iter_json_records(items, kind, {}, field_map)


def iter_source_batches(
    path: str | Path,
    batch_size: int = 512,
    *,
    today: date | None = None,
    field_map: dict[str, str] | None = None,
) -> Iterator[tuple[list[Paper], list[ParseProblem]]]:
    """Raw papers and problems in batches (no hygiene checks: they need the whole corpus).

    Our JSONL is streamed in constant memory; other formats are parsed whole, then batched.
    """
    path = Path(path)
    fmt = detect_format(path)
    papers: list[Paper] = []
    problems: list[ParseProblem] = []
    for record in _records(path, fmt, today, field_map):
        if isinstance(record, Paper):
            papers.append(record)
        else:
            problems.append(record)
        if len(papers) >= batch_size:
            yield papers, problems
            papers, problems = [], []
    if papers or problems:
        yield papers, problems


def load_source(
    path: str | Path,
    *,
    today: date | None = None,
    owner: str | None = None,
    keep_all: bool = False,
    field_map: dict[str, str] | None = None,
    hygiene: bool = True,
) -> LoadResult:
    """Read a whole source file and check it (see `retrieval.hygiene`).

    `today` anchors the profile page's year-less dates; `owner` defaults to the profile
    header's, else is inferred; `keep_all` keeps papers the owner did not write;
    `field_map` maps our field names to a JSON source's (`{"title": "name"}`);
    `hygiene=False` gives the records exactly as parsed, with no report.
    A file that yields no paper at all is an error, not an empty corpus.
    """
    path = Path(path)
    result = LoadResult(format=detect_format(path))
    if result.format == "site":
        return _load_site(result, path, owner=owner, keep_all=keep_all, hygiene=hygiene)
    if result.format == "profile":
        result.info, result.papers, result.problems = parse_profile(
            _read_text(path), today=today, source=str(path)
        )
    else:
        for papers, problems in iter_source_batches(path, today=today, field_map=field_map):
            result.papers.extend(papers)
            result.problems.extend(problems)
    if not result.papers:
        first = result.problems[0] if result.problems else None
        detail = f" (line {first.line}: {first.message})" if first else ""
        raise SourceError(f"No papers found in {path}{detail}: {_HINT}.")
    if hygiene:
        owner = owner or (result.info.owner if result.info else None)
        checked = check(result.papers, result.problems, owner=owner, keep_all=keep_all)
        result.papers, result.excluded, result.report = (
            checked.papers,
            checked.excluded,
            checked.report,
        )
    return result


def _load_site(
    result: LoadResult, path: Path, *, owner: str | None, keep_all: bool, hygiene: bool
) -> LoadResult:
    """A website source: its reader's per-file notes come first in the report."""
    site = load_site(path, owner=owner, keep_all=keep_all)
    result.papers, result.problems, result.found = site.papers, site.problems, site.files
    result.excluded = site.held_back
    if not result.papers:
        first = result.problems[0] if result.problems else None
        detail = f" ({first.file}:{first.line}: {first.message})" if first else ""
        held = len(site.held_back)
        kept = (
            f"; {held} held back (drafts, works in progress, examples): --keep-all" if held else ""
        )
        raise SourceError(f"No papers found in {path}{detail}{kept}; {SITE_HINT}.")
    if hygiene:
        checked = check(
            result.papers, result.problems, owner=site.owner, keep_all=keep_all,
            infer=not site.coauthors_only,
        )  # fmt: skip
        result.papers = checked.papers
        result.excluded += checked.excluded
        result.report = checked.report
        result.report.warnings = [*site.warnings, *checked.report.warnings]
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
