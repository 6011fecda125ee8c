"""The corpus commands of `paperchat`: ingest (files or an OpenAlex / Semantic Scholar
author), corpora, papers. Errors are `PaperchatError`s; the CLI prints them as one line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from assistant.errors import ConfigError
from assistant.settings import Settings
from assistant.types import paper_json
from retrieval.formats.site import LAYOUT_NAMES


def _corpora() -> ModuleType:
    """Loaded when a corpus command runs, not when the parser is built: building it is
    on the path of every command, `paperchat ask` through a running process too."""
    import assistant.corpora

    return assistant.corpora


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("ingest", help="parse a source into a named corpus, with a hygiene report")
    p.add_argument(
        "source",
        type=Path,
        nargs="?",
        help="profile .txt, BibTeX, CSL-JSON, OpenAlex or Semantic Scholar JSON, JSON/JSONL, "
        "or a website repository's folder (Hugo Blox, academicpages, Jekyll _data, al-folio)",
    )
    p.add_argument("--owner", help="whose papers these are (default: inferred)")
    p.add_argument("--keep-all", action="store_true", help="keep papers the owner did not write")
    p.add_argument("--map", dest="field_map", help="field names of a JSON source: title=name,...")
    p.add_argument("--openalex", metavar="ID", help="fetch an OpenAlex author (id or ORCID)")
    p.add_argument("--semantic-scholar", metavar="ID", help="fetch a Semantic Scholar author")
    p.add_argument("--mailto", help="your e-mail for OpenAlex's polite pool")
    p.add_argument("--index", action="store_true", help="also embed each batch as it is read")
    p.add_argument("--json", action="store_true", help="print the hygiene report as JSON")
    p.add_argument(
        "--dry-run", action="store_true", help="print what was found per file; write nothing"
    )

    p = sub.add_parser("corpora", help="the corpora side by side: name, owner, papers, ingest")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("papers", help="every paper of a corpus with its fields")
    p.add_argument("--json", action="store_true")


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "ingest":
        return _ingest(args, settings)
    if args.command == "corpora":
        rows = _corpora().list_corpora(settings)
        if args.json:
            print(json.dumps([r.model_dump() for r in rows], ensure_ascii=False, indent=2))
        for r in [] if args.json else rows:
            mark = "*" if r.default else " "
            print(f"{mark} {r.name:<24} {r.papers:>6} papers  {r.owner or '?':<28} {r.last_ingest}")
        return 0
    _, papers = _corpora().load_corpus(settings.corpus_paths())
    if args.json:
        print(json.dumps([paper_json(p) for p in papers], ensure_ascii=False, indent=2))
    else:
        for p in papers:
            print(f"{p.id}\t{p.year or 'n.d.'}\t{p.title}")
    return 0


def _fetched_source(args: argparse.Namespace, settings: Settings) -> tuple[Path, str]:
    """Fetch an author's works from a public API into a JSONL file under the data dir."""
    from tqdm import tqdm

    from retrieval.fetch import fetch_openalex, fetch_semantic_scholar, save_records

    api, author = (
        ("openalex", args.openalex)
        if args.openalex
        else ("semantic-scholar", args.semantic_scholar)
    )
    bar = tqdm(desc=f"Fetching {api} {author}", unit="work", disable=args.json)

    def progress(done: int, total: int | None) -> None:
        bar.total = total
        bar.update(done - bar.n)

    try:
        if api == "openalex":
            records = fetch_openalex(author, mailto=args.mailto, progress=progress)
        else:
            records = fetch_semantic_scholar(author, progress=progress)
    finally:
        bar.close()
    name = args.corpus or _corpora().corpus_name_for(Path(f"{api}-{author}"))
    target = settings.paths.data_dir / "sources" / f"{name}.{api}.jsonl"
    target.parent.mkdir(parents=True, exist_ok=True)
    return save_records(records, target), name


def _ingest(args: argparse.Namespace, settings: Settings) -> int:
    if sum(bool(x) for x in (args.source, args.openalex, args.semantic_scholar)) != 1:
        raise ConfigError("ingest: give one of SOURCE, --openalex ID or --semantic-scholar ID")
    if args.dry_run:
        if not args.source:
            raise ConfigError("ingest --dry-run: give a SOURCE file or folder")
        return _dry_run(args, args.corpus or _corpora().corpus_name_for(args.source))
    if args.source:
        source, name = args.source, args.corpus or _corpora().corpus_name_for(args.source)
    else:
        source, name = _fetched_source(args, settings)
    index = None
    if args.index:
        from assistant.api import Assistant

        index = Assistant(settings, corpus=name).index
    report = _corpora().ingest_corpus(
        settings,
        source,
        name=name,
        owner=args.owner,
        keep_all=args.keep_all,
        field_map=_corpora().parse_field_map(args.field_map),
        index=index,
        progress=not args.json,
    )
    for problem in report.problems:  # always on stderr: a skipped record is never silent
        where = source / problem.file if problem.file and source.is_dir() else source
        print(f"{where}:{problem.line}: skipped: {problem.message}", file=sys.stderr)
    hygiene = report.hygiene
    if args.json:
        data = hygiene.model_dump(mode="json") if hygiene else {"papers": report.papers}
        print(json.dumps({**data, "corpus": name, "with_code": report.with_code}))
        return 0
    if hygiene is not None:
        print(hygiene.summary())
    written = settings.corpus_paths(name).papers
    print(f"{report.papers} papers ({report.with_code} with code) -> corpus {name!r} ({written})")
    if name != settings.corpus:
        print(f"Ask it with --corpus {name} (or PAPERCHAT_CORPUS={name}).", file=sys.stderr)
    return 0


def _dry_run(args: argparse.Namespace, name: str) -> int:
    """What `ingest` would read, per layout and file, and its report; nothing is written."""
    source: Path = args.source
    loaded = _corpora().preview_source(
        source,
        owner=args.owner,
        keep_all=args.keep_all,
        field_map=_corpora().parse_field_map(args.field_map),
    )
    report = loaded.report
    if args.json:
        data = {"dry_run": True, "corpus": name, "format": loaded.format}
        data["files"] = [f.model_dump() for f in loaded.found]
        data |= report.model_dump(mode="json") if report else {"papers": len(loaded.papers)}
        print(json.dumps(data, ensure_ascii=False))
        return 0
    if not loaded.found:
        print(
            f"{source}: {loaded.format}, {len(loaded.papers)} papers, "
            f"{len(loaded.problems)} records skipped"
        )
    layouts = list(dict.fromkeys(f.layout for f in loaded.found))
    for layout in layouts:
        files = [f for f in loaded.found if f.layout == layout]
        print(f"{LAYOUT_NAMES.get(layout, layout)}: {len(files)} files in {source}")
        for f in files:
            ids = ", ".join(f.papers[:3]) + (", ..." if len(f.papers) > 3 else "")
            parts = [
                f"{len(f.papers)} paper{'s' * (len(f.papers) != 1)}" + (f" ({ids})" if ids else "")
            ]
            parts += [f"{len(f.held_back)} held back"] if f.held_back else []
            parts += [f"{f.skipped} skipped"] if f.skipped else []
            extra = f" (+ {f.companion.rsplit('/', 1)[-1]})" if f.companion else ""
            print(f"  {f.path}{extra}: {', '.join(parts)}")
    if report is not None:
        print(report.summary())
    print(f"Dry run: nothing written (would be corpus {name!r}).", file=sys.stderr)
    return 0
