"""What a sentence's negations deny and which side of a comparison each word is on, read
from its dependency parse: the scope of "not", "without", "no X", "X, not Y", "instead of";
the compared-against side ("than X", "outperforms X"); the side a hedge puts level ("on par
with X")."""

from __future__ import annotations

from typing import Any

from assistant.evidence.english import (
    CONTRAST_MARKERS,
    DOWN_WORDS,
    LEVEL_WORDS,
    NEGATION_WORDS,
    UP_WORDS,
)


def _clause(t: Any) -> Any:
    """The verb (or root) heading the clause a token belongs to."""
    while t.pos_ not in ("VERB", "AUX") and t.dep_ != "ROOT":
        t = t.head
    return t


def _clause_scope(head: Any) -> set[int]:
    """What a clause's negation denies: its verb and what follows from it, not its subject
    ("X does not need Y": X still exists) nor the separate clauses hanging from it."""
    out = {head.i}
    for child in head.children:
        if child.dep_ not in SCOPE_EXCLUDED:
            out |= {c.i for c in child.subtree}
    return out


SCOPE_EXCLUDED = frozenset("conj advcl relcl ccomp cc nsubj nsubjpass csubj mark punct".split())


def phrase(t: Any) -> set[int]:
    """A phrase's tokens without its coordinated or clausal parts."""
    out = {t.i}
    for child in t.children:
        if child.dep_ not in ("conj", "cc", "relcl", "acl", "advcl", "appos", "punct"):
            out |= phrase(child)
    return out


def _opens_phrase(t: Any) -> bool:
    return t is not None and t.pos_ in ("ADP", "DET", "NOUN", "PROPN", "ADJ")


def scoped(doc: Any) -> tuple[set[int], set[int], set[int]]:
    """Indices of tokens under a negation, on the compared-against side, and on the side a
    hedge puts level with the subject ("comparably to X", "on par with X")."""
    negated: set[int] = set()
    compared: set[int] = set()
    level: set[int] = set()
    for t in doc:
        low, lemma = t.lower_, t.lemma_.lower()
        if t.dep_ == "neg" or lemma in NEGATION_WORDS or low in NEGATION_WORDS:
            after = doc[t.i + 1] if t.i + 1 < len(doc) else None
            before = doc[t.i - 1] if t.i > 0 else None
            if after is not None and after.lower_ in ("only", "just", "merely"):
                continue  # "not only X but also Y" asserts X
            # "but not ...", "X, not by Y as the scheme holds": the contrast only
            if before is not None and (
                before.dep_ == "cc" or (before.text == "," and _opens_phrase(after))
            ):
                scope = set()
                if after is not None and after.pos_ == "ADJ":  # "small but not large widths"
                    scope = {after.i}
                else:
                    for w in doc[t.i + 1 :]:
                        if w.is_punct or w.dep_ == "cc":
                            break
                        scope.add(w.i)
            elif _reduced_relative(t):  # "firms not paying dividends adjust ...": the
                scope = _participle_phrase(doc[t.i + 1])  # participle's phrase only
            elif t.pos_ == "ADP" or (t.head.pos_ == "NOUN" and t.head.dep_ in ("appos", "conj")):
                scope = phrase(t if t.pos_ == "ADP" else t.head)  # "without X"; "X, not Y,"
            elif t.dep_ == "det" and t.head.dep_ not in ("nsubj", "nsubjpass", "dobj", "attr"):
                scope = phrase(t.head)  # "(4K context, no MTP)": the noun phrase only
            elif t.pos_ in ("VERB", "NOUN") and t.dep_ not in ("nsubj", "dobj"):
                scope = {c.i for c in t.subtree}  # "lack X", "neglect X", "fail to X"
            else:  # "not", "no X", "none of X", "never": the whole clause
                scope = _clause_scope(_clause(t))
            negated ^= scope - {t.i}
        elif (low in CONTRAST_MARKERS and t.pos_ == "ADP") or (
            t.dep_ == "prep" and t.head.lower_ in CONTRAST_MARKERS
        ):
            for child in t.children:
                if child.dep_ in ("pobj", "pcomp", "dobj"):
                    negated ^= {c.i for c in child.subtree}
        elif t.dep_ == "prep" and (
            t.head.lemma_.lower() in LEVEL_WORDS
            or (  # "performs comparably to X": the adverb hangs from the verb
                t.lower_ in ("to", "with")
                and any(c.lemma_.lower() in LEVEL_WORDS for c in t.head.children)
            )
        ):
            for child in t.children:
                if child.dep_ in ("pobj", "pcomp"):
                    level |= {c.i for c in child.subtree}
        elif t.pos_ == "ADP" and _compares(t):
            for child in t.children:
                if child.dep_ in ("pobj", "pcomp"):
                    compared |= {c.i for c in child.subtree}
        if lemma in UP_WORDS and t.pos_ == "VERB":  # "outperforms X": X is compared against
            for child in t.children:
                if child.dep_ == "dobj":
                    compared |= {c.i for c in child.subtree}
    return negated, compared, level


def _reduced_relative(t: Any) -> bool:
    """'not' between a noun and the participle that describes it ("firms not paying
    dividends"), which the small parser often makes the sentence's root."""
    doc = t.doc
    return (
        t.lower_ == "not"
        and 0 < t.i < len(doc) - 1
        and doc[t.i - 1].pos_ in ("NOUN", "PROPN")
        and doc[t.i + 1].tag_ in ("VBG", "VBN")
    )


def _participle_phrase(verb: Any) -> set[int]:
    out = {verb.i}
    for child in verb.children:
        if child.dep_ in ("dobj", "attr", "prt", "acomp", "agent") and child.i > verb.i:
            out |= {c.i for c in child.subtree}
    return out


def _compares(t: Any) -> bool:
    """'than X', 'compared to X', 'relative to X', 'X over Y' after an up/down word."""
    if t.lower_ in ("than", "versus", "vs", "against", "above", "below", "beyond"):
        return True
    head = t.head.lemma_.lower()
    return head in ("compare", "relative", "ahead", "behind", "improvement", "gain") or (
        t.lower_ == "over" and (head in UP_WORDS | DOWN_WORDS or t.head.pos_ == "VERB")
    )
