"""Evidence preparation: compress abstracts to what a question needs, resolve follow-ups,
and stream the text of a JSON reply as it arrives.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from assistant.grounding import Source, split_sentences
from retrieval.embedder import Embedder
from retrieval.lexical import tokenize
from retrieval.models import Paper

FOLLOW_UP = re.compile(
    r"\b(?:it|its|it's|they|their|them|those|these|this|that|he|his|she|her|"
    r"the (?:paper|model|method|system|approach|work)|same|above|previous|more)\b",
    re.I,
)


LEXICAL_BONUS = 0.3
NUMBER_BONUS = 0.1
QUANTITY = re.compile(
    r"\bhow\s+(?:many|much|big|large|fast|long|high|well)\b|\bwhat\s+(?:\w+\s+)?"
    r"(?:AP|PQ|mIoU|accuracy|score|size|speed|number|percentage|rate)\b",
    re.I,
)


class Compressor:
    """Each abstract reduced to its sentences most similar to the question (MiniLM).

    Small models answer best from ~500-token prompts (FINDINGS); sentence vectors are
    cached per paper, so only the question is embedded per call.
    """

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
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
            scores = scores + LEXICAL_BONUS * shared
        if QUANTITY.search(query):
            scores = scores + NUMBER_BONUS * np.array([any(c.isdigit() for c in p) for p in parts])
        return np.asarray(scores)

    def compress(
        self, paper: Paper, query_vector: np.ndarray, keep: int = 2, query: str = ""
    ) -> str:
        parts, _ = self.sentences(paper)
        if len(parts) <= keep:
            return " ".join(parts)
        best = sorted(np.argsort(-self.scores(paper, query_vector, query))[:keep])
        return " ".join(parts[i] for i in best)

    def best_sentence(self, paper: Paper, query_vector: np.ndarray, query: str = "") -> str:
        parts, _ = self.sentences(paper)
        if not parts:
            return paper.title
        return parts[int(np.argmax(self.scores(paper, query_vector, query)))]


def format_sources(sources: Sequence[Source]) -> str:
    return "\n".join(
        f"[{s.key}] {s.paper.title} ({s.paper.year or 'n.d.'}): {s.shown}" for s in sources
    )


def resolve_follow_up(question: str, history: Sequence[dict[str, str]] | None) -> str:
    """The retrieval query for a turn: a follow-up borrows the previous user question."""
    previous = [
        m.get("content", "")
        for m in (history or [])
        if m.get("role") == "user" and m.get("content")
    ]
    if not previous:
        return question
    words = question.split()
    if FOLLOW_UP.search(question) or len(words) <= 3:
        return f"{previous[-1]} {question}"
    return question


def previous_exchange(history: Sequence[dict[str, str]] | None, limit: int = 300) -> str:
    """The last question and answer, briefly, so the model can read 'its' and 'those'."""
    if not history:
        return ""
    lines = []
    for message in list(history)[-2:]:
        role = "Earlier question" if message.get("role") == "user" else "Earlier answer"
        lines.append(f"{role}: {str(message.get('content', ''))[:limit]}")
    return "\n".join(lines)


class SentenceStreamer:
    """Yields each `{"text", "sources"}` item of a streamed JSON reply once it is complete,
    so every sentence is checked before the user sees it."""

    ITEM = re.compile(r'\{\s*"text"')

    def __init__(self) -> None:
        self.buffer = ""
        self.position = 0
        self.decoder = json.JSONDecoder()

    def feed(self, chunk: str) -> list[dict[str, Any]]:
        self.buffer += chunk
        done: list[dict[str, Any]] = []
        while True:
            match = self.ITEM.search(self.buffer, self.position)
            if not match:
                return done
            try:
                item, end = self.decoder.raw_decode(self.buffer, match.start())
            except json.JSONDecodeError:
                return done  # incomplete: wait for more
            self.position = end
            if isinstance(item, dict):
                done.append(item)
