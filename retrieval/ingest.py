"""Streaming ingest: a source of any size -> the corpus file (and optionally the index),
in batches, with a progress bar. Re-running after an interruption re-reads the file but
embeds nothing already stored: the index skips papers whose content hash it holds.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pydantic import BaseModel, Field
from tqdm import tqdm

from retrieval.errors import SourceError
from retrieval.index import PaperIndex, SyncReport
from retrieval.models import CorpusInfo, Paper
from retrieval.profile import ParseProblem
from retrieval.sources import detect_format, iter_source_batches, load_source, write_corpus


class IngestReport(BaseModel):
    papers: int = 0
    with_code: int = 0
    problems: list[ParseProblem] = Field(default_factory=list)
    index: SyncReport | None = None


def ingest(
    source: Path,
    papers_path: Path,
    info_path: Path,
    *,
    owner: str | None = None,
    index: PaperIndex | None = None,
    batch_size: int = 512,
    progress: bool = True,
) -> IngestReport:
    """Parse `source` into the corpus files; with `index`, embed each batch as it comes."""
    report = IngestReport()
    info: CorpusInfo | None = None
    if detect_format(source) == "profile":  # small, and its header is the corpus info
        loaded = load_source(source)
        info = loaded.info
        batches: Iterator[tuple[list[Paper], list[ParseProblem]]] = iter(
            [(loaded.papers, loaded.problems)]
        )
    else:
        batches = iter_source_batches(source, batch_size)
    if owner:
        info = (info or CorpusInfo(owner=owner, source=str(source))).model_copy(
            update={"owner": owner}
        )
    synced = SyncReport()
    seen: set[str] = set()
    bar = tqdm(desc=f"Ingesting {source.name}", unit="paper", disable=not progress)

    def stream() -> Iterator[Paper]:
        for papers, problems in batches:
            report.problems.extend(problems)
            if index is not None and papers:
                done = index.sync(papers, delete_missing=False, progress=False)
                for field in ("added", "updated", "unchanged", "embedded"):
                    setattr(synced, field, getattr(synced, field) + getattr(done, field))
            seen.update(p.id for p in papers)
            report.papers += len(papers)
            report.with_code += sum(p.has_code for p in papers)
            bar.update(len(papers))
            yield from papers
        if report.papers == 0:  # raising here keeps the old corpus file: nothing is lost
            first = report.problems[0] if report.problems else None
            detail = f" (line {first.line}: {first.message})" if first else ""
            raise SourceError(f"No papers could be read from {source}{detail}")

    try:
        write_corpus(stream(), info, papers_path, info_path)
    finally:
        bar.close()
    if index is not None:
        synced.deleted = index.delete_except(seen)
        report.index = synced
    return report
