"""Shared fixtures: the real corpus, a real Chroma index in a temp dir, and named fakes."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from assistant.api import Assistant
from assistant.settings import ROOT, Settings
from retrieval.embedder import MiniLMEmbedder
from retrieval.sources import read_corpus

DEV_SET = ROOT.parent / "shared" / "eval" / "dev.jsonl"


class FakeChatModel:
    """A FAKE chat model for unit tests: replies with fixed JSON, streamed in small chunks."""

    def __init__(self, reply: dict[str, Any] | list[dict[str, Any]], name: str = "fake") -> None:
        self.replies = reply if isinstance(reply, list) else [reply]
        self.name = name
        self.calls: list[list[dict[str, str]]] = []

    def stream_json(
        self, messages: list[dict[str, str]], schema: dict[str, Any], max_tokens: int | None = None
    ) -> Iterator[str]:
        self.calls.append(messages)
        text = json.dumps(self.replies[min(len(self.calls), len(self.replies)) - 1])
        for i in range(0, len(text), 9):
            yield text[i : i + 9]


@pytest.fixture(scope="session")
def corpus() -> tuple[Any, list[Any]]:
    return read_corpus(ROOT / "data" / "papers.jsonl", ROOT / "data" / "corpus_info.json")


@pytest.fixture(scope="session")
def embedder() -> MiniLMEmbedder:
    return MiniLMEmbedder()


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One real Chroma index of the real corpus, shared by the session's tests."""
    return tmp_path_factory.mktemp("state")


@pytest.fixture
def settings(index_dir: Path) -> Settings:
    s = Settings()
    s.paths.data_dir = index_dir
    return s


@pytest.fixture
def make_assistant(settings: Settings, embedder: MiniLMEmbedder, corpus: Any) -> Any:
    """An Assistant on the real corpus and a real Chroma, with a given (fake) chat model."""

    def make(chat_model: Any = None, **kwargs: Any) -> Assistant:
        info, papers = corpus
        return Assistant(
            settings, chat_model=chat_model, embedder=embedder, papers=papers, info=info, **kwargs
        )

    return make
