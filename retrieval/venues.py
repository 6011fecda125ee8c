"""Venues a question names ("at AAAI", "in the Journal of Glaciology", "his EMNLP papers",
"workshop papers"), found against the corpus's own venue strings: a name is a venue only
where some record's venue holds it, so nothing here lists any field's venues.
"""

from __future__ import annotations

import re
from collections.abc import Collection

# Where English names a venue: after a preposition of publishing, or before the word for
# what was published there.
BEFORE = re.compile(r"\b(?:at|in|from)\s+(?:the\s+|a\s+|an\s+)?$", re.I)
# What was published, between the verb and the venue: "publish anything at", "published
# papers in".
OBJECT = r"(?:(?:anything|something|any\w*|papers?|work|much|more)\s+)?"
# In a question about the research ("rise in response to the Bank of England's purchases")
# only a verb of publishing makes the name after it a venue.
PUBLISHED = re.compile(
    r"\b(?:publish(?:ed|es)?|appear(?:ed|s)?|accepted|submitted|presented|printed|came\s+out)"
    r"\s+" + OBJECT + r"(?:in|at|to|by)\s+(?:the\s+|a\s+|an\s+)?$",
    re.I,
)
# "Did he publish anything at CVPR?": a name after a verb that can only mean publishing,
# whatever the corpus's venues hold ("appeared in the UK" may be about the research).
ASKED = re.compile(
    r"\b(?:publish(?:ed|es|ing)?|accepted)\s+" + OBJECT + r"(?:at|in)\s+(?:the\s+)?"
    r"(?P<name>[A-Z][\w&+-]*(?:\s+(?:of\s+|on\s+|for\s+)?[A-Z][\w&+-]*){0,5})"
)
AFTER = re.compile(
    r"^\s+(?:papers?|articles?|publications?|versions?|submissions?|tracks?)\b", re.I
)
# "which are preprints", "any workshop ones": a kind asked of the papers themselves.
KIND_BEFORE = re.compile(r"\b(?:are|were|as|any|only)\s+(?:\w+\s+)?$", re.I)
# The kinds of venue English has words for; one is a venue filter only where the corpus's
# venues use the word, and only as a kind ("workshop papers", "in a journal").
KINDS = {"workshop", "journal", "conference", "symposium", "preprint"}
WORD = re.compile(r"[A-Za-z][\w&+-]*")
NAME_GOES_ON = re.compile(r"\s+(?:of|on|for|in)\s+[A-Z]")
NAME_GOES_ON_FULLY = re.compile(
    r"(?:\s+(?:of|on|for|in|and|&)\s+[A-Z][\w&+-]*(?:\s+[A-Z][\w&+-]*)*)+"
)
JOINERS = {"of", "on", "in", "for", "and", "the", "&", "to", "at"}
LONGEST = 12  # words in a venue name as a question writes it ("Journal of Selected Topics ...")


LEAD_IN = re.compile(r"\s*(?::|[-–—]\s)")


def venue_in(
    question: str, venues: Collection[str], listing: bool = True
) -> tuple[str, tuple[int, int]] | None:
    """The venue name the question gives and its span; None when it names none. A name is
    the longest run of the question's words, starting with a capitalised one (or a kind of
    venue), that some venue string holds, placed where English names a venue: for a list
    or count, after "at/in/from"; in any question, after a verb of publishing or before
    "papers"."""
    if not venues:
        return None
    held = [" ".join(v.lower().split()) for v in venues if v]
    initials = [_initials(v) for v in venues if v]
    words = list(WORD.finditer(question))
    for i, first in enumerate(words):
        token = first.group()
        kind = _kind(token)
        if not (token[0].isupper() or kind):
            continue
        for j in range(min(len(words), i + LONGEST), i, -1):
            start, end = first.start(), words[j - 1].end()
            if j > i + 1 and words[j - 1].group().lower() in JOINERS:
                continue  # "Journal of": a name ends on a name word
            if kind and j == i + 1 and token[0].isupper() and NAME_GOES_ON.match(question[end:]):
                continue  # "the Journal of Glaciology" names one journal, not any journal
            name = kind if kind and j == i + 1 else question[start:end]
            if not (_held(name, held) or _acronym(name, initials) or _subtitled(name, venues)):
                continue
            before = question[:start]
            if (
                (listing and BEFORE.search(before))
                # "Journal of Glaciology: how many ...?": a name leading the question
                or (listing and i == 0 and LEAD_IN.match(question[end:]))
                or PUBLISHED.search(before)
                or AFTER.match(question[end:])
                or (kind and KIND_BEFORE.search(before))
            ):
                # "in Remote Sensing of Environment" where the corpus has "Remote Sensing": the
                # name the question gives goes on, and names a venue no record has
                more = NAME_GOES_ON_FULLY.match(question[end:])
                if more and not kind:
                    end += more.end()
                    return question[start:end], (start, end)
                return name, (start, end)
    return None


def venue_asked(question: str) -> str:
    """The venue a question asks about by a verb of publishing ("published at CVPR"),
    whether or not a record's venue holds it; '' when it asks none."""
    found = ASKED.search(question)
    return found["name"] if found else ""


def _kind(token: str) -> str:
    low = token.lower()
    singular = low[:-1] if low.endswith("s") else low
    return singular if singular in KINDS else ""


BETWEEN = r"[\s()\[\],;:]+"


def _held(name: str, venues: list[str]) -> bool:
    # "Workshops" in a venue holds "workshop"; "NeurIPS workshops" is held by "(NeurIPS)
    # Workshops": brackets and commas between the words are no words
    joined = BETWEEN.join(re.escape(w) for w in name.lower().split())
    pattern = re.compile(rf"(?<![\w-]){joined}s?(?![\w-])")
    return any(pattern.search(v) for v in venues)


def _initials(venue: str) -> str:
    """'PCEMNLP' for 'Proceedings of the Conference on Empirical Methods in Natural Language
    Processing': the capitalised words' first letters."""
    return "".join(w[0] for w in WORD.findall(venue) if w[0].isupper())


def _acronym(name: str, initials: list[str]) -> bool:
    """'EMNLP' names a venue written out ("Empirical Methods in Natural Language
    Processing"): an acronym of three letters or more that a venue's initials hold."""
    return name.isalpha() and name.isupper() and len(name) >= 3 and any(name in i for i in initials)


def _subtitled(name: str, venues: Collection[str]) -> bool:
    """'AEJ: Macroeconomics' for "American Economic Journal: Macroeconomics": an acronym of
    the title before the colon, and the words after it that the venue's subtitle opens with."""
    short, colon, rest = name.partition(":")
    if not colon or not rest.strip():
        return False
    for venue in venues:
        title, _, subtitle = venue.partition(":")
        if _acronym(short.strip(), [_initials(title)]) and " ".join(
            subtitle.lower().split()
        ).startswith(" ".join(rest.lower().split())):
            return True
    return False


def venue_matches(name: str, venue: str | None) -> bool:
    """A record's venue holds the name (case and spacing aside), or writes out the acronym
    the name is."""
    if not venue:
        return False
    held = _held(name, [" ".join(venue.lower().split())])
    return held or _acronym(name, [_initials(venue)]) or _subtitled(name, [venue])
