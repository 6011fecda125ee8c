"""`paperchat ask` through a running paperchat process (assistant/relay.py): real
processes, a real loopback relay, the FAKE OpenAI-compatible endpoint as the model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from assistant.errors import PaperchatError
from assistant.relay import Relay, forward, registration
from assistant.settings import Settings
from tests import test_mcp
from tests.fakes import FakeEndpoint
from tests.test_cli import ROOT, paperchat
from tests.test_mcp import server_env

QUESTION = "What panoptic segmentation PQ does Mask DINO reach on COCO?"
# The MCP tests' fake endpoint and indexed state directory, one of each per module.
fake, state = test_mcp.fake, test_mcp.state
START_SECONDS = 120  # import, corpus and index on a busy 2-core host: a bound, not a timing


def _settings(state: Path, fake: FakeEndpoint, monkeypatch: Any) -> Settings:
    for name, value in server_env(state, fake).items():
        monkeypatch.setenv(name, value)
    return Settings()


def test_ask_answers_through_a_running_serve_process(state: Path, fake: FakeEndpoint) -> None:
    """`paperchat serve` registers itself; a CLI `ask` prints what it answers, the same
    text as an answer in the CLI's own process (`--here`), and builds no index of its own
    (`paperchat ask` with the relay never imports Chroma)."""
    env = server_env(state, fake)
    serve = subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "serve"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = serve.stdout.readline() if serve.stdout else ""
        assert "answering `paperchat ask" in line, serve.stderr.read() if serve.stderr else ""
        record = json.loads((state / "run" / "relay-default.json").read_text())
        assert record["pid"] == serve.pid and oct(
            (state / "run" / "relay-default.json").stat().st_mode & 0o777
        ) == oct(0o600)
        probe = "\n".join(
            [
                "import runpy, sys",
                f"sys.argv = ['paperchat', 'ask', {QUESTION!r}, '--json']",
                "try:",
                "    runpy.run_module('assistant.cli', run_name='__main__')",
                "except SystemExit as exit:",
                "    code = exit.code",
                "print('CHROMA' if 'chromadb' in sys.modules else 'LIGHT', file=sys.stderr)",
                "sys.exit(code)",
            ]
        )
        relayed = subprocess.run(
            [sys.executable, "-c", probe], env=env, cwd=ROOT, capture_output=True, text=True
        )
        assert relayed.returncode == 0, relayed.stderr
        assert relayed.stderr.strip().endswith("LIGHT")  # answered by the serve process
        here = paperchat("ask", QUESTION, "--json", "--here", state=state, env=fake.env())
        assert here.returncode == 0, here.stderr
        assert json.loads(relayed.stdout)["answer"] == json.loads(here.stdout)["answer"]
        assert "59.4" in json.loads(relayed.stdout)["answer"]
        too_long = paperchat("ask", "x" * 5000, state=state, env=fake.env())
        assert too_long.returncode == 2 and "Question too long" in too_long.stderr
    finally:
        serve.terminate()
        serve.wait(timeout=30)


def test_a_dead_or_different_process_is_not_asked(
    state: Path, fake: FakeEndpoint, monkeypatch: Any
) -> None:
    """A registration left by a dead process is removed; one made with other settings (here
    another model) is left alone and not used; either way the CLI answers itself."""
    settings = _settings(state, fake, monkeypatch)
    path = registration(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    path.write_text(json.dumps({"pid": int(dead.stdout), "port": 1, "token": "t", "settings": "x"}))
    assert forward(settings, QUESTION, False) is None and not path.exists()
    path.write_text(json.dumps({"pid": os.getpid(), "port": 1, "token": "t", "settings": "x"}))
    assert forward(settings, QUESTION, False) is None and path.exists()
    path.unlink()


class _Refusing:
    """Stands in for an Assistant whose question is bad input."""

    def ask(self, question: str) -> Any:
        raise PaperchatError("Question too long (5000 characters, limit 2000)")


def test_the_relay_needs_its_token_and_passes_user_errors_back(
    state: Path, fake: FakeEndpoint, monkeypatch: Any
) -> None:
    settings = _settings(state, fake, monkeypatch)
    relay = Relay(_Refusing(), settings)  # type: ignore[arg-type]
    relay.start()
    try:
        assert relay.handle("/ask", "Bearer wrong", b"{}")[0] == 403
        assert relay.handle("/ask", f"Bearer {relay.token}", b"not json")[0] == 400
        with pytest.raises(PaperchatError, match="Question too long"):
            forward(settings, "x" * 5000, False)
    finally:
        relay.stop()
    assert not registration(settings).exists()
    started = time.perf_counter()
    assert forward(settings, QUESTION, False) is None
    assert time.perf_counter() - started < START_SECONDS
