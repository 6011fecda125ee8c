"""The claims a sentence makes that a record must hold (its numbers, scaled numbers and
names) and whether one occurs in a record's text, whatever its typography."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.evidence.english import (
    SCALE_WORD,
    digits_for_words,
    is_function_word,
    name_adjective,
)

NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*(?![\d])")
# A number with its scale is one claim: "1 billion" must occur as such, not "1" anywhere.
SCALED = re.compile(
    r"(?<![\w.])\d+(?:\.\d+)?[\s-]*(?:hundred|thousand|million|billion|trillion)s?\b", re.I
)
# Words with a capital after the first letter or a digit mix: DINO, ResNet-50, XiaoIce, H2VQ.
NAMED = re.compile(
    r"\b[A-Za-z]*[A-Z][A-Za-z0-9]*[A-Z0-9][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*\b"
    r"|\b[A-Z][a-z]+(?:-[A-Za-z]*\d[\w.]*)+\b"  # Step-3, Qwen-2.5: a word and a version
)
CAPITALISED = re.compile(r"(?<=[\s(\"'])[A-Z][a-z]{2,}(?:[-][A-Z]?[a-z]+)*\b")
INITIAL = re.compile(r"^[\s\"'(\[]*([A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*)")


def claims(text: str, allowed: frozenset[str] = frozenset(), *, initial: bool = False) -> set[str]:
    """Numbers (digits, single ones too, and number words) and named terms a sentence
    asserts; each must appear in a cited source. With `initial`, a sentence-initial
    capitalised word counts too unless it is general English grammar ("However", "The")."""
    text = digits_for_words(text)
    found: set[str] = set()
    rest = text
    for m in SCALED.finditer(text):
        found.add(" ".join(re.split(r"[\s-]+", m.group(0).lower())).rstrip("s"))
        rest = rest[: m.start()] + " " * (m.end() - m.start()) + rest[m.end() :]
    found |= {m.group(0).replace(",", "") for m in NUMBER.finditer(rest)}
    found |= {m.group(0).lower().rstrip("s") for m in SCALE_WORD.finditer(rest)}
    found |= {m.group(0) for m in NAMED.finditer(text) if not m.group(0).isdigit()}
    found |= {m.group(0) for m in CAPITALISED.finditer(text)}
    first = INITIAL.match(text) if initial else None
    if first:
        found.add(re.sub(r"'s$", "", first.group(1)))
    return {
        c
        for c in found
        if not is_function_word(c) and c.lower() not in allowed and (len(c) > 1 or c.isdigit())
    }


DOTTED = re.compile(r"(?<![\w.])(?:[A-Z]\.){2,}")


def normalise(text: str) -> str:
    """Lowercase, number words as digits, thousands separators and dashes folded, and a
    dotted abbreviation as its letters ("U.K." is "UK", "U.S." is "US")."""
    text = DOTTED.sub(lambda m: m.group().replace(".", ""), digits_for_words(text))
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)
    return re.sub(r"[\s\-‐–]+", " ", text.lower())


def occurs(claim: str, evidence: str) -> bool:
    """Whole-token, case-insensitive occurrence: '49.4' does not match '149.4'."""
    needle = re.escape(normalise(claim))
    if claim[0].isdigit():
        return re.search(r"(?<![\w.])" + needle + r"(?![\d])", evidence) is not None
    if claim.lower() in {"hundred", "thousand", "million", "billion", "trillion"}:
        needle += "s?"
    # "step 3" is not in "step 3.5": a version number continues past the dot
    if re.search(r"(?<!\w)" + needle + r"(?!\w|\.\d)", evidence):
        return True
    # "Martian" where the record says "Mars", "Indian" for "India": a place's adjective
    if claim.isalpha() and claim[0].isupper() and len(claim) >= 5:
        said = set(re.findall(rf"(?<!\w){re.escape(claim[:3].lower())}[a-z]*", evidence.lower()))
        return any(name_adjective(claim.lower(), w) for w in said)
    return False


def allowed_words(names: Sequence[str]) -> frozenset[str]:
    """Names that are never claims (the corpus owner), split into their words."""
    return frozenset(w.lower() for name in names for w in re.split(r"[\s,]+", name) if w)
