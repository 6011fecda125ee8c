"""paperchat's assistant: cited answers over a researcher's papers."""

from assistant.api import Assistant
from assistant.errors import ConfigError, PaperchatError, ProviderError
from assistant.exports import paper_links
from assistant.jobs.check import CheckReport, SentenceCheck
from assistant.overview import CorpusStats, MapPoint
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
    "Sentence",
    "SentenceCheck",
    "Settings",
    "SourcesEvent",
    "TextEvent",
    "is_loopback",
    "paper_json",
    "paper_links",
]
