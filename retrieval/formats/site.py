"""A researcher's website repository (or its content folder, or one of its files) -> papers.

Layouts, found by their paths (a repository may hold several; each is read):
- Hugo Blox / Wowchemy: `content/publication(s)/<slug>/index.md` page bundles with an
  optional `cite.bib`, or `<slug>.md` pages (`_index.md` is the section page, not a paper);
- academicpages: `_publications/*.md`;
- Jekyll data files: `_data/publications.{yml,yaml,json}` (or `papers.*`);
- al-folio: `_bibliography/*.bib`, read as BibTeX;
- one front-matter `.md` page, or one YAML / JSON list file.

Every file is read on its own: a file that cannot be read is a `ParseProblem` naming it, and
the others are kept. Where a bundle's `index.md` and `cite.bib` disagree, `index.md` wins (it
is what the site shows) and the disagreement is reported. Drafts and works in progress are
held back unless `keep_all`; so are the themes' own example publications.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from retrieval.errors import SourceError
from retrieval.formats.bibtex import iter_bibtex
from retrieval.formats.common import draft_to_paper
from retrieval.formats.frontmatter import FrontMatterError, read_front_matter, yaml_records
from retrieval.formats.jsonfile import json_items
from retrieval.formats.pagetext import clean_body
from retrieval.formats.siteconfig import context_for, site_profile, site_root
from retrieval.formats.sitefields import Notes, SiteContext, SiteEntry
from retrieval.formats.siterecord import site_entry
from retrieval.hygiene import HygieneWarning, jaccard, title_tokens
from retrieval.models import Paper
from retrieval.names import name_key, name_tokens
from retrieval.profile import ParseProblem

Layout = Literal["hugo", "academicpages", "data", "bibtex", "page", "list"]
LAYOUT_NAMES: dict[str, str] = {
    "hugo": "Hugo Blox page bundles",
    "academicpages": "academicpages _publications",
    "data": "Jekyll _data list",
    "bibtex": "al-folio _bibliography (BibTeX)",
    "page": "front-matter page",
    "list": "YAML / JSON list",
}
SITE_HINT = (
    "expected a website repository (content/publication/*/index.md, _publications/*.md, "
    "_data/publications.yml|json, _bibliography/*.bib), a front-matter .md page or a YAML list"
)
_PAGES = (".md", ".markdown")
_SECTIONS = ("publication", "publications")
# The themes' own example publications (Hugo Blox / Wowchemy demo bundles, academicpages'
# `paper-title-number-N` posts), left in a site that was never cleaned up.
_EXAMPLE_TITLE_RE = re.compile(
    r"^(?:an example (?:conference paper|journal article|preprint)|paper title number \d+)\b", re.I
)
_EXAMPLE_AUTHORS = frozenset(("your name",))  # academicpages' example citations


class FoundFile(BaseModel):
    """One file the reader found, and what became of it (for `ingest --dry-run`)."""

    model_config = ConfigDict(extra="forbid")

    path: str = Field(description="Relative to the source folder.")
    layout: str
    papers: list[str] = Field(default_factory=list, description="Ids of the papers it gave.")
    held_back: list[str] = Field(default_factory=list, description="Drafts, WIP, examples.")
    skipped: int = 0
    companion: str | None = Field(default=None, description="A cite.bib read with it.")


class SiteLoad(BaseModel):
    papers: list[Paper] = Field(default_factory=list)
    held_back: list[Paper] = Field(default_factory=list)
    problems: list[ParseProblem] = Field(default_factory=list)
    warnings: list[HygieneWarning] = Field(default_factory=list)
    files: list[FoundFile] = Field(default_factory=list)
    owner: str | None = None
    coauthors_only: bool = Field(default=False, description="The authors never name the owner.")


def _hugo_pages(folder: Path) -> list[Path]:
    pages = []
    for child in sorted(folder.iterdir()):
        if child.is_dir():
            pages += [child / f"index{s}" for s in _PAGES if (child / f"index{s}").is_file()][:1]
        elif child.suffix.lower() in _PAGES and not child.name.startswith("_"):
            pages.append(child)
    return pages


def find_files(path: Path) -> list[tuple[Layout, Path]]:
    """The publication files under `path`, by layout, in a stable order."""
    if path.is_file():
        suffix = path.suffix.lower()
        return [("page" if suffix in _PAGES else "bibtex" if suffix == ".bib" else "list", path)]
    here = [path] if path.name in _SECTIONS else []
    hugo = [path / "content" / s for s in _SECTIONS] + [path / s for s in _SECTIONS] + here
    hugo += sorted(d for d in path.glob("content/*/publication*") if d.is_dir())
    found: list[tuple[Layout, Path]] = []
    for folder in dict.fromkeys(hugo):
        if folder.is_dir():
            found += [("hugo", f) for f in _hugo_pages(folder)]
    for folder in [path / "_publications", *([path] if path.name == "_publications" else [])]:
        if folder.is_dir():
            found += [
                ("academicpages", f) for f in sorted(folder.iterdir()) if f.suffix.lower() in _PAGES
            ]
    for folder in [path / "_data", *([path] if path.name == "_data" else [])]:
        found += [
            ("data", folder / f"{stem}{ext}")
            for stem in ("publications", "papers")
            for ext in (".yml", ".yaml", ".json")
            if (folder / f"{stem}{ext}").is_file()
        ]
    for folder in [path / "_bibliography", *([path] if path.name == "_bibliography" else [])]:
        if folder.is_dir():
            found += [("bibtex", f) for f in sorted(folder.glob("*.bib"))]
    if not found:  # a folder of pages or bundles that follows no theme's naming
        found = [("hugo" if f.stem == "index" else "page", f) for f in _hugo_pages(path)]
    return found


class _Reader:
    """Reads every file of one source, keeping papers, problems and notes per file."""

    def __init__(self, source: Path, ctx: SiteContext, keep_all: bool) -> None:
        self.base = source if source.is_dir() else source.parent
        self.ctx, self.keep_all = ctx, keep_all
        self.seen: dict[str, int] = {}
        self.out = SiteLoad(owner=ctx.owner)

    def rel(self, path: Path) -> str:
        return path.relative_to(self.base).as_posix()

    def problem(self, found: FoundFile, line: int, message: str) -> None:
        found.skipped += 1
        self.out.problems.append(ParseProblem(line=line, message=message, file=found.path))

    def note(self, kind: Any, detail: str, found: FoundFile, ids: list[str]) -> None:
        self.out.warnings.append(
            HygieneWarning(kind=kind, papers=ids, detail=detail, file=found.path)
        )

    def read(self, layout: Layout, path: Path) -> None:
        found = FoundFile(path=self.rel(path), layout=layout)
        self.out.files.append(found)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            self.problem(found, 1, f"cannot read the file ({type(exc).__name__}): skipped")
            return
        if layout == "bibtex":
            for record in iter_bibtex(text, self.seen):
                if isinstance(record, Paper):
                    self.keep(record, Notes(), None, found)
                else:
                    self.problem(found, record.line, record.message)
        elif layout in ("data", "list"):
            self.read_list(text, path, found)
        else:
            self.read_page(text, path, layout, found)

    def read_list(self, text: str, path: Path, found: FoundFile) -> None:
        items = list(json_items(text)) if path.suffix.lower() == ".json" else yaml_records(text)
        records = [r for _, r in items if isinstance(r, dict)]
        ctx = replace(self.ctx, coauthor_style=any("coauthors" in r for r in records))
        if ctx.coauthor_style and not self.ctx.owner:
            self.out.coauthors_only = True
        for line, record in items:
            if isinstance(record, ParseProblem):
                self.problem(found, record.line, record.message)
            elif not isinstance(record, dict):
                self.problem(found, line, "item is not a set of fields")
            else:
                try:
                    entry = site_entry({str(k): v for k, v in record.items()}, None, ctx)
                except ValueError as exc:
                    self.problem(found, line, str(exc))
                    continue
                self.add(entry, found)

    def read_page(self, text: str, path: Path, layout: Layout, found: FoundFile) -> None:
        try:
            page = read_front_matter(text)
        except FrontMatterError as exc:
            self.problem(found, exc.line, exc.message)
            return
        body = clean_body(page.body)
        stem = path.parent.name if path.stem == "index" else path.stem
        try:
            entry = site_entry(page.meta, body, self.ctx, stem=stem)
        except ValueError as exc:
            self.problem(found, 1, str(exc))
            return
        if layout == "hugo" and path.stem == "index":
            bibs = sorted(path.parent.glob("*.bib"))
            if bibs:
                found.companion = self.rel(bibs[0])
                self.compare_bib(entry, bibs[0])
        if body.dropped:
            entry.notes.add("page_debris", "left out of the body: " + "; ".join(body.dropped))
        self.add(entry, found)

    def compare_bib(self, entry: SiteEntry, path: Path) -> None:
        """What a bundle's cite.bib adds to its index.md, and where the two disagree."""
        notes, draft = entry.notes, entry.draft
        try:
            records = list(iter_bibtex(path.read_text(encoding="utf-8-sig"), {}))
        except (OSError, UnicodeDecodeError):
            records = []
        bib = next((r for r in records if isinstance(r, Paper)), None)
        if bib is None:
            notes.add("source_disagreement", f"{path.name} has no readable entry: not used")
            return
        if jaccard(title_tokens(draft.title), title_tokens(bib.title)) < 0.5:
            notes.add(
                "source_disagreement",
                f"{path.name} describes another item ({bib.title!r}, {bib.year}): not used",
            )
            return
        if bib.year:
            entry.years[path.name] = bib.year
        filled = [
            k for k in ("venue", "doi", "abstract") if not getattr(draft, k) and getattr(bib, k)
        ]
        for key in filled:
            setattr(draft, key, getattr(bib, key))
        if not draft.authors and bib.authors:
            draft.authors, filled = list(bib.authors), [*filled, "authors"]
        if draft.year is None and bib.year:
            draft.year, filled = bib.year, [*filled, "year"]
        if filled:
            kind = "authors_guessed" if "authors" in filled else "abstract_source"
            notes.add(kind, f"taken from {path.name}: {', '.join(filled)}")
        ours, theirs = [name_key(n) for n in draft.authors], [name_key(n) for n in bib.authors]
        if set(ours) == set(theirs) and ours != theirs:
            notes.add(
                "source_disagreement",
                f"author order differs: index.md lists "
                f"{draft.authors[0]} first, {path.name} {bib.authors[0]}",
            )
        elif ours and theirs and set(ours) != set(theirs):
            only = sorted(set(ours) ^ set(theirs))
            notes.add("source_disagreement", f"authors differ from {path.name}: {', '.join(only)}")

    def add(self, entry: SiteEntry, found: FoundFile) -> None:
        try:
            paper = draft_to_paper(entry.draft, self.seen)
        except ValueError as exc:
            self.problem(found, 1, str(exc))
            return
        years = sorted(set(entry.years.values()))
        if len(years) > 1:
            said = ", ".join(f"{where} {year}" for where, year in entry.years.items())
            entry.notes.add("date_disagreement", f"years disagree ({said}): {paper.year} kept")
        self.keep(paper, entry.notes, entry.held_back, found)

    def keep(self, paper: Paper, notes: Notes, held: str | None, found: FoundFile) -> None:
        notes = Notes(notes)
        authors = {a.lower() for a in paper.authors}
        if _EXAMPLE_TITLE_RE.match(paper.title) or authors & _EXAMPLE_AUTHORS:
            held = held or "theme example"
            notes.add("theme_example", "the theme's own example publication")
        for kind, detail in notes:
            action = ""
            if kind in ("draft", "work_in_progress", "theme_example") and held:
                action = ": kept (keep_all)" if self.keep_all else ": held back (keep_all keeps it)"
            self.note(kind, detail + action, found, [paper.id])
        if held and not self.keep_all:
            found.held_back.append(paper.id)
            self.out.held_back.append(paper)
        else:
            found.papers.append(paper.id)
            self.out.papers.append(paper)


def _owner_variant(name: str, owner: str) -> bool:
    """'H. R. Kerner' for the owner 'Hannah Kerner': same last name, initials that fit."""
    (last, given), (o_last, o_given) = name_tokens(name), name_tokens(owner)
    if last != o_last or not given or not o_given or name_key(name) == name_key(owner):
        return False
    if not any(len(t) == 1 for t in given):
        return False
    for a, b in zip(given, o_given, strict=False):
        if (
            a != b
            and not (len(a) == 1 and b.startswith(a))
            and not (len(b) == 1 and a.startswith(b))
        ):
            return False
    longer = given if len(given) > len(o_given) else o_given
    return all(len(t) == 1 for t in longer[min(len(given), len(o_given)) :])


def _unify_owner(out: SiteLoad, owner: str) -> None:
    """On the owner's own site, abbreviated spellings of the owner's name are the owner."""
    variants: dict[str, list[str]] = {}
    for paper in [*out.papers, *out.held_back]:
        if any(_owner_variant(a, owner) for a in paper.authors):
            for a in paper.authors:
                if _owner_variant(a, owner):
                    variants.setdefault(a, []).append(paper.id)
            paper.authors = list(
                dict.fromkeys(owner if _owner_variant(a, owner) else a for a in paper.authors)
            )
    if variants:
        ids = list(dict.fromkeys(i for v in variants.values() for i in v))
        out.warnings.append(
            HygieneWarning(
                kind="name_variants",
                papers=ids,
                detail=f"{', '.join(sorted(variants))} written as {owner} (the site owner's last "
                "name and initials)",
            )
        )


def load_site(path: Path, *, owner: str | None = None, keep_all: bool = False) -> SiteLoad:
    """Every paper of a website repository, folder or site file, with per-file notes."""
    if not path.exists():
        raise SourceError(f"No such file or folder: {path}")
    files = find_files(path)
    if not files:
        raise SourceError(f"No publications found in {path}: {SITE_HINT}.")
    profile = site_profile(site_root(path))
    ctx = context_for(profile, owner)
    reader = _Reader(path, ctx, keep_all)
    for layout, file in files:
        reader.read(layout, file)
    out = reader.out
    if profile.owner and not owner:
        out.warnings.insert(
            0,
            HygieneWarning(
                kind="author_key",
                detail=f"the owner is {profile.owner}, from the site's author profile",
                file=profile.owner_file,
            ),
        )
    if ctx.owner:
        _unify_owner(out, ctx.owner)
    out.warnings = _merged(out.warnings)
    return out


def _merged(warnings: list[HygieneWarning]) -> list[HygieneWarning]:
    """One warning per kind, file and detail, naming every paper it is about."""
    merged: dict[tuple[str, str | None, str], HygieneWarning] = {}
    for w in warnings:
        key = (w.kind, w.file, w.detail)
        if key in merged:
            merged[key].papers = list(dict.fromkeys([*merged[key].papers, *w.papers]))
        else:
            merged[key] = w.model_copy()
    return list(merged.values())
