"""Evidence compression: each abstract reduced to the sentences a question needs."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np

from assistant.evidence.grounding import Source
from retrieval.embedder import Embedder
from retrieval.models import Paper
from retrieval.text import split_sentences, tokenize

Titles = Literal["full", "short", "none"]
QUANTITY = re.compile(
    r"\bhow\s+(?:many|much|big|large|fast|long|high|well)\b|\bwhat\s+(?:\w+\s+)?"
    r"(?:AP|PQ|mIoU|accuracy|score|size|speed|number|percentage|rate)\b",
    re.I,
)


# A measured value: a number with a unit, a share or a scale word after it; not a year, nor a
# day of a month.
MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
VALUE = re.compile(
    rf"(?<![\w.\-])(?!(?:19|20)\d\d\b)\d[\d.,]*\s*(?!{MONTHS}\b)(?:%|×|[A-Za-z]{{1,12}}\b)",
    re.I,
)


# The authors as the doers, the sign of a sentence saying what the work did or found rather
# than the field's background: "we show", "our model", "this paper proposes", "I estimate",
# "here, ...".
DOER = re.compile(
    r"\b(?:[Ww]e|[Oo]ur|us|I|[Tt]his\s+(?:paper|work|study|article|thesis|chapter|report))\b"
    r"|\b[Hh]ere,?\s"
)


class Compressor:
    """Each abstract reduced to its sentences most similar to the question (MiniLM).

    Small models answer best from ~500-token prompts (FINDINGS); sentence vectors are
    cached per paper, so only the question is embedded per call.
    """

    def __init__(
        self, embedder: Embedder, lexical_bonus: float = 0.3, number_bonus: float = 0.1
    ) -> None:
        self.embedder = embedder
        self.lexical_bonus = lexical_bonus
        self.number_bonus = number_bonus
        self.cache: dict[str, tuple[list[str], np.ndarray]] = {}

    def sentences(self, paper: Paper) -> tuple[list[str], np.ndarray]:
        key = f"{paper.id}:{paper.content_hash()}"
        if key not in self.cache:
            parts = split_sentences(paper.abstract) or [paper.title]
            self.cache[key] = (parts, self.embedder.encode(parts))
        return self.cache[key]

    def scores(self, paper: Paper, query_vector: np.ndarray, query: str = "") -> np.ndarray:
        """Similarity, plus shared question words (MiniLM alone missed '130B-parameter' for
        'how many parameters'), plus digits when the question asks for a quantity."""
        parts, vectors = self.sentences(paper)
        scores = vectors @ query_vector
        terms = set(tokenize(query))
        if terms:
            shared = np.array([len(terms & set(tokenize(p))) / len(terms) for p in parts])
            scores = scores + self.lexical_bonus * shared
        if QUANTITY.search(query):
            scores = scores + self.number_bonus * np.array(
                [any(c.isdigit() for c in p) for p in parts]
            )
        return np.asarray(scores)

    def nearest(self, paper: Paper, query_vector: np.ndarray) -> float:
        """The cosine of the paper's sentence nearest the query."""
        _, vectors = self.sentences(paper)
        return float(np.max(vectors @ query_vector))

    def compress(
        self, paper: Paper, query_vector: np.ndarray, keep: int = 2, query: str = ""
    ) -> str:
        parts, _ = self.sentences(paper)
        if len(parts) <= keep:
            return " ".join(parts)
        order = list(np.argsort(-self.scores(paper, query_vector, query)))
        best = order[:keep]
        # A question asking how much sees a sentence giving values, if the record has one:
        # the most similar sentences may only set the scene ("On 10 August 2020, ..."). It
        # takes the last place rather than adding one: the prompt stays `keep` sentences long.
        if QUANTITY.search(query) and not any(VALUE.search(parts[i]) for i in best):
            valued = [i for i in order[keep:] if VALUE.search(parts[i])]
            if valued:
                best = [*best[:-1], valued[0]]
        return " ".join(parts[i] for i in sorted(best))

    def stable(self, paper: Paper, words: int) -> str:
        """The record as every question about it shows it, so that its prompt prefix, and
        the model server's state for that prefix, is shared: the whole abstract, or its
        leading sentences within `words` words."""
        parts, _ = self.sentences(paper)
        kept: list[str] = []
        count = 0
        for part in parts:
            count += len(part.split())
            if kept and count > words:
                break
            kept.append(part)
        return " ".join(kept)

    def contributions(
        self, paper: Paper, query_vector: np.ndarray, keep: int = 2, query: str = ""
    ) -> str:
        """The `keep` sentences saying what the paper did or found (the authors as doers, or
        a measured value), most similar to the query first; the problem statement only when
        the abstract has nothing else. For summaries and bios: a copied background sentence
        ("The lack of 3D data is the main obstacle ...") is not what a paper contributed."""
        parts, _ = self.sentences(paper)
        if len(parts) <= keep:
            return " ".join(parts)
        scores = self.scores(paper, query_vector, query)
        said = [bool(DOER.search(p) or VALUE.search(p)) for p in parts]
        order = sorted(range(len(parts)), key=lambda i: (not said[i], -float(scores[i])))
        return " ".join(parts[i] for i in sorted(order[:keep]))

    def answering(self, paper: Paper, words: str) -> str:
        """The paper's sentence nearest to a few words ("speedup cache")."""
        return self.best_sentence(paper, self.embedder.encode([words])[0], words)

    def best_sentence(self, paper: Paper, query_vector: np.ndarray, query: str = "") -> str:
        parts, _ = self.sentences(paper)
        if not parts:
            return paper.title
        return parts[int(np.argmax(self.scores(paper, query_vector, query)))]


def format_sources(
    sources: Sequence[Source], *, titles: Titles = "full", labels: Mapping[str, str] | None = None
) -> str:
    """One line per source, its text kept inside the <sources> data block (a record cannot
    close the block early: tags in its text are defused). With `titles="none"`, a paper is
    introduced by its name only ("OrbNet" of "OrbNet: Deep learning for ..."): shown the
    titles, the 1.5B model filled a summary's sentences with them. With "short", by its
    name where the title has one, else its title: what tells the papers apart, in fewer
    prompt tokens. With `labels`, each source is introduced by its label (key -> label)."""
    if labels is not None:
        return "\n".join(_defuse(f"[{s.key}] {labels[s.key]}: {s.shown}") for s in sources)
    return "\n".join(
        _defuse(f"[{s.key}] {_label(s, titles)}({s.paper.year or 'n.d.'}): {s.shown}")
        for s in sources
    )


def _label(source: Source, titles: Titles) -> str:
    name = source.paper.name()
    if titles == "full" or (titles == "short" and not name):
        return f"{source.paper.title} "
    return f"{name} " if name else ""


def _defuse(text: str) -> str:
    return re.sub(r"</?\s*sources\s*>", "", " ".join(text.split()), flags=re.I)
