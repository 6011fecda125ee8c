"""The hygiene report made at every load: what was skipped, merged, excluded or is missing.

General rules, none tuned to one file:
- names: spellings of one person are unified (see `retrieval.names`);
- owner: the given one, else the most frequent author if they are on at least 30% of the
  papers (a reading library has no such author, and then nothing is excluded);
- not by the owner: the owner is not among the (complete) authors AND the year is more than
  `OWNER_YEAR_GAP` years outside the owner's own papers (leftover theme demo entries such as
  Einstein 1905 on a 2020s site). Excluded unless `keep_all`;
- duplicates, merged into one paper with the others kept as `versions`: the same DOI or
  arXiv id with related titles, or nearly the same title with a shared author;
- possible versions, reported but both kept: related titles (half the words), the same
  authors up to given-name spelling (80% overlap of initial + last name), at most two years
  apart (a workshop paper and its journal version often change title; merging would hide a
  paper the user listed);
- the same DOI or arXiv id on unrelated titles (a copy-paste slip): reported, both kept;
- no abstract: kept (usable for metadata) and reported.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from retrieval.models import Paper, PaperVersion
from retrieval.names import name_key, name_tokens, unify_names
from retrieval.profile import ParseProblem
from retrieval.text import STOPWORDS

OWNER_YEAR_GAP = 10
OWNER_MIN_SHARE = 0.3
WarningKind = Literal[
    "duplicate", "possible_version", "shared_identifier", "no_abstract", "not_by_owner",
    "name_variants", "similar_names", "owner_unknown", "large_source",
    # what a website repository's reader guessed, dropped or found doubtful, per file
    "author_key", "authors_guessed", "abstract_source", "placeholder", "page_debris",
    "date_disagreement", "source_disagreement", "no_year", "links", "draft",
    "work_in_progress", "forthcoming", "theme_example",
]  # fmt: skip


class Skipped(BaseModel):
    model_config = ConfigDict(extra="forbid")

    line: int = Field(description="Line the bad record starts on.")
    reason: str
    file: str | None = Field(default=None, description="Its file, in a folder source.")


class HygieneWarning(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: WarningKind
    papers: list[str] = Field(default_factory=list, description="Ids of the papers concerned.")
    detail: str
    file: str | None = Field(default=None, description="The file it is about, in a folder.")


class HygieneReport(BaseModel):
    """`{"papers", "skipped", "warnings"}` plus who the owner is taken to be."""

    model_config = ConfigDict(extra="forbid")

    papers: int = Field(description="Papers in the corpus after the checks.")
    skipped: list[Skipped] = Field(default_factory=list)
    warnings: list[HygieneWarning] = Field(default_factory=list)
    owner: str | None = Field(default=None, description="Given or inferred owner.")
    owner_inferred: bool = False

    def of_kind(self, kind: WarningKind) -> list[HygieneWarning]:
        return [w for w in self.warnings if w.kind == kind]

    def summary(self) -> str:
        """A few human lines for the terminal."""
        who = f"{self.owner} (inferred)" if self.owner_inferred else self.owner or "unknown"
        lines = [f"{self.papers} papers, owner {who}, {len(self.skipped)} records skipped"]
        lines += [
            f"  skipped {s.file + ':' if s.file else 'line '}{s.line}: {s.reason}"
            for s in self.skipped
        ]
        lines += [
            f"  {w.kind}{f' [{w.file}]' if w.file else ''}: {w.detail}" for w in self.warnings
        ]
        return "\n".join(lines)


class Checked(BaseModel):
    """Papers after the checks, the ones excluded, and the report."""

    papers: list[Paper]
    excluded: list[Paper] = Field(default_factory=list)
    report: HygieneReport


def title_tokens(title: str) -> frozenset[str]:
    words = re.findall(r"[a-z0-9]+", title.lower())
    return frozenset(w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words) - STOPWORDS


def _initial_key(name: str) -> str:
    """'Anima Anandkumar' and 'Animashree Anandkumar' -> 'a anandkumar' (for version checks)."""
    last, given = name_tokens(name)
    return f"{given[0][:1] if given else ''} {last}"


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def _unify(papers: list[Paper], owner: str | None) -> tuple[list[HygieneWarning], str | None]:
    canonical, similar = unify_names((p.authors for p in papers), anchor=owner)
    groups: dict[str, set[str]] = {}
    for name, best in canonical.items():
        groups.setdefault(best, set()).add(name)
    changed: dict[str, list[str]] = {}
    for paper in papers:
        for name in paper.authors:
            if canonical.get(name, name) != name:
                changed.setdefault(canonical[name], []).append(paper.id)
        paper.authors = list(dict.fromkeys(canonical.get(n, n) for n in paper.authors))
    warnings = [
        HygieneWarning(
            kind="name_variants",
            papers=list(dict.fromkeys(ids)),
            detail=f"{', '.join(sorted(groups[best] - {best}))} written as {best}",
        )
        for best, ids in changed.items()
    ]
    warnings += [
        HygieneWarning(kind="similar_names", detail=f"{a} and {b} may be one person (not merged)")
        for a, b in similar
    ]
    return warnings, canonical.get(owner, owner) if owner else None


def infer_owner(papers: list[Paper]) -> str | None:
    counts = Counter(a for p in papers for a in dict.fromkeys(p.authors))
    if not counts:
        return None
    (top, n), *rest = counts.most_common(2)
    tied = bool(rest) and rest[0][1] == n
    return top if n >= max(2, OWNER_MIN_SHARE * len(papers)) and not tied else None


def _by_owner(papers: list[Paper], owner: str) -> tuple[list[Paper], list[Paper]]:
    key = name_key(owner)
    own_years = [p.year for p in papers if p.year and key in map(name_key, p.authors)]
    if not own_years:
        return papers, []
    low, high = min(own_years) - OWNER_YEAR_GAP, max(own_years) + OWNER_YEAR_GAP
    kept: list[Paper] = []
    foreign: list[Paper] = []
    for p in papers:
        outside = p.year is not None and not low <= p.year <= high
        absent = bool(p.authors) and not p.authors_truncated
        absent = absent and key not in map(name_key, p.authors)
        (foreign if outside and absent else kept).append(p)
    return kept, foreign


def _preference(p: Paper) -> tuple[bool, bool, bool, int]:
    """Which record of a work to keep: a final venue, a DOI, an abstract, the later year.

    The kept record then takes what it lacks (abstract, DOI, links) from the others.
    """
    final_venue = bool(p.venue) and not re.search(r"arxiv|preprint|workshop", p.venue or "", re.I)
    return (final_venue, bool(p.doi), bool(p.abstract), p.year or 0)


def _merge(kept: Paper, others: list[Paper]) -> None:
    for other in others:
        kept.versions.append(
            PaperVersion(**other.model_dump(include=set(PaperVersion.model_fields)))
        )
        for name in ("abstract", "authors", "venue", "doi", "arxiv_id", "award", "code_url"):
            if not getattr(kept, name) and getattr(other, name):
                setattr(kept, name, getattr(other, name))
        kept.links = {**other.links, **kept.links}
        kept.urls = list(dict.fromkeys([*kept.urls, *other.urls]))
        kept.has_code = kept.has_code or other.has_code


def _candidate_pairs(papers: list[Paper], tokens: list[frozenset[str]]) -> set[tuple[int, int]]:
    """Pairs worth comparing: same DOI / arXiv id, or sharing one of their 3 rarest shared title
    words (near duplicates share most words, so also their rare ones; this keeps a 100k-paper
    corpus linear instead of comparing every pair)."""
    postings: dict[str, list[int]] = {}
    for i, p in enumerate(papers):
        for key in (f"doi:{p.doi}" if p.doi else "", f"arxiv:{p.arxiv_id}" if p.arxiv_id else ""):
            if key:
                postings.setdefault(key, []).append(i)
        for word in tokens[i]:
            postings.setdefault(word, []).append(i)
    pairs: set[tuple[int, int]] = set()
    for i, p in enumerate(papers):
        shared = [w for w in tokens[i] if len(postings[w]) > 1]
        rare = sorted(shared, key=lambda w: (len(postings[w]), w))[:3]
        keys = [*rare, f"doi:{p.doi}", f"arxiv:{p.arxiv_id}"]
        for key in keys:
            for j in postings.get(key, [])[:200]:
                if j > i:
                    pairs.add((i, j))
    return pairs


def _duplicates(papers: list[Paper]) -> tuple[list[Paper], list[HygieneWarning]]:
    tokens = [title_tokens(p.title) for p in papers]
    authors = [frozenset(map(name_key, p.authors)) for p in papers]
    initials = [frozenset(map(_initial_key, p.authors)) for p in papers]
    parent = list(range(len(papers)))
    warnings: list[HygieneWarning] = []

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i, j in sorted(_candidate_pairs(papers, tokens)):
        a, b = papers[i], papers[j]
        same_id = (a.doi and a.doi == b.doi) or (a.arxiv_id and a.arxiv_id == b.arxiv_id)
        sim = jaccard(tokens[i], tokens[j])
        shared = not authors[i] or not authors[j] or bool(authors[i] & authors[j])
        gap = abs(a.year - b.year) if a.year and b.year else 0
        ident = f"DOI {a.doi}" if a.doi and a.doi == b.doi else f"arXiv {a.arxiv_id}"
        if (same_id and sim >= 0.3) or (sim >= 0.9 and shared and gap <= 3):
            parent[root(j)] = root(i)
        elif same_id:
            warnings.append(HygieneWarning(
                kind="shared_identifier", papers=[a.id, b.id],
                detail=f"{ident} is given for two unrelated titles: {a.title!r} and {b.title!r}",
            ))  # fmt: skip
        elif sim >= 0.5 and initials[i] and jaccard(initials[i], initials[j]) >= 0.8 and gap <= 2:
            warnings.append(HygieneWarning(
                kind="possible_version", papers=[a.id, b.id],
                detail=f"same authors, related titles: {a.title!r} ({a.year}) and "
                f"{b.title!r} ({b.year}); both kept",
            ))  # fmt: skip
    groups: dict[int, list[int]] = {}
    for i in range(len(papers)):
        groups.setdefault(root(i), []).append(i)
    dropped: set[int] = set()
    for members in groups.values():
        if len(members) < 2:
            continue
        best = max(members, key=lambda k: (_preference(papers[k]), -k))
        others = [papers[k] for k in members if k != best]
        _merge(papers[best], others)
        dropped.update(k for k in members if k != best)
        warnings.append(HygieneWarning(
            kind="duplicate", papers=[papers[best].id, *(o.id for o in others)],
            detail=f"{papers[best].title!r} kept; "
            + "; ".join(f"{o.title!r} ({o.year}) recorded as a version" for o in others),
        ))  # fmt: skip
    return [p for k, p in enumerate(papers) if k not in dropped], warnings


def check(
    papers: Iterable[Paper],
    problems: Iterable[ParseProblem] = (),
    *,
    owner: str | None = None,
    keep_all: bool = False,
    infer: bool = True,
) -> Checked:
    """Run every check; `papers` are copied, never changed in place. `infer=False` when the
    authors cannot name the owner (a list of co-authors only)."""
    work = [p.model_copy(deep=True) for p in papers]
    report = HygieneReport(
        papers=0,
        skipped=[Skipped(line=p.line, reason=p.message, file=p.file) for p in problems],
    )
    warnings, given = _unify(work, owner)
    owner = given or (infer_owner(work) if infer else None)
    report.owner, report.owner_inferred = owner, given is None and owner is not None
    excluded: list[Paper] = []
    if owner is None:
        warnings.append(HygieneWarning(
            kind="owner_unknown",
            detail="no author is on at least 30% of the papers: give the owner to check "
            "for papers they did not write"
            if infer
            else "the source never names its owner (it lists only co-authors): give the owner",
        ))  # fmt: skip
    else:
        kept, foreign = _by_owner(work, owner)
        if foreign:
            action = "kept (keep_all)" if keep_all else "excluded; keep_all keeps them"
            years = sorted({p.year for p in foreign if p.year})
            warnings.append(HygieneWarning(
                kind="not_by_owner", papers=[p.id for p in foreign],
                detail=f"{len(foreign)} papers without {owner}, far outside their years "
                f"({years[0]}-{years[-1]}): {action}",
            ))  # fmt: skip
            if not keep_all:
                work, excluded = kept, foreign
    bare = [p.id for p in work if not p.abstract]
    if bare:
        warnings.append(HygieneWarning(
            kind="no_abstract", papers=bare,
            detail=f"{len(bare)} papers have no abstract: kept, usable for metadata only",
        ))  # fmt: skip
    work, dup_warnings = _duplicates(work)
    report.warnings = [*warnings, *dup_warnings]
    report.papers = len(work)
    return Checked(papers=work, excluded=excluded, report=report)
