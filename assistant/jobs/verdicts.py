"""Answers the code writes without the model: not stated, not covered, metadata lists and
counts, corpus facts, and topic lists. Each is a result, never an exception.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from assistant.evidence.asked import Asked, holds_named, mentions, not_stated_text
from assistant.evidence.facts import Fact
from assistant.evidence.grounding import Composer, Source, mint_sources
from assistant.jobs.named import quote
from assistant.types import NOT_COVERED, Answer, Citation, Sentence
from retrieval.models import Paper
from retrieval.query import QueryPlan


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
    if plan.pick and papers:
        papers = [papers[0] if plan.pick == "newest" else papers[-1]]
        which = "most recent" if plan.pick == "newest" else "earliest"
        head = f"The {which} paper in the corpus{matching and ' (' + description + ')'}:"
    else:
        noun = "paper" if len(papers) == 1 else "papers"
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
        if not (part.attribute or part.detail) or any(mentions(part, text) for text in kept):
            continue
        if i in holding:
            key, sentence = holding[i]
            out.append(quote(key, by_key[key], sentence))
        elif part.attribute:
            stated = not_stated([part], papers).text
            out.append(Sentence(text=stated, status="fact", note="not stated"))
    return out


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
