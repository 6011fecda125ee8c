"""Which hits count as evidence: the relevance gate that decides abstention, and the cut
that keeps a list to the papers really about its topic. Thresholds come from
`AnswerSettings`; the code, not the model, decides.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from assistant.evidence.english import abbreviated, coined, is_function_word, spelled_out
from assistant.evidence.grounding import (
    Source,
    allowed_words,
    claims,
    normalise,
    occurs,
)
from assistant.settings import AnswerSettings
from retrieval.calibrate import Calibration
from retrieval.models import Hit, Paper
from retrieval.query import LIST_WORDS, REQUEST_WORDS
from retrieval.text import tokenize


def calibrated(policy: AnswerSettings, calibration: Calibration | None) -> AnswerSettings:
    """The policy with the corpus's own abstention cuts (stored with its index); the static
    settings are the fallback when the index holds none."""
    if calibration is None:
        return policy
    return policy.model_copy(
        update={
            "min_relevance": calibration.min_relevance,
            "min_named_relevance": calibration.min_named_relevance,
        }
    )


def relevant(
    question: str,
    topic: str,
    hit: Hit,
    policy: AnswerSettings,
    names: Sequence[str] = (),
    corpus: Sequence[Paper] = (),
    listing: bool = False,
    by_author: bool = False,
) -> bool:
    """Enough similarity, or weaker similarity backed by the hit holding the question's
    named terms (LazyDrag, Quant 4.0) or its topic words ("diffusion transformers"; one
    word must be in the title; of a long topic, half), or a rare coined name of the
    question that the hit's record holds (given the `corpus` to tell rare from common).
    For a list ("which papers have results on MultiWOZ"), a record holding the question's
    coined names is on the list however common the name and however little an embedder
    makes of it, as `on_topic` lists it."""
    if listing:
        named = list_names(question, names, topic)
        if named and holds_all(hit.paper, named):
            return True
    dense = hit.dense or 0.0
    if dense >= policy.min_relevance:
        return True
    if by_author and dense >= policy.min_named_relevance:
        # "What did Ray and Taneja propose for ...": the hits are that co-author's papers
        # only; the best above the abstention cut is the one asked about.
        return True
    if dense < policy.min_named_relevance:
        if identifies(question, hit, corpus, policy.rare_name_share, names):
            return True
        if not listing:
            return False
        # below the cut a list still takes a record holding its topic's words, as the
        # word-matching half of the ranking found it ("how business investment responds to
        # policy": "Monetary Policy, Corporate Finance, and Investment")
    evidence = Source(key="1", paper=hit.paper).evidence()
    named = coined_names(question, names)
    if named:
        text = normalise(evidence)
        return all(holds_term(c, text) for c in named)
    words = topic_words(topic)
    capitals = capitalised(question)
    initials = set(tokenize(" ".join(abbreviated(re.findall(r"[\w'-]+", topic), evidence))))
    # "X or Y": a record on either is on the topic, the other alternative's words aside; in
    # a list, "X and Y" too ("misinformation and fact-checking": papers on either)
    pairs = LIST_PAIR if listing else OR_PAIR
    return any(
        _holds(hit, evidence, w, capitals, initials, listing)
        for w in alternatives(question, words, pairs, topic if listing else "")
    )


def holds_term(term: str, text: str) -> bool:
    """The text holds a named term, or writes out the abbreviation asked ("KNN" for "k
    Nearest Neighbors")."""
    return occurs(term, normalise(text)) or spelled_out(term, text)


def capitalised(question: str) -> set[str]:
    """The question's capitalised words (names: "India", "Mars"), lower-cased; the first
    only when it is no word a question or request opens with (a summary's topic "India")."""
    words = re.findall(r"[\w'’-]+", question)
    first = words[:1] if words and not is_function_word(words[0].lower()) else []
    first = [w for w in first if w.lower() not in LIST_WORDS | REQUEST_WORDS]
    return {w.lower() for w in first + words[1:] if w[:1].isupper()}


def topic_words(topic: str) -> set[str]:
    """The content words of a topic, as the gate asks them of a record."""
    return {w for w in tokenize(topic) if len(w) > 1 and not is_function_word(w)}


def alternatives(
    question: str, words: set[str], pairs: re.Pattern[str] | None = None, topic: str = ""
) -> list[set[str]]:
    """The topic words as the question's "A or B" (`pairs`) splits them: without B's words,
    and without A's; the words themselves when the question has no "or". Where the two
    sides are longer than a word, the split is ambiguous ("mortgages and household debt"):
    the `topic`'s whole sides before and after its coordinator are alternatives too."""
    found = (pairs or OR_PAIR).search(question)
    if not found:
        return [words]
    a, b = set(tokenize(found["a"])), set(tokenize(found["b"]))
    sides = re.split(r"\s+(?:and|or)\s+", topic, maxsplit=1, flags=re.I) if topic else []
    whole = [topic_words(side) for side in sides] if len(sides) == 2 else []
    return [w for w in (words - b, words - a, *whole) if w] or [words]


def _holds(
    hit: Hit,
    evidence: str,
    words: set[str],
    capitals: Collection[str] = (),
    initials: Collection[str] = (),
    listing: bool = False,
) -> bool:
    """`initials`: the topic words the record writes as an abbreviation ("QE")."""
    if len(words) == 1:
        # One common word must be in the title; a name ("set in India") is what a record
        # is about wherever it says it. A list also takes a record whose abstract comes
        # back to the word ("all her work using autoencoders": compared, trained, found).
        where = evidence if words <= set(capitals) else hit.paper.title
        if listing and sum(held_words(words, {t}) for t in tokenize(evidence)) >= 2:
            return True
        return held_words(words, set(tokenize(where))) == 1
    # A short topic must be held whole; a long question, phrased in the user's own words,
    # by at least half of its words.
    held = held_words(words - set(initials), set(tokenize(evidence))) + len(words & set(initials))
    return bool(words) and held >= (len(words) if len(words) <= 3 else len(words) / 2)


OR_PAIR = re.compile(r"(?P<a>[\w][\w-]*)\s+or\s+(?P<b>[\w][\w-]*)", re.I)
LIST_PAIR = re.compile(r"(?P<a>[\w][\w-]*)\s+(?:or|and)\s+(?P<b>[\w][\w-]*)", re.I)


def held_words(words: set[str], tokens: set[str]) -> int:
    """How many of the words the tokens hold, a word's other forms counted ("transmitted"
    for "transmission", "freezes" for "freezing"): the crude stems differ where the
    suffixes do, so a long shared start (6 letters and 3/4 of the shorter word, or all of a
    5-letter one) is one word."""
    return sum(1 for w in words if _held(w, tokens))


def _held(word: str, tokens: set[str]) -> bool:
    """A compound is held by its parts too ("fact-check" by "fact checkers")."""
    if word in tokens or any(_same_word(word, t) for t in tokens):
        return True
    parts = [p for p in word.split("-") if p]
    return len(parts) > 1 and all(_held(p, tokens) for p in parts)


# What English adds to a word without making another word of it: "freez" + "e", "comput" +
# "ation". "quant" + "um" or "graph" + "ene" is another word.
SUFFIXES = frozenset(
    """e s es ed er ers or ors ing ings ion ions ation ations ment ments al ally ly ity ities
    ive ives ic ical ics ness able ible ism ist ists ize ise ized ised ization isation ance
    ence ant ants ent ents ure ures y ies ary ship ships""".split()
)


def _same_word(a: str, b: str) -> bool:
    low, high = sorted((a, b), key=len)
    if len(low) >= 5 and high.startswith(low):  # "freez", "freeze"
        return high[len(low) :] in SUFFIXES or high == low
    shorter = len(low)
    if shorter < 6 or a[:6] != b[:6]:
        return False
    common = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), shorter)
    return common >= 0.75 * shorter


def listed(
    hits: Sequence[Hit],
    question: str,
    topic: str,
    policy: AnswerSettings,
    names: Sequence[str] = (),
    corpus: Sequence[Paper] = (),
) -> list[Paper]:
    """The papers a topic list holds, as the list job picks them: the first of the top
    three hits that passes the relevance gate leads (the best may miss a name a close
    second holds), then every hit `on_topic` keeps. A summary of the topic covers exactly
    these papers."""
    first = next(
        (h for h in hits[:3] if relevant(question, topic, h, policy, names, corpus, True)), None
    )
    if first is None:
        return []
    ordered = [first, *(h for h in hits if h is not first)]
    return on_topic(ordered, question, topic, policy.list_relative, policy, names)


def on_topic(
    hits: Sequence[Hit],
    question: str,
    topic: str,
    relative: float,
    policy: AnswerSettings,
    names: Sequence[str] = (),
) -> list[Paper]:
    """Every hit that passes the same relevance gate as an answer's best hit and scores
    within `relative` of the best: a list holds all the papers about its topic, no cap.
    When the question names terms ("which papers report results on MultiWOZ?"), the list
    is exactly the hits whose records hold them, however far down they rank or however
    little a small embedder makes of a coined name (MiniLM: cosine 0.02 for a record that
    reports MultiWOZ results)."""
    named = list_names(question, names, topic)
    words = topic_words(topic)
    if not named and words and words <= capitalised(question):
        named = words  # "anything set in India?": the records that say India
    if named:
        return [h.paper for h in hits if holds_all(h.paper, named)]
    top = hits[0].score if hits else 0.0
    return [
        h.paper
        for h in hits
        if h.score >= relative * top and relevant(question, topic, h, policy, names, listing=True)
    ]


def coined_names(question: str, names: Sequence[str] = ()) -> set[str]:
    """The coined names a question uses (MultiWOZ, DINO, ResNet-50), not capitalised English
    words ("Transformers"), whose plural or case may differ in a record."""
    return {c for c in claims(question, allowed_words(names)) if coined(c)}


def list_names(question: str, names: Sequence[str], topic: str) -> set[str]:
    """The coined names that cut a list to the records holding them. Not a two-letter
    initialism ("AI", "RL", "UK") beside other topic words: shorthand for two English words
    that a field's records use freely whatever their topic, and that a record on the topic
    may write out or not at all ("AI for quantitative investment"). Alone it is the topic
    ("Which papers mention AI?")."""
    named = coined_names(question, names)
    other = topic_words(topic) - {n.lower() for n in named}
    return {c for c in named if not (other and len(c) == 2 and c.isupper())}


def rare(term: str, corpus: Sequence[Paper], share: float) -> bool:
    """At most `share` of the records hold the term: a whole-word count over titles and
    abstracts that stops as soon as the name is common, cheap on 100,000 records too."""
    limit = max(1, int(share * len(corpus)))
    word, seen = re.compile(rf"(?<![\w-]){re.escape(term)}(?![\w-])", re.I), 0
    for paper in corpus:
        if word.search(paper.title) or word.search(paper.abstract):
            seen += 1
            if seen > limit:
                return False
    return True


def holds_all(paper: Paper, terms: set[str]) -> bool:
    """Does the paper's whole record hold every term (whole words, case folded)?"""
    record = normalise(Source(key="1", paper=paper).evidence())
    return all(occurs(c, record) for c in terms)


def identifies(
    question: str, hit: Hit, corpus: Sequence[Paper], share: float, names: Sequence[str] = ()
) -> bool:
    """The question uses coined names (HiTUT), the hit's record holds them all, and they are
    rare in the corpus (at most `share` of its records): exact evidence of the paper asked
    about, which a small embedder may miss."""
    coined = coined_names(question, names)
    if not coined or not corpus or not holds_all(hit.paper, coined):
        return False
    return all(rare(term, corpus, share) for term in coined)


def of_the_names(hits: list[Hit], names: set[str]) -> list[Hit]:
    """ "COSIPY - which glacier did they test it on?": when the best hit holds the names the
    question gives, the other sources are those holding one of them; another paper's
    sentence ("the model was tested on Haut Glacier d'Arolla") answers of something else."""

    def holds(hit: Hit, name: str) -> bool:
        return holds_term(name, f"{hit.paper.title} {hit.paper.abstract}")

    if not hits or not names or not all(holds(hits[0], n) for n in names):
        return hits
    return [h for h in hits if any(holds(h, n) for n in names)]
