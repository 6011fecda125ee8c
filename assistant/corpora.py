"""Several corpora side by side: ingest a source into a named corpus (files, report and
ingest record under the data dir), list the corpora, read one. The shipped corpus is the
default; each corpus has its own files, collection, BM25 cache and calibration, so no
answer can mix them.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from assistant.errors import ConfigError, SourceError
from assistant.settings import DEFAULT_CORPUS, CorpusPaths, Settings
from retrieval.index import PaperIndex
from retrieval.ingest import IngestReport, ingest
from retrieval.models import CorpusInfo, Paper
from retrieval.sources import LoadResult, load_source, read_corpus


class CorpusSummary(BaseModel):
    """One row of `paperchat corpora`."""

    name: str
    owner: str | None = None
    papers: int = 0
    last_ingest: str | None = Field(default=None, description="ISO time of the last ingest.")
    source: str | None = None
    default: bool = False


def corpus_name_for(source: Path) -> str:
    """A corpus name from a file name: 'Ada Lovelace papers.bib' -> 'ada-lovelace-papers'."""
    slug = re.sub(r"[^a-z0-9]+", "-", source.stem.lower()).strip("-")[:63].strip("-")
    return slug or "corpus"


def parse_field_map(text: str | None) -> dict[str, str] | None:
    """`--map title=name,abstract=summary` -> {"title": "name", "abstract": "summary"}."""
    if not text:
        return None
    from retrieval.formats.generic import FIELDS

    out: dict[str, str] = {}
    for part in text.split(","):
        ours, sep, theirs = part.partition("=")
        ours, theirs = ours.strip(), theirs.strip()
        if not sep or not ours or not theirs:
            raise ConfigError(f"--map {part!r}: write field=name, e.g. title=name")
        if ours not in FIELDS:
            raise ConfigError(f"--map {ours!r}: not a paper field (one of {', '.join(FIELDS)})")
        out[ours] = theirs
    return out


def load_corpus(paths: CorpusPaths) -> tuple[CorpusInfo | None, list[Paper]]:
    if not paths.papers.exists():
        hint = "" if paths.name == DEFAULT_CORPUS else f" --corpus {paths.name}"
        raise SourceError(
            f"No corpus {paths.name!r} at {paths.papers}: run `paperchat ingest SOURCE{hint}`"
        )
    return read_corpus(paths.papers, paths.info)


def ingest_corpus(
    settings: Settings,
    source: Path,
    *,
    name: str,
    owner: str | None = None,
    keep_all: bool = False,
    field_map: dict[str, str] | None = None,
    index: PaperIndex | None = None,
    progress: bool = True,
) -> IngestReport:
    """Parse `source` into corpus `name` (written then renamed: a failed ingest keeps the
    old corpus), with its hygiene report and an ingest record."""
    paths = settings.corpus_paths(name)
    paths.dir.mkdir(parents=True, exist_ok=True)
    report = ingest(
        source,
        paths.papers,
        paths.info,
        owner=owner,
        keep_all=keep_all,
        field_map=field_map,
        index=index,
        progress=progress,
        whole_file_limit=settings.max_source_mb * 2**20,
    )
    _write_json(paths.report, report.model_dump(mode="json"))
    meta = {
        "name": name,
        "source": str(source),
        "ingested_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "papers": report.papers,
        "owner": report.hygiene.owner if report.hygiene else owner,
    }
    _write_json(paths.meta, meta)
    return report


def preview_source(
    source: Path,
    *,
    owner: str | None = None,
    keep_all: bool = False,
    field_map: dict[str, str] | None = None,
) -> LoadResult:
    """What `ingest_corpus` would read from `source`, with its report; nothing is written."""
    if not source.exists():
        raise SourceError(f"No such file or folder: {source}")
    return load_source(source, owner=owner, keep_all=keep_all, field_map=field_map)


def list_corpora(settings: Settings) -> list[CorpusSummary]:
    """The shipped corpus first, then every ingested one, by name."""
    names = [DEFAULT_CORPUS]
    root = settings.paths.data_dir / "corpora"
    if root.is_dir():
        names += sorted(
            d.name
            for d in root.iterdir()
            if d.name != DEFAULT_CORPUS and (d / "papers.jsonl").is_file()
        )
    out = []
    for name in names:
        paths = settings.corpus_paths(name)
        if not paths.papers.is_file():
            continue
        meta = _read_json(paths.meta)
        info_data = _read_json(paths.info)
        papers = meta.get("papers")
        if papers is None:
            with paths.papers.open(encoding="utf-8") as handle:
                papers = sum(1 for line in handle if line.strip())
        out.append(
            CorpusSummary(
                name=name,
                owner=info_data.get("owner") or meta.get("owner"),
                papers=int(papers),
                last_ingest=meta.get("ingested_at")
                or datetime.fromtimestamp(paths.papers.stat().st_mtime, UTC).isoformat(
                    timespec="seconds"
                ),
                source=meta.get("source") or info_data.get("source"),
                default=name == settings.corpus,
            )
        )
    return out


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)
