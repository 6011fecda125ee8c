"""The corpus at a glance, computed from the papers and their embeddings (never baked in
advance): counts per year and category, a 2-D map of the abstracts coloured by theme, the
co-author network, what is new since a date."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from itertools import combinations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from retrieval.models import Paper, normalise_name
from retrieval.text import STOPWORDS


class MapPoint(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    title: str
    year: int | None
    category: str
    theme: str = Field(description="Name of the embedding cluster the paper falls in.")
    x: float
    y: float


class CorpusStats(BaseModel):
    model_config = ConfigDict(extra="forbid")

    owner: str | None
    papers: int
    with_code: int
    per_year: dict[int, dict[str, int]] = Field(description="year -> category name -> papers")
    coauthors: list[tuple[str, int]] = Field(description="Top co-authors and their paper counts.")
    edges: list[tuple[str, str, int]] = Field(
        description="Pairs of top co-authors (or the owner) and how many papers they share."
    )


def corpus_stats(papers: list[Paper], owner: str | None, top: int = 15) -> CorpusStats:
    per_year: dict[int, Counter[str]] = {}
    for p in papers:
        if p.year:
            per_year.setdefault(p.year, Counter())[p.category_name or p.category or "Other"] += 1
    me = normalise_name(owner) if owner else None
    counts = Counter(a for p in papers for a in set(p.authors) if normalise_name(a) != me)
    coauthors = counts.most_common(top)
    names = {a for a, _ in coauthors}
    edges: Counter[tuple[str, str]] = Counter()
    for p in papers:
        present = sorted(a for a in set(p.authors) if a in names)
        if owner and any(normalise_name(a) == me for a in p.authors):
            edges.update((owner, a) for a in present)
        edges.update(combinations(present, 2))
    return CorpusStats(
        owner=owner,
        papers=len(papers),
        with_code=sum(p.has_code for p in papers),
        per_year={y: dict(c) for y, c in sorted(per_year.items())},
        coauthors=coauthors,
        edges=[(a, b, n) for (a, b), n in edges.most_common()],
    )


def paper_map(papers: list[Paper], vectors: np.ndarray, themes: int = 6) -> list[MapPoint]:
    """PCA to 2-D for the layout; themes from k-means in the full embedding space, each
    named by its most frequent title words."""
    if len(papers) == 0:
        return []
    x = np.asarray(vectors, dtype=np.float64)
    centred = x - x.mean(axis=0)
    if len(papers) > 1:
        _, _, vt = np.linalg.svd(centred, full_matrices=False)
        xy = centred @ vt[:2].T
    else:
        xy = np.zeros((1, 2))
    if xy.shape[1] < 2:
        xy = np.hstack([xy, np.zeros((len(papers), 1))])
    labels = _kmeans(x, min(themes, max(1, len(papers) // 4)))
    names = {
        k: _theme_name([p for p, lab in zip(papers, labels, strict=True) if lab == k])
        for k in set(labels.tolist())
    }
    return [
        MapPoint(
            id=p.id,
            title=p.title,
            year=p.year,
            category=p.category_name or p.category,
            theme=names[int(labels[i])],
            x=round(float(xy[i, 0]), 5),
            y=round(float(xy[i, 1]), 5),
        )
        for i, p in enumerate(papers)
    ]


def _kmeans(x: np.ndarray, k: int, rounds: int = 20) -> np.ndarray:
    """Deterministic k-means (farthest-point start): the same corpus, the same colours."""
    centres = [x[0]]
    for _ in range(1, k):
        dist = np.min([np.sum((x - c) ** 2, axis=1) for c in centres], axis=0)
        centres.append(x[int(np.argmax(dist))])
    c = np.array(centres)
    labels = np.zeros(len(x), dtype=int)
    for _ in range(rounds):
        labels = np.argmin(((x[:, None, :] - c[None]) ** 2).sum(axis=2), axis=1)
        new = np.array(
            [x[labels == j].mean(axis=0) if (labels == j).any() else c[j] for j in range(k)]
        )
        if np.allclose(new, c):
            break
        c = new
    return labels


def _theme_name(papers: list[Paper]) -> str:
    words = Counter(
        w
        for p in papers
        for w in set(re.findall(r"[a-z][a-z0-9-]+", p.title.lower()))
        if w not in STOPWORDS and len(w) > 2
    )
    top = [w for w, n in words.most_common(3) if n > 1] or [w for w, _ in words.most_common(2)]
    return " / ".join(top) or "other"


def papers_since(papers: list[Paper], since: date) -> list[Paper]:
    """Papers published on or after `since`, newest first; a paper known only by its year
    counts when that year is `since`'s year or later."""

    def when(p: Paper) -> date | None:
        return p.published or (date(p.year, 1, 1) if p.year else None)

    new = [
        p
        for p in papers
        if (p.published and p.published >= since)
        or (not p.published and p.year and p.year >= since.year)
    ]
    return sorted(new, key=lambda p: when(p) or date.min, reverse=True)
