"""A live test against OpenAI itself: runs only when OPENAI_API_KEY is set (and online)."""

from __future__ import annotations

import os
from typing import Any

import pytest

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(
        not os.environ.get("OPENAI_API_KEY"),
        reason="live OpenAI test: set OPENAI_API_KEY to run it (this machine has no internet)",
    ),
]


def test_openai_agent_answers_with_checked_citations(make_assistant: Any) -> None:
    assistant = make_assistant(None)
    assistant.settings.llm.api_key = os.environ["OPENAI_API_KEY"]
    assistant.settings.llm.mode = "agent"
    answer = assistant.ask("What AP does DINO achieve in 12 epochs with a ResNet-50 backbone?")
    assert answer.answered and "49.4" in answer.text
    assert any(c.paper.title.startswith("DINO") for c in answer.citations)


def test_openai_pipeline_structured_output(make_assistant: Any) -> None:
    assistant = make_assistant(None)
    assistant.settings.llm.api_key = os.environ["OPENAI_API_KEY"]
    assistant.settings.llm.mode = "pipeline"
    answer = assistant.ask("How many users has XiaoIce communicated with since its launch?")
    assert "660 million" in answer.text
