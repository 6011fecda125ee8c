"""Answers the code writes without the model: not stated, not covered, metadata lists and
counts, corpus facts, and topic lists. Each is a result, never an exception.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence

import numpy as np

from assistant.evidence.asked import (
    Asked,
    holds_named,
    mentions,
    not_stated_text,
    subject,
    the,
)
from assistant.evidence.compress import Compressor
from assistant.evidence.facts import PER_PAPER_CITED, Fact, facts_for, of_the_papers
from assistant.evidence.grounding import (
    Composer,
    Source,
    allowed_words,
    claims,
    compose,
    mint_sources,
)
from assistant.evidence.select import on_topic
from assistant.evidence.slots import Slot, fills, names_slot, slot_of
from assistant.jobs.named import IDENTIFY, named_papers, part_quotes, quote
from assistant.settings import AnswerSettings
from assistant.types import NOT_COVERED, Answer, Citation, Sentence
from retrieval.models import CorpusInfo, Hit, Paper
from retrieval.query import QueryPlan
from retrieval.text import split_sentences, tokenize


def not_covered() -> Answer:
    return Answer(text=NOT_COVERED, answered=False, model="retrieval")


def subject_paper(asked: Asked, papers: Sequence[Paper]) -> Paper | None:
    """The paper a part is about: the first holding its named terms (the top hit if it names
    none)."""
    if not asked.named:
        return papers[0] if papers else None
    names = f"{asked.text} {' '.join(asked.named)}".lower()
    exact = sorted(
        (
            p
            for p in papers
            if ":" in p.title and p.title.partition(":")[0].strip().lower() in names
        ),
        key=lambda p: -len(p.title.partition(":")[0]),
    )
    return next((p for p in [*exact, *papers] if holds_named(asked, p)), None)


def not_stated(asked: Sequence[Asked], papers: Sequence[Paper]) -> Answer:
    """'The DINO abstract does not state the number of parameters.': answered=False, no
    citations, the papers looked at in `checked`."""
    lines = [not_stated_text(a, subject_paper(a, papers)) for a in asked if a.attribute]
    checked = mint_sources(papers)
    return Answer(
        text=" ".join(dict.fromkeys(lines)),
        answered=False,
        checked=[Citation(key=s.key, paper=s.paper) for s in checked],
        sentences=[Sentence(text=line, status="fact", note="not stated") for line in lines],
        model="retrieval",
    )


# A single paper referred to by a description: "the tax cut paper", "in that study".
ONE_PAPER = re.compile(r"\b(?:paper|study|article)\b(?!['’]s)", re.I)


def _describes_one(question: str) -> bool:
    return bool(ONE_PAPER.search(question)) and not IDENTIFY.search(question)


def evidenced(
    question: str, composer: Composer, best: Callable[[Paper, str], str]
) -> list[Sentence]:
    """What an answer whose sentences are only cited adds from the record: for a question
    asking which paper, the first cited paper's title and year when no kept sentence names
    it; and, when no kept sentence is verified or quoted, that paper's record sentence
    nearest the question (`best`), quoted, so the reader sees what the record says where
    the code could not vouch for the model's words."""
    shown = [s for s in composer.sentences if s.status != "unsupported"]
    cited = [k for s in shown for k in s.keys]
    minted = {new: old for old, new in composer.renumber.items()}
    source = composer.by_key.get(minted.get(cited[0], "")) if cited else None
    if source is None:
        return []
    out = []
    name = source.paper.title.split(":")[0].strip().lower()
    if IDENTIFY.search(question) and not any(name in s.text.lower() for s in shown):
        title = f'The paper is "{source.paper.short_ref()}"'
        out.append(Sentence(text=title, keys=[source.key], status="fact"))
    said = [s for s in shown if s.status in ("verified", "quoted") and not _names_only(s, source)]
    if source.paper.abstract.strip() and not said:
        # "Which paper was that, and where did they find its training data?": the quote is
        # for what is asked beyond which paper, not for the description that found it
        out.extend(part_quotes(source.key, source.paper, question, best))
    return out


def _names_only(sentence: Sentence, source: Source) -> bool:
    """'<Title> (2025) [1].': the paper named and nothing said of it, which tells a reader
    asking "which paper" nothing about why."""
    rest = sentence.text.lower().replace(source.paper.title.lower(), " ")
    return len(re.findall(r"[a-z]{3,}", re.sub(r"\(\d{4}\)|\[\d+\]", " ", rest))) < 3


def naming_quote(
    asked: Sequence[Asked], wanted: Sequence[Slot], question: str, sources: Sequence[Source]
) -> Sentence | None:
    """The record sentence that names what a slot asks for and speaks of it, quoted, from a
    paper holding the question's named terms; of several, the one sharing most words with
    the question."""
    papers = [s.paper for s in sources]
    asked_words = set(tokenize(question))
    # "In the fact checkers paper, which outlets ...": one paper is asked about, the best
    # hit; another paper's sentence naming outlets answers a different question.
    one = _describes_one(question)
    for source in (
        s for s in sources[: 1 if one else None] if all(holds_named(a, s.paper) for a in asked)
    ):
        naming = [
            sentence
            for sentence in split_sentences(source.paper.abstract)
            if any(names_slot(slot, sentence, question, papers) for slot in wanted)
        ]
        if naming:
            best = max(naming, key=lambda s: len(asked_words & set(tokenize(s))))
            return quote(source.key, source.paper, best)
    return None


def slot_answer(
    asked: Sequence[Asked], wanted: Sequence[Slot], question: str, sources: Sequence[Source]
) -> Answer:
    """What a "which X" question gets when no written sentence named X: the record's own
    sentence that names it and speaks of X, quoted; else "does not state which X", with the
    papers looked at in `checked`."""
    papers = [s.paper for s in sources]
    said = naming_quote(asked, wanted, question, sources)
    if said is not None:
        text, citations, kept = compose([said], sources)
        return Answer(text=text, answered=True, citations=citations, sentences=kept, model="quote")
    paper = subject_paper(asked[0], papers) if asked else None
    if paper is None and papers and _describes_one(question):
        paper = papers[0]  # the described paper, though it spells a named term out ("MD")
    what = " or ".join(dict.fromkeys(slot.phrase() for slot in wanted))
    if paper is None:
        line = f"No abstract in the corpus states {what}."
    else:
        kind = "abstract" if paper.abstract.strip() else "record"
        line = f"{the(subject(asked[0], paper))} {kind} does not state {what}."
    return Answer(
        text=line,
        answered=False,
        checked=[Citation(key=s.key, paper=s.paper) for s in sources],
        sentences=[Sentence(text=line, status="fact", note="not stated")],
        model="retrieval",
    )


def facts_answer(facts: list[Fact]) -> Answer:
    sources = mint_sources([p for _, cited in facts for p in cited])
    key_of = {s.paper.id: s.key for s in sources}
    composer = Composer(sources)
    for text, cited in facts:
        composer.add(Sentence(text=text, keys=[key_of[p.id] for p in cited], status="fact"))
    return Answer(
        text=composer.text or NOT_COVERED,
        answered=bool(composer.text),
        citations=composer.citations,
        sentences=composer.sentences,
        model="metadata",
    )


def metadata_answer(plan: QueryPlan, papers: list[Paper]) -> Answer:
    """Exact answers to count/list questions, straight from the catalog."""
    description = plan.filters.describe()
    matching = f" match ({description})" if description else ""
    # newest first by year; an undated record is neither new nor old
    dated = sorted((p for p in papers if p.year), key=lambda p: p.year or 0, reverse=True)
    if plan.pick and dated:
        n = min(plan.picks, len(dated))  # newest first: the oldest are at the end
        papers = dated[:n] if plan.pick == "newest" else dated[::-1][:n]
        which = "most recent" if plan.pick == "newest" else "earliest"
        what = f"{n} {which} papers" if n > 1 else f"{which} paper"
        head = f"The {what} in the corpus{matching and ' (' + description + ')'}:"
    else:
        noun = "paper" if len(papers) == 1 else "papers"
        if len(papers) == 1:
            matching = matching.replace(" match (", " matches (", 1)
        head = f"{len(papers)} {noun}{matching or ' in the corpus'}:"
        if plan.intent == "count":
            head = f"{len(papers)} {noun} in the corpus{matching}:"
    sources = mint_sources(papers)
    if not papers:
        return Answer(text=f"No papers in the corpus{matching}.", answered=False, model="metadata")
    lines = [f"- {s.paper.short_ref()} [{s.key}]" for s in sources]
    return Answer(
        text="\n".join([head, *lines]),
        answered=True,
        citations=[Citation(key=s.key, paper=s.paper) for s in sources],
        sentences=[Sentence(text=head, status="fact")],
        model="metadata",
    )


def nothing_in_filter(plan: QueryPlan, admitted: list[Paper]) -> Answer:
    """A topic list inside a filter that finds nothing: say so, and show what the filter
    matches (as papers looked at, not as support)."""
    description = plan.filters.describe()
    noun = "paper" if len(admitted) == 1 else "papers"
    head = (
        f"None of the {len(admitted)} {noun} {description} is about {plan.topic}. "
        f"The filter ({description}) matches:"
    )
    checked = mint_sources(admitted)
    lines = [f"- {s.paper.short_ref()}" for s in checked]
    return Answer(
        text="\n".join([head, *lines]),
        answered=False,
        checked=[Citation(key=s.key, paper=s.paper) for s in checked],
        sentences=[Sentence(text=head, status="fact", note="nothing on the topic in the filter")],
        model="retrieval",
    )


def fillers(
    asked: Sequence[Asked],
    holding: dict[int, tuple[str, str]],
    sources: Sequence[Source],
    kept: Sequence[str],
) -> list[Sentence]:
    """For each asked part no kept sentence speaks of: the record's sentence holding it
    (`holding`: part -> shown key and sentence), quoted and cited under its shown key, or a
    'does not state' fact where the part asks for an attribute (not for a "which X" detail)."""
    papers = [s.paper for s in sources]
    by_key = {s.key: s.paper for s in sources}
    out = []
    for i, part in enumerate(asked):
        slot = slot_of(part) if len(asked) > 1 and not part.attribute else None
        if (
            slot is not None
            and (slot.kind in ("year", "number") or slot.place)
            and i not in holding
        ):
            # "when did X happen, and how many ...": a part only a date, a count or a place
            # answers; a count answers it only where it speaks of the part's own words
            own = own_words(part, asked)
            if not any(
                fills(slot, text, part.text, papers)
                and (slot.kind != "number" or not own or bool(own & set(tokenize(text))))
                for text in kept
            ):
                found = naming_quote([part], [slot], part.text, sources)
                out.extend([found] if found is not None else [])
            continue
        if not (part.attribute or part.detail) or any(answers(part, text, asked) for text in kept):
            continue
        if i in holding:
            key, sentence = holding[i]
            slot = slot_of(part) if not part.attribute else None
            # a "which countries" part is not answered by "cross-country panel data"; the
            # title holds the part's words but is no sentence of the abstract to quote
            title = sentence.strip() == by_key[key].title.strip()
            if not title and (slot is None or names_slot(slot, sentence, part.text, papers)):
                out.append(quote(key, by_key[key], sentence))
        elif part.attribute:
            stated = not_stated([part], papers).text
            out.append(Sentence(text=stated, status="fact", note="not stated"))
    return out


def answers(part: Asked, text: str, asked: Sequence[Asked]) -> bool:
    """Does a kept sentence answer this part? It speaks of the part's attribute; and where
    another part asks the same attribute ("at what width does A happen, and at which width
    B?"), it holds a word of this part's own, so one value does not answer both."""
    if not mentions(part, text):
        return False
    same = [a for a in asked if a is not part and a.attribute and a.words == part.words]
    own = own_words(part, same) - part.words
    return not same or not own or bool(own & set(tokenize(text)))


def own_words(part: Asked, asked: Sequence[Asked]) -> set[str]:
    """The part's words that no other of the `asked` parts uses."""
    return set(tokenize(part.text)) - {w for a in asked if a is not part for w in tokenize(a.text)}


def finish(composer: Composer, dropped: list[str]) -> Answer:
    final = composer.sentences
    answered = any(s.keys for s in final if s.status != "unsupported")
    return Answer(
        text=composer.text if answered else NOT_COVERED,
        answered=answered,
        citations=composer.citations,
        dropped_keys=dropped,
        unsupported=sum(s.status == "unsupported" for s in final),
        reattributed=sum(s.status in ("reattributed", "attributed") for s in final),
        sentences=final,
    )


def no_venue(name: str, venues: Collection[str]) -> Answer | None:
    """'Did he publish at CVPR?' in a corpus whose records give no venues (a profile page
    without them): it cannot say either way, and says so. None where records give venues:
    a venue may be written out or abbreviated there ("Association for Computational
    Linguistics", "ACL-IJCNLP"), so no record naming it is no answer."""
    if venues:  # the corpus's venue strings, versions' too (Services.venues)
        return None
    text = f"The corpus's records give no venues, so it cannot tell what appeared at {name}."
    return Answer(
        text=text,
        answered=False,
        sentences=[Sentence(text=text, status="fact", note="no venues")],
        model="retrieval",
    )


def topic_answer(
    plan: QueryPlan,
    hits: list[Hit],
    qvec: np.ndarray,
    compressor: Compressor,
    policy: AnswerSettings,
    names: Sequence[str],
) -> Answer:
    """'Which papers are about X': relevant hits with their most relevant sentence."""
    on = on_topic(hits, plan.question, plan.topic, policy.list_relative, policy, names)
    sources = mint_sources(on)
    if not sources:
        return not_covered()
    lines = []
    for source in sources:
        gist = compressor.best_sentence(source.paper, qvec, plan.topic)
        lines.append(f"- {source.paper.short_ref()} [{source.key}]: {gist}")
    noun, verb = ("paper", "is") if len(sources) == 1 else ("papers", "are")
    if plan.intent == "count":
        head = f"{len(sources)} {noun} in the corpus {verb} closely about this (by relevance):"
    else:
        head = f"{len(sources)} {noun} in the corpus {verb} about this (most relevant first):"
    return Answer(
        text="\n".join([head, *lines]),
        answered=True,
        citations=[Citation(key=s.key, paper=s.paper) for s in sources],
        sentences=[Sentence(text=line, status="fact") for line in lines],
        model="retrieval",
    )


# "this paper", "this work": a question about one paper, which no corpus fact answers
PAPER_WORD = re.compile(r"\bpaper\b|\bthis\s+work\b", re.I)


def corpus_facts_asked(
    question: str,
    plan: QueryPlan,
    names: Sequence[str],
    papers: Sequence[Paper],
    info: CorpusInfo | None,
) -> list[Fact]:
    """'What is his h-index?', 'Who are his co-authors?': corpus facts, exact; not when
    the question names something else (a paper, a method)."""
    # "which years do his papers cover?" reads as a list; "<title>: which years ...?" no
    listed = plan.intent != "question" and not of_the_papers(question)
    named = claims(question, allowed_words(names)) or named_papers(question, papers)
    paper = PAPER_WORD.search(question) and not PER_PAPER_CITED.search(question)
    if listed or not plan.filters.is_empty() or named or paper:
        return []
    owner = info.owner if info and info.owner else "The researcher"
    return facts_for(question, owner, papers, info)
