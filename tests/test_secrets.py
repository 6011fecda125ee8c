"""API keys never leave the process: not in a repr, a dump, the CLI's JSON or an error."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import Settings
from tests.test_cli import paperchat

KEY = "sk-test-DO-NOT-LEAK-1234567890"


def test_the_key_is_in_no_repr_or_dump(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    settings = Settings()
    assert settings.llm.api_key == KEY  # used, ...
    assert KEY not in repr(settings) and KEY not in str(settings)  # ... but never shown
    assert KEY not in settings.model_dump_json() and KEY not in repr(settings.llm)


def test_a_failing_endpoint_error_does_not_show_the_key(tmp_path: Path) -> None:
    result = paperchat(
        "ask",
        "What AP does DINO reach?",
        state=tmp_path,
        env={
            "OPENAI_API_KEY": KEY,
            "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",
            "PAPERCHAT_LLM__MODEL": "m",
            "PAPERCHAT_LLM__MODE": "pipeline",
        },
    )
    assert result.returncode == 2 and "127.0.0.1:9" in result.stderr
    assert KEY not in result.stderr + result.stdout and "Traceback" not in result.stderr
