"""paperchat's assistant: cited answers over a researcher's papers.

The names below load on first use: `paperchat ask` with a running paperchat process to
answer through (assistant/relay.py) never imports Chroma, the embedder or the jobs.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.api import Assistant
    from assistant.errors import ConfigError, PaperchatError, ProviderError
    from assistant.exports import paper_links
    from assistant.jobs.check import CheckReport, SentenceCheck
    from assistant.overview import CorpusStats, MapPoint
    from assistant.relay import Relay
    from assistant.settings import Settings, is_loopback
    from assistant.types import (
        NOT_COVERED,
        Answer,
        AnswerEvent,
        Citation,
        Event,
        Sentence,
        SourcesEvent,
        TextEvent,
        paper_json,
    )
    from retrieval.models import CorpusInfo, Filters, Hit, Paper

_HOME = {
    "Assistant": "assistant.api",
    "ConfigError": "assistant.errors",
    "PaperchatError": "assistant.errors",
    "ProviderError": "assistant.errors",
    "paper_links": "assistant.exports",
    "CheckReport": "assistant.jobs.check",
    "SentenceCheck": "assistant.jobs.check",
    "CorpusStats": "assistant.overview",
    "MapPoint": "assistant.overview",
    "Relay": "assistant.relay",
    "Settings": "assistant.settings",
    "is_loopback": "assistant.settings",
    **{
        name: "assistant.types"
        for name in (
            "NOT_COVERED",
            "Answer",
            "AnswerEvent",
            "Citation",
            "Event",
            "Sentence",
            "SourcesEvent",
            "TextEvent",
            "paper_json",
        )
    },
    **{name: "retrieval.models" for name in ("CorpusInfo", "Filters", "Hit", "Paper")},
}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module 'assistant' has no attribute {name!r}")
    value = getattr(import_module(_HOME[name]), name)
    globals()[name] = value
    return value


__all__ = [
    "NOT_COVERED",
    "Answer",
    "AnswerEvent",
    "Assistant",
    "CheckReport",
    "Citation",
    "ConfigError",
    "CorpusInfo",
    "CorpusStats",
    "Event",
    "Filters",
    "Hit",
    "MapPoint",
    "Paper",
    "PaperchatError",
    "ProviderError",
    "Relay",
    "Sentence",
    "SentenceCheck",
    "Settings",
    "SourcesEvent",
    "TextEvent",
    "is_loopback",
    "paper_json",
    "paper_links",
]
