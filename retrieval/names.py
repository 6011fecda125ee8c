"""Author names: clean one name from any source, and unify the spellings of one person.

Sources write one person many ways: "Anandkumar, Animashree" (Scholar), "Anima Anandkumar"
(PNAS), "Anandkumar,Animashree" (AIP), "Stretcu, Otilia<nobr><em>*</em></nobr>" (al-folio
equal-contribution marks). Search by co-author only works once they are one string.

What is unified, and what is not (on purpose, to never merge two people):
- case, accents, punctuation and spacing ("Thomas F. Miller" = "Thomas F Miller");
- "Last, First" / "Last,First" / "First Last" (done by `clean_name`, before unifying);
- generational suffixes ("Miller III, Thomas F" = "Thomas F. Miller");
- initials for given names ("T. F. Miller" = "Thomas F. Miller") and a missing middle
  initial ("Thomas Miller" = "Thomas F. Miller"), but only when exactly one fuller spelling in
  the corpus fits, so "Y. Zhang" stays apart when both Yichi and Yue Zhang are there.
- Not unified: a given name that is a prefix of another ("Anima" / "Animashree", but also
  "Jian" / "Jianfeng", two different people). Such pairs are reported, never merged.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

from retrieval.latex import clean_latex

_TAG_RE = re.compile(r"<[^<>]{0,200}>")
# Equal-contribution, corresponding-author and affiliation marks glued to a name.
_MARKS_RE = re.compile(r"[*†‡§¶#✉⋆∗♠♣♥♦]+|\^\{?[*\d,]+\}?|(?<=[^\W\d])\d{1,2}(?=\s|$)")
_SUFFIXES = frozenset(("jr", "sr", "ii", "iii", "iv"))


def strip_html(text: str) -> str:
    """Text without HTML tags and entities ('<em>NeurIPS</em> &amp; x' -> 'NeurIPS & x')."""
    return html.unescape(_TAG_RE.sub("", text))


def clean_name(raw: str) -> str:
    """One person's name as 'First Last', from any of the forms sources use."""
    name = _MARKS_RE.sub("", clean_latex(strip_html(raw)))
    parts = [p.strip() for p in name.split(",")]
    parts = [p for p in parts if p]
    if len(parts) == 2 and parts[1].lower().rstrip(".") in _SUFFIXES:
        name = f"{parts[0]} {parts[1]}"  # "John Smith, Jr."
    elif len(parts) == 2:
        name = f"{parts[1]} {parts[0]}"  # "Last, First"
    elif len(parts) >= 3:
        name = f"{' '.join(parts[2:])} {parts[0]} {parts[1]}"  # "Last, Jr, First"
    else:
        name = " ".join(parts)
    return " ".join(name.split()).strip(" .;")


def _fold(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z ]", " ", ascii_text.lower().replace("'", "").replace("’", ""))


def name_tokens(name: str) -> tuple[str, tuple[str, ...]]:
    """(last name, given-name tokens), case and accent folded, suffixes dropped."""
    tokens = [t for t in _fold(name).split() if t not in _SUFFIXES]
    if not tokens:
        return "", ()
    return tokens[-1], tuple(tokens[:-1])


def name_key(name: str) -> str:
    """Comparison key: 'Thomas F. Miller III' and 'thomas f miller' share it."""
    last, given = name_tokens(name)
    return " ".join((*given, last))


def _initials_fit(short: tuple[str, ...], full: tuple[str, ...]) -> bool:
    """Could `short` be `full` written with initials or without middle initials?"""
    if not short or not full or len(short) > len(full):
        return False
    for i, token in enumerate(short):
        other = full[i]
        if token != other and not (len(token) == 1 and other.startswith(token)):
            return False
    # Whatever `short` leaves out must be middle initials, never a whole given name.
    return all(len(t) == 1 for t in full[len(short) :])


def _is_prefix_pair(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    if not a or not b or len(a[0]) < 3 or len(b[0]) < 3 or a[0] == b[0]:
        return False
    return a[0].startswith(b[0]) or b[0].startswith(a[0])


def unify_names(
    author_lists: Iterable[list[str]], anchor: str | None = None
) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Map every spelling to one canonical spelling, plus name pairs that look alike.

    `anchor` (the owner, when given) is one more spelling that joins the vote.
    """
    counts: Counter[str] = Counter()
    for authors in author_lists:
        counts.update(authors)
    if anchor:
        counts[anchor] += 0
    by_key: dict[str, list[str]] = {}
    for name in counts:
        if name_key(name):
            by_key.setdefault(name_key(name), []).append(name)
    by_last: dict[str, list[tuple[str, ...]]] = {}
    for key in by_key:
        last, given = name_tokens(key)
        by_last.setdefault(last, []).append(given)
    parent = {key: key for key in by_key}
    similar: list[tuple[str, str]] = []
    for last, givens in by_last.items():
        for given in givens:
            fuller = [g for g in givens if g != given and _initials_fit(given, g)]
            # Keep the fullest candidates: "T Miller" -> "Thomas Miller" -> "Thomas F Miller".
            fullest = [g for g in fuller if not any(_initials_fit(g, h) for h in fuller if h != g)]
            if len(fullest) == 1:
                parent[" ".join((*given, last))] = " ".join((*fullest[0], last))
        for i, a in enumerate(givens):
            similar.extend(
                (" ".join((*a, last)), " ".join((*b, last)))
                for b in givens[i + 1 :]
                if _is_prefix_pair(a, b)
            )

    def root(key: str) -> str:
        seen = set()
        while parent[key] != key and key not in seen:
            seen.add(key)
            key = parent[key]
        return key

    groups: dict[str, list[str]] = {}
    for key, names in by_key.items():
        groups.setdefault(root(key), []).extend(names)
    canonical: dict[str, str] = {}
    for names in groups.values():

        def rank(n: str) -> tuple[int, int, int]:
            full_tokens = sum(len(t) > 1 for t in name_tokens(n)[1])
            return (full_tokens, counts[n], len(n))

        best = max(names, key=rank)
        canonical.update(dict.fromkeys(names, best))
    shown = [(canonical[by_key[a][0]], canonical[by_key[b][0]]) for a, b in similar]
    return canonical, [(a, b) for a, b in shown if a != b]
