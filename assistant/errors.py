"""Errors the user can act on, all under one root (`PaperchatError`, shared with
`retrieval`). Anything else is a bug and propagates."""

from __future__ import annotations

from retrieval.errors import PaperchatError, RetrievalError, SourceError


class ConfigError(PaperchatError):
    """The user must change something: a setting, a file, an argument."""


class ProviderError(PaperchatError):
    """The model endpoint failed; keeps status and body for debugging."""

    def __init__(self, message: str, *, status: int | None = None, body: str | None = None):
        super().__init__(message)
        self.status = status
        self.body = body


__all__ = ["ConfigError", "PaperchatError", "ProviderError", "RetrievalError", "SourceError"]
