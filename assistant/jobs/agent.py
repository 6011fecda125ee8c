"""Agent mode: a LangChain tool-calling agent over the corpus, for models that call tools
well (hosted ones). The tools mint the source keys; the final text goes through the same
checks as pipeline mode and comes back as the same `Answer`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.tools import StructuredTool

from assistant.evidence.grounding import Checker, Composer, Source, drafts_from_text
from assistant.jobs.ask import finish
from assistant.jobs.services import Services
from assistant.model.client import ErrorMapper
from assistant.model.prompts import load
from assistant.types import NOT_COVERED, Answer, make_filters
from retrieval.models import Filters, Paper


class KeyRegistry:
    """Mints one key per paper as tools show it; only these keys may be cited."""

    def __init__(self) -> None:
        self.sources: dict[str, Source] = {}

    def key(self, paper: Paper, shown: str = "") -> str:
        for source in self.sources.values():
            if source.paper.id == paper.id:
                return source.key
        key = str(len(self.sources) + 1)
        self.sources[key] = Source(key=key, paper=paper, shown=shown)
        return key


def tool_filters(
    year_from: int | None,
    year_to: int | None,
    category: str | None,
    author: str | None,
    has_code: bool | None,
) -> Filters:
    """The tools' flat arguments (simple for a model to fill) as Filters."""
    return make_filters(
        {
            "year_from": year_from,
            "year_to": year_to,
            "category": category,
            "author": author,
            "has_code": has_code,
        }
    )


def make_tools(services: Services, registry: KeyRegistry) -> list[StructuredTool]:
    """The four corpus tools, bound to one answer's key registry."""
    searcher = services.searcher
    compressor = services.compressor
    min_relevance = services.policy.min_relevance

    def search_papers(
        query: str,
        year_from: int | None = None,
        year_to: int | None = None,
        category: str | None = None,
        author: str | None = None,
        has_code: bool | None = None,
    ) -> str:
        """Search papers by meaning and keywords, optionally filtered by metadata."""
        filters = tool_filters(year_from, year_to, category, author, has_code)
        qvec = searcher.embed(query)
        hits = searcher.search(query, k=4, filters=filters, query_vector=qvec)
        lines = []
        for hit in hits:
            if (hit.dense or 0) < min_relevance:
                continue
            shown = compressor.compress(hit.paper, qvec, keep=2, query=query)
            key = registry.key(hit.paper, shown)
            lines.append(f"[{key}] {hit.paper.short_ref()}: {shown}")
        return "\n".join(lines) or "No relevant papers."

    def list_papers(
        year_from: int | None = None,
        year_to: int | None = None,
        category: str | None = None,
        author: str | None = None,
        has_code: bool | None = None,
    ) -> str:
        """List exactly the papers matching metadata filters (for count and list questions)."""
        papers = searcher.catalog.select(
            tool_filters(year_from, year_to, category, author, has_code)
        )
        lines = [f"[{registry.key(p)}] {p.short_ref()}" for p in papers]
        return f"{len(papers)} papers:\n" + "\n".join(lines)

    def get_paper(paper_id: str) -> str:
        """Full record of one paper by its id."""
        paper = services.get_paper(paper_id)
        if paper is None:
            return f"No paper with id {paper_id}."
        key = registry.key(paper, paper.abstract)
        return f"[{key}] {paper.short_ref()} by {', '.join(paper.authors)}: {paper.abstract}"

    def corpus_stats() -> str:
        """Owner, h-index, citations, paper count, categories and years of the corpus."""
        info = services.info
        papers = services.papers
        years = sorted(p.year for p in papers if p.year)
        head = (
            f"Owner {info.owner}, h-index {info.h_index}, {info.citations} citations. "
            if info
            else ""
        )
        cats = sorted({p.category_name for p in papers if p.category_name})
        span = f"years {years[0]}-{years[-1]}" if years else ""
        return f"{head}{len(papers)} papers, {span}, categories: {', '.join(cats)}."

    return [
        StructuredTool.from_function(f)
        for f in (search_papers, list_papers, get_paper, corpus_stats)
    ]


def run_agent(
    services: Services,
    question: str,
    history: Sequence[dict[str, Any]] | None,
    chat_model: Any,
    endpoint: str,
) -> Answer:
    """Let the model call tools, then check its final text like any other answer."""
    from langchain.agents import create_agent

    registry = KeyRegistry()
    system = load("agent_system").render(not_covered=NOT_COVERED)
    agent = create_agent(chat_model, tools=make_tools(services, registry), system_prompt=system)
    messages = [
        {"role": m["role"], "content": str(m.get("content", ""))}
        for m in history or []
        if m.get("role") in ("user", "assistant")
    ]
    with ErrorMapper(endpoint):
        state = agent.invoke({"messages": [*messages, {"role": "user", "content": question}]})
    final = state["messages"][-1]
    text = final.content if isinstance(final.content, str) else str(final.content)
    sources = list(registry.sources.values())
    checker = Checker(sources, services.allowed_names(), min_overlap=services.policy.min_overlap)
    composer = Composer(sources)
    dropped: list[str] = []
    for draft in drafts_from_text(text) if sources else []:
        sentence, bad = checker.check(draft)
        dropped.extend(bad)
        composer.add(sentence)
    answer = finish(composer, dropped)
    answer.model = str(
        getattr(chat_model, "model_name", None) or getattr(chat_model, "name", "agent")
    )
    return answer
