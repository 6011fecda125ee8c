"""The phrasings that decide what a question asks for: a count, a list of papers, or one
paper; and the phrases that join papers to their topic or say whose or where they are.
Read by `query.analyze`; English only, nothing of a field or a corpus."""

from __future__ import annotations

import re

PAPER_NOUNS = r"(?:papers|works|publications|pubs|articles|items|entries)"
# What a researcher "put out", "published" or "had" in a year is papers, whatever the noun
# ("how many things did he put out in 2020?").
PUT_OUT = (
    r"(?:did|has|have|had)\s+(?:he|she|they|[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?)\s+"
    r"(?:publish|put\s+out|release|write|produce|bring\s+out|get\s+out)\b"
)
COUNT = re.compile(
    # "how many of yichi's papers", "how many of the library's papers"
    rf"\b(?:how\s+many|number\s+of|count\s+(?:the\s+)?)\s*(?:[\w'’-]+\s+){{0,3}}?{PAPER_NOUNS}\b"
    rf"|\bhow\s+many\s+(?:\w+\s+){{1,2}}?{PUT_OUT}"
    # "how many things on her list are from 2025?": what the list holds
    r"|\bhow\s+many\s+(?:things|ones)\s+(?:on|in)\s+(?:\w+\s+)?(?:list|library|collection)\b"
    # "how many of these has X coauthored?": the papers in view, their noun left out
    r"|\bhow\s+many\s+of\s+(?:these|those|them)\s+(?=(?:has|have|had|did|does|do|are|were|is|"
    r"was|came|appeared)\b)",
    re.I,
)
# "2025 alone - how many ...?": a year standing on its own in a count or a list
BARE_YEAR = re.compile(r"(?<![\w-])((?:19|20)\d\d)(?![\w-])")
# Plural only: "Which paper proposes X?" is a lookup, "Which papers study X?" a list.
LIST = re.compile(
    rf"^\s*(?:which|what|list|show|name|give\s+me|find|enumerate)\b.*\b{PAPER_NOUNS}\b"
    r"|\blist\s+(?:all|the|every)\b"
    # "What has this researcher published on X?": what was published is a list of papers.
    r"|^\s*what\s+(?:has|have|did)\b.*\b(?:published|written|wrote|publish|write)\b"
    # "What did he put out in 2022?": what was put out, released or produced too.
    rf"|^\s*what\s+{PUT_OUT}"
    # "Anything on X?", "Is there something about X?": whatever papers there are.
    r"|^\s*(?:(?:is|was)\s+there\s+|(?:have\s+)?(?:you\s+)?got\s+)?(?:anything|something)\b"
    # "All the stuff she's done using X", "everything he worked on in Y": every paper on it.
    r"|^\s*(?:all\s+(?:(?:of\s+)?(?:the|her|his|their|my)\s+)?"
    rf"(?:stuff|things|work|research|{PAPER_NOUNS})|everything)\b"
    # "papers in the Journal of X", "publications from 2020": a list, typed as a search
    rf"|^\s*{PAPER_NOUNS}\s+(?:in|at|from|by|with|on|about)\b"
    # "What does the library have from The Cryosphere?": what the corpus holds
    r"|^\s*what\s+(?:does|do|did)\s+(?:the|my|this|your|our)\s+"
    r"(?:library|collection|corpus|bibliography|list)\s+(?:have|hold|contain|include)\b"
    # "Can you pull together everything he's done on X?": every paper on it, collected
    r"|\b(?:pull|put|bring|gather|round)\s+(?:together|up)\s+(?:all|everything|"
    rf"(?:his|her|their)\s+(?:work|research|{PAPER_NOUNS}))\b",
    re.I,
)
# "the stuff she's done", "things he has worked on": the papers, said of what was done.
DONE = re.compile(
    r"\b(?:(?:stuff|things|everything)\s+)?(?:(?:that|which)\s+)?(?:she|he|they)"
    r"(?:['’](?:s|ve)|\s+(?:has|have|had))?\s+(?:done|worked\s+on)\b",
    re.I,
)
# "Can you pull together everything ...", "round up her work on X": asking to collect the
# papers, said with a phrasal verb whose words are no topic
GATHER = re.compile(
    r"\b(?:pull|put|bring|gather|round)\s+(?:together|up)\b(?=\s+(?:all|everything|"
    rf"(?:his|her|their)\s+(?:work|research|{PAPER_NOUNS}))\b)",
    re.I,
)
# "her newest papers", "his latest publications": all of them, newest first (a list is),
# the adjective no topic
RECENT = re.compile(
    rf"\b(?:most\s+recent|latest|newest|recent)(?=\s+(?:ones|{PAPER_NOUNS})\b)", re.I
)
# "set in India", "conducted in Kenya": where the work is, said with a verb that names
# nothing; the place is the topic.
WHERE = re.compile(
    r"\b(?:set|based|located|situated|conducted|carried\s+out|done|held|sited)(?=\s+in\b)", re.I
)
# "papers that focus on X", "work dealing with X": the verb joining the papers to their topic.
ABOUT_VERB = re.compile(
    rf"\b{PAPER_NOUNS}\s+(?P<verb>(?:that\s+|which\s+)?(?:focus(?:es|ed|ing)?|concern(?:s|ing)?|"
    r"cent(?:er|re)(?:s|d|ed)?|discuss(?:es|ing)?|address(?:es|ing)?|look(?:s|ing)?\s+at|"
    r"examin(?:e|es|ing))\s+(?:on\s+|upon\s+|with\s+)?)",
    re.I,
)
# "in the library", "from my collection": where the papers are, said of the corpus itself.
IN_CORPUS = re.compile(
    r"\b(?:in|from|of)\s+(?:the|my|this|your|our)\s+(?:library|collection|corpus|bibliography)\b"
    # "the library's papers on X"
    r"|\b(?:the|my|this|your|our)\s+(?:library|collection|corpus|bibliography)['’]s(?!\w)",
    re.I,
)
# "Bhalla's papers" in a corpus whose owner is not known: a possessive name before the
# papers is whose they are, not what they are about.
WHOSE = re.compile(rf"(?<![\w-])[A-Z][\w-]+['’]s(?=\s+(?:\w+\s+)?{PAPER_NOUNS}\b)")
# "all his EMNLP papers, Findings included", "including workshop papers": what the list
# takes in as well, not what it is about.
INCLUDED = re.compile(
    r",\s*(?:[\w-]+\s+){1,3}?(?:included|too|as\s+well)\b|"
    r"\b(?:including|incl\.|counting|plus)\s+(?:[\w-]+\s+){0,2}?(?:[\w-]+)(?=\s*[?.!]*\s*$)",
    re.I,
)
_WHICH_OF = rf"^\s*(?:which|what)\s+(?:one\s+)?of\s+(?:[\w'’-]+\s+){{0,3}}?{PAPER_NOUNS}"
# "Which of his papers addresses X?": one of the papers, named by a singular verb, is asked for.
ONE_OF = re.compile(
    _WHICH_OF + r"\s+(?:is|was|has|does|\w+(?:es|[^su\W]s))\b",  # not 'focus': plural forms
    re.I,
)
# "Which of her papers looked at letting a rover pick its own targets, and what approach
# worked best?": whatever the verb's number, a topic this long describes one paper.
WHICH_OF = re.compile(_WHICH_OF + r"\b", re.I)
DESCRIBES_ONE = 8
# "the most recent paper", "his first paper": one paper by date.
PICK_NEWEST = re.compile(
    r"\b(?:most\s+recent|latest|newest|last)\s+(?:paper|publication|work|article|item|entry|one)\b"
    # "what did he publish most recently?"
    r"|\b(?:publish(?:ed)?|put\s+out|release[sd]?|wr(?:ote|itten))\s+most\s+recently\b",
    re.I,
)
# "the three most recent papers", "his 2 earliest publications": that many, by date
PICK_SOME = re.compile(
    r"\b(?:the\s+|(?:his|her|their)\s+)?(?P<n>\d{1,2}|two|three|four|five|six|seven|eight|nine|ten)"
    r"\s+(?P<which>most\s+recent|latest|newest|last|first|earliest|oldest)\s+"
    r"(?:papers|publications|works|articles|pubs)\b",
    re.I,
)
PICK_OLDEST = re.compile(
    r"\b(?:first|earliest|oldest)\s+(?:paper|publication|work|article|item|entry|one)\b", re.I
)
# "first-author papers", "where she is lead author": the owner (or the name given) first
FIRST_AUTHOR = re.compile(
    r"\b(?:first|lead)[- ]author(?:ed)?\s+(?:papers?|publications?|works?|articles?|pubs)\b"
    r"|\b(?:first|lead)[- ]authored\b|\bas\s+(?:the\s+)?(?:first|lead)\s+author\b"
    # "where she is first author", "is he the lead author" (not "who is the first author of X")
    r"|\b(?:he|she|they|(?!(?:Who|What|Which)\b)[A-Z][\w'-]+)\s+(?:is|was|are|were)\s+(?:the\s+)?"
    r"(?:first|lead)\s+author\b"
    r"|\b(?:is|was|are|were)\s+(?:he|she|they)\s+(?:the\s+)?(?:first|lead)\s+author\b",
    re.I,
)
# "solo-authored papers", "anything she wrote alone": one listed author
SOLO = re.compile(
    r"\b(?:solo|single|sole)[- ]author(?:ed)?\b|\b(?:wrote|written|authored|published)\s+alone\b"
    # a person's, not things' ("robots that learn on their own")
    r"|\bby\s+(?:him|her)self\b|\bon\s+(?:his|her)\s+own\b",
    re.I,
)
