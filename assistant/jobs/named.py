"""The paper a question names, and what the code can say of it without the model: its own
description, quoted, and its metadata (authors, year, venue), exact."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from assistant.evidence.asked import parts, the
from assistant.evidence.attributes import AUX
from assistant.evidence.english import is_function_word
from assistant.evidence.grounding import Source, compose
from assistant.evidence.select import coined_names, holds_all
from assistant.types import Answer, Sentence
from retrieval.models import Paper
from retrieval.query import REQUEST_WORDS
from retrieval.text import split_sentences, tokenize

# "Who wrote X?", "authors of X", "What year was X published?", "Where was X published?"
PAPER_META = re.compile(
    r"\bwho\s+(?:wrote|authored|are\s+the\s+authors|were\s+the\s+authors)\b|\bauthors?\b"
    r"|\b(?:what|which)\s+year\b|\bwhen\s+(?:was|did)\b"
    r"|\b(?:where|which\s+venue|what\s+venue)\b.*\b(?:published|appear(?:ed)?|came\s+out|"
    r"come\s+out|presented)\b|\bvenue\b|\b(?:which|what)\s+(?:journal|conference)\b",
    re.I,
)


def title_name(paper: Paper) -> str:
    """'dino' for 'DINO: DETR with ...' (lower-cased, for matching); '' when it has none."""
    return paper.name().lower()


def named_papers(text: str, papers: Sequence[Paper]) -> list[int]:
    """Positions of the papers the text names by their title's name ("DINO", "Mask DINO");
    a name inside a longer named one ("DINO" in "Mask DINO") does not count."""
    lowered = _plain(text)
    quoted = {q.strip().rstrip(".?! ") for q in QUOTED.findall(lowered)}
    found = {
        j: name
        for j, p in enumerate(papers)
        for name in (title_name(p), _whole_title(p, quoted))
        # the substring test first: a chat message is matched against every paper
        if name
        and name in lowered
        and re.search(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])", lowered)
    }
    return [
        j
        for j, name in found.items()
        if not any(name != other and name in other for other in found.values())
    ]


def _plain(text: str) -> str:
    """Lower case, one space, no commas, semicolons or colons: a title typed without its
    punctuation ("short-term tax cuts long-term stimulus") is the title."""
    return " ".join(re.sub(r"[,;:](?=\s)", " ", text.lower()).split())


QUOTED = re.compile(r"[\"'‘“]([^\"'’”]+)[\"'’”]")


def _whole_title(paper: Paper, quoted: set[str]) -> str:
    """The whole title as a name: of four words or more anywhere, a shorter one only in
    quotes ('User-defined repertoires'), where it cannot be the question's own words."""
    title = _plain(paper.title).rstrip(".?! ")
    return title if len(title.split()) >= 4 or title in quoted else ""


def named_source(question: str, sources: Sequence[Source]) -> Source | None:
    """The shown paper the question names: by its title's name ("DINO") or by coined names
    only its record holds ("Step-3")."""
    papers = [s.paper for s in sources]
    for j in named_papers(question, papers):
        return sources[j]
    coined = coined_names(question)
    holders = [s for s in sources if coined and holds_all(s.paper, coined)]
    return holders[0] if len(holders) == 1 else None


def quote(key: str, paper: Paper, sentence: str, again: bool = False) -> Sentence:
    """A record sentence shown as what it is: a quote of the paper's abstract, cited;
    `again` for a second quote of the same abstract, right after the first."""
    name = paper.title.split(":")[0].strip()
    lead = "It also states" if again else f"{the(name)} abstract states"
    text = f'{lead}: "{sentence.rstrip(".")}"'
    return Sentence(text=text, keys=[key], status="quoted")


def describe(
    source: Source, question: str = "", best: Callable[[Paper, str], str] | None = None
) -> list[Sentence]:
    """The named paper's own sentence, quoted and cited: the one `best` finds for what the
    question asks beyond the paper's name ("the speedup of X's cache"), else its first
    shown sentence, what it says it is ("Tell me about X")."""
    sentences = split_sentences(source.shown) or split_sentences(source.paper.abstract)
    named = set(tokenize(source.paper.title)) | REQUEST_WORDS
    beyond = [w for w in tokenize(question) if w not in named and not is_function_word(w)]
    if best is not None and beyond:
        sentences = [best(source.paper, " ".join(beyond))]
    return [quote(source.key, source.paper, sentences[0])] if sentences else []


def paper_metadata(question: str, source: Source) -> list[Sentence]:
    """Authors, year and venue of a named paper, when the question asks for them."""
    if not PAPER_META.search(question):
        return []
    p = source.paper
    name = p.title.split(":")[0].strip()
    out = []
    if re.search(r"\bwho\b|\bauthor", question, re.I) and p.authors:
        listed = ", ".join(p.authors[:12])
        if p.authors_truncated or len(p.authors) > 12:  # the source listed only the first
            out.append(f"{name}'s record lists its first authors as {listed}, and others")
        else:
            out.append(f"{name} lists {len(p.authors)} authors: {listed}")
    if re.search(r"\byear\b|\bwhen\b", question, re.I) and p.year:
        out.append(f"{name} is dated {p.year}")
    if re.search(r"\bvenue\b|\bwhere\b|\bjournal\b|\bconference\b", question, re.I):
        # "what journal was X in?": the record's venue, or that it gives none
        out.append(
            f"{name} appeared in {p.venue}" if p.venue else f"{name}'s record gives no venue"
        )
    return [Sentence(text=t, keys=[source.key], status="fact") for t in out]


def composed(sentences: Sequence[Sentence], shown: Sequence[Source], model: str) -> Answer:
    text, citations, kept = compose(sentences, shown)
    return Answer(text=text, answered=True, citations=citations, sentences=kept, model=model)


# "Which paper argues ...", "which of her papers ...", "I'm looking for work on ...", "which
# one is that?": the answer is a paper, by its title.
IDENTIFY = re.compile(
    r"\b(?:which|what)\s+(?:(?:one\s+)?of\s+(?:his|her|their|the|these|(?:[\w.-]+\s+){0,2}[\w.-]+['’]s?)\s+)?"
    r"(?:papers?|works?|stud(?:y|ies)|articles?|publications?)\b"
    r"|\b(?:looking\s+for|searching\s+for|know\s+of)\s+(?:a\s+|the\s+|any\s+)?"
    r"(?:papers?|work|stud(?:y|ies)|articles?)\b|\bwhich\s+one\s+(?:is|was)\s+(?:that|it)\b",
    re.I,
)


# A direct question: a wh-word, then within two words a verb that asks ("where did they",
# "how many params does it have", "what's").
ASKED = re.compile(
    rf"^\W*(?:and\s+)?(?:what|which|how|where|when|who|why)(?:['’]s|\s+(?:[\w-]+\s+){{0,2}}{AUX}\b)",
    re.I,
)


def beyond_which(question: str) -> list[str]:
    """What a record's quotes should answer, a part each: "Which paper was that, and where
    did they find its training data?" asks beyond which paper, and the description that
    found the paper is no longer the question; else every part of the question."""
    pieces = [a.text for a in parts(question)]
    which = [i for i, piece in enumerate(pieces) if IDENTIFY.search(piece)]
    rest = pieces[which[-1] + 1 :] if which else []
    # a question of its own ("where did they ..."), not the description going on
    # ("which paper is about X, and how posting online mixed with organising")
    if rest and all(ASKED.match(p) for p in rest):
        return rest
    return pieces if len(pieces) > 1 and not which else [question]


# "Is it partisanship that keeps them away, or is it mostly heavy users who look?": each
# side of a closed choice is a question the record may answer in its own sentence
CHOICES = re.compile(
    r",?\s+or\s+(?=(?:is|are|was|were|do|does|did|has|have|had|can|could|would|will)\b)",
    re.I,
)


def part_quotes(
    key: str, paper: Paper, question: str, best: Callable[[Paper, str], str]
) -> list[Sentence]:
    """The record's sentence nearest each asked part, quoted once each, in the record's order:
    "who sees fact checks, and what gets blamed?" is two sentences, not the one nearest both."""
    pieces = [alt for piece in beyond_which(question) for alt in CHOICES.split(piece) if alt]
    said = dict.fromkeys(best(paper, piece) for piece in pieces[:3])
    order = split_sentences(paper.abstract)
    ranked = sorted(said, key=lambda s: order.index(s) if s in order else len(order))
    kept = [sentence for sentence in ranked if sentence]
    return [quote(key, paper, sentence, again=i > 0) for i, sentence in enumerate(kept)]
