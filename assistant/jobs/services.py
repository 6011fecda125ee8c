"""What a job needs, as one small typed bundle: the searcher, the compressor, the chat
model (built only when a job calls it), the corpus header and the answer policy. The facade
builds it; jobs never see the facade.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from assistant.evidence.compress import Compressor
from assistant.evidence.english import FUNCTION_WORDS
from assistant.evidence.verify import Verifier
from assistant.model.client import ChatModel
from assistant.settings import AnswerSettings
from retrieval.models import CorpusInfo, Filters, Paper
from retrieval.query import REQUEST_WORDS, QueryPlan, analyze
from retrieval.search import Searcher
from retrieval.spelling import Spelling


@dataclass
class Services:
    searcher: Searcher
    compressor: Compressor
    info: CorpusInfo | None
    policy: AnswerSettings
    model_factory: Callable[[], ChatModel]
    agent_model_factory: Callable[[], object] | None = None
    verifier: Verifier | None = None
    _model: ChatModel | None = field(default=None, repr=False)

    @property
    def model(self) -> ChatModel:
        if self._model is None:
            self._model = self.model_factory()
        return self._model

    @property
    def papers(self) -> list[Paper]:
        return self.searcher.catalog.papers

    @property
    def owner(self) -> str:
        return self.info.owner if self.info else "The researcher"

    def allowed_names(self) -> list[str]:
        """Names that are never claims: the corpus owner."""
        return [self.info.owner] if self.info else []

    @cached_property
    def authors(self) -> list[str]:
        return sorted({a for p in self.papers for a in p.authors})

    @cached_property
    def spelling(self) -> Spelling:
        """The corpus's own spelling, for questions typed in lower case or with typos."""
        return Spelling(self.papers, FUNCTION_WORDS | REQUEST_WORDS)

    @cached_property
    def categories(self) -> set[str]:
        return {p.category for p in self.papers if p.category}

    @cached_property
    def venues(self) -> set[str]:
        named = [p.venue for p in self.papers] + [v.venue for p in self.papers for v in p.versions]
        return {v for v in named if v}

    def plan(self, question: str) -> QueryPlan:
        owner = self.info.owner if self.info else None
        return analyze(
            question,
            authors=self.authors,
            owner=owner,
            categories=self.categories,
            venues=self.venues,
        )

    def get_paper(self, paper_id: str) -> Paper | None:
        position = self.searcher.catalog.position.get(paper_id)
        return None if position is None else self.papers[position]


@dataclass
class FilteredServices(Services):
    """Services whose query plans carry the caller's filters (over the question's own)."""

    extra: Filters = field(default_factory=Filters)

    def plan(self, question: str) -> QueryPlan:
        plan = super().plan(question)
        merged = {
            **plan.filters.model_dump(exclude_none=True),
            **self.extra.model_dump(exclude_none=True),
        }
        return plan.model_copy(update={"filters": Filters(**merged)})
