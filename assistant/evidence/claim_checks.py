"""The claim verifier's word checks, one phenomenon each, on a parsed claim and the record
sentences aligned to it (numbers are checked in `number_checks`): polarity and comparison
sides kept, comparatives' direction kept, no claim about the paper's own work resting on
what it says of others, no thing's kind replaced."""

from __future__ import annotations

from typing import Any

from assistant.evidence.english import (
    DOWN_WORDS,
    INTENSIFIERS,
    OTHER_MARKERS,
    SELF_WORDS,
    UNIVERSALS,
    UP_WORDS,
)
from assistant.evidence.number_checks import names_in
from assistant.evidence.parsed import (
    COMPARATIVE_TAGS,
    NAMING_POS,
    NUMBER,
    Parsed,
    Unit,
    affinity,
    context,
    looks_named,
    number_of,
)
from assistant.evidence.scope import phrase


def role_reasons(claim: Parsed, units: list[Unit], support: list[Parsed]) -> list[str]:
    """Polarity, the compared-against side and hedged comparisons, word by word."""
    reasons = []
    for u in units:
        if NUMBER.match(u.lemma):
            continue
        # "the authors find that X" frames X, whose words are checked themselves; it is
        # compared only with the source's framing uses, not "do not find evidence".
        frames = _frames_clause(claim.doc[u.i])
        theirs = [
            w
            for p in support
            for w in p.units
            if w.lemma == u.lemma and (not frames or _frames_clause(p.doc[w.i]))
        ]
        if not theirs:
            continue
        if all(w.negated != u.negated for w in theirs):
            reasons.append(f"polarity of '{u.lemma}' differs from the source")
        elif u.pos != "VERB" and _other_side(u, theirs):
            reasons.append(f"'{u.lemma}' is on the other side of the comparison")
        elif u.compared and all(w.level for w in theirs):
            reasons.append(f"the source puts '{u.lemma}' level, not behind")
    # "X gives rise to Y" where the source says "Y leads to X": the roles are swapped.
    mine = _roles(units)
    for p in support:
        them = _roles(p.units)
        if mine[0] & them[1] and mine[1] & them[0] and not mine[0] & them[0]:
            reasons.append("subject and object are swapped with respect to the source")
    # "converts X into Y" where the source "transforms Y into X": two things trade parts.
    claimed = {k: next(iter(v)) for k, v in _frames(units).items() if len(v) == 1}
    for p in support:
        stated = _frames(p.units)
        for a, ra in claimed.items():
            for b, rb in claimed.items():
                if a < b and ra != rb and stated.get(a) == {rb} and stated.get(b) == {ra}:
                    reasons.append(f"'{a}' and '{b}' trade places with respect to the source")
    return reasons


def _frames_clause(token: Any) -> bool:
    return token.pos_ == "VERB" and any(c.dep_ == "ccomp" for c in token.children)


def _frames(units: list[Unit]) -> dict[str, Any]:
    """Lemma -> the frame parts it takes (one part per lemma in a claim)."""
    out: dict[str, set[str]] = {}
    for u in units:
        if u.frame:
            out.setdefault(u.lemma, set()).add(u.frame)
    return out


def _other_side(u: Unit, theirs: list[Unit]) -> bool:
    """The winner of the claim's comparison is the loser of the source's, or the reverse."""
    if u.compared:
        return all(not w.compared and w.role == "agent" for w in theirs)
    return u.role == "agent" and all(w.compared for w in theirs)


def _roles(units: list[Unit]) -> tuple[set[str], set[str]]:
    """Content words in the acting (subject) and acted-on (object) part of a sentence,
    passives turned active."""
    return (
        {u.lemma for u in units if u.role == "agent" and u.pos in ("NOUN", "PROPN")},
        {u.lemma for u in units if u.role == "patient" and u.pos in ("NOUN", "PROPN")},
    )


def direction_reasons(claim: Parsed, support: list[Parsed]) -> list[str]:
    """Comparatives keep their direction where the source compares the same things, and
    intensifiers occur in the source too."""
    reasons = []
    used = {w.lemma_.lower() for p in support for w in p.doc} | {
        w.lower_ for p in support for w in p.doc
    }
    for t in claim.doc:
        low = _direction_word(t)
        for strong in (UNIVERSALS, INTENSIFIERS):
            if low in strong and not used & strong:
                reasons.append(f"'{t.text}' is stronger than the source")
        if not _compares_degree(t, low):
            continue
        near = context(claim, t.i)
        candidates = [
            (affinity(near, context(p, w.i)), _direction_word(w))
            for p in support
            for w in p.doc
            if w.tag_ in COMPARATIVE_TAGS or _direction_word(w) in UP_WORDS | DOWN_WORDS
        ]
        if not candidates:
            continue  # a comparison the source does not make is judged by its words
        score, theirs = max(candidates)
        if low == theirs or score == 0.0:
            continue
        if _direction(low) and _direction(theirs) and _direction(low) != _direction(theirs):
            reasons.append(f"'{t.text}' where the source says '{theirs}'")
    return reasons


def _compares_degree(t: Any, low: str) -> bool:
    """A word that compares degrees: a direction word, or a comparative or superlative
    adjective or adverb spelt as one (not a name such as 'Lower Barun Lake', nor a noun
    the tagger took for one)."""
    after = t.doc[t.i + 1 : t.i + 3]
    if len(after) == 2 and after[0].lower_ == "than" and after[1].like_num:
        return False  # "more than 90%": a number's qualifier, checked with the number
    if low in UP_WORDS | DOWN_WORDS:
        return True
    named = t.text[:1].isupper() and t.i > 0
    return t.tag_ in COMPARATIVE_TAGS and t.lower_.endswith(("er", "est")) and not named


def _direction_word(t: Any) -> str:
    nxt = t.doc[t.i + 1] if t.i + 1 < len(t.doc) else None
    if t.lower_ in ("over", "under") and nxt is not None and nxt.text == "-":
        return "more" if t.lower_ == "over" else "less"  # "over-sensitive", "under-sensitive"
    return str(t.lower_ if t.lower_ in UP_WORDS | DOWN_WORDS else t.lemma_.lower())


def _direction(word: str) -> int:
    return 1 if word in UP_WORDS else -1 if word in DOWN_WORDS else 0


def subject_reasons(claim: Parsed, support: list[Parsed], record: list[Parsed]) -> list[str]:
    """A claim about the paper's own work must not rest on what the source says of others
    ("most of these agents are reactive" does not make the proposed agent reactive)."""
    # A name may open the claim ("Ridge learns ..."): the record capitalises it mid-sentence
    # or before the title's colon.
    capitalised = {
        w.lemma_.lower()
        for p in record
        for w in p.doc
        if w.text[:1].isupper()
        and (w.i > 0 or (w.i + 1 < len(p.doc) and p.doc[w.i + 1].text == ":"))
    }
    if not claim.subject & (SELF_WORDS | names_in(claim) | capitalised):
        return []
    return [
        "the source says this of other work"
        for p in support
        if p.head_subject & OTHER_MARKERS and not p.subject & (SELF_WORDS | names_in(p))
    ][:1]


def predicate_reasons(claim: Parsed, support: list[Parsed]) -> list[str]:
    """The claim's main verb said of the same subject: where the source uses that verb only
    of other subjects and says something else of the claim's subject ("dry air favours
    sublimation ... cold winds impede it" does not make cold winds favour it)."""
    verb, subject = _predication(claim.doc)
    if verb is None or not subject:
        return []
    with_verb = [s for p in support for v, s in _predications(p.doc) if v == verb]
    # what else the source says of the claim's subject, its passives' doers too ("was
    # followed by X"); not for `with_verb`, where a passive's "by" may be the means
    with_subject = [v for p in support for v, s in _predications(p.doc, True) if subject <= s]
    # A clause whose subject is "we", a pronoun or implicit may be about the claim's subject.
    if with_verb and with_subject and all(s and not subject <= s for s in with_verb):
        return [f"the source says '{verb}' of something else"]
    return []


def sides_reasons(claim: Parsed, support: list[Parsed]) -> list[str]:
    """Two things on opposite sides of the same verb trade sides ("uses X to guide Y"
    where the source "uses Y to guide X"; "A regulates B" where "B is used to regulate
    A"). Passives are turned active, so a paraphrase that keeps who does what to whom
    keeps its sides."""
    for v in claim.doc:
        if v.pos_ not in ("VERB", "NOUN"):
            continue
        mine = _sides(claim.doc, v)
        if not (mine[0] and mine[1]):
            continue
        for p in support:
            for w in p.doc:
                if w.pos_ != v.pos_ or w.lemma_.lower() != v.lemma_.lower():
                    continue
                theirs = _sides(p.doc, w)
                moved = [
                    (a, b)
                    for a in (mine[0] & theirs[1]) - mine[1] - theirs[0]
                    for b in (mine[1] & theirs[0]) - mine[0] - theirs[1]
                ]
                if moved:
                    a, b = moved[0]
                    return [f"'{a}' and '{b}' are on swapped sides of '{v.lemma_}'"]
    return []


def _sides(doc: Any, verb: Any) -> tuple[set[str], set[str]]:
    """The naming words of a verb's doer and of what it acts on, passives turned active;
    an infinitive without a subject takes its doer from the verb it completes ("uses X to
    guide Y", "X is used to regulate Y"); what a verb leads "to" is what it acts on ("cuts
    lead to increases"). A noun's sides are its "of" and its "on" ("the effect of prices on
    borrowing")."""
    if verb.pos_ == "NOUN":
        return _noun_sides(verb)
    kids = {c.dep_: c for c in verb.children}
    doer = [kids[d] for d in ("nsubj", "csubj") if d in kids]
    doer += [g for c in verb.children if c.dep_ == "agent" for g in c.children]
    done = [kids[d] for d in ("dobj", "nsubjpass") if d in kids]
    done += [g for c in verb.children if c.dep_ == "prep" and c.lower_ == "to" for g in c.children]
    inner: set[int] = set()
    if not doer and verb.dep_ in ("xcomp", "advcl", "acl"):
        up = {c.dep_: c for c in verb.head.children}
        if verb.head.dep_ in ("dobj", "pobj"):  # "features to guide Y" (or mis-tagged)
            doer = [verb.head]
        elif verb.dep_ == "advcl" and verb.tag_ == "VBG" and "nsubj" in up:
            doer = [up["nsubj"]]  # "X achieves the best, outperforming Y": X outperforms
        elif verb.head.pos_ in ("VERB", "AUX"):
            doer = [up[d] for d in ("nsubjpass", "dobj") if d in up]
        inner = {c.i for c in verb.subtree}
    return _naming(doer, inner), _naming(done)


def _noun_sides(noun: Any) -> tuple[set[str], set[str]]:
    """'the effect of A on B', "A's effect on B": A and B; the "on" may hang from A."""
    of = [g for c in noun.children if c.dep_ == "prep" and c.lower_ == "of" for g in c.children]
    of += [c for c in noun.children if c.dep_ == "poss"]
    on_preps = [c for h in (noun, *of) for c in h.children if c.dep_ == "prep"]
    on = [g for c in on_preps if c.lower_ in ("on", "upon") for g in c.children]
    inner = {i for h in on for i in phrase(h)} | {
        c.i for c in on_preps if c.lower_ in ("on", "upon")
    }
    return _naming(of, inner), _naming(on)


def _naming(heads: list[Any], skip: set[int] | None = None) -> set[str]:
    return {
        w.lemma_.lower()
        for h in heads
        for i in phrase(h) - (skip or set())
        for w in (h.doc[i],)
        if w.pos_ in ("NOUN", "PROPN", "ADJ", "X") and not w.is_stop
    }


def _predication(doc: Any) -> tuple[str | None, set[str]]:
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None or root.pos_ != "VERB":
        return None, set()
    return root.lemma_.lower(), _subject_nouns(root)


def _predications(doc: Any, agents: bool = False) -> list[tuple[str, set[str]]]:
    return [(t.lemma_.lower(), _subject_nouns(t, agents)) for t in doc if t.pos_ == "VERB"]


def _subject_nouns(verb: Any, agents: bool = False) -> set[str]:
    """Who does it: the subject, and with `agents` a passive's "by" phrase."""
    doers = [s for s in verb.children if s.dep_ == "nsubj"]
    doers += [g for a in verb.children if a.dep_ == "agent" and agents for g in a.children]
    return {
        c.lemma_.lower()
        for s in doers
        for c in s.subtree
        if c.pos_ in ("NOUN", "PROPN", "ADJ") and c.lemma_.lower() not in SELF_WORDS
    }


MODIFIER_DEPS = {"compound", "amod", "nmod", "npadvmod"}


def kind_replaced(token: Any, record: list[Parsed], support: set[str]) -> list[str]:
    """The claim's modifiers of a noun where every record mention of that noun carries
    other modifiers instead ("coupled-cluster simulations" for "tight-binding
    simulations"). Adding a modifier is a paraphrase; replacing one changes the thing.
    A proper noun may move within the supporting sentences ("ALFRED environments" where
    the record says "the ALFRED benchmark ... the unseen environment"), and a participle
    compound restates a phrase ("model-derived cover" for "cover derived from the model")."""
    if token.pos_ != "NOUN" or looks_named(token) or token.lemma_.lower() in SELF_WORDS:
        return []  # a name ("Zhang et al.") is not a kind of thing
    mods = _modifiers(token)
    for c in list(mods):
        participle = any(
            w.tag_ in ("VBN", "VBD") for w in c.head.subtree if w.tag_ == "VBN"
        ) and any(w.tag_ == "HYPH" for w in c.head.subtree)
        named = c.pos_ == "PROPN" or (c.text[:1].isupper() and c.i > 0)
        if (named or participle) and c.lemma_.lower() in support:
            mods.remove(c)
    # Kinds are named by nouns ("tight-binding simulations"); adjectives describe
    # ("current", "large", "public") and are paraphrased freely.
    wanted = {c.lemma_.lower() for c in mods if c.pos_ in ("NOUN", "PROPN")}
    if not wanted or wanted <= support:  # all said in the supporting sentences: reordered
        return []
    lemma = token.lemma_.lower()
    best: set[str] | None = None
    for p in record:
        for t in p.doc:
            if t.lemma_.lower() != lemma:
                continue
            near = {c.lemma_.lower() for c in t.subtree}
            near |= {w.lemma_.lower() for w in p.doc[max(0, t.i - 5) : t.i]}
            missing = wanted - near
            others = {c.lemma_.lower() for c in _modifiers(t)} - wanted
            if not missing or not others:
                return []
            if best is None or len(missing) < len(best):
                best = missing
    return sorted(best) if best else []


def _modifiers(token: Any) -> set[Any]:
    """The words that say what kind of thing a noun is: its compound nouns and plain
    adjectives (not participles such as 'generated', which say what was done to it)."""
    return {
        c
        for child in token.children
        if child.dep_ in MODIFIER_DEPS
        for c in (child, *(g for g in child.children if g.dep_ in MODIFIER_DEPS))
        if c.pos_ in NAMING_POS
        and not c.is_stop
        and c.tag_ not in (*COMPARATIVE_TAGS, "VBN", "VBD", "VBG")
        and number_of(c) is None
        and c.i != token.i
        and c.lower_ not in SELF_WORDS
    }
