"""What a question asks for, so code can decide "not stated": the asked attribute
("parameters", "learning rate", "AP"), whether it wants a value, the named terms, and the
parts of a multi-part question. A record answers a part only when one of its sentences holds
the attribute (with a value when one is asked for) and the record holds the named terms.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pydantic import BaseModel, Field

from assistant.evidence.english import digits_for_words
from assistant.evidence.grounding import allowed_words, claims, normalise, occurs
from retrieval.models import Paper
from retrieval.text import split_sentences, tokenize

AUX = r"(?:does|did|do|is|are|was|were|can|could|has|have|had|will|would|should)"
HOW_MANY = re.compile(rf"\bhow\s+many\s+(?P<attr>(?:[\w-]+\s+){{0,2}}?[\w-]+)\s+{AUX}\b", re.I)
WHAT_X = re.compile(
    rf"\b(?:what|which)\s+(?:is\s+|was\s+|are\s+|were\s+)?(?:the\s+|its\s+|their\s+|his\s+|her\s+)?"
    rf"(?P<attr>(?:[\w-]+\s+){{0,2}}?[\w-]+)\s+(?:{AUX}|of|for)\b",
    re.I,
)
# General nouns that name no measurable detail: "what is the name of...", "which method".
GENERIC = frozenset(
    """name names kind kinds type types method methods approach approaches model models paper
    papers work works idea ideas contribution contributions goal goals purpose problem problems
    main key topic topics way ways difference differences role advantage advantages benefit
    benefits limitation limitations task tasks framework system systems technique techniques
    thing things part parts aspect aspects area areas field fields question questions he she
    they it this that these those one ones""".split()
)
# Measurement nouns of general English: asking "what X" for one of these wants a value.
MEASURES = frozenset(
    """rate accuracy speedup speed score scores size count number percentage latency cost error
    precision recall gain improvement parameters parameter throughput memory resolution length
    duration time ratio fid bleu ap map pq miou f1 auc perplexity loss epochs steps batch
    budget frames users gpus tokens hours days dimension depth width""".split()
)
PART_SPLIT = re.compile(
    r"(?:,?\s+and\s+|;\s*|\?\s+)(?=(?:what|how|which|who|when|where|on\s+which|in\s+which|"
    r"at\s+what|by\s+how|is\s+there|does|did)\b)",
    re.I,
)
HAS_VALUE = re.compile(r"\d")


class Asked(BaseModel):
    """One part of a question: its asked attribute (may be empty) and named terms."""

    text: str
    attribute: str = ""
    wants_value: bool = False
    named: list[str] = Field(default_factory=list)

    @property
    def words(self) -> set[str]:
        return set(tokenize(self.attribute))

    def phrase(self) -> str:
        """'the number of GPUs', 'the learning rate'."""
        if self.attribute.lower().startswith(("number", "count")):
            return f"the {self.attribute}"
        if HOW_MANY.search(self.text):
            return f"the number of {self.attribute}"
        return f"the {self.attribute}"


def parts(question: str, names: Sequence[str] = (), context: str = "") -> list[Asked]:
    """The parts of a question, each with its attribute; a later part with no named term of
    its own ("..., and what FID?") shares the earlier part's, and a follow-up's first part
    ("how many parameters does it have?") those of the earlier question (`context`)."""
    allowed = allowed_words(names)
    earlier = sorted(c for c in claims(context, allowed) if c[0].isalpha()) if context else []
    out: list[Asked] = []
    for text in [p.strip() for p in PART_SPLIT.split(question) if p.strip()]:
        attribute, wants = _attribute(text)
        own = {w.lower() for w in attribute.split()}
        named = sorted(c for c in claims(text, allowed) if c[0].isalpha() and c.lower() not in own)
        if not named and out:
            named = out[0].named
        elif not named:
            named = [n for n in earlier if n.lower() not in own]
        out.append(Asked(text=text, attribute=attribute, wants_value=wants, named=named))
    return out or [Asked(text=question)]


def _attribute(text: str) -> tuple[str, bool]:
    m = HOW_MANY.search(text)
    if m:
        words = _clean(m["attr"])
        return (" ".join(words), True) if words else ("", False)
    m = WHAT_X.search(text)
    if m:
        words = _clean(m["attr"])
        # Only a measurable detail is decided by code; "which datasets" is left to the model.
        if words and (any(w.lower() in MEASURES for w in words) or any(w.isupper() for w in words)):
            return " ".join(words), True
    return "", False


def _clean(phrase: str) -> list[str]:
    words = phrase.split()
    if any(w.lower() in {"does", "did", "do", "is", "are", "was", "were"} for w in words):
        return []
    content = [w for w in words if w.lower() not in GENERIC]
    # "what paper", "which method": nothing measurable asked.
    return content if content and words[-1].lower() not in GENERIC else []


def holding_sentence(asked: Asked, paper: Paper) -> str | None:
    """The sentence of the record that holds the asked attribute (and a value when one is
    asked), provided the record holds the named terms; None when it does not."""
    if not asked.attribute:
        return None
    record = normalise(" ".join([paper.title, paper.abstract]))
    if not all(occurs(n, record) for n in asked.named):
        return None
    wanted = asked.words
    for sentence in [paper.title, *split_sentences(paper.abstract)]:
        if not wanted <= set(tokenize(sentence)):
            continue
        if asked.wants_value and not HAS_VALUE.search(digits_for_words(sentence)):
            continue
        return sentence
    return None


def mentions(asked: Asked, text: str) -> bool:
    """Does an answer sentence speak of the asked attribute?"""
    if asked.wants_value and not HAS_VALUE.search(digits_for_words(text)):
        return False
    return bool(asked.words) and asked.words <= set(tokenize(text))


def holds_named(asked: Asked, paper: Paper) -> bool:
    record = normalise(" ".join([paper.title, paper.abstract, " ".join(paper.authors)]))
    return all(occurs(n, record) for n in asked.named)


def subject(asked: Asked, paper: Paper | None) -> str:
    """How a not-stated sentence names the paper: its named term, or its short title."""
    if asked.named and paper is not None and holds_named(asked, paper):
        return next((n for n in asked.named if n.lower() in paper.title.lower()), asked.named[0])
    if paper is None:
        return ""
    return paper.title.split(":")[0].strip()


def not_stated_text(asked: Asked, paper: Paper | None) -> str:
    if paper is None or not holds_named(asked, paper):
        terms = f" for {', '.join(asked.named)}" if asked.named else ""
        return f"No abstract in the corpus states {asked.phrase()}{terms}."
    kind = "abstract" if paper.abstract.strip() else "record"
    return f"The {subject(asked, paper)} {kind} does not state {asked.phrase()}."
