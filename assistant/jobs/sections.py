"""What summaries and bios share: checking a reply's sentences (in the third person), and
rendering checked sentences section by section with keys renumbered across the whole
answer, so a streamed section reads exactly as it will in the final answer."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from assistant.evidence.grounding import Checker, Composer, Draft, Source
from assistant.evidence.parsed import nlp
from assistant.evidence.verify import Verifier
from assistant.model.replies import ReplySentence
from assistant.types import Answer, Sentence, Timings
from retrieval.text import split_sentences, tokenize

# An abstract's own voice, turned into a reader's: "We introduce X" -> "The authors
# introduce X". Only the pronouns change, so the grounding check still sees the source words.
FIRST_PERSON = [
    (re.compile(r"^\s*(?:In\s+this\s+(?:paper|work),\s*)?we\b", re.I), "The authors"),
    (re.compile(r"^\s*our\b", re.I), "Their"),
    (re.compile(r"\bwe\b"), "they"),
    (re.compile(r"\bWe\b"), "They"),
    (re.compile(r"\bour\b"), "their"),
    (re.compile(r"\bOur\b"), "Their"),
    (re.compile(r"\bus\b"), "them"),
    (re.compile(r"\bourselves\b"), "themselves"),
]


# The prompt's numbering echoed back ("Paper 4 presents ..."): the number is the citation's
# business, the sentence speaks of "one paper".
NUMBERED = re.compile(
    r"\b(?:the\s+)?(?:paper|source)\s+\[?\d+\]?(?=[\s,.;:])(?::\s*(?-i:([A-Z])(?=[a-z]*\b)))?", re.I
)


def third_person(text: str) -> str:
    for pattern, replacement in FIRST_PERSON:
        text = pattern.sub(replacement, text)
    return NUMBERED.sub(_one_paper, text)


def _one_paper(match: re.Match[str]) -> str:
    """'Paper 1: Uses X' -> 'One paper uses X' (the verb after the colon is not a name)."""
    lead = "One paper" if match.start() == 0 else "one paper"
    return f"{lead} {match[1].lower()}" if match[1] else lead


# What the model writes after a paper's name when it copies the abstract's voice ("here,
# they present X", "overall, we conclude ..."), or names the paper again ("the paper
# introduces X").
AUTHORS_SUBJECT = re.compile(r"^(?:[^,]{1,80},\s*)?(?:we|they|the\s+authors)\s+", re.I)
PAPER_SUBJECT = re.compile(r"^(?:the|this)\s+(?:paper|work|study|article)\s+(?=[a-z])", re.I)
PAPERS_SUBJECT = re.compile(r"^the\s+(?:papers|works|studies|articles)\s+(?=[a-z])", re.I)
FINITE = {"VBZ", "VBD", "VBP", "VBN", "MD"}
VERBS = {"VERB", "AUX"}


def with_subject(subject: str, rest: str) -> str:
    """A summary sentence from a paper's name and what the model wrote after it: 'MAGI' +
    'combines masked and causal modeling' as one sentence; a noun phrase is what the
    paper is ('a 30B model' -> 'X is a 30B model'); a clause with its own subject is what
    the paper reports ('VLMs are trained on ...' -> 'X reports that VLMs are ...'); the
    abstract's "we" is the authors. Only words around the model's are added, never facts."""
    rest = " ".join(rest.split()).rstrip(".")
    if not rest:
        return ""
    if _squeezed(rest).startswith(_squeezed(subject)):
        text = rest
    elif AUTHORS_SUBJECT.match(rest):
        text = AUTHORS_SUBJECT.sub("The authors ", rest, count=1)
    elif PAPERS_SUBJECT.match(rest):  # "the papers show": a plural verb, said of one paper
        text = PAPERS_SUBJECT.sub("The authors ", rest, count=1)
    elif PAPER_SUBJECT.match(rest):
        text = f"{subject} {PAPER_SUBJECT.sub('', rest, count=1)}"
    else:
        first, _, tail = rest.partition(" ")
        if first[:1].isupper() and (first[1:].islower() or first == "A"):  # not "GAN", "3D"
            rest = f"{first.lower()} {tail}".strip()
        lead = nlp()(f"It {rest}")[1]  # as a predicate: "It combines ...", "It a model ..."
        word = lead.text == lead.lower_  # "COSIPY is ...": a name, whatever its tag
        if word and lead.tag_ in FINITE - {"VBP"}:
            text = f"{subject} {rest}"
        elif word and (lead.tag_ == "VBP" or nlp()(f"They {rest}")[1].tag_ == "VBP"):
            text = f"The authors {rest}"  # "present a method": the authors do
        elif any(_subject_of_clause(t) for t in nlp()(rest)):
            text = f"{subject} reports that {rest}"
        elif lead.lower_ in ("a", "an", "the"):
            text = f"{subject} is {rest}"
        else:
            text = f"{subject} is {'an' if rest[:1].lower() in 'aeiou' else 'a'} {rest}"
    return text[:1].upper() + text[1:] + "."


def _subject_of_clause(token: Any) -> bool:
    """The subject of a finite main verb, unless the two disagree in number: in "framework
    for animation with a user click" the parser may read "click" as a verb whose subject is
    "framework", which it cannot be ("a framework clicks")."""
    verb = token.head
    return (
        token.dep_ in ("nsubj", "nsubjpass")
        and verb.dep_ == "ROOT"
        and verb.pos_ in VERBS
        and (
            verb.tag_ in ("VBZ", "VBD", "VBP")
            or any(c.dep_.startswith("aux") for c in verb.children)
        )
        and not (token.tag_ == "NN" and verb.tag_ == "VBP")
    )


def _squeezed(text: str) -> str:
    return re.sub(r"[\s\-]", "", text.lower())


# A sentence about one paper that calls it "one paper" (the code's own word for the prompt's
# "Paper 4", or the model's): the reader cannot tell which.
ONE_PAPER = re.compile(r"^(?:One|This|The|A|Another)\s+(?:paper|study|work|article)\b")
THE_AUTHORS = re.compile(r"^The\s+authors\b")  # the abstract's "We", made third person


def by_authors(sentence: Sentence, sources: Mapping[str, Source]) -> Sentence:
    """'One paper uses dialog states ... [1]' as a reader cites it: 'The paper by Zhang et al.
    (2020) uses dialog states ...'; 'The authors find' -> 'Cloyne et al. (2023) find'. Only
    the subject changes, from the cited record's own metadata; a sentence citing several
    papers is left as written."""
    source = sources.get(sentence.keys[0]) if len(sentence.keys) == 1 else None
    cited = source.paper.cited_as() if source else ""
    if not cited:
        return sentence
    text = ONE_PAPER.sub(f"The paper by {cited}", sentence.text, count=1)
    if source is not None and len(source.paper.authors) > 1:  # "find" agrees with both
        text = THE_AUTHORS.sub(cited, text, count=1)
    return sentence.model_copy(update={"text": text})


def drafts(item: ReplySentence) -> list[Draft]:
    """A reply item as drafts to check, one per sentence, in a reader's voice ("Our results
    show" -> "Their"). An item may hold several sentences (a bio's one "sentence" once held
    six, the first of them praise no source states), and each must stand on its own."""
    keys = [str(k) for k in item.sources]
    return [
        Draft(text=third_person(text), sources=keys)
        for text in split_sentences(item.text) or [item.text]
    ]


MIN_WORDS = 4  # a summary's or bio's sentence says what a work did; "J._quantum Chem" does not


def check_items(checker: Checker, items: Sequence[ReplySentence]) -> list[Sentence]:
    """Each sentence checked; a fragment too short to say what a work did is removed (a
    grammar that allows one sentence per paper once turned "J. Chem." into one), and so is
    a sentence that is only a paper's title (the 1.5B model's way of filling a slot)."""
    if not items:  # called on every streamed piece; most complete no sentence
        return []
    out = []
    titles = [set(tokenize(s.paper.title)) for s in checker.sources.values()]
    for draft in (d for item in items for d in drafts(item)):
        words = {w for w in tokenize(draft.text) if not w.isdigit()}
        if len(draft.text.split()) < MIN_WORDS:
            out.append(Sentence(text=draft.text, status="unsupported", note="not a sentence"))
        elif any(words <= title for title in titles):  # a paper's title is not a finding
            out.append(Sentence(text=draft.text, status="unsupported", note="only a title"))
        else:
            out.append(checker.check(draft)[0])
    return out


def verified_only(sentence: Sentence, verifier: Verifier | None) -> Sentence:
    """Summaries and bios show only what the verifier passed: a sentence merely cited is
    removed, not replaced by a copy of the abstract (with no verifier, as in unit tests,
    checking stops at the citation check)."""
    if verifier is None or sentence.status in ("verified", "unsupported", "fact"):
        return sentence
    note = sentence.note or "not verified"
    return sentence.model_copy(update={"status": "unsupported", "keys": [], "note": note})


class Renderer:
    """Sections rendered one at a time; keys renumbered by first use across all of them."""

    def __init__(self, sources: Sequence[Source], *, prose: bool = False) -> None:
        self.composer = Composer(sources)
        self.prose = prose
        self.blocks: list[str] = []
        self.heading = ""  # the section `line` is writing

    def add(self, heading: str, sentences: Sequence[Sentence]) -> str:
        """The rendered block ('' when nothing in it survived checking)."""
        start = len(self.composer.sentences)
        for sentence in sentences:
            self.composer.add(sentence)
        kept = [s for s in self.composer.sentences[start:] if s.status != "unsupported"]
        if not kept:
            return ""
        if self.prose:
            body = [" ".join(_with_marks(s) for s in kept)]
        else:
            body = [_bullet(s) for s in kept]
        block = "\n".join([f"**{heading}**", *body] if heading else body)
        self.blocks.append(block)
        return block

    def line(self, heading: str, sentence: Sentence) -> str:
        """One more sentence of section `heading` (a bullet, or in prose the paragraph's next
        sentence), as the text to append to
        what was streamed so far: '' when it was removed, a new block when the heading
        changes. The blocks stay exactly what `answer` joins."""
        start = len(self.composer.sentences)
        self.composer.add(sentence)
        added = self.composer.sentences[start:]
        if not added or added[0].status == "unsupported":
            return ""
        # prose: a theme's sentences run on as one paragraph
        piece, joint = (_with_marks(added[0]), " ") if self.prose else (_bullet(added[0]), "\n")
        if self.blocks and self.heading == heading:
            self.blocks[-1] += joint + piece
            return joint + piece
        self.heading = heading
        self.blocks.append(f"**{heading}**\n{piece}" if heading else piece)
        return "\n\n" + self.blocks[-1]

    def answer(self, intro: str, *, kind: str, model: str, timings: Timings) -> Answer:
        final = self.composer.sentences
        citations = self.composer.citations
        return Answer(
            text="\n\n".join([intro, *self.blocks]).strip(),
            answered=bool(citations),
            citations=citations,
            unsupported=sum(s.status == "unsupported" for s in final),
            reattributed=sum(s.status in ("reattributed", "attributed") for s in final),
            sentences=final,
            kind=kind,
            model=model,
            timings=timings,
        )


def _bullet(sentence: Sentence) -> str:
    return f"- {_with_marks(sentence).rstrip('.')}"


def _with_marks(sentence: Sentence) -> str:
    body = sentence.text.rstrip().rstrip(".!?")
    marks = "".join(f"[{k}]" for k in sentence.keys)
    return f"{body} {marks}.".replace(" .", ".") if marks else f"{body}."


def assemble(
    intro: str,
    sections: list[tuple[str, list[Sentence]]],
    sources: Sequence[Source],
    *,
    kind: str,
    model: str,
    timings: Timings,
    prose: bool = False,
) -> Answer:
    """All sections at once (the non-streaming path)."""
    renderer = Renderer(sources, prose=prose)
    for heading, sentences in sections:
        renderer.add(heading, sentences)
    return renderer.answer(intro, kind=kind, model=model, timings=timings)
