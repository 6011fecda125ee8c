"""Shared fixtures: the real corpus, a real Chroma index in a temp dir, and named fakes."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from assistant.api import Assistant
from assistant.settings import ROOT, Settings
from retrieval.embedder import MiniLMEmbedder
from retrieval.sources import read_corpus

DEV_SET = ROOT / "data" / "eval" / "dev.jsonl"


@pytest.fixture(scope="session", autouse=True)
def _stop_model_servers() -> Any:
    """Warm model servers outlive commands on purpose; the ones tests started stop here."""
    yield
    from assistant.model.warm import stop_started

    stop_started()


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
    """Pinned so the environment (OPENAI_API_KEY, PAPERCHAT_*) cannot turn a fake into a
    real hosted model: pipeline mode, embedded model, MiniLM."""
    s = Settings()
    s.paths.data_dir = index_dir
    s.llm.mode = "pipeline"
    s.llm.base_url = None
    s.llm.api_key = None
    s.llm.provider = "auto"
    s.retrieval.embedder = "minilm"
    # The fakes script the answer's model calls; the model's reading of what the verifier
    # passes is tested on the real model (test_local_model) and the judge's own test.
    s.answer.model_veto = "off"
    # Nor its second look at a refused question's hits (test_pipeline's judge tests and
    # test_local_model turn it on).
    s.answer.judged_hits = 0
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
