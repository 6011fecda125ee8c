"""paperchat's assistant: cited answers over a researcher's papers."""

from assistant.answer import NOT_COVERED, Answer, AnswerEvent, Citation, SourcesEvent, TextEvent
from assistant.api import Assistant
from assistant.errors import ConfigError, PaperchatError, ProviderError
from assistant.settings import Settings

__all__ = [
    "NOT_COVERED",
    "Answer",
    "AnswerEvent",
    "Assistant",
    "Citation",
    "ConfigError",
    "PaperchatError",
    "ProviderError",
    "Settings",
    "SourcesEvent",
    "TextEvent",
]
