"""The claim verifier: a sentence is verified only when one cited record states it.

Words occurring in the record are not enough. The sentence is aligned to the record
sentence(s) that state it, and then each thing a small model (or a hurried writer) gets
wrong is checked on a dependency parse of both:

- every number occurs there, bound to the same things (the content words around it in its
  clause match the source's context for that number better than any other number's), with a
  compatible qualifier ("over 90%" is not "under 90%"; "up to 2.6x" is not "2.6x");
- every content word keeps its polarity and role: not negated on one side only ("not",
  "without", "instead of", "neglect"), not the compared-against side on one only ("than X");
- comparatives and superlatives keep their direction (more/less, higher/lower, best/worst),
  and intensifiers ("all", "clearly", "always") occur in the source too;
- a claim about the paper's own system is not backed by a sentence about someone else's
  ("most existing agents are reactive" does not make the system reactive);
- content nouns and adjectives the record never uses need a near synonym in it, or the
  sentence states something the record does not.

English lives in `english.py`'s word classes; nothing here knows a field or a corpus.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.evidence.claim_checks import (
    direction_reasons,
    kind_replaced,
    predicate_reasons,
    role_reasons,
    sides_reasons,
    subject_reasons,
)
from assistant.evidence.english import (
    LIGHT_NOUNS,
    SELF_WORDS,
    abbreviated,
    antonyms,
    digits_for_words,
    name_adjective,
    spelled_out,
)
from assistant.evidence.number_checks import number_reasons
from assistant.evidence.parsed import (
    NAMING_POS,
    NUMBER,
    Parsed,
    Unit,
    affinity,
    context,
    nlp,
    parse,
    read,
)

Verdict = Literal["verified", "contradicted", "not stated"]
Similar = Callable[[list[str], list[str]], list[float]]


class Check(BaseModel):
    """One sentence's verdict against one record."""

    model_config = ConfigDict(extra="forbid")

    verdict: Verdict
    evidence: str = Field(default="", description="The record sentence(s) it was checked against.")
    reasons: list[str] = Field(default_factory=list, description="Why it was not verified.")

    @property
    def ok(self) -> bool:
        return self.verdict == "verified"


def embedding_similarity(encode: Callable[[Sequence[str]], Any]) -> Similar:
    """`Similar` from an embedder's `encode`: each word's best cosine to any record word.
    Word vectors are cached: records and claims reuse most of their words."""
    import numpy as np

    cache: dict[str, Any] = {}
    lock = threading.Lock()

    def vectors(words: list[str]) -> Any:
        with lock:
            missing = [w for w in dict.fromkeys(words) if w not in cache]
            if missing:
                for w, v in zip(missing, encode(missing), strict=True):
                    cache[w] = np.asarray(v) / (np.linalg.norm(v) or 1.0)
            return np.array([cache[w] for w in words])

    def similar(words: list[str], record: list[str]) -> list[float]:
        if not words or not record:
            return [0.0] * len(words)
        return [float(x) for x in (vectors(words) @ vectors(record).T).max(axis=1)]

    return similar


class Verifier:
    """Checks sentences against records. `similar(words, record_words)` gives, per word,
    its best cosine similarity to any record word (the embedder); without it a new naming
    word is never justified."""

    def __init__(
        self,
        similar: Similar | None = None,
        min_similarity: float = 0.40,
        judge: Callable[[str, str], bool] | None = None,
    ) -> None:
        self.similar = similar
        self.min_similarity = min_similarity
        # A second reader of what the rules pass, (claim, evidence) -> stated?: it can take
        # a verification away, never give one.
        self.judge = judge

    def with_judge(self, judge: Callable[[str, str], bool]) -> Verifier:
        return Verifier(self.similar, self.min_similarity, judge)

    def check(self, sentence: str, record: str, *, names: Sequence[str] = ()) -> Check:
        """`record` is the cited paper's title and abstract; `names` are words that are never
        claims (the researcher's own name)."""
        claim = read(nlp()(digits_for_words(sentence)))
        source = parse(record)
        own = {w.lower() for n in names for w in re.split(r"[\s,.-]+", n) if w}
        units = [u for u in claim.units if u.lemma not in own | SELF_WORDS | LIGHT_NOUNS]
        if not units:
            return Check(verdict="not stated", reasons=["no content to check"])
        best = _align(units, source)
        evidence = " ".join(source[k].text for k in best)
        reasons = self._reasons(claim, units, [source[k] for k in best], source)
        if not reasons and self.judge is not None and not self.judge(sentence, evidence):
            reasons = ["the model does not read it in the supporting sentences"]
        if not reasons:
            return Check(verdict="verified", evidence=evidence)
        unstated = ("not in the", "unmatched", "not what the record")
        contradicted = any(not r.startswith(unstated) for r in reasons)
        return Check(
            verdict="contradicted" if contradicted else "not stated",
            evidence=evidence,
            reasons=reasons,
        )

    def _reasons(
        self, claim: Parsed, units: list[Unit], support: list[Parsed], record: list[Parsed]
    ) -> list[str]:
        here = set().union(*(p.lemmas for p in support))
        reasons = [
            *number_reasons(claim, support, record),
            *role_reasons(claim, units, support),
            *direction_reasons(claim, support),
            *subject_reasons(claim, support, record),
            *predicate_reasons(claim, support),
            *sides_reasons(claim, support),
        ]
        # A thing keeps its kind: "coupled-cluster simulations" are not the record's
        # "tight-binding simulations", though both words may occur elsewhere in it.
        # A name's abbreviation the record spells out ("UK" for "the United Kingdom") is
        # said where that name is: like a name, anywhere in the record.
        said = " ".join(p.text for p in record)
        here |= {t.lemma_.lower() for t in claim.doc if spelled_out(t.text, said)}
        # ... and a phrase the record writes as its initials ("state-of-the-art": "SOTA")
        initials = abbreviated(re.findall(r"[\w-]+", claim.text.lower()), said)
        here |= initials
        for t in claim.doc:
            wrong = kind_replaced(t, record, here)
            if wrong:
                reasons.append(f"not what the record calls it: {' '.join(wrong)} {t.text}")
        reasons += self._opposed(claim, units, support)
        reasons += self._unheld(units, support, record, initials)
        return list(dict.fromkeys(reasons))

    def _opposed(self, claim: Parsed, units: list[Unit], support: list[Parsed]) -> list[str]:
        """A word whose opposite the supporting sentences say of the same things, with the
        same polarity ("deviates from classical nucleation theory" where the source
        "conforms to" it). An embedder puts opposites close, so only this catches them."""
        here = set().union(*(p.lemmas for p in support))
        reasons = []
        for u in units:
            if u.lemma in here or u.named:
                continue
            opposite = antonyms().get(u.lemma, frozenset()) & here
            near = context(claim, u.i)
            said = [
                w
                for p in support
                for w in p.units
                if w.lemma in opposite
                and w.negated == u.negated  # "does not deviate" is "conforms"
                and affinity(near, context(p, w.i)) > 0
            ]
            if said:
                reasons.append(f"'{u.lemma}' where the source says '{said[0].lemma}'")
        return reasons

    def _unheld(
        self, units: list[Unit], support: list[Parsed], record: list[Parsed], held: set[str]
    ) -> list[str]:
        """Every content word must be held by the supporting sentences: the same lemma, a
        piece of one of their tokens, or (for a common word) a near synonym of one of their
        words. A name has no synonym; it may come from anywhere in the record (the system's
        name where the sentence says "we"). Unheld naming words are unstated claims; too
        many unheld verbs mean the sentences say something else."""
        here = set().union(*(p.lemmas for p in support)) | held
        everywhere = set().union(*(p.lemmas for p in record))
        pieces = _pieces(record)
        loose = sorted(
            {
                u.lemma
                for u in units
                if u.lemma not in here
                and not NUMBER.match(u.lemma)
                and not _inside(u.lemma, pieces)
                and not (u.named and u.lemma in everywhere)
                and not (u.named and any(name_adjective(u.lemma, w) for w in everywhere))
            }
        )
        named = {u.lemma for u in units if u.named}
        close: set[str] = set()
        common = [w for w in loose if w not in named]
        if self.similar is not None and common:
            scores = self.similar(common, sorted(here))
            close = {w for w, x in zip(common, scores, strict=True) if x >= self.min_similarity}
        unheld = [w for w in loose if w not in close]
        naming = {u.lemma for u in units if u.pos in NAMING_POS}
        reasons = []
        names = [w for w in unheld if w in naming and w in named]
        words = [w for w in unheld if w in naming and w not in named]
        if names:
            reasons.append("not in the record: " + ", ".join(names))
        if words:
            reasons.append("not in the supporting sentences: " + ", ".join(words))
        counted = [u for u in units if u.pos != "ADV"]
        if counted and len({w for w in unheld} & {u.lemma for u in counted}) > len(counted) / 3:
            reasons.append("unmatched: the supporting sentences do not say this")
        return reasons


def _pieces(record: list[Parsed]) -> tuple[set[str], set[str], str, str]:
    """The record's tokens cut at dots and hyphens ('m.a.s.l' -> m, a, s, l), the same
    tokens without punctuation, and the initials of its words in order (for abbreviations)."""
    parts: set[str] = set()
    glued: set[str] = set()
    initials = []
    for p in record:
        for t in p.doc:
            low = t.lower_
            parts |= set(re.split(r"[.\-–/]+", low))
            glued.add(re.sub(r"\W", "", low))
            if t.is_alpha:
                initials.append(low[0])
    squashed = " ".join("".join(re.sub(r"\W", "", t.lower_) for t in p.doc) for p in record)
    return parts, glued, "".join(initials), squashed


def _inside(word: str, pieces: tuple[set[str], set[str], str, str]) -> bool:
    """A unit glued to another ('a.s.l' in 'm.a.s.l'), or an abbreviation the record spells
    out ('dft' for 'density functional theory')."""
    parts, glued, initials, squashed = pieces
    bare = re.sub(r"\W", "", word)
    if not bare:
        return True
    if any(ch.isdigit() for ch in bare) and bare in squashed:
        return True  # '4K' where the record's tokens are '4' 'K'
    if word in parts or bare in glued or (len(bare) >= 3 and any(bare in g for g in glued)):
        return True
    return word.isalpha() and 2 <= len(word) <= 6 and word in initials


def _align(units: list[Unit], source: list[Parsed]) -> list[int]:
    """Up to three record sentences that together hold the most of the claim's content words
    (a summary sentence may join what two sentences say)."""

    def cover(ks: Sequence[int]) -> float:
        held = set().union(*(source[k].lemmas for k in ks))
        return sum((2.0 if NUMBER.match(u.lemma) else 1.0) for u in units if u.lemma in held)

    singles = sorted(range(len(source)), key=lambda k: -cover([k]))
    if not singles:
        return []
    best = [singles[0]]
    for k in singles[1:6]:
        if len(best) < 3 and cover([*best, k]) >= cover(best) + 1.0:
            best.append(k)
    return sorted(best)
