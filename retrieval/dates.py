"""The ways a question gives years: a year, a range, a decade, "since", "before", "this
year", "in the last 3 years". Read by `query.analyze`; English only."""

from __future__ import annotations

import re

YEAR = r"((?:19|20)\d\d)"
YEAR_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # "in the 2010s", "the 1990's": a decade is its ten years
    (
        re.compile(r"\b(?:in\s+|from\s+|during\s+)?(?:the\s+)?((?:19|20)\d0)['’]?s\b", re.I),
        "decade",
    ),
    # "his 2024 and 2025 papers": two years in a row are the range they span
    (re.compile(rf"\b{YEAR}\s*(?:and|or|&|,|/)\s*{YEAR}\b", re.I), "pair"),
    (re.compile(rf"\bbetween\s+{YEAR}\s+and\s+{YEAR}\b", re.I), "range"),
    (re.compile(rf"\bfrom\s+{YEAR}\s+(?:to|until|through)\s+{YEAR}\b", re.I), "range"),
    (re.compile(rf"\b{YEAR}\s*[-–]\s*{YEAR}\b"), "range"),
    (re.compile(rf"\b(?:since|starting(?:\s+in)?)\s+{YEAR}\b", re.I), "since"),
    (re.compile(rf"\bfrom\s+{YEAR}\s+(?:on|onwards?)\b", re.I), "since"),
    (re.compile(rf"\b(?:in\s+or\s+after|no\s+earlier\s+than)\s+{YEAR}\b", re.I), "since"),
    # "in 2019 or earlier", "2021 and later": the year bounds one side only.
    (re.compile(rf"\b(?:in\s+)?{YEAR}\s+(?:or|and)\s+(?:earlier|before|prior)\b", re.I), "until"),
    (re.compile(rf"\b(?:in\s+)?{YEAR}\s+(?:or|and)\s+(?:later|after|since)\b", re.I), "since"),
    (re.compile(rf"\bafter\s+{YEAR}\b", re.I), "after"),
    (re.compile(rf"\b(?:before)\s+{YEAR}\b", re.I), "before"),
    (re.compile(rf"\b(?:until|up\s+to|through|by\s+the\s+end\s+of)\s+{YEAR}\b", re.I), "until"),
    (re.compile(rf"\b(?:in|during|of|from|dated)\s+{YEAR}\b", re.I), "in"),
    (re.compile(rf"\b{YEAR}\s+(?:papers?|publications?|works?)\b", re.I), "in"),
    # "a 2022 date", "whose publication year is 2021"
    (re.compile(rf"\b{YEAR}\s+(?:publication\s+)?date\b", re.I), "in"),
    (re.compile(rf"\byear\s+(?:is\s+|was\s+|of\s+|=\s*|:\s*)?{YEAR}\b", re.I), "in"),
]
RELATIVE_YEARS = [
    (re.compile(r"\bthis\s+year\b", re.I), 0),
    (re.compile(r"\blast\s+year\b", re.I), -1),
]
# "in the last 3 years": this year and the 3 before it (a paper from early in the third
# year back is still "in the last 3 years" late in this one).
LAST_YEARS = re.compile(
    r"\b(?:in\s+|over\s+|during\s+|from\s+|within\s+)?(?:the\s+)?(?:last|past|recent|previous)\s+"
    r"(?P<n>\d{1,2}|two|three|four|five|six|seven|eight|nine|ten)\s+years?\b",
    re.I,
)
NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8}
NUMBER_WORDS |= {"nine": 9, "ten": 10}
