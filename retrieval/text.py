"""Text primitives shared by indexing, search and answer checking: one tokenizer, one
stop-word list, one sentence splitter, one file checksum."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

TOKEN = re.compile(r"[a-z0-9]+(?:[.\-][a-z0-9]+)*")
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "do",
        "does",
        "for",
        "from",
        "has",
        "have",
        "how",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "our",
        "that",
        "the",
        "their",
        "them",
        "these",
        "this",
        "those",
        "to",
        "was",
        "we",
        "were",
        "what",
        "when",
        "which",
        "while",
        "who",
        "whose",
        "why",
        "will",
        "with",
        "paper",
        "papers",
        "work",
        "works",
        "study",
        "studies",
        "corpus",
        "about",
        "using",
        "use",
        "used",
        "via",
    ]
)


def _stem(token: str) -> str:
    """A deliberately crude plural/-ing fold: enough to meet 'models' with 'model'."""
    for suffix, keep, min_len in (
        ("ies", "y", 5),
        ("ers", "", 7),
        ("ing", "", 5),
        ("er", "", 7),  # reasoner ~ reasoning, transformer ~ transforming
        ("ed", "", 6),
        ("es", "e", 5),
        ("s", "", 5),
    ):
        if len(token) >= min_len and token.endswith(suffix) and not token.endswith("ss"):
            return token[: -len(suffix)] + keep
    return token


def tokenize(text: str) -> list[str]:
    tokens: list[str] = []
    for raw in TOKEN.findall(text.lower()):
        if raw in STOPWORDS:
            continue
        tokens.append(_stem(raw))
        # 'mask-dino' also matches 'mask' and 'dino'
        if "-" in raw:
            tokens.extend(_stem(p) for p in raw.split("-") if p and p not in STOPWORDS)
    return tokens


# A sentence ends at a stop before a space and a capital, or before a capital word with no
# space at all: a small model writing two sentences of an abstract in one item drops the
# space ("to test this hypothesis.Using a new dataset, ...").
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(\[])|(?<=[a-z][a-z][.!?])(?=[A-Z][a-z])")


# A stop that ends no sentence: an initial ("K. L. Wagstaff"), a Latin or bibliographic
# abbreviation ("et al.", "e.g.", "Fig.", "Eq."), a title ("Dr.", "Mt. Everest").
NOT_AN_END = re.compile(
    r"(?:^|[\s(\[])(?:et\s+al|e\.g|i\.e|cf|vs|viz|approx|ca|resp|Fig|Figs|Eq|Eqs|Ref|Refs|"
    r"Sec|Tab|No|Nos|Vol|pp|Dr|Prof|Mr|Mrs|Ms|St|Mt|Jr|Sr)\.$"
    # an initial opens the text or follows a capitalised word ("K. L.", "Int. J."); after
    # a lower-case word a capital letter ends a sentence ("they find X. Then")
    r"|(?:^|(?:^|[\s(\[])[A-Z][\w.'’-]*\s+)[A-Z]\.$"
)


def split_sentences(text: str) -> list[str]:
    """Sentences, not split inside a bracket ("[Int. J. Quantum Chem. (2020)]") or after a
    stop that ends no sentence."""
    out: list[str] = []
    for piece in (s.strip() for s in SENTENCE_END.split(text.strip())):
        if not piece:
            continue
        if out and (_open(out[-1]) or NOT_AN_END.search(out[-1])):
            out[-1] = f"{out[-1]} {piece}"
        else:
            out.append(piece)
    return out


def _open(sentence: str) -> bool:
    """A bracket opened and not closed: the sentence goes on inside it."""
    return sentence.count("(") > sentence.count(")") or sentence.count("[") > sentence.count("]")


# Chat shorthand people type for whole words. A lone letter is one only in lower case
# between two words and not after a determiner ("the r value", "what is R?", "r = 0.9").
SHORTHAND = {
    "ur": "your",
    "abt": "about",
    "w/o": "without",
    "w/": "with",
    "pls": "please",
    "plz": "please",
    "b4": "before",
    "wat": "what",
    "bc": "because",
    "cuz": "because",
    "ppl": "people",
    "whats": "what is",
    "param": "parameter",
    "params": "parameters",
}
LETTERS = {"r": "are", "u": "you"}
_SHORT = re.compile(
    r"(?<![\w/])(" + "|".join(re.escape(k) for k in SHORTHAND) + r")(?![\w/])", re.I
)
_LETTER = re.compile(r"(?:^|(?<=[a-z] ))(?<!\bthe )(?<!\ban )(?<!\ba )(?<!\bits )([ru])(?= [a-z])")


def spelled_in_full(question: str) -> str:
    """A typed question with its chat shorthand written out ("which papers r abt X")."""
    text = _SHORT.sub(lambda m: SHORTHAND[m.group(1).lower()], question)
    return _LETTER.sub(lambda m: LETTERS[m.group(1)], text)


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()
