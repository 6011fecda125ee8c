"""Pipeline mode: the code plans and retrieves, the model only writes sentences naming
their sources, and the code checks them. Count and list questions never reach the model.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from assistant.evidence.compress import format_sources
from assistant.evidence.facts import Fact, facts_for
from assistant.evidence.grounding import (
    Checker,
    Composer,
    Draft,
    Source,
    allowed_words,
    claims,
    mint_sources,
)
from assistant.evidence.select import close_papers, relevant
from assistant.jobs.route import previous_exchange, resolve_follow_up
from assistant.jobs.services import Services
from assistant.model.client import ChatModel, Message
from assistant.model.prompts import load
from assistant.model.replies import SENTENCES_SCHEMA, ReplySentence, SentenceStreamer
from assistant.types import (
    NOT_COVERED,
    Answer,
    AnswerEvent,
    Citation,
    Event,
    Sentence,
    SourcesEvent,
    TextEvent,
    Timings,
)
from retrieval.models import Hit, Paper
from retrieval.query import QueryPlan

PAPER_WORD = re.compile(r"\bpaper\b|\bthis\s+work\b", re.I)


@dataclass
class Prepared:
    """Everything decided before the model is called."""

    question: str
    plan: QueryPlan
    hits: list[Hit] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    final: Answer | None = None  # answered (or abstained) without the model
    query_vector: np.ndarray | None = None
    context: str = ""
    retrieval_seconds: float = 0.0


class AskPipeline:
    """`ask`: questions about the research."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.searcher = services.searcher
        self.info = services.info
        self.compressor = services.compressor
        self.policy = services.policy

    def plan(self, question: str) -> QueryPlan:
        return self.services.plan(question)

    def prepare(self, question: str, history: Sequence[dict[str, str]] | None = None) -> Prepared:
        start = time.perf_counter()
        plan = self.plan(question)
        prepared = Prepared(question=question, plan=plan, context=previous_exchange(history))
        catalog = self.searcher.catalog
        facts = self.facts_asked(question, plan)
        if facts:
            prepared.final = facts_answer(facts)
        elif plan.is_metadata_only:
            prepared.final = metadata_answer(plan, catalog.select(plan.filters))
        else:
            query = resolve_follow_up(plan.topic or question, history)
            qvec = self.searcher.embed(query)
            prepared.query_vector = qvec
            k = self.policy.list_limit if plan.intent != "question" else self.policy.answer_sources
            hits = self.searcher.search(query, k=k, filters=plan.filters, query_vector=qvec)
            prepared.hits = hits
            if not hits or not self.relevant(question, plan.topic, hits[0]):
                prepared.final = not_covered()
            elif plan.intent != "question":
                prepared.final = self.topic_list(plan, hits, qvec)
            else:
                # Weak hits only lengthen the prompt and tempt the model: keep the close ones.
                hits = [h for h in hits if h.score >= self.policy.source_relative * hits[0].score]
                shown = [
                    self.compressor.compress(
                        h.paper, qvec, keep=3 if i == 0 else 2, query=f"{question} {query}"
                    )
                    for i, h in enumerate(hits)
                ]
                prepared.sources = mint_sources([h.paper for h in hits], shown)
        prepared.retrieval_seconds = time.perf_counter() - start
        if prepared.final is not None:
            prepared.final.timings = Timings(retrieval=prepared.retrieval_seconds)
        return prepared

    def facts_asked(self, question: str, plan: QueryPlan) -> list[Fact]:
        """'What is his h-index?', 'Who are his frequent co-authors?': corpus facts, exact.
        Not when the question names something else (a paper, a method)."""
        if plan.intent != "question" or not plan.filters.is_empty():
            return []
        if claims(question, allowed_words(self.allowed_names())) or PAPER_WORD.search(question):
            return []
        owner = self.info.owner if self.info else "The researcher"
        return facts_for(question, owner, self.searcher.catalog.papers, self.info)

    def relevant(self, question: str, topic: str, hit: Hit) -> bool:
        return relevant(question, topic, hit, self.policy, self.allowed_names())

    def topic_list(self, plan: QueryPlan, hits: list[Hit], qvec: np.ndarray) -> Answer:
        """'Which papers are about X': relevant hits with their most relevant sentence."""
        sources = mint_sources(
            close_papers(hits, self.policy.list_relative, self.policy.min_relevance)
        )
        lines = []
        for source in sources:
            gist = self.compressor.best_sentence(source.paper, qvec, plan.topic)
            lines.append(f"- {source.paper.short_ref()} [{source.key}]: {gist}")
        noun = "paper" if len(sources) == 1 else "papers"
        if plan.intent == "count":
            head = f"{len(sources)} {noun} in the corpus are closely about this (by relevance):"
        else:
            head = f"The most relevant {noun} in the corpus:"
        return Answer(
            text="\n".join([head, *lines]),
            answered=True,
            citations=[Citation(key=s.key, paper=s.paper) for s in sources],
            sentences=[Sentence(text=line, status="fact") for line in lines],
            model="retrieval",
        )

    def messages(self, prepared: Prepared) -> list[Message]:
        user = load("answer_user").render(
            sources=format_sources(prepared.sources),
            context=prepared.context,
            question=prepared.question,
        )
        return [
            {"role": "system", "content": load("answer_system").render()},
            {"role": "user", "content": user},
        ]

    def run(self, prepared: Prepared, model: ChatModel, started: float) -> Iterator[Event]:
        """Sources first, then text deltas, then the checked answer."""
        yield SourcesEvent(
            citations=[Citation(key=s.key, paper=s.paper) for s in prepared.sources]
            or (prepared.final.citations if prepared.final else [])
        )
        if prepared.final is not None:
            prepared.final.timings.total = time.perf_counter() - started
            yield TextEvent(delta=prepared.final.text)
            yield AnswerEvent(answer=prepared.final)
            return
        streamer = SentenceStreamer()
        checker = Checker(
            prepared.sources, self.allowed_names(), min_overlap=self.policy.min_overlap
        )
        composer = Composer(prepared.sources)
        dropped: list[str] = []
        first: float | None = None
        for chunk in model.stream_json(self.messages(prepared), SENTENCES_SCHEMA):
            if first is None:
                first = time.perf_counter() - started
            for item in streamer.feed(chunk):
                sentence, bad = checker.check(to_draft(item))
                dropped.extend(bad)
                piece = composer.add(sentence)
                if piece:
                    yield TextEvent(delta=(" " if len(composer.parts) > 1 else "") + piece)
        answer = finish(composer, dropped)
        if not answer.answered and prepared.query_vector is not None:
            answer = self.extractive(prepared, answer)
        answer.model = model.name
        answer.timings = Timings(
            retrieval=prepared.retrieval_seconds,
            first_token=first,
            total=time.perf_counter() - started,
        )
        yield AnswerEvent(answer=answer)

    def extractive(self, prepared: Prepared, failed: Answer) -> Answer:
        """When the model wrote nothing that survives checking, quote the best sentence."""
        assert prepared.query_vector is not None
        source = prepared.sources[0]
        quote = self.compressor.best_sentence(
            source.paper, prepared.query_vector, prepared.plan.topic or prepared.question
        )
        text = f'{source.paper.title} states: "{quote}" [1]'
        return failed.model_copy(
            update={
                "text": text,
                "answered": True,
                "citations": [Citation(key="1", paper=source.paper)],
                "sentences": [*failed.sentences, Sentence(text=text, keys=["1"], status="fact")],
            }
        )

    def allowed_names(self) -> list[str]:
        return self.services.allowed_names()


def to_draft(item: ReplySentence) -> Draft:
    return Draft(text=item.text, sources=[str(k) for k in item.sources])


def finish(composer: Composer, dropped: list[str]) -> Answer:
    final = composer.sentences
    return Answer(
        text=composer.text or NOT_COVERED,
        answered=bool(composer.text),
        citations=composer.citations,
        dropped_keys=dropped,
        unsupported=sum(s.status == "unsupported" for s in final),
        reattributed=sum(s.status in ("reattributed", "attributed") for s in final),
        sentences=final,
    )


def facts_answer(facts: list[Fact]) -> Answer:
    sources = mint_sources([p for _, cited in facts for p in cited])
    key_of = {s.paper.id: s.key for s in sources}
    composer = Composer(sources)
    for text, cited in facts:
        composer.add(Sentence(text=text, keys=[key_of[p.id] for p in cited], status="fact"))
    answer = finish(composer, [])
    answer.model = "metadata"
    return answer


def not_covered() -> Answer:
    return Answer(text=NOT_COVERED, answered=False, model="retrieval")


def metadata_answer(plan: QueryPlan, papers: list[Paper]) -> Answer:
    """Exact answers to count/list questions, straight from the catalog."""
    description = plan.filters.describe()
    matching = f" match ({description})" if description else ""
    sources = mint_sources(papers)
    noun = "paper" if len(papers) == 1 else "papers"
    if not papers:
        return Answer(text=f"No papers in the corpus{matching}.", answered=True, model="metadata")
    if plan.intent == "count":
        head = f"{len(papers)} {noun} in the corpus{matching}:"
    else:
        head = f"{len(papers)} {noun}{matching or ' in the corpus'}:"
    lines = [f"- {s.paper.short_ref()} [{s.key}]" for s in sources]
    return Answer(
        text="\n".join([head, *lines]),
        answered=True,
        citations=[Citation(key=s.key, paper=s.paper) for s in sources],
        sentences=[Sentence(text=head, status="fact")],
        model="metadata",
    )
