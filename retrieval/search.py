"""Hybrid search: dense (Chroma) + BM25, fused by weighted scores, under metadata filters.

Filters are applied to an in-memory catalog (numpy masks), not by Chroma's `where`, which
costs 47-120 ms at 100k papers (FINDINGS); filtered dense scores are exact over the
candidates, so a selective filter never loses a match to the HNSW graph.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path

import numpy as np

from retrieval.calibrate import Calibration
from retrieval.embedder import Embedder
from retrieval.index import PaperIndex
from retrieval.lexical import Lexical, tokenize
from retrieval.models import Filters, Hit, Paper, normalise_name
from retrieval.venues import venue_matches

CANDIDATES = 50  # per retriever, before fusion
_EPOCH = date(1, 1, 1)


class Catalog:
    """Papers in a fixed order with column arrays for fast filtering."""

    def __init__(self, papers: list[Paper]) -> None:
        self.papers = papers
        self.position = {p.id: i for i, p in enumerate(papers)}
        self.years = np.array([p.year if p.year is not None else -1 for p in papers], np.int32)
        # Categories as small integer codes: np.isin instead of a Python loop at 100k rows.
        self.category_codes = {
            c: i for i, c in enumerate(sorted({p.category.upper() for p in papers}))
        }
        self.categories = np.array(
            [self.category_codes[p.category.upper()] for p in papers], dtype=np.int16
        )
        self.has_code = np.array([p.has_code for p in papers], dtype=bool)
        self.by_author: dict[str, set[int]] = defaultdict(set)
        for i, paper in enumerate(papers):
            for author in paper.authors:
                name = normalise_name(author)
                self.by_author[name].add(i)
                self.by_author[name.split()[-1] if name else ""].add(i)

    def __len__(self) -> int:
        return len(self.papers)

    def mask(self, filters: Filters | None) -> np.ndarray | None:
        """Boolean row mask, or None when there is nothing to filter."""
        if filters is None or filters.is_empty():
            return None
        mask = np.ones(len(self.papers), dtype=bool)
        if filters.year_from is not None:
            mask &= self.years >= filters.year_from
        if filters.year_to is not None:
            mask &= (self.years <= filters.year_to) & (self.years >= 0)
        if filters.categories:
            wanted = [self.category_codes.get(c.upper(), -1) for c in filters.categories]
            mask &= np.isin(self.categories, wanted)
        if filters.has_code is not None:
            mask &= self.has_code == filters.has_code
        if filters.venue:
            mask &= self.venue_mask(filters.venue)
        if filters.solo is not None:
            mask &= np.array([(len(p.authors) == 1) == filters.solo for p in self.papers])
        if filters.first_author:
            first = np.zeros(len(self.papers), dtype=bool)
            first[list(self.first_author_rows(filters.first_author))] = True
            mask &= first
        for name in (filters.author, filters.coauthor):
            if name:
                author_mask = np.zeros(len(self.papers), dtype=bool)
                author_mask[list(self.author_rows(name))] = True
                mask &= author_mask
        return mask

    def venue_mask(self, name: str) -> np.ndarray:
        """The papers whose venue, or a version's, holds the name."""
        held = [
            venue_matches(name, p.venue) or any(venue_matches(name, v.venue) for v in p.versions)
            for p in self.papers
        ]
        return np.array(held, dtype=np.bool_)

    def first_author_rows(self, name: str) -> set[int]:
        """The papers whose first listed author is the person: the name, or its surname
        with the same first initial ("H.-Y. Shum" for "Heung-Yeung Shum")."""
        key = normalise_name(name)
        rows = set()
        for i, paper in enumerate(self.papers):
            first = normalise_name(paper.authors[0]) if paper.authors else ""
            same = first.split()[-1:] == key.split()[-1:] and first[:1] == key[:1]
            if first and (first == key or same):
                rows.add(i)
        return rows

    def author_rows(self, name: str) -> set[int]:
        key = normalise_name(name)
        if key in self.by_author:
            return self.by_author[key]
        # Substring fallback ('Shum' in 'Heung-Yeung Shum'), exact match preferred above.
        return {
            i
            for author, rows in self.by_author.items()
            if len(key) > 3 and key in author
            for i in rows
        }

    def select(self, filters: Filters | None) -> list[Paper]:
        """Exactly the papers a filter admits, newest first: lists and counts come from here."""
        mask = self.mask(filters)
        chosen = (
            self.papers
            if mask is None
            else [p for p, m in zip(self.papers, mask, strict=True) if m]
        )
        return sorted(chosen, key=lambda p: (p.published or _EPOCH, p.title), reverse=True)


class Searcher:
    """Hybrid retrieval over one corpus."""

    def __init__(
        self,
        papers: list[Paper],
        index: PaperIndex,
        embedder: Embedder,
        *,
        dense_weight: float = 1.0,
        lexical_weight: float = 0.35,
        cache_dir: Path | None = None,
    ) -> None:
        self.catalog = Catalog(papers)
        self.index = index
        self.embedder = embedder
        self.vectors = index.vectors([p.id for p in papers])
        self.lexical = Lexical([p.embed_text() for p in papers], cache_dir=cache_dir)
        self.dense_weight = dense_weight
        self.lexical_weight = lexical_weight
        # The abstention cut computed for this corpus and embedder at index time, if any.
        self.calibration: Calibration | None = index.calibration()

    def embed(self, text: str) -> np.ndarray:
        return np.asarray(self.embedder.encode([text])[0], dtype=np.float32)

    def search(
        self,
        query: str,
        k: int = 5,
        filters: Filters | None = None,
        *,
        mode: str = "hybrid",
        query_vector: np.ndarray | None = None,
    ) -> list[Hit]:
        """Top-k hits; `mode` is hybrid, dense or bm25 (the eval compares all three)."""
        mask = self.catalog.mask(filters)
        n = len(self.catalog)
        if n == 0 or (mask is not None and not mask.any()):
            return []
        qvec = query_vector if query_vector is not None else self.embed(query)
        candidates: set[int] = set()
        if mode in ("hybrid", "dense"):
            if mask is None:
                for pid, _ in self.index.query(qvec, CANDIDATES):
                    if pid in self.catalog.position:
                        candidates.add(self.catalog.position[pid])
            else:
                candidates.update(self._exact_top(qvec, mask))
        bm25, terms = self.lexical.scores(query)
        if mask is not None:
            bm25 = np.where(mask, bm25, 0.0)
        if mode in ("hybrid", "bm25") and terms:
            top = _top(bm25, CANDIDATES)
            candidates.update(int(r) for r in top if bm25[r] > 0)
        if not candidates:
            return []
        rows = np.array(sorted(candidates))
        dense = self.vectors[rows] @ qvec
        top_bm25 = float(bm25.max()) if terms else 0.0
        lexical = bm25[rows] / top_bm25 if top_bm25 > 0 else np.zeros(len(rows), np.float32)
        if mode == "dense":
            fused = dense
        elif mode == "bm25":
            fused = lexical
        else:
            fused = self.dense_weight * dense + self.lexical_weight * lexical
        order = np.argsort(-fused)[:k]
        hits = []
        for j in order:
            paper = self.catalog.papers[int(rows[j])]
            hits.append(
                Hit(
                    paper=paper,
                    score=round(float(fused[j]), 4),
                    dense=round(float(dense[j]), 4),
                    lexical=round(float(lexical[j]), 4),
                    why=_why(paper, float(dense[j]), terms, filters),
                )
            )
        return hits

    def _exact_top(self, qvec: np.ndarray, mask: np.ndarray) -> list[int]:
        """Exact dense top-k among the admitted rows. A selective filter gathers its rows;
        a broad one scores everything (one matmul) and masks, which is cheaper than a gather."""
        admitted = int(mask.sum())
        if admitted * 10 < len(mask):
            rows = np.flatnonzero(mask)
            return [int(rows[i]) for i in _top(self.vectors[rows] @ qvec, CANDIDATES)]
        sims = np.where(mask, self.vectors @ qvec, -np.inf)
        return [int(i) for i in _top(sims, min(CANDIDATES, admitted))]


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k largest scores, best first (argpartition, not a full sort)."""
    if k >= len(scores):
        return np.argsort(-scores)
    part = np.argpartition(-scores, k)[:k]
    return part[np.argsort(-scores[part])]


def _why(paper: Paper, dense: float, terms: list[str], filters: Filters | None) -> str:
    own = set(tokenize(paper.embed_text()))
    shared = [t for t in terms if t in own]
    parts = [f"semantic similarity {dense:.2f}"]
    if shared:
        parts.append("shared terms: " + ", ".join(shared[:6]))
    if filters is not None and not filters.is_empty():
        parts.append("filters: " + filters.describe())
    return "; ".join(parts)
