"""A typed question in the corpus's own spelling, before it is read: coined names and
author names cased as the records write them ("lazydrag" -> "LazyDrag", "baoyuan wang" ->
"Baoyuan Wang"), and a misspelt word replaced by the one known word a single edit away
("paramters" -> "parameters", "papres" -> "papers"). Known words are the corpus's own and
English ones (WordNet 3.0's lemmas and irregular forms: data/lexicon/SOURCES.md)."""

from __future__ import annotations

import gzip
import re
import string
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from retrieval.coauthor import COAUTHOR_WORDS
from retrieval.models import Paper

WORDS_FILE = Path(__file__).resolve().parents[1] / "data" / "lexicon" / "words.txt.gz"
WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-'][A-Za-z0-9]+)*")
ENDINGS = ("'s", "s", "es", "ed", "d", "ing", "ly", "er", "est")
Y_ENDINGS = ("ies", "ied", "ier", "iest", "ily")


@lru_cache(maxsize=1)
def english() -> frozenset[str]:
    with gzip.open(WORDS_FILE, "rt") as f:
        return frozenset(line.strip() for line in f if line.strip())


def recased(token: str) -> bool:
    """A name the records made: capitals or digits after its first letter ('LazyDrag',
    'DINO', 'Step-Audio', 'GPT4'), four characters at least ('AI' and 'US' stay words)."""
    return len(token) >= 4 and bool(re.search(r".[A-Z0-9]", token))


# "large language models (LLMs)": an abbreviation a record defines, after the words it
# abbreviates.
DEFINED = re.compile(r"((?:[A-Za-z][\w-]*\s+){1,6})\(([A-Z][A-Za-z]{1,7}?)(s?)\)")


def abbreviations(papers: Sequence[Paper]) -> dict[str, tuple[str, bool]]:
    """Lower-case abbreviation -> the words the records spell it out with ('llm' -> 'large
    language models') and whether it was defined in the plural ('LLMs'); not an
    abbreviation a title uses as a name (PaCoRe, ToG)."""
    in_titles = {t.lower() for p in papers for t in WORD.findall(p.title)}
    out: dict[str, tuple[str, bool]] = {}
    for paper in papers:
        for m in DEFINED.finditer(paper.abstract):
            abbr, words = m.group(2), m.group(1).split()
            if abbr.lower() in in_titles or abbr.lower() in out:
                continue
            wanted = {"".join(c for c in abbr if c.isupper()).lower(), abbr.lower()}
            for k in range(len(words), 0, -1):
                tail = words[-k:]
                initials = "".join(w[0] for part in tail for w in part.split("-") if w)
                if initials.lower() in wanted:
                    # "models (LLMs)" is a plural: the singular "LLM" is "large language model"
                    out[abbr.lower()] = (" ".join(tail).lower(), bool(m.group(3)))
                    break
    return out


# after a word in lower case: "States" of "the United States" is no name of its own
MID_SENTENCE_NAME = re.compile(r"(?:^|\s)[a-z0-9][\w-]*[,;:]? ([A-Z][a-z]{2,})\b")


class Spelling:
    def __init__(self, papers: Sequence[Paper], words: Iterable[str] = ()) -> None:
        self.cased: dict[str, str] = {}
        self.short = abbreviations(papers)
        own: set[str] = set()
        plain: set[str] = set()  # written in lower case somewhere: a word, not a name
        for paper in papers:
            for token in WORD.findall(f"{paper.title} {paper.abstract}"):
                low = token.lower()
                own.update([low, *low.split("-")])
                if token == low:
                    plain.update([low, *low.split("-")])
                if recased(token):
                    self.cased.setdefault(low, token)
        # A word the abstracts capitalise mid-sentence and never write in lower case is a
        # name ("India", "Twitter"): typed "india", it is restored, so it is read as one.
        for paper in papers:
            for token in MID_SENTENCE_NAME.findall(paper.abstract):
                if token.lower() not in plain:
                    self.cased.setdefault(token.lower(), token)
        self.plain = frozenset(plain)
        names = {part.lower() for p in papers for a in p.authors for part in WORD.findall(a)}
        # A co-author's surname typed in lower case ("papers with wagstaff") is their name
        # in a question about co-authors, when it is no English word and no word the
        # records write in lower case ("long", "young" stay words): cased, it is read as the
        # person. Elsewhere such a word is more likely a term than a person.
        self.surnames: dict[str, str] = {}
        for paper in papers:
            for author in paper.authors:
                tokens = WORD.findall(author)
                last = tokens[-1] if len(tokens) > 1 else ""
                low = last.lower()
                if len(low) < 4 or not last[:1].isupper() or low in plain:
                    continue
                if low not in english():
                    self.surnames.setdefault(low, last)
        # the words questions are asked in, and the authors' names, count as the corpus's own
        self.own = frozenset(own | names | {w.lower() for w in words})
        self.known = self.own | english()
        people = sorted({a for p in papers for a in p.authors if " " in a}, key=len, reverse=True)
        self.people = {a.lower(): a for a in people}
        self.people_re = (
            re.compile(r"\b(" + "|".join(re.escape(a.lower()) for a in people) + r")\b")
            if people
            else None
        )

    def __call__(self, question: str) -> str:
        if self.people_re is not None:  # only a name typed all in lower case is recased
            question = self.people_re.sub(lambda m: self.people[m.group(1)], question)
        if self.surnames and COAUTHOR_WORDS.search(question):
            question = WORD.sub(lambda m: self.surnames.get(m.group(0), m.group(0)), question)
        return WORD.sub(lambda m: self._token(m.group(0), m.start() == 0), question)

    def _token(self, token: str, first: bool) -> str:
        low = token.lower()
        # Spelt out as the records define it, so "LLMs" and "large language models" ask
        # alike; one the records also use as a word ("self") only when capitalised.
        for abbr, plural in ((low, False), (low[:-1], True)):
            if abbr not in self.short or (token == low and abbr in self.plain):
                continue
            words, defined_plural = self.short[abbr]
            if plural or not defined_plural:  # "MoE (mixture-of-experts)" is used as written
                return words
            return words.removesuffix("s")
        # A record's odd casing of a word the records also write plainly ("generATiOn" in a
        # pun title) is not a name to restore.
        if token == low and low in self.cased and low not in self.plain:
            return self.cased[low]
        if (token != low and not (first and token[1:].islower())) or "'" in token:
            return token  # a name, an acronym or a capitalised word the user wrote: theirs
        parts = [self._word(p) for p in low.split("-")]
        fixed = "-".join(parts)
        return fixed[:1].upper() + fixed[1:] if token[0].isupper() else fixed

    def _word(self, word: str) -> str:
        if len(word) < 4 or self._is_known(word) or any(c.isdigit() for c in word):
            return word
        # A short word has many known words one edit away ("wiht": with, wight, whit) and
        # is often an acronym typed in lower case ("sota", not "stoa"): four letters are
        # only unswapped, and only into a word the corpus or the questions use; three stay.
        if len(word) == 4:
            found = {w for w in _swaps(word) if w in self.own}
            return next(iter(found)) if len(found) == 1 else word
        found = {w for w in _edits(word) if w in self.known}
        # Several words one edit away: the corpus's own, else two swapped letters, decide
        for narrower in (self.own, _swaps(word)):
            if len(found) > 1 and found & narrower:
                found &= narrower
        return next(iter(found)) if len(found) == 1 else word

    def _is_known(self, word: str) -> bool:
        if word in self.known:
            return True
        if any(word.endswith(e) and word[: -len(e)] in self.known for e in ENDINGS):
            return True
        # "cities", "studied", "earlier": a final y turned to i before the ending
        return any(word.endswith(e) and f"{word[: -len(e)]}y" in self.known for e in Y_ENDINGS)


def _swaps(word: str) -> set[str]:
    return {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}


def _edits(word: str) -> set[str]:
    """Every string one deletion, swap of neighbours, replacement or insertion away."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    letters = string.ascii_lowercase
    return {
        *(a + b[1:] for a, b in splits if b),
        *(a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1),
        *(a + c + b[1:] for a, b in splits if b for c in letters),
        *(a + c + b for a, b in splits for c in letters),
    }
