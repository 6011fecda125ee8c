"""The one root of every error a user can act on, and the retrieval side's errors.

`PaperchatError` lives here because `retrieval` never imports `assistant`; the assistant's
own errors (`ConfigError`, `ProviderError`) derive from it, so callers catch one class.
"""

from __future__ import annotations


class PaperchatError(Exception):
    """Base: its message is one line that says what to do next."""


class RetrievalError(PaperchatError):
    """Base for corpus and index errors the user can act on."""


class SourceError(RetrievalError):
    """A source file cannot be read at all (missing, unknown format, no records)."""


class IndexError_(RetrievalError):
    """The index is missing, unreachable or inconsistent."""
