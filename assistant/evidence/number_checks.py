"""The claim verifier's number checks: a value keeps what it measures, what it is reported
on, whose it is, its label, its pairing in a 'respectively' list and its qualifier."""

from __future__ import annotations

from typing import Any

from assistant.evidence.english import MULTIPLIERS, OTHER_MARKERS, SELF_WORDS
from assistant.evidence.parsed import (
    CLASHES,
    Parsed,
    affinity,
    context,
    looks_named,
    number_of,
    numbers_in,
    partners,
)
from assistant.evidence.scope import phrase


def _settings(doc: Any, i: int) -> set[str]:
    """The named things a number is reported on: '60.8 mIoU on ADE20K' -> {'ade20k'}; 'On
    LLaMA Question, it shows 9.3%' -> {'llama', 'question'} (the number's clause)."""
    t = doc[i]
    head = t
    while head.dep_ in ("nummod", "quantmod", "compound", "amod", "nmod") and head.head.i != head.i:
        head = head.head  # "71% recall on X": the phrase's head carries the setting
    out = set()
    for holder in (head, _verb_of(t)):
        for prep in holder.children if holder is not None else ():
            if prep.dep_ == "prep" and prep.lower_ in ("on", "in", "for", "at", "across"):
                # "on LongBench and 64% on QuALITY": the conjunct is another setting
                words = {c for o in prep.children for c in phrase(o)}
                if i in words:  # "at 8.5 Å": the number's own phrase, not a setting
                    continue
                out |= {
                    prep.doc[c].lemma_.lower()
                    for c in words
                    if looks_named(prep.doc[c]) and prep.doc[c].text[:1].isalpha()
                }
    return out


def _verb_of(t: Any) -> Any:
    for _ in range(6):
        if t.pos_ in ("VERB", "AUX") or t.head.i == t.i:
            return t if t.pos_ in ("VERB", "AUX") else None
        t = t.head
    return None


def _others_near(parsed: Parsed, i: int) -> bool:
    """Whether a number is said of someone else's work: 'the previous best', 'existing
    methods', 'baselines' in its context; not a marker in a clause of its own ('6 out of 9
    datasets where most previous SOTAs rely on training' speaks of the datasets), nor
    'prior to' (a time: '85.4% prior to harvest')."""
    doc, near = parsed.doc, context(parsed, i)
    for u in parsed.units:
        if u.lemma not in OTHER_MARKERS or u.lemma not in near or abs(u.i - i) > 6:
            continue
        t = doc[u.i]
        if t.lower_ == "prior" and t.i + 1 < len(doc) and doc[t.i + 1].lower_ == "to":
            continue
        clause = next((a for a in (t, *t.ancestors) if a.dep_ in ("relcl", "advcl")), None)
        if clause is None or clause.left_edge.i <= i <= clause.right_edge.i:
            return True
    return False


def _respectively(doc: Any) -> dict[str, set[str]]:
    """'... X and Y ... by 56% and 93.7%, respectively': each number -> the name it is
    paired with by position (empty when the sentence has no such pairing)."""
    if not any(t.lower_ == "respectively" for t in doc):
        return {}
    numbers = [(n, t.i) for t in doc for n in numbers_in(t)]
    if len(numbers) < 2:
        return {}
    before = [
        t
        for t in doc[: numbers[0][1]]
        if looks_named(t) and number_of(t) is None and t.dep_ != "compound"
    ]
    # A coordinated list of as many names as numbers ("Atlas and Contriever"), else the
    # names nearest before the numbers.
    lists = [[t, *(c for c in t.conjuncts if c.i > t.i)] for t in before if t.dep_ != "conj"]
    names = next((g for g in lists if len(g) == len(numbers)), before[-len(numbers) :])
    if len(names) < len(numbers):
        return {}
    return {n: {names[k].lemma_.lower()} for k, (n, _) in enumerate(numbers)}


def _label(doc: Any, i: int) -> str | None:
    """What a reported value is labelled: 'RMSE = 0.16', 'r: 0.67'."""
    if i >= 2 and doc[i - 1].text in ("=", ":"):
        name = doc[i - 2]
        if name.is_alpha and not name.is_stop:
            return str(name.lemma_.lower())
    return None


def _number_subject(doc: Any, i: int) -> set[str]:
    """Of what a value after a copula is said: '<the best-fit scale factor> is 60% larger'
    -> its subject's content words. Pronouns and the paper's own words say nothing."""
    verb = _verb_of(doc[i])
    if verb is None or verb.lemma_ != "be":
        return set()
    subject = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subject is None or subject.pos_ not in ("NOUN", "PROPN"):
        return set()
    words = [subject, *(c for c in subject.children if c.dep_ in ("compound", "amod"))]
    return {
        str(c.lemma_.lower())
        for w in words
        for c in (w, *w.children)
        if c.pos_ in ("NOUN", "PROPN", "ADJ") and c.lemma_.lower() not in SELF_WORDS
    }


def _head_noun(doc: Any, i: int) -> str | None:
    """What a bare number counts: the noun it modifies ('4,000 frames'), not a unit glued
    to it ('8B', '50ms') nor a multiplier or share ('2.6-fold', '70%')."""
    t = doc[i]
    if t.dep_ != "nummod" or number_of(t) is None or not t.text[:1].isdigit():
        return None
    if i + 1 < len(doc) and (doc[i + 1].lower_ in MULTIPLIERS or doc[i + 1].text in "%-"):
        return None
    head = t.head  # a counted thing is plural ('4,000 frames'); '8,000 m' is a unit
    return str(head.lemma_.lower()) if head.pos_ == "NOUN" and head.tag_ == "NNS" else None


def number_reasons(claim: Parsed, support: list[Parsed], record: list[Parsed]) -> list[str]:
    """Every number present, bound as in the source, with a compatible qualifier."""
    reasons = []
    for value, i, qual in claim.numbers:
        spots = [(p, j, q) for p in record for v, j, q in p.numbers if v == value]
        if not spots:
            reasons.append(f"not in the record: {value}")
            continue
        if _rebound(claim, i, value, spots, support):
            reasons.append(f"{value} is bound to something else in the source")
        if all((qual, q) in CLASHES for _, _, q in spots):
            reasons.append(f"qualifier of {value} differs from the source")
        others = _others_near(claim, i)
        if all(_others_near(p, j) != others for p, j, _ in spots):
            whose = "other" if others else "this"
            reasons.append(f"{value} is said of {whose} work in the claim, not in the source")
        pairings = [_respectively(p.doc) for p, _, _ in spots]  # number -> its paired name
        named_here = names_in(claim)
        if any(value in m for m in pairings) and all(
            not (m[value] & named_here) and set().union(*m.values()) & named_here
            for m in pairings
            if value in m
        ):
            reasons.append(f"{value} goes with another name in the source ('respectively')")
        mine_at = _settings(claim.doc, i)
        theirs_at = [_settings(p.doc, j) for p, j, _ in spots]
        if mine_at and all(t and not t & mine_at for t in theirs_at):
            where = ", ".join(sorted(set().union(*theirs_at)))
            reasons.append(f"{value} is for {where} in the source")
        label = _label(claim.doc, i)
        labels = [_label(p.doc, j) for p, j, _ in spots]
        if label and all(labels) and label not in labels:
            named = ", ".join(sorted({x for x in labels if x}))
            reasons.append(f"{value} is the source's {named}, not {label}")
        of_what = _number_subject(claim.doc, i)
        said_of = [_number_subject(p.doc, j) for p, j, _ in spots]
        if of_what and all(s and not (s & of_what) for s in said_of):
            said = ", ".join(sorted(set().union(*said_of)))
            reasons.append(f"{value} is said of {said} in the source, not of that")
        counted = _head_noun(claim.doc, i)
        theirs = {_head_noun(p.doc, j) for p, j, _ in spots} - {None}
        if counted and theirs and counted not in theirs:
            reasons.append(
                f"{value} counts {', '.join(sorted(t or '' for t in theirs))} "
                f"in the source, not {counted}"
            )
    return reasons


def _rebound(
    claim: Parsed, i: int, value: str, spots: list[tuple[Parsed, int, str]], support: list[Parsed]
) -> bool:
    """Whether another number of the source fits what the claim binds `value` to better
    than `value` does everywhere it occurs, judged on the words that tell the two apart
    (words both share, like the unit, say nothing about which is which)."""
    mine = context(claim, i)
    for p, j, _ in spots:
        own = context(p, j)
        beaten = False
        for q in support:
            for v, k, _ in q.numbers:
                if v == value or (q is p and partners(p, k, value)):
                    continue
                other = context(q, k)
                ours = affinity(mine, {w: x for w, x in own.items() if w not in other})
                theirs = affinity(mine, {w: x for w, x in other.items() if w not in own})
                if theirs > ours + 0.5:
                    beaten = True
        if not beaten:
            return False
    return True


def names_in(p: Parsed) -> set[str]:
    return {t.lemma_.lower() for t in p.doc if t.pos_ == "PROPN" or looks_named(t)}
