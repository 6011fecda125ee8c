"""What a question asks for, so code can decide "not stated": the asked attribute
("parameters", "learning rate", "AP"), whether it wants a value, the named terms, and the
parts of a multi-part question. A record answers a part only when one of its sentences holds
the attribute (with a value when one is asked for) and the record holds the named terms.
How a part's wording names its attribute is `attributes`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from pydantic import BaseModel, Field

from assistant.evidence.attributes import (
    ASKS,
    COUNT_HEADS,
    HAS_VALUE,
    HOW_MANY,
    PART_SPLIT,
    TELEGRAPHIC,
    alternatives,
    attribute_of,
    detail_of,
)
from assistant.evidence.english import (
    BY_AMOUNT,
    change_verb,
    coined,
    comparative,
    digits_for_words,
    family,
    is_change,
    spelled_out,
)
from assistant.evidence.grounding import allowed_words, claims, normalise, occurs
from assistant.evidence.select import holds_term
from retrieval.models import Paper
from retrieval.text import split_sentences, tokenize


class Asked(BaseModel):
    """One part of a question: its asked attribute (may be empty) and named terms."""

    text: str
    attribute: str = ""
    wants_value: bool = False
    named: list[str] = Field(default_factory=list)
    # What a "which X" part of a several-part question asks about ("public dataset"): its
    # record sentence is quoted when the answer skips the part, but code never decides "not
    # stated" by it (the record may name the X without the word: "in Delhi" for "which city").
    detail: str = ""

    @property
    def words(self) -> set[str]:
        """The attribute's words; a compound ("success-rate") as its parts. A head that only
        says "how many" ("parameter count", "number of users") is not one of them: the
        record writes the count itself ("130B-parameter")."""
        words = {w for w in tokenize(self.attribute or self.detail) if "-" not in w}
        return words - COUNT_HEADS if words - COUNT_HEADS else words

    def phrase(self) -> str:
        """'the number of GPUs', 'the learning rate'."""
        if self.attribute.lower().startswith(("number", "count")):
            return f"the {self.attribute}"
        if HOW_MANY.search(self.text):
            return f"the number of {self.attribute}"
        if change_verb(self.attribute):
            return f"how much it {_third_person(self.attribute.lower())}"
        return f"the {self.attribute}"


def _third_person(verb: str) -> str:
    """'improve' -> 'improves', 'reduce' -> 'reduces'; a past form stays ('improved')."""
    if verb.endswith("ed"):
        return verb
    if verb.endswith(("s", "sh", "ch", "x", "z", "o")):
        return f"{verb}es"
    return f"{verb[:-1]}ies" if verb.endswith("y") and verb[-2:-1] not in "aeiou" else f"{verb}s"


def parts(question: str, names: Sequence[str] = (), context: str = "") -> list[Asked]:
    """The parts of a question, each with its attribute; a later part with no named term of
    its own ("..., and what FID?") shares the earlier part's, and a follow-up's first part
    ("how many parameters does it have?") those of the earlier question (`context`)."""
    allowed = allowed_words(names)
    earlier = sorted(c for c in claims(context, allowed) if coined(c)) if context else []
    out: list[Asked] = []
    pieces: list[str] = []
    for piece in [p.strip() for p in PART_SPLIT.split(question) if p.strip()]:
        # "In the work on X, by how much ...": a lead-in that asks nothing joins its part;
        # "X param count, and how many ..." asks, telegraphically.
        if pieces and not ASKS.search(pieces[-1]) and not TELEGRAPHIC.search(pieces[-1]):
            pieces[-1] = f"{pieces[-1]}, {piece}"
        else:
            pieces.append(piece)
    for text in (alt for piece in pieces for alt in alternatives(piece)):
        attribute, wants = attribute_of(text)
        own = {w.lower() for w in attribute.split()}
        # a coined name is a name at a part's start too ("Step-Audio parameter count")
        found = claims(text, allowed, initial=True)
        named = sorted(c for c in found if coined(c) and c.lower() not in own)
        if not named and out:
            named = out[0].named
        elif not named:
            named = [n for n in earlier if n.lower() not in own]
        detail = "" if attribute or len(pieces) < 2 else detail_of(text)
        out.append(
            Asked(text=text, attribute=attribute, wants_value=wants, named=named, detail=detail)
        )
    return out or [Asked(text=question)]


def speaks_of(words: set[str], text: str) -> bool:
    """Every attribute word has a member of its family among the text's words."""
    tokens = set(tokenize(text))
    return bool(words) and all(any(family(w, t) for t in tokens) for w in words)


def _sentences(paper: Paper) -> list[str]:
    return [paper.title, *split_sentences(paper.abstract)]


# Each word's best cosine to any of the record's words (the verifier's, `verify.Similar`).
Similar = Callable[[list[str], list[str]], list[float]]
# A count and the words after it, one of which is what it counts ("20 educators who ...").
COUNTED = re.compile(r"(?<![\w.])\d[\d,]*\s+(?P<first>[a-z][\w-]*)(?:\s+(?P<second>[a-z][\w-]*))?")


def holding_sentence(
    asked: Asked, paper: Paper, similar: Similar | None = None, min_similarity: float = 1.0
) -> str | None:
    """The sentence of the record that holds the asked attribute (and a value when one is
    asked), provided the record holds the named terms; None when it does not. Of several,
    the one sharing most words with the asked part. With `similar`, a count of the asked
    thing in other words holds it ("20 educators" for "how many teachers")."""
    if not asked.attribute and not asked.detail:
        return None
    # the venue too: "the AER paper" names it by where it appeared
    record = " ".join([paper.title, paper.abstract, paper.venue or ""])
    if not all(holds_term(n, record) for n in asked.named):
        return None
    valued = [
        s
        for s in _sentences(paper)
        if not asked.wants_value or HAS_VALUE.search(digits_for_words(s))
    ]
    counted = valued
    if asked.wants_value and re.search(r"\bhow\s+many\b", asked.text, re.I):
        # "how many glaciers": a count of them, not any number in a sentence about them
        # ("glaciers is 60% larger"); a count in other words is `_counts_alike`'s
        counted = [s for s in valued if _counts_of(asked, s)]
    found = [s for s in counted if speaks_of(asked.words, s) or _spelled(asked, s)]
    if not found and (change_verb(asked.attribute) or comparative(asked.attribute)):
        # "By how much did X rise?" is answered by a change in size ("increase by 0.22")
        # or any verb with the amount after "by" ("limiting the radiation by 70 %")
        found = [
            s
            for s in counted
            if any(is_change(w) and not family(w, "agre") for w in s.split()) or BY_AMOUNT.search(s)
        ]
    part = set(tokenize(asked.text))
    if not found and asked.attribute:  # the attribute in other words: the matching sentence
        found = [s for s in counted if _matches_setting(asked, s, paper)]
    if not found and similar is not None and HOW_MANY.search(asked.text):
        found = [s for s in valued if _counts_alike(asked, s, similar, min_similarity)]
    return max(found, key=lambda s: len(part & set(tokenize(s))), default=None)


# A number and up to three words after it ("50 debris-covered Himalayan glaciers",
# "130B-parameter"); a percentage counts nothing.
NUMBER_THEN = re.compile(r"(?<![\w.])\d[\d,.]*(?![\d%])(?P<after>[\w-]*(?:\s+[\w-]+){0,4})")


def _counts_of(asked: Asked, sentence: str) -> bool:
    """The sentence counts an attribute word: a number before it (within four words),
    or before the words an asked abbreviation stands for ("five automatic weather
    stations" for "how many AWSs")."""
    acronyms = [re.sub(r"(?<=[A-Z])s$", "", w) for w in asked.attribute.split()]
    acronyms = [a for a in acronyms if a.isupper() and len(a) >= 2]
    for m in NUMBER_THEN.finditer(digits_for_words(sentence)):
        after = tokenize(re.sub(r"-", " ", m["after"]))
        if any(family(w, t) for w in asked.words for t in after):
            return True
        if any(spelled_out(a, m["after"]) for a in acronyms):
            return True
    return False


def _counts_alike(asked: Asked, sentence: str, similar: Similar, min_similarity: float) -> bool:
    """The sentence counts the asked thing under a near synonym: a number followed by a
    word the embedder puts close to every attribute word."""
    counted = [w for m in COUNTED.finditer(digits_for_words(sentence)) for w in m.groups() if w]
    # the attribute as typed: the embedder knows "teachers", not the stem "teach"
    words = [w for w in re.findall(r"[a-z][\w-]*", asked.attribute.lower()) if w not in COUNT_HEADS]
    return bool(counted and words) and min(similar(words, counted)) >= min_similarity


def _spelled(asked: Asked, sentence: str) -> bool:
    """An attribute asked by its abbreviation ("EIS") that the sentence writes out."""
    acronyms = [w for w in asked.attribute.split() if w.isupper()]
    rest = asked.words - {a.lower() for a in acronyms}
    return (
        bool(acronyms)
        and all(spelled_out(a, sentence) for a in acronyms)
        and (not rest or speaks_of(rest, sentence))
    )


def _matches_setting(asked: Asked, sentence: str, paper: Paper) -> bool:
    """A record sentence that speaks of the asked setting though not in the asked words:
    it holds every specific term of the question the title does not ('8B', 'HMMT', '2025'
    in "What score does PaCoRe's 8B model reach on HMMT 2025?"), at least two of them; or
    one attribute word and two more of the question's words ('204 frames in length' for
    "How many frames long can videos be?")."""
    words = set(tokenize(sentence))
    title = set(tokenize(paper.title))
    question = set(tokenize(asked.text)) - title
    specific = {w for w in question if any(ch.isdigit() for ch in w)}
    own = [n for n in asked.named if n.lower() in asked.text.lower()]  # not the earlier turn's
    specific |= {w for n in own for w in tokenize(n)} - title
    # "gpt-2" is one term, though its parts are tokens too
    terms = {w for w in specific if not any(w in v.split("-") for v in specific if v != w)}
    if len(terms) >= 2 and specific <= words:
        return True
    attribute = any(any(family(w, t) for t in words) for w in asked.words)
    rest = set(tokenize(asked.text)) - set(asked.words)
    return attribute and len(rest & words) >= 2


def mentions(asked: Asked, text: str) -> bool:
    """Does an answer sentence speak of the asked attribute?"""
    if asked.wants_value and not HAS_VALUE.search(digits_for_words(text)):
        return False
    return speaks_of(asked.words, text)


def misbound(asked: Sequence[Asked], text: str, papers: Sequence[Paper]) -> str | None:
    """Why a sentence gives an asked value that is not the record's value for it, or None.

    A sentence that speaks of asked attributes with numbers must take those numbers from
    record sentences that hold one of those attributes: "improved by 74.4%" where the
    record's 74.4 is its agreement with oracle metrics answers the wrong part. When every
    part asks for a value, a sentence with values must speak of one of them."""
    numbers = {c for c in claims(text) if c[0].isdigit()}
    if not numbers:  # every sentence of an answer comes here: no record work for these
        return None
    spoken = [a for a in asked if a.attribute and a.wants_value and mentions(a, text)]
    record = normalise(" ".join(s for p in papers for s in _sentences(p)))
    if not spoken and asked and all(a.attribute and a.wants_value for a in asked):
        # A value in an asked measure's unit is of that measure ("at 8.5 Å" for "which
        # width"); else it is a value for none: "trained on 30B parameters" for "how many GPUs?"
        spoken = [
            a
            for a in asked
            if not any(is_change(w) for w in a.attribute.split())
            and any(_same_unit(n, record, _holding([a], papers)) for n in numbers)
        ]
        if not spoken:
            wanted = " or ".join(a.attribute for a in asked)
            return f"gives a value, but not one for {wanted}"
    if not spoken:
        return None
    holding = _holding(spoken, papers)
    # a change ("improved by") shares its unit with the absolute values it is not
    measures = not any(is_change(w) for a in spoken for w in a.attribute.split())
    loose = sorted(
        n
        for n in numbers
        if not occurs(n, holding) and not (measures and _same_unit(n, record, holding))
    )
    if not loose:
        return None
    named = ", ".join(a.attribute for a in spoken)
    return f"{', '.join(loose)} is not what the record gives for {named}"


def _holding(spoken: Sequence[Asked], papers: Sequence[Paper]) -> str:
    """The record sentences that speak of any of the asked attributes, normalised."""
    said = (s for p in papers for s in _sentences(p) if any(speaks_of(a.words, s) for a in spoken))
    return normalise(" ".join(said))


# A physical unit after a number ("8.5 Å", "300 K"); a percentage or a multiple is not one:
# any ratio is written so.
UNIT_AFTER = r"\s?(?P<unit>(?:[^\W\d_]|°)[\w/°]*)"


def _same_unit(number: str, record: str, holding: str) -> bool:
    """The record writes the number with the unit its sentences on the asked attribute give
    their values in ("at 8.5 Å" where the slit widths are "6.5 Å" and "9.5 Å"): the same kind
    of quantity, though its sentence does not name the attribute."""
    units = {
        m["unit"]
        for m in re.finditer(rf"(?<![\w.]){re.escape(number)}{UNIT_AFTER}", record)
        if m["unit"].lower() not in {"x", "times", "fold", "percent"}
    }
    return any(re.search(rf"\d\s?{re.escape(u)}(?!\w)", holding) for u in units)


def holds_named(asked: Asked, paper: Paper) -> bool:
    record = " ".join([paper.title, paper.abstract, " ".join(paper.authors), paper.venue or ""])
    return all(holds_term(n, record) for n in asked.named)


def subject(asked: Asked, paper: Paper | None) -> str:
    """How a not-stated sentence names the paper: its named term, or its short title."""
    if asked.named and paper is not None and holds_named(asked, paper):
        # the paper's own name ("DINO: ..."), not a name its title merely mentions ("in the UK")
        named = (n for n in asked.named if paper.title.lower().startswith(n.lower()))
        return next(named, paper.title.split(":")[0].strip())
    if paper is None:
        return ""
    return paper.title.split(":")[0].strip()


def not_stated_text(asked: Asked, paper: Paper | None) -> str:
    if paper is None or not holds_named(asked, paper):
        terms = f" for {', '.join(asked.named)}" if asked.named else ""
        return f"No abstract in the corpus states {asked.phrase()}{terms}."
    kind = "abstract" if paper.abstract.strip() else "record"
    return f"{the(subject(asked, paper))} {kind} does not state {asked.phrase()}."


def the(name: str) -> str:
    """'The DINO', but 'The Effect of ...' stays as it is."""
    return name if name.lower().startswith(("the ", "a ", "an ")) else f"The {name}"
