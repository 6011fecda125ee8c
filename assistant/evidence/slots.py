"""What a wh-question asks to be named, and whether a sentence names it.

"Which two benchmarks was DASI evaluated on?" asks for the benchmarks' names; "DASI was
evaluated on two semantic similarity benchmarks [1]" is true of the record and cites it,
but answers nothing: it is the question said back. A sentence answers a part when it adds
what the part asks for:
- a `year` slot ("when", "which years"): a year the question does not give;
- a `specific` slot ("which countries", "which water model"): a number or name the question
  and the cited title do not give, or the asked noun with a new word of its own ("a
  contrastive loss" for "which loss");
- an `open` slot ("what does X propose", "which paper argues Y"): at least one content word
  the question does not give.
Parts with no wh-word (yes/no questions, requests) have no slot, and a sentence may answer
them with anything the checks let through.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from assistant.evidence.asked import Asked, misbound
from assistant.evidence.attributes import AUX, GENERIC, PREP
from assistant.evidence.english import digits_for_words, family, is_function_word
from assistant.evidence.grounding import claims
from retrieval.models import Paper
from retrieval.text import tokenize

WH = re.compile(r"\b(?P<wh>what|which|who|whom|where|when|how)\b", re.I)
# The noun a "which/what" asks for: the words after it up to the verb, a preposition, a
# pronoun or punctuation ("which water model (TIP4P, ...) was used").
NOUN = re.compile(
    rf"\b(?:what|which)(?:['’]s)?\s+(?P<noun>(?:[A-Za-z][\w/-]*\s+){{0,4}}?[A-Za-z][\w/-]*)"
    # "which country's firms": the country is asked
    rf"(?=\s+(?:{AUX}|{PREP}|it|its|they|he|she|we|you|his|her|their|this|these)\b|\s*[(,?.;:]|\s*$"
    r"|['’]s\s)",
    re.I,
)
HOW_MANY = re.compile(r"how\s+(?:many|much)\b", re.I)
# "where were they based", "where else was it validated": where something was done or is,
# answered by a place's name (not "where did they get X", which asks for a source)
SITED = re.compile(
    r"where\s+(?:else\s+)?(?:was|were|is|are|has\s+been|have\s+been)\s+(?:[\w'-]+\s+){0,6}?"
    r"(?:based|located|situated|conducted|carried\s+out|done|held|tested|validated|evaluated|"
    r"deployed|installed|collected|recorded|measured|observed|performed|applied|set)\b",
    re.I,
)
# Prepositions a wh-phrase may start with: "at which width", "in what year", "by how much".
LEAD_INS = frozenset("at in on by for from with to of over under during between into".split())
# Nouns for places, in general English; a place is named after a locative preposition.
PLACE_NOUNS = frozenset("city country region state place location town province nation".split())
LOCATIVE = re.compile(r"\b(?:in|at|from|across|throughout|near)\s+(?:the\s+)?(?P<name>[A-Z][\w-]+)")
YEAR_NOUNS = frozenset("year years period periods decade decades date dates span".split())
YEAR = re.compile(r"(?<!\d)(?:1[5-9]\d\d|20\d\d)(?!\d)")
# The words in which any sentence reports on a paper, and the sizes and kinds that tell no
# thing apart ("a large dataset"): they tell nothing the question lacks.
REPORT_WORDS = frozenset(
    tokenize(
        """paper papers study studies work works article research researcher researchers author
        authors abstract record source data result results finding findings evidence analysis
        approach method model use uses used using propose proposes proposed present presents
        presented introduce introduces introduced show shows shown describe describes described
        focus focuses focused discuss discusses discussed examine examines examined investigate
        investigates investigated explore explores explored address addresses addressed
        provide provides provided state states stated mention mentions mentioned report
        reports reported specific specifically particular particularly various different
        also new novel main approach approaches large small big huge vast massive extensive
        multiple numerous several public existing standard common popular well-known"""
    )
)
# "Which is faster, X or Y?": the answer is one of the question's own words; so may be the
# answer to a yes/no question joined on ("..., and is it open source?").
# A closed choice: options offered after a break ("Which is cheaper, water or ethanol?") or
# named ("Khumbu or Karakoram"); not two verbs ("which glacier did they test or demo it on")
CHOICE = re.compile(rf"[,:;][^,:;?]*\bor\b|\b[A-Z0-9][\w-]*\s+or\b|\bor\s+[A-Z0-9]|\band\s+{AUX}\b")
# "which country or which states": the same question asked again in other words, no choice
ALTERNATIVE = re.compile(r"\bor\s+(?=(?:which|what|where|who|when|how)\b)", re.I)
# "(TIP4P/Ice, SPC/E, ...)", "e.g. AAM": examples the asker offers; naming one answers.
# So is an open-ended list after the question ("..., TIP4P/Ice or mW or something else?").
EXAMPLES = re.compile(
    r"\([^)]*\)|\be\.g\.[^?,;]*"
    r"|,[^,?]*\bor\s+(?:something|anything|some\s+other|another|other|what)\b[^?]*",
    re.I,
)
DETERMINERS = frozenset("a an the its their his her our this that these those".split())
Kind = Literal["year", "number", "specific", "open"]


@dataclass(frozen=True)
class Slot:
    """What one wh-part asks to be named."""

    kind: Kind
    noun: str = ""  # "semantic similarity benchmarks"
    part: str = ""

    @property
    def place(self) -> bool:
        """'which cities': answered by a place's name, which need not say 'city'."""
        return bool(self.noun) and _singular(self.noun.split()[-1]) in PLACE_NOUNS

    def phrase(self) -> str:
        """'which countries', 'which years', 'how many'."""
        if self.kind == "number":
            return "how many"
        return f"which {self.noun}" if self.noun else "this"


def slot_of(part: Asked) -> Slot | None:
    """The part's slot; None when the part asks no wh-question, or asks for a value that the
    attribute checks (`asked.misbound`) already hold it to."""
    text = part.text
    wh = WH.search(text)
    if (
        wh is None
        or part.attribute
        or CHOICE.search(ALTERNATIVE.sub(" ", EXAMPLES.sub(" ", text[wh.start() :])))
        or not _leads(text[: wh.start()])
    ):
        return None
    if wh["wh"].lower() == "when":
        return Slot("year", "years", text)
    if SITED.match(text, wh.start()):  # "where else was it tested?": a place is asked
        return Slot("specific", "place", text)
    if HOW_MANY.match(text, wh.start()):  # "and how many are in the panel?"
        return Slot("number", "", text)
    # the noun of the wh-word that asks, not of a later one ("what actually makes X jump?
    # it's not what people assume": what makes it jump is asked, openly)
    named = _named_slot(text, wh)
    if named is None:
        # "where were they based - which country?": the later wh-part names what is asked
        later = (
            _named_slot(text, n)
            for n in WH.finditer(text, wh.end())
            # after a break or an "or", not inside a clause ("depending on what the bank does")
            if re.search(r"(?:[,:;]|\s[-–—]|\bor)\s*$", text[: n.start()], re.I)
        )
        return next((s for s in later if s and s.kind != "open"), Slot("open", "", text))
    return named


def _named_slot(text: str, wh: re.Match[str]) -> Slot | None:
    """The slot a "what/which <noun>" at `wh` asks for; None for any other wh-word."""
    m = NOUN.match(text, wh.start())
    if wh["wh"].lower() not in ("what", "which") or m is None:
        return None
    words = [w for w in m["noun"].split() if not _quantity(w)]
    if (
        not words
        or is_function_word(words[0])
        or words[0].lower() in GENERIC
        or words[0].lower().endswith("ly")  # "what usually gets blamed": a subject asked
    ):
        # "which of his papers", "what is X", "which paper argues Y": a choice or a
        # description, answered by any new word
        return Slot("open", "", text)
    content = [w for w in words if not is_function_word(w) and w.lower() not in GENERIC]
    if words and words[-1].lower() in YEAR_NOUNS:
        return Slot("year", " ".join(words), text)
    if not content:  # "which paper", "what method", "which of": any new word answers
        return Slot("open", "", text)
    return Slot("specific", " ".join(words), text)


def _leads(before: str) -> bool:
    """The wh-word asks the question: it opens the part, or follows a lead-in ("In the
    X paper, which ...", "X paper: at what width ...", "exactly which"); not a clause inside
    a yes/no question ("Do people spend more when taxes change?")."""
    words = before.split()
    if not words:
        return True
    if re.fullmatch(AUX, words[0], re.I):  # "Does it work for what ...?": a yes/no question
        return False
    last = words[-1].lower()
    ends = (",", ":", ";", " -", "–", "—")  # "X paper - which ..."
    return before.rstrip().endswith(ends) or last in LEAD_INS or last.endswith("ly")


def _quantity(word: str) -> bool:
    """'two' in 'which two benchmarks': how many, not what."""
    return bool(re.fullmatch(r"\d+", digits_for_words(word))) or word.lower() in {"the", "a"}


def slots(asked: Sequence[Asked]) -> list[Slot | None]:
    return [slot_of(a) for a in asked]


def _new(tokens: Sequence[str], known: set[str]) -> list[str]:
    return [
        t
        for t in tokens
        if t not in REPORT_WORDS
        and not is_function_word(t)
        and not any(family(t, k) for k in known)
        and not t.isdigit()
    ]


def _counts(text: str, head: str) -> set[str]:
    """The numbers that count the asked noun ("two regions"): how many, not which."""
    words = _words(text)
    return {
        w
        for i, w in enumerate(words)
        if w.isdigit() and any(_is_head(n, head) for n in words[i + 1 : i + 4])
    }


ORDINAL = re.compile(r"(?<![\d.])(\d+)(?:st|nd|rd|th)\b", re.I)
CARDINAL = re.compile(r"(?<![\d.])(\d+)(?![\d]|st\b|nd\b|rd\b|th\b)", re.I)


def fills(slot: Slot, text: str, question: str, papers: Sequence[Paper]) -> bool:
    """Does the sentence name what the slot asks for (module docstring)?"""
    asked = set(tokenize(question))
    if slot.kind == "open":
        return bool(_new(tokenize(text), asked))
    titles = " ".join(p.title for p in papers)
    # a title names the paper, not what is asked of it; but a date in it may be the answer
    named = titles if slot.kind == "specific" else ""
    known_claims = {c.lower() for c in claims(f"{EXAMPLES.sub(' ', question)} {named}")}
    head = slot.noun.split()[-1] if slot.noun else ""
    fresh = [c for c in claims(text) if c.lower() not in known_claims | _counts(text, head)]
    if slot.kind == "year":
        return any(YEAR.fullmatch(c) for c in fresh)
    if slot.kind == "number":  # a count, not a rank: "the 21st century" counts nothing
        ranks = set(ORDINAL.findall(text)) - set(CARDINAL.findall(text))
        return any(c[0].isdigit() and c not in ranks for c in fresh)
    if slot.place:  # a name, not a number ("two cities" names none); an acronym only where
        # a place is named ("tested on COCO", not "TC at two sites")
        names = [c for c in fresh if not c[0].isdigit()]
        titled = any(re.fullmatch(r"[A-Z][a-z][\w'-]*", w) for c in names for w in c.split())
        placed = (rf"\b(?:on|in|at|from|across|over)\s+(?:the\s+)?{re.escape(c)}" for c in names)
        return titled or any(re.search(p, text) for p in placed)
    if fresh:
        return True
    # "a contrastive loss" for "which loss": the asked noun, with a word of its own
    # whole words: "cross-country" is not a country named
    words = _words(text)
    known = asked | set(tokenize(titles))
    for i, word in enumerate(words):
        # the word that modifies the noun, right before it ("a contrastive loss"); not a
        # verb a few words earlier ("tested on glaciers" names no glacier)
        modifier = next((w for w in reversed(words[:i]) if w not in DETERMINERS), "")
        if _is_head(word, head) and _new(tokenize(modifier)[:1], known):
            return True
    return False


def unanswering(
    asked: Sequence[Asked], question: str, text: str, papers: Sequence[Paper]
) -> str | None:
    """Why a sentence answers no part of the question, or None. Only when every part has a
    slot: a part without one (a yes/no, a value) may be answered by anything."""
    return _unanswering(slots(asked), question, text, papers)


def _unanswering(
    found: Sequence[Slot | None], question: str, text: str, papers: Sequence[Paper]
) -> str | None:
    if not found or any(s is None for s in found):
        return None
    wanted = [s for s in found if s is not None]
    if any(fills(s, text, question, papers) for s in wanted):
        return None
    if all(s.kind == "open" for s in wanted):
        return "restates the question"
    named = " or ".join(s.phrase() for s in wanted if s.kind != "open")
    return f"does not say {named}"


def names_slot(slot: Slot, sentence: str, question: str, papers: Sequence[Paper]) -> bool:
    """A record sentence the code may quote for a slot: it names the asked thing and speaks of
    the asked noun ("... simulated with the TIP4P/Ice water model"), so a quote never answers
    a different question."""
    if slot.kind == "open":
        return fills(slot, sentence, question, papers)
    if not fills(slot, sentence, question, papers):
        return False
    if slot.kind == "number":  # a number about what the part names ("in the panel")
        own = set(tokenize(slot.part)) - set(tokenize(" ".join(p.title for p in papers)))
        return bool(own & set(tokenize(sentence)))
    if slot.place:  # "in Delhi and Bengaluru" for "which cities"
        known = {c.lower() for c in claims(question)}
        return any(m["name"].lower() not in known for m in LOCATIVE.finditer(sentence))
    head = slot.noun.split()[-1] if slot.noun else ""
    return slot.kind == "year" or any(_is_head(w, head) for w in _words(sentence))


def _is_head(word: str, head: str) -> bool:
    """The asked noun itself, singular or plural ("dataset", "datasets"); not a word of its
    stem only ("data", "optimized" for "optimizer")."""
    return bool(head) and _singular(word) == _singular(head)


def _singular(word: str) -> str:
    word = word.lower()
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9][\w/-]*", digits_for_words(text).lower())


def answer_binds(asked: Sequence[Asked], question: str) -> Callable[[str, list[Paper]], str | None]:
    """The checker's test of what a kept sentence says against what was asked: a value bound
    to the asked attribute (`misbound`), and something the question asks to be named."""

    found = slots(asked)  # once per answer, not per sentence

    def binds(text: str, papers: list[Paper]) -> str | None:
        return misbound(asked, text, papers) or _unanswering(found, question, text, papers)

    return binds
