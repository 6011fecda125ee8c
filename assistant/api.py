"""The facade: `Assistant` with search, ask, stream, summarize and draft_bio.

Collaborators (embedder, index, chat model) are passed in or built lazily from settings,
never at import time; search needs no model at all.
"""

from __future__ import annotations

import copy
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import fields
from datetime import date
from functools import cached_property, partial
from typing import Any, Literal

from assistant.corpora import CorpusSummary, list_corpora, load_corpus
from assistant.errors import ConfigError
from assistant.evidence.compress import Compressor
from assistant.evidence.verify import Verifier, embedding_similarity
from assistant.exports import bibtex, conversation_markdown
from assistant.jobs.ask import AskPipeline
from assistant.jobs.bio import draft_bio, stream_bio
from assistant.jobs.check import CheckReport, check_draft, with_veto
from assistant.jobs.covered import cover
from assistant.jobs.named import named_papers
from assistant.jobs.prepared import Prepared
from assistant.jobs.route import Route, previous_user_question, resolve_follow_up, route
from assistant.jobs.services import FilteredServices, Services
from assistant.jobs.shown import prefill
from assistant.jobs.summarize import stream_summary, summarize
from assistant.model.client import ChatModel
from assistant.model.connect import build_chat_model, build_langchain_model, model_status
from assistant.model.prompts import check_all
from assistant.model.queue import FairQueue, in_turn, queue_for
from assistant.overview import CorpusStats, MapPoint, corpus_stats, paper_map, papers_since
from assistant.settings import Settings
from assistant.types import Answer, AnswerEvent, Event, History, make_filters
from retrieval.embedder import Embedder, MiniLMEmbedder, OpenAIEmbedder
from retrieval.index import PaperIndex, SyncReport, open_index
from retrieval.models import CorpusInfo, Filters, Hit, Paper
from retrieval.search import Searcher
from retrieval.text import spelled_in_full


class Assistant:
    """Cited answers over one researcher's papers."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        chat_model: ChatModel | None = None,
        agent_model: Any = None,
        embedder: Embedder | None = None,
        papers: list[Paper] | None = None,
        info: CorpusInfo | None = None,
        corpus: str | None = None,
    ) -> None:
        self.settings = settings or Settings()
        # One corpus per Assistant: its own files, collection and BM25 cache, never mixed.
        self.corpus_paths = self.settings.corpus_paths(corpus)
        self._chat_model = chat_model
        self._agent_model = agent_model  # a LangChain chat model, for agent mode
        self._embedder = embedder
        self._papers = papers
        self._info = info
        self._provider: str | None = "fake" if chat_model is not None else None
        self._closed = threading.Event()
        check_all()  # a broken prompt template fails now, not at the first question

    # --- lazily built collaborators ---
    @cached_property
    def _corpus(self) -> tuple[CorpusInfo | None, list[Paper]]:
        if self._papers is not None:
            return self._info, self._papers
        return load_corpus(self.corpus_paths)

    corpus = property(lambda self: self.corpus_paths.name, doc="The corpus answered from.")

    def corpora(self) -> list[CorpusSummary]:
        """Every corpus in the data dir (the shipped one first), for selectors and listings."""
        return list_corpora(self.settings)

    @property
    def info(self) -> CorpusInfo | None:
        return self._corpus[0]

    @property
    def papers(self) -> list[Paper]:
        return self._corpus[1]

    @cached_property
    def embedder(self) -> Embedder:
        if self._embedder is not None:
            return self._embedder
        r = self.settings.retrieval
        if r.embedder == "openai":
            return OpenAIEmbedder(
                r.openai_embedding_model, self.settings.llm.api_key, self.settings.llm.base_url
            )
        return MiniLMEmbedder(batch_size=r.embed_batch, threads=r.embed_threads)

    @cached_property
    def index(self) -> PaperIndex:
        r = self.settings.retrieval
        return open_index(
            self.settings.paths.data_dir,
            self.embedder,
            self.corpus_paths.collection,
            host=r.chroma_host,
            port=r.chroma_port,
        )

    def build_index(self, progress: bool = True) -> SyncReport:
        """Bring the index in step with the corpus (embeds only what changed)."""
        report = self.index.sync(self.papers, progress=progress)
        self.__dict__.pop("searcher", None)
        return report

    @cached_property
    def searcher(self) -> Searcher:
        # Cheap when nothing changed (4 ms at 42 papers): edits are never served stale.
        self.index.sync(self.papers, progress=True)
        r = self.settings.retrieval
        return Searcher(
            self.papers,
            self.index,
            self.embedder,
            dense_weight=r.dense_weight,
            lexical_weight=r.lexical_weight,
            cache_dir=self.corpus_paths.bm25,
        )

    @cached_property
    def services(self) -> Services:
        """What the jobs need; the chat model is built only when a job calls it."""
        policy = self.settings.answer
        return Services(
            searcher=self.searcher,
            compressor=Compressor(self.embedder, policy.lexical_bonus, policy.number_bonus),
            info=self.info,
            policy=policy,
            model_factory=lambda: self.chat_model,
            verifier=self.verifier,
        )

    def verifier_for(self, use: Literal["answers", "check"]) -> Verifier:
        """The verifier (synonyms by the embedder), with the model's veto where it is set."""
        similar = embedding_similarity(self.embedder.encode)
        verifier = Verifier(similar, self.settings.answer.min_synonym_similarity)
        return with_veto(verifier, lambda: self.chat_model, self.settings.answer.model_veto, use)

    verifier = cached_property(lambda self: self.verifier_for("answers"))

    def check(self, text: str) -> CheckReport:
        """A user's own draft, sentence by sentence, against the papers it cites."""
        names = [self.info.owner] if self.info else []
        return check_draft(text, self.papers, self.verifier_for("check"), self.search, names=names)

    @cached_property
    def pipeline(self) -> AskPipeline:
        return AskPipeline(self.services)

    @property
    def chat_model(self) -> ChatModel:
        if self._chat_model is None:
            self._chat_model, self._provider = build_chat_model(self.settings)
        return self._chat_model

    @property
    def mode(self) -> Literal["pipeline", "agent"]:
        mode = self.settings.llm.mode
        if mode != "auto":
            return mode
        # Both run on every model; the pipeline is faster and scores better on the small
        # embedded model (docs/benchmarks.md), the agent suits models that plan well.
        return "pipeline" if self.local_model else "agent"

    @property
    def local_model(self) -> bool:
        """The embedded model, or a llama.cpp server elsewhere."""
        return self.settings.uses_embedded_model() or self.settings.llm.provider == "llamacpp"

    @property
    def model_queue(self) -> FairQueue:
        """One model job at a time per endpoint in this process, first come first served."""
        endpoint = "embedded" if self.settings.uses_embedded_model() else self.settings.llm.base_url
        return queue_for(str(endpoint), self.settings.llm.concurrency)

    def queued(self, events: Callable[[], Iterator[Event]]) -> Iterator[Event]:
        """Wait for the model's turn (`WaitingEvent`s say how many are ahead), then run."""
        return in_turn(self.model_queue, events)

    def warm_up(self) -> None:
        """Start the embedded model server now (the UI does at launch), then save its state
        for each paper's prefix in the background until `close()` (llm.prefill_on_start);
        no-op when hosted."""
        if self.chat_model and self.settings.llm.prefill_on_start:
            threading.Thread(target=self.prefill, daemon=True, name="prefill").start()

    # --- the jobs ---
    def search(self, query: str, k: int = 5, **filters: Any) -> list[Hit]:
        """Hybrid search with optional filters (year, year_from, year_to, category or
        categories, author, has_code); no model needed."""
        if not query.strip():
            raise ConfigError("Empty query: say what to search for")
        return self.searcher.search(query, k=k, filters=make_filters(filters))

    def list_papers(self, **filters: Any) -> list[Paper]:
        """Exactly the papers the filters admit, newest first."""
        return self.searcher.catalog.select(make_filters(filters))

    def get_paper(self, paper_id: str) -> Paper | None:
        return self.services.get_paper(paper_id)

    # --- for the UI: exports and the corpus at a glance ---
    def export_bibtex(self, paper_ids: Sequence[str]) -> str:
        """BibTeX for these papers (unknown ids are skipped), every field escaped."""
        papers = [p for i in dict.fromkeys(paper_ids) if (p := self.get_paper(i)) is not None]
        return bibtex(papers)

    def export_markdown(self, turns: Sequence[tuple[str, Answer]]) -> str:
        """A conversation as Markdown, with one reference list for all its answers."""
        return conversation_markdown(turns, self.info.owner if self.info else None)

    def corpus_stats(self) -> CorpusStats:
        return corpus_stats(self.papers, self.info.owner if self.info else None)

    def paper_map(self) -> list[MapPoint]:
        """Every paper's embedding in 2-D (PCA), with its theme (k-means), for a topic map."""
        return paper_map(self.searcher.catalog.papers, self.searcher.vectors)

    def papers_since(self, since: date) -> list[Paper]:
        return papers_since(self.papers, since)

    def prefill(self, echo: Callable[[str], None] = lambda _: None) -> int:
        """Save the embedded server's state for each paper's lookup prefix (jobs/shown.py)."""
        pipeline = self.pipeline
        return prefill(
            pipeline.prefix_messages, self.chat_model, self.papers, self.queued, echo, self._closed
        )

    def model_status(self) -> str:
        """Which model answers and whether it is up; never shows a key."""
        return model_status(self.settings, self.mode, self._provider, self._chat_model)

    def stream(
        self, question: str, history: History | None = None, filters: dict[str, Any] | None = None
    ) -> Iterator[Event]:
        """Sources first (fast), then text deltas, then the final checked `Answer`.
        `filters` (as for `search`) narrow what the question finds; they win over the
        question's own phrases."""
        if not question.strip():
            raise ConfigError("Empty question: ask something about the papers")
        question = self.services.spelling(spelled_in_full(question))
        limit = self.settings.max_question_chars
        if len(question) > limit:
            raise ConfigError(
                f"Question too long ({len(question)} characters, limit {limit}): shorten it "
                "or raise PAPERCHAT_MAX_QUESTION_CHARS"
            )
        if filters and not make_filters(filters).is_empty():
            yield from self._filtered(make_filters(filters)).stream(question, history)
            return
        started = time.perf_counter()
        job = self.route(question, history)
        if job.job != "ask":
            yield from self.queued(lambda: self._job(job))
            return
        # Router, corpus facts, metadata answers and abstention come first in both modes.
        prepared = self.pipeline.prepare(question, history)
        if prepared.final is not None and not prepared.waiting:
            yield from self.pipeline.run(prepared, _NoModel(), started)
        elif self.mode == "agent" and not prepared.waiting:
            yield from self.queued(
                lambda: cover(prepared, self._agent(question, history, prepared, started))
            )
        else:
            yield from self.queued(lambda: self.pipeline.run(prepared, self.chat_model, started))

    def _job(self, job: Routed) -> Iterator[Event]:
        if job.job == "summarize":
            # Streams theme by theme: the intro at once, each theme as soon as it is checked.
            if job.topic is None and job.filters is not None:
                yield from stream_summary(self.services, None, job.filters)
            else:
                yield from stream_summary(self.services, job.topic, make_filters({}))
            return
        # A bio asked in chat streams like the Drafts tab: the facts paragraph at once.
        yield from stream_bio(
            self.services, kind=job.kind, length=job.length, audience=job.audience, topic=job.topic
        )

    def _agent(
        self, question: str, history: History | None, prepared: Prepared, started: float
    ) -> Iterator[Event]:
        """The agent: JSON steps on llama.cpp (and wherever set), else native tool calls."""
        # Imported here: LangChain's tool machinery costs ~1 s of start-up that pipeline
        # commands (every CLI `ask` on the embedded model) never need.
        from assistant.jobs.agent import json_steps, native_events

        tools = self.settings.llm.agent_tools
        if tools == "auto":
            tools = "json" if self._agent_model is None and self.local_model else "native"
        if tools == "json":  # a follow-up carries its earlier question (JSON steps see no history)
            return json_steps(
                self.services,
                resolve_follow_up(question, history),
                self.chat_model,
                prepared.plan,
                started,
                seed=prepared.sources,
                asked=prepared.asked,
            )
        chat = self._agent_model or build_langchain_model(self.settings)
        endpoint = self.settings.llm.base_url or "https://api.openai.com/v1"
        return native_events(self.services, question, history, chat, endpoint, started)

    def route(self, question: str, history: History | None = None) -> Routed:
        """Chat messages that ask for a summary or a bio go to those jobs."""
        plan = self.pipeline.plan(question)
        before = previous_user_question(history)
        previous = self.pipeline.plan(before) if before else None
        names_paper = bool(named_papers(question, self.papers))
        categories = bool(self.services.categories)
        job = route(question, plan, previous, names_paper, self.pipeline.plan, categories)
        filters = None
        if job.job == "summarize" and job.topic is None:
            source = previous if previous is not None and not plan.topic else plan
            filters = source.filters
        return Routed(**job.model_dump(), filters=filters)

    def _filtered(self, filters: Filters) -> Assistant:
        """This assistant with the same collaborators, planning with `filters` added."""
        clone = copy.copy(self)
        base = self.services
        given = {f.name: getattr(base, f.name) for f in fields(Services)}
        clone.__dict__["services"] = FilteredServices(**given, extra=filters)
        clone.__dict__.pop("pipeline", None)
        return clone

    def ask(
        self, question: str, history: History | None = None, filters: dict[str, Any] | None = None
    ) -> Answer:
        for event in self.stream(question, history, filters):
            if isinstance(event, AnswerEvent):
                return event.answer
        raise AssertionError("stream ended without an answer")  # a bug, not a user error

    def summarize(self, topic: str | None = None, **filters: Any) -> Answer:
        return summarize(self.services, topic, make_filters(filters))

    def stream_summary(self, topic: str | None = None, **filters: Any) -> Iterator[Event]:
        """`summarize` as events: sources, then the intro and each theme once checked."""
        chosen = make_filters(filters)
        yield from self.queued(lambda: stream_summary(self.services, topic, chosen))

    def draft_bio(
        self,
        kind: Literal["bio", "talk_intro"] = "bio",
        length: Literal["short", "medium", "long"] = "short",
        audience: str = "general",
        topic: str | None = None,
    ) -> Answer:
        return draft_bio(self.services, kind=kind, length=length, audience=audience, topic=topic)

    def stream_bio(
        self,
        kind: Literal["bio", "talk_intro"] = "bio",
        length: Literal["short", "medium", "long"] = "short",
        audience: str = "general",
        topic: str | None = None,
    ) -> Iterator[Event]:
        """`draft_bio` as events: sources, the facts paragraph at once, then the rest."""
        job = partial(stream_bio, kind=kind, length=length, audience=audience, topic=topic)
        yield from self.queued(lambda: job(self.services))

    def close(self) -> None:
        """Stop model servers this process runs itself; the shared warm server stays up
        for the next command and stops itself after `llm.keep_alive` idle seconds."""
        self._closed.set()
        server = sys.modules.get("assistant.model.server")
        if server is not None:
            server.stop_all()


class Routed(Route):
    filters: Filters | None = None


class _NoModel:
    """Stands in where the code answered without a model (metadata, abstention)."""

    name = "none"

    def stream_json(self, *args: Any, **kwargs: Any) -> Iterator[str]:
        raise AssertionError("no model call expected")
