"""Several corpora in one UI: each browser session picks one in the corpus selector, and
every handler gets that corpus's own `Assistant` (its papers, index and filters). The one
the server started with is reused; others are built on first use and kept."""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable
from typing import Any

import gradio as gr

from assistant import Assistant, PaperchatError


class Corpora:
    def __init__(self, base: Assistant) -> None:
        self.base = base
        self.default = base.corpus if isinstance(getattr(base, "corpus", None), str) else ""
        self._made: dict[str, Assistant] = {self.default: base}
        self._lock = threading.Lock()

    def names(self) -> list[str]:
        """The base corpus first, then every other corpus in the data dir."""
        listed: list[str] = []
        lister = getattr(self.base, "corpora", None)
        if callable(lister):
            try:
                listed = [c.name for c in lister()]
            except PaperchatError:
                listed = []
        return [self.default, *[n for n in listed if n != self.default]]

    def get(self, name: str | None) -> Assistant:
        if not name or name == self.default:
            return self.base
        with self._lock:
            if name not in self._made:
                if name not in self.names():
                    raise gr.Error(f"No corpus named {name!r}", print_exception=False)
                try:
                    made = Assistant(self.base.settings, corpus=name, embedder=self.base.embedder)
                    _ = made.searcher  # read and index it now, once
                except PaperchatError as exc:
                    raise gr.Error(str(exc), print_exception=False) from exc
                self._made[name] = made
            return self._made[name]

    def bind(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        """`fn(assistant, *inputs)` as a handler taking the session's corpus name first."""
        if inspect.isgeneratorfunction(fn):

            def stream(corpus: str, *args: Any) -> Any:
                yield from fn(self.get(corpus), *args)

            return stream

        def call(corpus: str, *args: Any) -> Any:
            return fn(self.get(corpus), *args)

        return call

    def close(self) -> None:
        for name, assistant in self._made.items():
            if name != self.default:
                assistant.close()
