"""Pipeline mode: the code plans and retrieves, the model only writes sentences naming
their sources, and the code checks them. Count and list questions never reach the model.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from functools import partial

import numpy as np

from assistant.evidence.asked import holding_sentence, parts
from assistant.evidence.facts import Fact
from assistant.evidence.grounding import (
    Checker,
    Composer,
    mint_sources,
)
from assistant.evidence.select import calibrated, coined_names, of_the_names, relevant
from assistant.evidence.slots import answer_binds, slots
from assistant.jobs.named import (
    PAPER_META,
    composed,
    describe,
    named_papers,
    named_source,
    paper_metadata,
    part_quotes,
)
from assistant.jobs.prepared import Prepared
from assistant.jobs.relevance import (
    CANDIDATES,
    PaperChooser,
    TopicJudge,
    admitted,
    choices,
    dated_content,
    undecided,
)
from assistant.jobs.route import is_follow_up, narrowed, previous_exchange, previous_user_question
from assistant.jobs.sections import drafts
from assistant.jobs.services import Services
from assistant.jobs.shown import answer_messages, prefix_messages, shown_texts
from assistant.jobs.verdicts import (
    corpus_facts_asked,
    evidenced,
    facts_answer,
    fillers,
    finish,
    metadata_answer,
    no_venue,
    not_covered,
    not_stated,
    nothing_in_filter,
    slot_answer,
    topic_answer,
)
from assistant.model.client import ChatModel, Message
from assistant.model.replies import SENTENCES_SCHEMA, SentenceStreamer
from assistant.types import (
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
from retrieval.venues import venue_asked


class AskPipeline:
    """`ask`: questions about the research."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.searcher = services.searcher
        self.info = services.info
        self.compressor = services.compressor
        self.policy = calibrated(services.policy, services.searcher.calibration)

    def plan(self, question: str) -> QueryPlan:
        return self.services.plan(question)

    def prepare(self, question: str, history: Sequence[dict[str, str]] | None = None) -> Prepared:
        start = time.perf_counter()
        plan = narrowed(self.plan(question), question, history, self.plan)
        if plan.intent == "list" and any(a.attribute for a in parts(question)):
            # "Which paper proposes X, and what BLEU does it report?" asks for a value: a lookup.
            plan = plan.model_copy(update={"intent": "question"})
        prepared = Prepared(
            question=question, plan=plan, context=previous_exchange(history, question=question)
        )
        catalog = self.searcher.catalog
        if facts := self.facts_asked(question, plan):
            prepared.final = facts_answer(facts)
        elif (venue := venue_asked(question)) and (
            unknown := no_venue(venue, self.services.venues)
        ):
            prepared.final = unknown
        elif plan.is_metadata_only:
            prepared.final = metadata_answer(plan, catalog.select(plan.filters))
        else:
            self.retrieve(prepared, history)
        prepared.retrieval_seconds = time.perf_counter() - start
        if prepared.final is not None:
            prepared.final.timings = Timings(retrieval=prepared.retrieval_seconds)
        return prepared

    def retrieve(self, prepared: Prepared, history: Sequence[dict[str, str]] | None) -> None:
        question, plan = prepared.question, prepared.plan
        follow = is_follow_up(question, history)
        previous = previous_user_question(history) if follow else None
        query = f"{previous} {plan.query or question}" if previous else plan.query or question
        subject_text = previous or ""
        prepared.query, prepared.subject = query, subject_text
        qvec = self.searcher.embed(query)
        prepared.query_vector = qvec
        k = self.policy.list_limit if plan.intent != "question" else self.policy.answer_sources
        hits = self.searcher.search(query, k=k, filters=plan.filters, query_vector=qvec)
        prepared.hits = hits
        if hits and PAPER_META.search(question):  # "Who wrote it?" after "What is X?"
            candidates = mint_sources([h.paper for h in hits])
            named = named_source(f"{question} {subject_text}", candidates)
            meta = paper_metadata(question, named) if named is not None else []
            if meta:
                prepared.final = composed(meta, candidates, "metadata")
                return
        # The best hit may miss a name the question gives that a close second holds.
        listing = plan.intent != "question"
        by_author = not listing and bool(plan.filters.author)
        gate = partial(self.relevant, question, plan.topic, listing=listing, by_author=by_author)
        first = next((h for h in hits[:CANDIDATES] if gate(h)), None)
        if first is None and not listing and plan.filters.year_from is not None:
            dated, undated = dated_content(self.searcher, plan.filters, query, qvec, k)
            if dated:
                hits = prepared.hits = dated
                prepared.plan = plan.model_copy(update={"filters": undated})
                first = next((h for h in hits[:CANDIDATES] if gate(h)), None)
        if first is None:
            if listing and not plan.filters.is_empty():
                prepared.final = nothing_in_filter(plan, self.searcher.catalog.select(plan.filters))
            else:
                prepared.final = not_covered()
                if not listing:
                    nearest = partial(self.compressor.nearest, query_vector=qvec)
                    prepared.undecided = undecided(hits, plan.topic, self.policy, nearest)
            return
        ordered = [first, *(h for h in hits if h is not first)]
        if listing:
            prepared.final = self.topic_list(plan, ordered, qvec)
            return
        self.ground(prepared, ordered)
        # decided without the model ("does not state"): no close hit holds what is asked,
        # so no other choice of paper would answer it
        if prepared.final is None and not named_papers(question, [h.paper for h in hits]):
            prepared.choosing = choices(ordered, plan.topic, self.policy)

    def choose(self, prepared: Prepared, model: ChatModel) -> None:
        """The model reads the candidate papers of a question that describes one and picks
        the one it describes; another than the ranking's first, and the answer is grounded
        on it instead."""
        tick = time.perf_counter()
        qvec = self.vector(prepared)
        options, prepared.choosing = prepared.choosing, []
        shown = [
            (h.paper, self.compressor.compress(h.paper, qvec, keep=1, query=prepared.question))
            for h in options
        ]
        picked = PaperChooser(lambda: model)(prepared.question, shown)
        prepared.judging = (prepared.judging or 0.0) + time.perf_counter() - tick
        if picked is None or picked == 0:
            return
        chosen = options[picked]
        prepared.final, prepared.sources, prepared.holding = None, [], {}
        self.ground(prepared, [chosen, *(h for h in prepared.hits if h is not chosen)])

    def reconsider(self, prepared: Prepared, model: ChatModel) -> None:
        """The model's second look at a question the gate refused: the first hit it admits
        leads the sources, as the gate's choice would have; none, and "not covered" stands."""
        tick = time.perf_counter()
        qvec = self.vector(prepared)

        def shown(paper: Paper) -> str:
            return self.compressor.compress(paper, qvec, keep=2, query=prepared.question)

        hit = admitted(prepared.question, prepared.undecided, shown, TopicJudge(lambda: model))
        prepared.undecided, prepared.judging = [], time.perf_counter() - tick
        if hit is not None:  # alone: the model said the others are not about the question
            prepared.final, prepared.admitted = None, True
            self.ground(prepared, [hit])
            if prepared.final is not None:
                prepared.final.timings = Timings(retrieval=prepared.retrieval_seconds)

    def ground(self, prepared: Prepared, hits: list[Hit]) -> None:
        """The sources of an answer whose best hit (first) the question is about: the close
        hits, each compressed to its sentences nearest the question, the sentences holding
        each asked part added; or an answer decided without the model."""
        question, query, subject_text = prepared.question, prepared.query, prepared.subject
        qvec = self.vector(prepared)
        # Weak hits only lengthen the prompt and tempt the model: keep the close ones.
        hits = [h for h in hits if h.score >= self.policy.source_relative * hits[0].score]
        hits = of_the_names(hits, coined_names(f"{question} {subject_text}", self.allowed_names()))
        papers = [h.paper for h in hits]
        prepared.asked = parts(question, self.allowed_names(), context=subject_text)
        valued = [a for a in prepared.asked if a.attribute]
        found: dict[int, tuple[int, str]] = {}
        verifier = self.services.verifier  # its synonyms: "20 educators" for "how many teachers"
        similar = (verifier.similar, verifier.min_similarity) if verifier else (None, 1.0)
        for i, asked in enumerate(prepared.asked):
            # "DINO" names the DINO paper, not Mask DINO: a paper named exactly by the
            # question is the only one that may answer for it.
            # "... and how many parameters does it have?": "it" is the part's named paper
            exact = named_papers(" ".join([asked.text, *asked.named, subject_text]), papers)
            for j in exact or range(len(papers)):
                paper = papers[j]
                sentence = holding_sentence(asked, paper, *similar)
                if sentence:
                    found[i] = (j, sentence)
                    break
        if valued and not found and all(a.attribute for a in prepared.asked):
            prepared.final = not_stated(prepared.asked, papers)  # decided before any model call
            return
        shown, prepared.stable = shown_texts(
            self.compressor, papers, qvec, f"{question} {query}", self.policy
        )
        for j, sentence in found.values():  # every asked part's sentence is shown
            if sentence not in shown[j]:
                shown[j] = f"{shown[j]} {sentence}".strip()
        prepared.sources = mint_sources(papers, shown)
        prepared.holding = {i: (str(j + 1), sentence) for i, (j, sentence) in found.items()}
        named = named_source(question, prepared.sources)
        meta = paper_metadata(question, named) if named is not None else []
        if meta and not valued:  # "Who wrote Step-3?": exact, from the record, no model
            prepared.final = composed(meta, prepared.sources, "metadata")

    def prefix_messages(self, paper: Paper) -> list[Message]:
        return prefix_messages(self.compressor, paper, self.policy)

    def vector(self, prepared: Prepared) -> np.ndarray:
        """The searched query's embedding, as `retrieve` made it."""
        if prepared.query_vector is None:
            prepared.query_vector = self.searcher.embed(prepared.query)
        return prepared.query_vector

    def facts_asked(self, question: str, plan: QueryPlan) -> list[Fact]:
        papers = self.searcher.catalog.papers
        return corpus_facts_asked(question, plan, self.allowed_names(), papers, self.info)

    def relevant(
        self, question: str, topic: str, hit: Hit, listing: bool = False, by_author: bool = False
    ) -> bool:
        papers = self.searcher.catalog.papers
        names = self.allowed_names()
        return relevant(question, topic, hit, self.policy, names, papers, listing, by_author)

    def topic_list(self, plan: QueryPlan, hits: list[Hit], qvec: np.ndarray) -> Answer:
        return topic_answer(plan, hits, qvec, self.compressor, self.policy, self.allowed_names())

    def messages(self, prepared: Prepared) -> tuple[list[Message], str]:
        """The prompt, and its start shared by every question about the best paper."""
        return answer_messages(
            prepared.sources,
            prepared.stable,
            prepared.context,
            prepared.question,
            self.policy.source_titles,
        )

    def run(self, prepared: Prepared, model: ChatModel, started: float) -> Iterator[Event]:
        """Sources first, then text deltas, then the checked answer."""
        if prepared.undecided:
            self.reconsider(prepared, model)
        if prepared.choosing:
            self.choose(prepared, model)
        yield SourcesEvent(
            citations=[Citation(key=s.key, paper=s.paper) for s in prepared.sources]
            or (prepared.final.citations if prepared.final else [])
        )
        if prepared.final is not None:
            prepared.final.timings.total = time.perf_counter() - started
            prepared.final.timings.judging = prepared.judging
            yield TextEvent(delta=prepared.final.text)
            yield AnswerEvent(answer=prepared.final)
            return
        streamer = SentenceStreamer()
        checker = Checker(
            prepared.sources,
            self.allowed_names(),
            min_overlap=self.policy.min_overlap,
            question=prepared.question,
            binds=answer_binds(prepared.asked, prepared.question),
            verifier=self.services.verifier,
        )
        composer = Composer(prepared.sources)
        dropped: list[str] = []
        first: float | None = None
        checking = 0.0
        messages, prefix = self.messages(prepared)
        for chunk in model.stream_json(messages, SENTENCES_SCHEMA, prefix=prefix):
            if first is None:
                first = time.perf_counter() - started
            for draft in (d for item in streamer.feed(chunk) for d in drafts(item)):
                tick = time.perf_counter()
                sentence, bad = checker.check(draft)
                checking += time.perf_counter() - tick
                dropped.extend(bad)
                delta = composer.delta(sentence)
                if delta:
                    yield TextEvent(delta=delta)
        tail = self.settle(prepared, composer)
        if tail:
            yield TextEvent(delta=(" " if composer.parts[:-1] else "") + tail)
        answer = finish(composer, dropped)
        if not answer.answered:
            answer = self.abstain(prepared, answer)
        answer.model = model.name
        answer.timings = Timings(
            retrieval=prepared.retrieval_seconds,
            first_token=first,
            total=time.perf_counter() - started,
            checking=checking,
            judging=prepared.judging,
        ).with_usage(getattr(model, "last_usage", None))
        yield AnswerEvent(answer=answer)

    def settle(self, prepared: Prepared, composer: Composer) -> str:
        """Each asked part gets its answer: a kept sentence that speaks of its attribute, or
        the record's own sentence that holds it (quoted, cited), or a 'does not state'
        sentence. A quote is never made for a part no shown record holds."""
        kept = [s.text for s in composer.sentences if s.status != "unsupported"]
        wanted = fillers(prepared.asked, prepared.holding, prepared.sources, kept)
        added = [composer.add(filler) for filler in wanted]
        named = evidenced(prepared.question, composer, self.compressor.answering)
        added.extend(composer.add(sentence) for sentence in named)
        return " ".join(p for p in added if p)

    def abstain(self, prepared: Prepared, failed: Answer) -> Answer:
        """Nothing survived the checks: an honest 'not stated' when an attribute was asked;
        else a record's own sentence, quoted, when the corpus covers the question; otherwise
        'not covered'. Never a quote that turns a 'not stated' into an answer."""
        papers, wanted = [s.paper for s in prepared.sources], slots(prepared.asked)
        if any(a.attribute for a in prepared.asked):
            answer = not_stated(prepared.asked, papers)
        elif wanted and all(s is not None and s.kind != "open" for s in wanted):
            named = [s for s in wanted if s is not None]
            answer = slot_answer(prepared.asked, named, prepared.question, prepared.sources)
        elif quoted := self.own_sentence(prepared):
            answer = composed(quoted, prepared.sources, "quote")
        else:
            answer = not_covered()
            answer.checked = [Citation(key=s.key, paper=s.paper) for s in prepared.sources]
        said = {s.text for s in failed.sentences}  # a part's "not stated" fact, once
        return answer.model_copy(
            update={
                "sentences": [
                    *failed.sentences,
                    *(s for s in answer.sentences if s.text not in said),
                ],
                "dropped_keys": failed.dropped_keys,
                "unsupported": failed.unsupported,
            }
        )

    def own_sentence(self, prepared: Prepared) -> list[Sentence]:
        """'Tell me about Step-3' (a shown paper named), or a question whose best hit is
        above the strong cut or admitted by the model: the corpus covers it, so 'not
        covered' would be false; the record's sentence nearest to the question answers,
        quoted."""
        question = prepared.question
        named = named_source(question, prepared.sources)
        quoted = describe(named, question, self.compressor.answering) if named else []
        top = prepared.hits[0] if prepared.hits and prepared.sources else None
        sure = prepared.admitted or (
            top is not None and (top.dense or 0.0) >= self.policy.min_relevance
        )
        if quoted or top is None or not sure:
            return quoted
        shown = prepared.sources[0]
        return part_quotes(shown.key, shown.paper, question, self.compressor.answering)

    def allowed_names(self) -> list[str]:
        return self.services.allowed_names()
