"""Ingest: a source of any size (a file, or a website repository's folder) -> the corpus file
(and optionally the index), with a hygiene report. A source that fits `whole_file_limit` (and
any folder) is read whole and checked (duplicates, owner, missing abstracts); a larger one is
streamed in batches in bounded memory, with only the per-record checks. Re-running after an
interruption re-reads the file but embeds nothing already stored: the index skips papers
whose content hash it holds.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pydantic import BaseModel, Field
from tqdm import tqdm

from retrieval.errors import SourceError
from retrieval.hygiene import HygieneReport, HygieneWarning, Skipped
from retrieval.index import PaperIndex, SyncReport
from retrieval.models import CorpusInfo, Paper
from retrieval.profile import ParseProblem
from retrieval.sources import iter_source_batches, load_source, write_corpus

Batches = Iterator[tuple[list[Paper], list[ParseProblem]]]


class IngestReport(BaseModel):
    papers: int = 0
    with_code: int = 0
    problems: list[ParseProblem] = Field(default_factory=list)
    hygiene: HygieneReport | None = None
    index: SyncReport | None = None


def ingest(
    source: Path,
    papers_path: Path,
    info_path: Path,
    *,
    owner: str | None = None,
    keep_all: bool = False,
    field_map: dict[str, str] | None = None,
    index: PaperIndex | None = None,
    batch_size: int = 512,
    progress: bool = True,
    whole_file_limit: int = 50 * 2**20,
) -> IngestReport:
    """Parse `source` into the corpus files; with `index`, embed each batch as it comes."""
    if not source.exists():
        raise SourceError(f"No such file or folder: {source}")
    report = IngestReport()
    info: CorpusInfo | None = None
    if source.is_dir() or source.stat().st_size <= whole_file_limit:
        loaded = load_source(source, owner=owner, keep_all=keep_all, field_map=field_map)
        info, report.hygiene = loaded.info, loaded.report
        papers = loaded.papers
        batches: Batches = iter(
            [(papers[i : i + batch_size], []) for i in range(0, len(papers), batch_size)]
        )
        report.problems = list(loaded.problems)
    else:
        batches = iter_source_batches(source, batch_size, field_map=field_map)
    owner = owner or (report.hygiene.owner if report.hygiene else None)
    if owner:
        info = (info or CorpusInfo(owner=owner, source=str(source))).model_copy(
            update={"owner": owner}
        )
    synced = SyncReport()
    seen: set[str] = set()
    no_abstract: list[str] = []
    bar = tqdm(desc=f"Ingesting {source.name}", unit="paper", disable=not progress)

    def stream() -> Iterator[Paper]:
        for papers, problems in batches:
            if report.hygiene is None:
                report.problems.extend(problems)
                no_abstract.extend(p.id for p in papers if not p.abstract.strip())
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
    if report.hygiene is None:  # streamed: only what can be checked record by record
        report.hygiene = _streamed_report(report, no_abstract, whole_file_limit, owner)
    if index is not None:
        synced.deleted = index.delete_except(seen)
        report.index = synced
    return report


def _streamed_report(
    report: IngestReport, no_abstract: list[str], limit: int, owner: str | None
) -> HygieneReport:
    warnings = [
        HygieneWarning(
            kind="large_source",
            detail=f"source over {limit // 2**20} MB: streamed in bounded memory; duplicate and "
            "owner checks were skipped",
        )
    ]
    if no_abstract:
        warnings.append(
            HygieneWarning(
                kind="no_abstract",
                papers=no_abstract[:1000],
                detail=f"{len(no_abstract)} papers have no abstract (kept, usable for metadata)",
            )
        )
    return HygieneReport(
        papers=report.papers,
        skipped=[Skipped(line=p.line, reason=p.message) for p in report.problems],
        warnings=warnings,
        owner=owner,
    )
