"""paperchat's retrieval: corpus parsing, the Chroma index and hybrid search."""

from retrieval.errors import RetrievalError, SourceError
from retrieval.models import CorpusInfo, Filters, Hit, Paper
from retrieval.query import QueryPlan, analyze
from retrieval.sources import load_source, read_corpus, write_corpus

__all__ = [
    "CorpusInfo",
    "Filters",
    "Hit",
    "Paper",
    "QueryPlan",
    "RetrievalError",
    "SourceError",
    "analyze",
    "load_source",
    "read_corpus",
    "write_corpus",
]
