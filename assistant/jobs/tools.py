"""The agent's four corpus tools, shared by both agent loops (native tool calls and JSON
steps): they mint the source keys, and every argument a model fills is checked against the
corpus and the question before a tool runs (FINDINGS: a 1.5B model invents year ranges,
sets the owner as co-author and picks real but unasked categories).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.evidence.grounding import Source
from assistant.jobs.services import Services
from retrieval.models import Filters, Paper, category_name, normalise_name
from retrieval.query import QueryPlan

LIST_LINES = 30  # a list result shows this many papers, then says how many more


class KeyRegistry:
    """Mints one key per paper as tools show it; only these keys may be cited."""

    def __init__(self) -> None:
        self.sources: dict[str, Source] = {}

    def key(self, paper: Paper, shown: str = "") -> str:
        for source in self.sources.values():
            if source.paper.id == paper.id:
                if shown and len(shown) > len(source.shown):
                    source.shown = shown
                return source.key
        key = str(len(self.sources) + 1)
        self.sources[key] = Source(key=key, paper=paper, shown=shown)
        return key


@dataclass
class CorpusTools:
    """The tools, bound to one question (its text and the code's own analysis of it)."""

    services: Services
    registry: KeyRegistry
    question: str = ""
    plan: QueryPlan | None = None
    notes: list[str] = field(default_factory=list)

    # --- argument checks -------------------------------------------------------------
    def vet(
        self,
        year_from: int | None = None,
        year_to: int | None = None,
        category: str | None = None,
        author: str | None = None,
        has_code: bool | None = None,
    ) -> Filters:
        """The filters to use: the model's arguments that hold up, then the code's own."""
        said = self.question.lower()
        years = [y for y in (year_from, year_to) if y is not None]
        for year in years:
            if str(year) not in said:
                self.notes.append(f"ignored year {year}: the question does not say it")
        if any(str(y) not in said for y in years):
            year_from = year_to = None
        codes = {p.category for p in self.services.papers if p.category}
        if category is not None:
            code = category.strip().upper()
            named = code.lower() in re.findall(r"\w+", said) or (
                category_name(code).lower() in said
            )
            if code not in codes or not named:
                why = "not a category here" if code not in codes else "the question does not say"
                self.notes.append(f"ignored category {category!r}: {why}")
                category = None
            else:
                category = code
        if author is not None:
            author = self.known_author(author)
        if has_code is not None and "code" not in said:
            self.notes.append("ignored has_code: the question does not ask about code")
            has_code = None
        # The code's own analysis is exact where it found something: it wins outright.
        own = self.plan.filters if self.plan else Filters()
        if own.year_from is not None or own.year_to is not None:
            year_from, year_to = own.year_from, own.year_to
        return Filters(
            year_from=year_from,
            year_to=year_to,
            categories=own.categories or ([category] if category else None),
            author=own.author or author,
            coauthor=own.coauthor,
            has_code=own.has_code if own.has_code is not None else has_code,
            first_author=own.first_author,
            solo=own.solo,
            venue=own.venue,
        )

    def known_author(self, name: str) -> str | None:
        """A co-author of the corpus the question names; None (with a note) otherwise."""
        wanted = normalise_name(name)
        owner = normalise_name(self.services.owner)
        if wanted == owner:
            self.notes.append(f"ignored author {name!r}: every paper is by the owner")
            return None
        said = normalise_name(self.question)
        for author in self.services.authors:
            known = normalise_name(author)
            same = known == wanted or (wanted and wanted.split()[-1] == known.split()[-1])
            if same and known.split()[-1] in said:
                return author
        self.notes.append(f"ignored author {name!r}: not a co-author the question names")
        return None

    def take_notes(self) -> str:
        notes, self.notes = self.notes, []
        return "".join(f"({n})\n" for n in notes)

    # --- the tools ---------------------------------------------------------------------
    def search_papers(
        self,
        query: str,
        year_from: int | None = None,
        year_to: int | None = None,
        category: str | None = None,
        author: str | None = None,
        has_code: bool | None = None,
    ) -> str:
        """Search papers by meaning and keywords, optionally filtered by metadata."""
        filters = self.vet(year_from, year_to, category, author, has_code)
        searcher, policy = self.services.searcher, self.services.policy
        query = query.strip() or self.question
        qvec = searcher.embed(query)
        hits = searcher.search(query, k=policy.answer_sources, filters=filters, query_vector=qvec)
        # Excerpts answer the question, not the model's shorter query (measured: searching
        # "Step-Video-TI2V" for "how many frames" showed no sentence with the frame count).
        asked = searcher.embed(self.question) if self.question else qvec
        lines = []
        for i, hit in enumerate(hits):
            if (hit.dense or 0) < policy.min_relevance:
                continue
            shown = self.services.compressor.compress(
                hit.paper, asked, keep=3 if i == 0 else 2, query=f"{self.question} {query}"
            )
            key = self.registry.key(hit.paper, shown)
            lines.append(f"[{key}] {hit.paper.short_ref()}: {shown}")
        return self.take_notes() + ("\n".join(lines) or "No relevant papers.")

    def list_papers(
        self,
        year_from: int | None = None,
        year_to: int | None = None,
        category: str | None = None,
        author: str | None = None,
        has_code: bool | None = None,
    ) -> str:
        """List exactly the papers matching metadata filters (for count and list questions)."""
        filters = self.vet(year_from, year_to, category, author, has_code)
        papers = self.services.searcher.catalog.select(filters)
        lines = [f"[{self.registry.key(p)}] {p.short_ref()}" for p in papers[:LIST_LINES]]
        more = f"\n... and {len(papers) - LIST_LINES} more" if len(papers) > LIST_LINES else ""
        described = filters.describe() or "all"
        head = f"{len(papers)} papers ({described}):\n"
        return self.take_notes() + head + "\n".join(lines) + more

    def get_paper(self, key: str) -> str:
        """The full record of a paper a result showed, by its source number."""
        source = self.registry.sources.get(str(key).strip().strip("[]"))
        if source is None:
            return f"No source [{key}] was shown."
        paper = source.paper
        source.shown = paper.abstract
        return f"[{source.key}] {paper.short_ref()} by {', '.join(paper.authors)}: {paper.abstract}"

    def corpus_stats(self) -> str:
        """Owner, h-index, citations, paper count, categories and years of the corpus."""
        info = self.services.info
        papers = self.services.papers
        years = sorted(p.year for p in papers if p.year)
        head = (
            f"Owner {info.owner}, h-index {info.h_index}, {info.citations} citations. "
            if info
            else ""
        )
        cats = sorted({f"{p.category} ({p.category_name})" for p in papers if p.category})
        span = f"years {years[0]}-{years[-1]}" if years else ""
        return f"{head}{len(papers)} papers, {span}, categories: {', '.join(cats)}."

    def categories(self) -> str:
        found = {p.category: p.category_name for p in self.services.papers if p.category}
        return ", ".join(f"{code} ({name})" for code, name in sorted(found.items()))
