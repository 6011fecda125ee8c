"""What attribute one part of a question asks for, read from its wording: "how many GPUs",
"what FID", "how big a tax multiplier", "by how much did it improve", "what returns did it
get"; and the "which X" detail a several-part question asks to be named.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.evidence.english import (
    IN_UNIT,
    change_verb,
    comparative,
    is_change,
    is_function_word,
)

AUX = r"(?:does|did|do|is|are|was|were|can|could|has|have|had|will|would|should)"
# "how many GPUs did it use", and the elliptic "X, how many params?"
HOW_MANY = re.compile(
    rf"\bhow\s+many\s+(?P<attr>(?:[\w-]+\s+){{0,2}}?[\w-]+)(?:\s+{AUX}\b|\s*[?.!]*\s*$)", re.I
)
PREP = r"(?:of|for|over|on|in|at|against|compared|than|with|relative)"
WHAT_X = re.compile(
    rf"\b(?:what|which)(?:['’]s)?\s+(?:is\s+|was\s+|are\s+|were\s+)?(?:the\s+|its\s+|their\s+|his\s+|her\s+)?"
    rf"(?P<attr>(?:[\w-]+\s+){{0,2}}?[\w-]+)\s+(?:{AUX}|{PREP}|it|they|he|she|we)\b",
    re.I,
)
# "How large an improvement ...", "by how much ... improved", "how closely did ... agree":
# a size or degree is asked; the attribute is the noun after the adjective, or the verb of
# change the question names.
DEGREE = re.compile(
    r"\b(?:by\s+)?how\s+(?:much|far|closely|well|large|big|strongly|high|low|many\s+times)"
    r"(?:\s+(?:of\s+)?(?:an?|the)\s+(?P<noun>[\w-]+))?(?P<rest>.*)",  # "how much of a gain"
    re.I,
)
# "how big can the fiscal multiplier get", "how high does the peak flow reach": the degree of
# the subject, said with a verb of coming to a size
REACHES = re.compile(
    r"\s+(?:can|could|does|did|do|will|would|might|may)\s+(?:the|its|their|a|an)\s+"
    r"(?P<np>(?:[\w-]+\s+){0,2}?[\w-]+)\s+(?:get|be|become|grow|reach|go|rise|fall|climb|drop)\b",
    re.I,
)
# The words after a degree's noun that end it: "how big a tax multiplier do they estimate".
NOUN_END = re.compile(rf"\s+(?:{AUX}|{PREP}|it|they|he|she|we|you)\b|\s*[?.!,;:]|\s*$", re.I)
# General nouns that name no measurable detail: "what is the name of...", "which method".
GENERIC = frozenset(
    """name names kind kinds type types method methods approach approaches model models paper
    papers work works idea ideas contribution contributions goal goals purpose problem problems
    main key topic topics way ways difference differences role advantage advantages benefit
    benefits limitation limitations task tasks framework system systems technique techniques
    thing things part parts aspect aspects area areas field fields question questions he she
    they it this that these those one ones result results finding findings outcome outcomes
    conclusion conclusions""".split()
)
# Measurement nouns of general English: asking "what X" for one of these wants a value.
MEASURES = frozenset(
    """rate accuracy speedup speed score scores size count number percentage latency cost error
    precision recall gain improvement parameters parameter throughput memory resolution length
    duration time ratio fid bleu ap map pq miou f1 auc perplexity loss epochs steps batch
    budget frames users gpus tokens hours days dimension depth width efficiency density yield
    concentration temperature pressure voltage elasticity multiplier fraction""".split()
)
PART_SPLIT = re.compile(
    r"(?:,?\s+and\s+|,\s+|;\s*|\?\s+|(?<=[a-z]{2})\.\s+)"
    r"(?=(?:(?:on|in|at|by|with|for|from|to|of|over|under)\s+)?"
    r"(?:what|how|which|who|whom|when|where|why|is\s+there|does|did)\b)",
    re.I,
)
COUNT_HEADS = frozenset("count number amount total quantity".split())
# A telegraphic ask: "Step-Audio param count", "the number of users of XiaoIce".
TELEGRAPHIC = re.compile(
    r"\b(?P<attr>[A-Za-z][\w-]*)\s+(?:" + "|".join(COUNT_HEADS) + r")\s*[?.]?\s*$"
    r"|\b(?:the\s+)?(?:number|count|amount|total)\s+of\s+(?P<of>[A-Za-z][\w-]*)",
    re.I,
)
# "what Sharpe ratio or returns did it get": two attributes, either answers; each is asked.
WHAT_OR = re.compile(
    r"\b(?:what|which)(?:['’]s)?\s+(?:the\s+|its\s+|their\s+)?"
    r"(?P<a>(?:[\w-]+\s+){0,2}?[\w-]+)\s+or\s+(?:the\s+|its\s+|their\s+)?"
    rf"(?P<b>(?:[\w-]+\s+){{0,2}}?[\w-]+)\s+(?:{AUX}|{PREP}|it|they|he|she|we)\b",
    re.I,
)
# "what returns did the experiments get": a noun whose value a verb of attaining asks for.
VALUE_ASK = re.compile(
    rf"\b(?:what|which)\s+(?:the\s+)?(?P<attr>(?:[\w-]+\s+){{0,2}}?[\w-]+)\s+{AUX}\s+"
    r"(?:[\w-]+\s+){0,6}?(?:get|got|achieve|reach|attain|score|earn)\b",
    re.I,
)
# "What FID dose X reach?": a measure named right after "what", whatever verb follows
# (typed wrong, or none).
WHAT_MEASURE = re.compile(r"\b(?:what|which)(?:['’]s)?\s+(?:the\s+)?(?P<attr>[\w-]+)\b", re.I)
# A noun that only sorts or measures out what its "of" names ("which range of sols", "what
# kind of model", "which set of benchmarks"): the asked thing is the other noun.
SORT_NOUNS = frozenset("kind kinds sort sorts type types range ranges set sets class form".split())
OF_NOUN = re.compile(r"\s+of\s+(?:the\s+|an?\s+)?(?P<noun>[\w-]+)", re.I)
ASKS = re.compile(r"\b(?:what|how|which|who|when|where|why|is\s+there|does|did)\b", re.I)
HAS_VALUE = re.compile(r"\d")


def alternatives(text: str) -> list[str]:
    """'what Sharpe ratio or returns did it get' -> one part per attribute, when one of them
    is a measure; else the part as it is."""
    m = WHAT_OR.search(text)
    if m is None or not (_clean(m["a"]) and _clean(m["b"])):
        return [text]
    alts = [text[: m.start("a")] + m[side] + text[m.end("b") :] for side in ("a", "b")]
    return alts if any(attribute_of(alt)[0] for alt in alts) else [text]


def detail_of(text: str) -> str:
    """'which public dataset was used' -> 'public dataset'; nothing for a general noun
    ('which method'), nor when the part asks something else first ('how big ... depending
    on what the bank does')."""
    first = ASKS.search(text)
    if first is None or first.group().lower() not in ("what", "which"):
        return ""
    m = WHAT_X.match(text, first.start()) or WHAT_MEASURE.match(text, first.start())
    words = _clean(m["attr"]) if m else []
    after = text[m.end("attr") :].split()[:1] if m else []
    if after and after[0].lower() in GENERIC:  # "which lake model": a model is asked, not a lake
        return ""
    if words and words[0].lower().endswith("ly"):  # "what usually gets blamed": a subject asked
        return ""
    of = OF_NOUN.match(text, m.end("attr")) if m else None
    if m and m["attr"].split()[-1].lower() in SORT_NOUNS and of:
        words = _clean(of["noun"])  # "which range of sols": the sols are what is asked of
    # "which of these papers": a choice among papers, no detail
    return "" if not words or is_function_word(words[0]) else " ".join(words)


# "a paper on how much of the snow turns to vapour": a topic described, not a question
TOPIC_OF = re.compile(r"\b(?:on|about|regarding|into|studying|studies|examines)\s+$", re.I)


def _asked(m: re.Match[str] | None, text: str) -> re.Match[str] | None:
    """The match, unless it only describes what a paper is on."""
    return None if m is None or TOPIC_OF.search(text[: m.start()]) else m


def attribute_of(text: str) -> tuple[str, bool]:
    m = _asked(HOW_MANY.search(text), text)
    if m:
        words = _clean(m["attr"])
        return (" ".join(words), True) if words else ("", False)
    m = _asked(DEGREE.search(text), text)
    if m:
        if m["noun"] and m["noun"].lower() not in GENERIC:
            return _compound(m["noun"], m["rest"]), True
        reach = REACHES.match(m["rest"])
        if reach and _clean(reach["np"]):  # "how big can the fiscal multiplier get"
            return " ".join(_clean(reach["np"])), True
        rest = [w.strip(",.?;:") for w in m["rest"].split()]
        if rest and comparative(rest[0], m["rest"]):  # "how much cheaper is it than DFT"
            return rest[0], True
        # the change verb itself ("... wage growth rise ..." asks how much it rose), not a
        # noun of change ("the jumps in pricing", "a rise of rates")
        be = bool(rest) and rest[0].lower() in {"is", "are", "was", "were"}
        rest = [w for i, w in enumerate(rest) if not _noun_of_change(rest, i, be)]
        verb = next(
            (w for w in rest if change_verb(w)), next((w for w in rest if is_change(w)), "")
        )
        if verb:
            return verb.strip(",.?;:"), True
    m = TELEGRAPHIC.search(text) if not ASKS.search(text) else None
    if m and _clean(m["attr"] or m["of"]):
        return " ".join(_clean(m["attr"] or m["of"])), True
    m = WHAT_X.search(text)
    if m:
        # Only a measurable detail is decided by code; "which datasets" is left to the model.
        # A unit asked for ("what peak discharge in m3/s", "what area in km2") makes any
        # noun a measure.
        in_unit = IN_UNIT.match(text, m.end("attr"))
        words = _clean(m["attr"]) or (m["attr"].split() if in_unit else [])
        if words and (
            in_unit or any(w.lower() in MEASURES for w in words) or any(w.isupper() for w in words)
        ):
            return " ".join(words), True
    m = WHAT_MEASURE.search(text)
    if m and m["attr"].lower() in MEASURES:
        return m["attr"], True
    m = VALUE_ASK.search(text)
    if m and _clean(m["attr"]):
        return " ".join(_clean(m["attr"])), True
    return "", False


def _compound(noun: str, rest: str) -> str:
    """'tax multiplier' for "how big a tax multiplier do they estimate": the degree's noun
    with up to two more words when a verb, a preposition or the end follows them; not a
    verb of change ("how much the method reduces memory")."""
    words = rest.split()[:2]
    for k in range(len(words), 0, -1):
        more = [w.strip(",.?;:") for w in words[:k]]
        after = " ".join(rest.split()[k:])
        ends = NOUN_END.match(" " + after if after else "")
        nouns = all(
            w.isalpha() and not (change_verb(w) or is_change(w) or is_function_word(w))
            for w in more
        )
        if ends and nouns and more[-1].lower() not in GENERIC:
            return " ".join([noun, *more])
    return noun


def _clean(phrase: str) -> list[str]:
    words = phrase.split()
    if any(w.lower() in {"does", "did", "do", "is", "are", "was", "were"} for w in words):
        return []
    content = [w for w in words if w.lower() not in GENERIC]
    # "what paper", "which method": nothing measurable asked.
    return content if content and words[-1].lower() not in GENERIC else []


def _noun_of_change(words: Sequence[str], i: int, be: bool) -> bool:
    """A word after an article is a noun ("the increase"), not the verb whose size is
    asked; so is one before 'in'/'of' in a question on what something is ("How large is X,
    from the jumps in Y?"), but not in one on what it did ("By how much did X rise in
    response to Y?")."""
    before = words[i - 1].lower() if i else ""
    after = words[i + 1].lower() if i + 1 < len(words) else ""
    article = before in {"a", "an", "the", "this", "that", "these", "those"}
    if before in {"this", "that"} and i > 1 and re.fullmatch(AUX, words[i - 2], re.I):
        article = False  # "does that cut ...": the demonstrative is the subject
    return article or (be and after in {"in", "of"})
