"""Live tests against OpenAI itself, run by `make test-live` (not by `make test`: this
machine kind has no internet). Without OPENAI_API_KEY they fail, saying so."""

from __future__ import annotations

import os
from typing import Any

import pytest

pytestmark = pytest.mark.live


@pytest.fixture
def api_key() -> str:
    key = os.environ.get("OPENAI_API_KEY", "")
    if not key:
        pytest.fail("live OpenAI test: set OPENAI_API_KEY (and be online) to run `make test-live`")
    return key


def test_openai_agent_answers_with_checked_citations(make_assistant: Any, api_key: str) -> None:
    assistant = make_assistant(None)
    assistant.settings.llm.api_key = api_key
    assistant.settings.llm.mode = "agent"
    answer = assistant.ask("What AP does DINO achieve in 12 epochs with a ResNet-50 backbone?")
    assert answer.answered and "49.4" in answer.text
    assert any(c.paper.title.startswith("DINO") for c in answer.citations)


def test_openai_pipeline_structured_output(make_assistant: Any, api_key: str) -> None:
    assistant = make_assistant(None)
    assistant.settings.llm.api_key = api_key
    assistant.settings.llm.mode = "pipeline"
    answer = assistant.ask("How many users has XiaoIce communicated with since its launch?")
    assert "660 million" in answer.text
