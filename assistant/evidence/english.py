"""General English, never this corpus's vocabulary: the closed-class words (articles,
pronouns, prepositions, conjunctions, auxiliaries, question words), discourse adverbs and
calendar names that start or glue sentences in any text, and number words.

A capitalised word that is one of these is grammar, not a claim. Everything else that is
capitalised (a name, a method, a dataset, "Google") must be found in a cited record.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from retrieval.text import tokenize

FUNCTION_WORDS = frozenset(
    """a an the this that these those there here it its it's they them their theirs he him his
    she her hers we us our ours you your i me my mine one ones who whom whose which what when
    where why how whether whatever whichever whoever
    in on at for from with without within by to of into onto over under above below between
    among through throughout during before after since until till upon about against across
    along around behind beyond near toward towards via per than as like unlike despite
    and or but nor so yet both either neither not no also too only just even still
    is are was were be been being am do does did done doing have has had having will would
    shall should can could may might must
    however moreover furthermore additionally overall finally first second third further
    instead thus therefore hence then meanwhile similarly likewise specifically notably
    importantly consequently accordingly altogether together indeed in fact
    all any each every some many most much more less few several other another such same own
    based using compared given following according including
    yes please thank thanks
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec
    monday tuesday wednesday thursday friday saturday sunday
    list show name give tell describe explain summarize summarise draft write find""".split()
)

UNITS = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
# Praise: how important a work is, which a writer adds and an abstract rarely says of itself.
# A sentence using one of these that no cited record uses claims more than its source.
JUDGEMENTS = (
    "groundbreaking pioneering innovative seminal renowned remarkable transformative "
    "visionary trailblazing brilliant influential"
).split()
PRAISE = re.compile(
    r"\b(?:" + "|".join(JUDGEMENTS) + r"|ground-breaking|revolutioni[sz]ed?|"
    r"significant(?:ly)? (?:contribution|advance|impact)s?|(?:has )?significantly advanced|"
    r"(?:a )?leading (?:figure|expert|researcher)|world-class)\b",
    re.I,
)
# The same judgements as single words, for a model told not to write them (a bio's model
# call bans them where the endpoint can: the 1.5B model ignored "no praise" in the prompt).
PRAISE_WORDS = [*JUDGEMENTS, "revolutionary", "revolutionized", "significant", "significantly"]


def spellings(words: list[str]) -> list[str]:
    """Each word as a model may write it: alone or after a space, lower or capitalised."""
    return [
        f"{space}{w}" for word in words for w in (word, word.capitalize()) for space in ("", " ")
    ]


SCALES = ("hundred", "thousand", "million", "billion", "trillion")
_UNIT_WORD = re.compile(r"\b(" + "|".join(UNITS) + r")\b", re.I)
# "one" is a number only before a scale or "-fold" ("one billion", "one-fold"); elsewhere it
# is a pronoun ("one of the first").
_ONE = re.compile(r"\bone(?=[\s-]+(?:" + "|".join(SCALES) + r"|fold)\b)", re.I)
SCALE_WORD = re.compile(r"\b(?:" + "|".join(SCALES) + r")s?\b", re.I)


def digits_for_words(text: str) -> str:
    """'two to ten-fold' -> '2 to 10-fold', 'one billion' -> '1 billion'."""
    text = _ONE.sub("1", text)
    return _UNIT_WORD.sub(lambda m: str(UNITS[m.group(1).lower()]), text)


def coined(term: str) -> bool:
    """A name someone made (DINO, MultiWOZ, ResNet-50, UK), which a record must hold to be
    the one asked about; a capitalised English word ("Bank of England", "Transformers")
    may be paraphrased there ("QE", "transformer")."""
    return term[0].isalpha() and any(ch.isupper() or ch.isdigit() for ch in term[1:])


def is_function_word(word: str) -> bool:
    return word.lower() in FUNCTION_WORDS


# Polarity and comparison, for the claim verifier: a claim keeps the source's negations,
# the side of each comparison and its direction.
NEGATION_WORDS = frozenset(
    """no not n't never none nothing neither nor nobody cannot without
    lack fail neglect ignore overlook omit eliminate avoid""".split()
)
# "performs comparably to X", "on par with X": X is level with the subject, not beaten.
LEVEL_WORDS = frozenset("comparable comparably par similar similarly competitive match".split())
# "2.6x", "2.6-fold", "2.6 times": the same number, not a new unit.
MULTIPLIERS = frozenset("x × fold times".split())
# "instead of X", "rather than X", "unlike X", "in contrast to X", "a departure from X",
# "in the absence of X": X is what the sentence says is not so.
CONTRAST_MARKERS = frozenset(
    "instead rather unlike contrast contrary departure absence lack".split()
)
UP_WORDS = frozenset(
    """more most greater greatest larger largest higher highest bigger biggest better best
    faster fastest stronger strongest increase increased increases improve improved improves
    outperform outperforms outperformed exceed exceeds exceeded surpass surpasses surpassed
    grow grows grew widen widens widened rise rises rose""".split()
)
DOWN_WORDS = frozenset(
    """less least fewer fewest smaller smallest lower lowest worse worst slower slowest weaker
    weakest decrease decreased decreases reduce reduced reduces underperform underperforms
    underperformed shrink shrinks shrank drop drops dropped decline declines
    declined narrow narrows narrowed""".split()
)
# Words that make a claim stronger than a source that does not use one of their class:
# universal quantifiers ("in all cases" from "in some cases") and degree adverbs ("clearly
# outperforms" from "outperforms or is on par with").
UNIVERSALS = frozenset(
    "all every each always never universally completely entirely wholly exclusively".split()
)
INTENSIFIERS = frozenset(
    """clearly significantly substantially consistently dramatically vastly greatly fully
    completely entirely""".split()
)
# A subject with one of these is someone else's work, not the paper's.
OTHER_MARKERS = frozenset(
    "existing previous prior conventional traditional current other baseline most many earlier "
    "classical recent".split()
)
# How a sentence names the paper's own work.
SELF_WORDS = frozenset(
    """we our us author paper study work article thesis proposed propose colleague coauthor
    et al al.""".split()
)
# Nouns that hold a place in a phrase without naming anything ("the way X was built").
LIGHT_NOUNS = frozenset("way manner fact thing".split())


ANTONYMS_FILE = Path(__file__).resolve().parents[2] / "data" / "lexicon" / "antonyms.tsv"


@lru_cache(maxsize=1)
def antonyms() -> dict[str, frozenset[str]]:
    """WordNet 3.0's direct antonyms of verbs, adjectives and adverbs ('conform' ->
    'deviate'; data/lexicon/SOURCES.md): word -> its opposites."""
    out: dict[str, set[str]] = {}
    for line in ANTONYMS_FILE.read_text().splitlines():
        word, _, opposite = line.split("\t")
        out.setdefault(word, set()).add(opposite)
    return {w: frozenset(o) for w, o in out.items()}


# A sentence naming what is left open or comes next ("... remains unclear", "more research
# is needed on X", "we discuss the limitations ... and outline future directions"); a
# purpose clause ("to enable future research") names nothing open.
OPEN_ENDS = re.compile(
    r"\b(?:remains?|remained)\s+(?:an?\s+)?(?:open|unclear|unknown|unsolved|elusive|"
    r"to\s+be\s+(?:seen|explored|determined|investigated))\b"
    r"|\bopen\s+(?:questions?|problems?|challenges?|issues?)\b"
    r"|\b(?:future|further|more)\s+(?:\w+\s+)?(?:work|research|studies|investigations?)\s+"
    r"(?:should|could|will|may|might|is|are)\b"
    r"|\b(?:future|research)\s+directions\b"
    r"|\blimitations?\s+of\b",
    re.I,
)
PURPOSE_ONLY = re.compile(
    r"\b(?:to\s+(?:enable|facilitate|support|foster|inform|guide|spur|encourage)|"
    r"baseline\s+for|basis\s+for|foundation\s+for)\s+(?:\w+\s+){0,3}?future\b",
    re.I,
)


def spelled_out(abbreviation: str, evidence: str) -> bool:
    """'DFT' where the record writes 'density functional theory': the letters of an
    upper-case abbreviation begin consecutive content words of the text. Two letters are
    too easily matched by chance: they must begin two capitalised words ('UK' for 'United
    Kingdom')."""
    if len(abbreviation) == 2 and abbreviation.isalpha() and abbreviation.isupper():
        a, b = abbreviation[0], abbreviation[1]
        return re.search(rf"\b{a}[a-z]+\s+{b}[a-z]+", evidence) is not None
    if not (3 <= len(abbreviation) <= 6 and abbreviation.isalpha() and abbreviation.isupper()):
        return False
    words = re.findall(r"[a-z]+", evidence.lower())
    n, want = len(abbreviation), abbreviation.lower()
    # A function word between two of them is not a letter ("elasticity of intertemporal
    # substitution": EIS); two in a row end the run.
    content = [(i, w) for i, w in enumerate(words) if not is_function_word(w)]
    return any(
        "".join(w[0] for _, w in content[k : k + n]) == want
        and all(content[j + 1][0] - content[j][0] <= 2 for j in range(k, k + n - 1))
        for k in range(len(content) - n + 1)
    )


def abbreviated(words: Sequence[str], text: str) -> set[str]:
    """The words of a phrase that the text writes as their upper-case initials
    ("quantitative easing" where the record says "QE", "large language models" for
    "LLMs"): runs of three to six consecutive content words, in the phrase's order, or two
    when they are the whole phrase (two initials are too easily matched by chance: "AI"
    in "anywhere if")."""
    content = [w for w in words if not is_function_word(w)]
    used = set(re.findall(r"\b([A-Z]{2,6})s?\b", text))
    # a hyphenated compound keeps every part's letter: "state-of-the-art" is "SOTA"
    held = {
        part
        for compound in words
        if compound.count("-") >= 2
        and "".join(p[0] for p in compound.split("-") if p).upper() in used
        for part in compound.split("-")
    }
    for size in range(2 if len(content) == 2 else 3, min(6, len(content)) + 1):
        for k in range(len(content) - size + 1):
            run = content[k : k + size]
            if "".join(w[0] for w in run).upper() in used:
                held.update(run)
    return held


# How English makes an adjective of a place or people's name: India -> Indian, Japan ->
# Japanese, Europe -> European, Germany -> German (not the irregular Britain -> British).
_NAME_ENDINGS = ("n", "an", "ian", "ean", "ese", "ish", "i")


def name_adjective(word: str, name: str) -> bool:
    """`word` is the adjective of `name` or the other way round (lower case)."""
    for adjective, noun in ((word, name), (name, word)):
        if len(noun) < 4 or not adjective.startswith(noun[:3]):
            continue
        stems = {noun, noun[:-1]} if noun[-1] in "aeyo" else {noun}
        if noun[-1] == "y" and adjective == noun[:-1]:
            return True
        if adjective == noun[:-1] + "tian":  # "Martian" of "Mars"
            return True
        if any(adjective == stem + end for stem in stems for end in _NAME_ENDINGS):
            return True
    return False


# "in m3/s", "in %", "in km": a unit the answer is to be given in (a symbol, a ratio of
# symbols, or an SI or time unit by name).
IN_UNIT = re.compile(
    r"\s+in\s+(?:%|percent\b|per\s+cent\b|[A-Za-zµ°]{1,4}\d?(?:/[A-Za-z]{1,4}\d?)+(?![\w-])|"
    r"(?:mm|cm|m|km|kg|g|mg|s|ms|h|yr|Hz|kHz|MHz|GHz|W|kW|MW|GW|J|kJ|eV|K|Pa|kPa|hPa|°C|"
    r"(?:kilo|milli|centi)?(?:meters?|metres?|grams?)|seconds?|minutes?|hours?|days?|"
    r"years?|degrees?|watts?|joules?|kelvin)[23²³]?(?![\w-]))",
)

BY_AMOUNT = re.compile(
    r"\bby\s+(?:(?:about|around|roughly|nearly|almost|approximately|up\s+to|over|more\s+than|"
    r"less\s+than|a\s+factor\s+of)\s+)?~?\d",
    re.I,
)
COMPARATIVES = frozenset(
    """better worse more less fewer faster slower cheaper larger smaller bigger higher lower
    greater longer shorter quicker stronger weaker""".split()
)


def comparative(word: str, context: str = "") -> bool:
    """'cheaper', 'better', 'more': a degree asked by comparison; a word ending in -er
    ('power', 'water') only beside a 'than'."""
    low = word.lower()
    return low in COMPARATIVES or (
        low.endswith("er") and len(low) > 4 and bool(re.search(r"\bthan\b", context, re.I))
    )


# Verbs of general English whose size a "by how much" question asks for.
CHANGE = frozenset(
    """improve increase reduce decrease outperform exceed boost lower raise accelerate agree
    correlate gain drop grow cut beat surpass shrink save speed rise fall decline climb
    jump""".split()
)


def change_verb(attribute: str) -> bool:
    """'improve', 'improved', 'rises': a change verb asked about, not a noun ('speedup')."""
    low = attribute.lower()
    return any(low.removesuffix(end) in CHANGE for end in ("", "d", "s", "ed", "es"))


def is_change(word: str) -> bool:
    """A word of the family of a change verb ('improvement', 'reduced')."""
    token = next(iter(tokenize(word.strip(",.?;:"))), "")
    return any(family(token, verb) for verb in CHANGE)


def family(a: str, b: str) -> bool:
    """One word family after the crude stem: 'improv' ~ 'improvement', 'agre' ~ 'agree'."""
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    return len(short) >= 4 and long.startswith(short)
