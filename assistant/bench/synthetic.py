"""A synthetic corpus for the bench's `scale` stage: any number of abstract-like papers
made from the real corpus's sentences and vocabulary, seeded so every run makes the same."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np

from retrieval.models import Paper, category_name

SEED = 7


class Synthetic:
    """Abstract-like papers made from the real corpus's sentences and vocabulary (seeded).

    The first `pool` papers are base texts recombining real abstract sentences; every later
    paper is a variant of a base (12% of words swapped for corpus words, shuffled title)
    with its own random year 2000-2026, category, 2-6 real co-authors and code flag.
    """

    def __init__(self, real: Sequence[Paper], seed: int = SEED) -> None:
        from retrieval.text import split_sentences

        self.seed = seed
        self.sentences = [s for p in real for s in split_sentences(p.abstract) if len(s) > 40]
        self.vocab = sorted({w for p in real for w in re.findall(r"[A-Za-z][a-z]{3,}", p.abstract)})
        self.title_words = sorted({w for p in real for w in p.title.split()})
        cats = Counter(p.category for p in real if p.category)
        self.categories = sorted(cats)
        self.cat_p = np.array([cats[c] for c in self.categories], float) / cats.total()
        self.authors = sorted({a for p in real for a in p.authors})
        self.code_share = sum(p.has_code for p in real) / max(1, len(real))

    def corpus(self, n: int, pool: int) -> tuple[list[Paper], np.ndarray]:
        """n papers and, per paper, the index of its base text (itself for the pool)."""
        rng = np.random.default_rng(self.seed)
        bases = np.concatenate([np.arange(pool), rng.integers(0, pool, max(0, n - pool))])[:n]
        papers: list[Paper] = []
        for i in range(n):
            if i < pool:
                title = " ".join(rng.choice(self.title_words, rng.integers(5, 11)))
                picks = rng.choice(len(self.sentences), rng.integers(4, 9), replace=False)
                abstract = " ".join(self.sentences[j] for j in picks)
            else:
                title, abstract = self.variant(rng, papers[bases[i]])
            year, cat = (
                int(rng.integers(2000, 2027)),
                str(rng.choice(self.categories, p=self.cat_p)),
            )
            code = bool(rng.random() < self.code_share)
            papers.append(
                Paper(
                    id=f"syn-{i:06d}",
                    title=title,
                    abstract=abstract,
                    year=year,
                    published=date(year, 1, 1) + timedelta(days=int(rng.integers(0, 365))),
                    date_precision="day",
                    category=cat,
                    category_name=category_name(cat),
                    authors=list(rng.choice(self.authors, rng.integers(2, 7), replace=False)),
                    has_code=code,
                    code_url=f"https://github.com/synthetic/p{i}" if code else None,
                )
            )
        return papers, bases

    def variant(self, rng: np.random.Generator, base: Paper) -> tuple[str, str]:
        words = base.abstract.split()
        swap = np.flatnonzero(rng.random(len(words)) < 0.12)
        for j, w in zip(swap, rng.integers(0, len(self.vocab), len(swap)), strict=True):
            words[j] = self.vocab[w]
        title = base.title.split()
        rng.shuffle(title)
        return " ".join(title), " ".join(words)
