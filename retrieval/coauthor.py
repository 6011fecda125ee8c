"""The co-author a question names, however it is typed: in full, "Last, First", with
initials, without accents, or by a surname only one co-author of the corpus has."""

from __future__ import annotations

import re
import unicodedata

from retrieval.models import normalise_name

# Words that make a question one about co-authors, around a name: "co-authored with X",
# "joint work with X", "wagstaff as a coauthor", "written by bue".
COAUTHOR_WORDS = re.compile(
    r"\b(?:co-?author(?:ed|s)?|coauthor(?:ed|s)?|co-?wr(?:ote|itten|ites?)|"
    r"joint(?:ly)?(?:\s+work)?|together|"
    r"collaborat\w*|written|wrote|with|by)\b",
    re.I,
)


def clean_name(name: str) -> str:
    """'Shum*', 'Heung-Yeung<nobr><em>*</em></nobr> Shum' -> 'Heung-Yeung Shum'."""
    return " ".join(re.sub(r"<[^>]*>|[*†‡#]", " ", name).split())


# A generational suffix follows the surname ("Thomas F. Miller III", "King, Jr."); people
# asking leave it off, and it is nobody's surname.
SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})


def name_parts(name: str) -> list[str]:
    """A name's lower-cased words without its generational suffix: the surname last."""
    parts = [p.strip(",") for p in normalise_name(clean_name(name)).split()]
    parts = [p for p in parts if p]
    if len(parts) > 2 and parts[-1] in SUFFIXES:
        parts = parts[:-1]
    return parts


def name_patterns(name: str) -> list[str]:
    """Ways a name is written: 'Baoyuan Wang', 'Wang, Baoyuan', 'B. Wang', 'H.-Y. Shum',
    'Alan Taylor' for 'Alan M. Taylor', 'Thomas F. Miller' for 'Thomas F. Miller III'."""
    parts = name_parts(name)
    if len(parts) < 2:
        return [re.escape(p) for p in parts]
    first, last = parts[:-1], parts[-1]
    forms = [parts, [last, *first], [p[0] for p in first] + [last], [first[0][0], last]]
    if len(clean_name(name).split()) > 2:  # people drop middle names: "Alan Taylor" for
        # "Alan M. Taylor" (a hyphenated given name is one name: not "Heung Shum")
        forms.append([first[0], last])
    joiner = r"[\s.,\-]+"
    patterns = [r"(?<!\w)" + joiner.join(re.escape(w) for w in form) + r"(?!\w)" for form in forms]
    if any(len(p) == 1 for p in first):  # the record's own initial ("G. Tseng") stands for
        # any given name with it ("Gabriel Tseng"); an initial made here ("Y. Ma" of "Yi
        # Ma") does not ("Yue Ma" is someone else)
        given = [re.escape(p) + (r"\w*" if len(p) == 1 else "") for p in first]
        patterns.append(r"(?<!\w)" + joiner.join([*given, re.escape(last)]) + r"(?!\w)")
        if len(given) > 1:  # "Kiri Wagstaff" for "K. L. Wagstaff": the middle one dropped
            patterns.append(r"(?<!\w)" + joiner.join([given[0], re.escape(last)]) + r"(?!\w)")
    return patterns


def fold(text: str) -> str:
    """Accents dropped letter by letter, the length kept ("Hürtgen" -> "Hurtgen"): people
    type names without them, and spans found in the folded text hold in the original."""
    if text.isascii():  # most names: no per-letter pass over every author of the corpus
        return text
    out = []
    for c in text:
        plain = "".join(d for d in unicodedata.normalize("NFKD", c) if not unicodedata.combining(d))
        out.append(plain if len(plain) == 1 else c)
    return "".join(out)


def find_author(
    text: str, authors: list[str], owner: str | None
) -> tuple[str, tuple[int, int]] | None:
    """The longest known co-author name in the text, however it is written (full, "Last,
    First", initials); the owner is every paper's author, so never a filter."""
    owner_key = normalise_name(fold(clean_name(owner))) if owner else None
    lowered = fold(text.lower())
    best: tuple[str, tuple[int, int]] | None = None
    for name in authors:  # one pass, no sort: corpora can hold hundreds of thousands
        key = normalise_name(fold(clean_name(name)))
        last = (name_parts(fold(name)) or [""])[-1]
        if len(key) <= 4 or len(last) < 2 or last not in lowered:  # cheap test first
            continue
        if owner_key and key == owner_key:
            continue
        for pattern in name_patterns(fold(name)):
            m = re.search(pattern, lowered)
            if m and (best is None or m.end() - m.start() > best[1][1] - best[1][0]):
                best = (clean_name(name), m.span())
    return best or _by_surname(text, authors, owner_key)


def _by_surname(
    text: str, authors: list[str], owner_key: str | None
) -> tuple[str, tuple[int, int]] | None:
    """'What did he write with Taneja?': a capitalised word inside the question that is the
    surname of exactly one co-author of the corpus. Not the question's first word, and not
    a surname two people share (then the given name is needed)."""
    folded = fold(text)
    words = {
        m.group(): m.span()
        for m in re.finditer(r"(?<![\w.'’-])[A-Z][a-z][\w'’-]*(?![\w'’-])", folded)
        # not where the question starts, nor after another name's part ("Karl Tseng")
        if folded[: m.start()].strip(" \t\"'“(")
        and not re.search(r"(?:^|\s)[A-Z][\w'’-]*\.?\s+$", folded[: m.start()])
    }
    if not words:
        return None
    said = {w.lower() for w in words}
    people: dict[str, dict[str, str]] = {}  # surname -> person -> their name as written
    for name in authors:
        tail = name.rsplit(None, 1)[-1] if name.strip() else ""
        tail = fold(tail).lower().strip("*†‡#.,")
        if tail not in said and tail not in SUFFIXES:  # cheap test first, as above
            continue
        key = normalise_name(fold(clean_name(name)))
        parts = name_parts(fold(name))
        if len(parts) < 2 or key == owner_key:
            continue
        surname = parts[-1]
        if surname.capitalize() in words:
            people.setdefault(surname, {}).setdefault(name_key(key), clean_name(name))
    found = [s for s, persons in people.items() if len(persons) == 1]
    if not found:
        return None
    surname = max(found, key=lambda s: words[s.capitalize()][0])  # the last one said
    (name,) = people[surname].values()
    return name, words[surname.capitalize()]


def name_key(key: str) -> str:
    """One person however the given names are written: 'g tseng', 'gabriel tseng' -> 'g tseng'."""
    parts = key.split()
    return " ".join([p[0] for p in parts[:-1]] + parts[-1:])
