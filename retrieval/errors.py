"""Errors from reading sources and the index; messages are one actionable line."""

from __future__ import annotations


class RetrievalError(Exception):
    """Base for corpus and index errors the user can act on."""


class SourceError(RetrievalError):
    """A source file cannot be read at all (missing, unknown format, no records)."""


class IndexError_(RetrievalError):
    """The index is missing, unreachable or inconsistent."""
