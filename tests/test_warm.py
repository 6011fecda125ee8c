"""The shared warm model server and the model layer's faults, with real processes: real CLI
runs, the real llama.cpp server with SmolLM2 (fast), real kills, a real dead and a real
silent endpoint. The fair queue's logic is tested with threads."""

from __future__ import annotations

import json
import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.errors import ProviderError
from assistant.model.embedded import EmbeddedModel
from assistant.model.queue import FairQueue
from assistant.model.replies import SENTENCES_SCHEMA
from assistant.model.warm import WarmServer, alive
from assistant.settings import Settings
from assistant.types import AnswerEvent, WaitingEvent
from tests.fakes import GatedChatModel
from tests.test_cli import paperchat

SMOLLM = {"PAPERCHAT_LLM__LOCAL_MODEL": "smollm", "PAPERCHAT_LLM__THREADS": "1"}
QUESTION = "How many users has XiaoIce communicated with?"


def _settings(state: Path, **llm: Any) -> Settings:
    s = Settings()
    s.paths.data_dir = state
    s.llm.base_url = s.llm.api_key = None
    s.llm.local_model, s.llm.threads, s.llm.n_ctx = "smollm", 1, 2048
    for k, v in llm.items():
        setattr(s.llm, k, v)
    return s


def _state_pid(state: Path) -> int:
    return int(json.loads((state / "model" / "server.json").read_text())["pid"])


def _wait_dead(pid: int, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    return not alive(pid)


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("warm-state")
    result = paperchat("index", "--json", state=path)
    assert result.returncode == 0, result.stderr
    yield path
    paperchat("model", "stop", state=path)


def test_a_second_ask_reuses_the_server_and_stop_stops_it(state: Path) -> None:
    first = paperchat("ask", QUESTION, "--json", state=state, env=SMOLLM)
    assert first.returncode == 0, first.stderr
    pid = _state_pid(state)
    second = paperchat("ask", QUESTION, "--json", state=state, env=SMOLLM)
    assert second.returncode == 0, second.stderr
    assert _state_pid(state) == pid and alive(pid)  # the same server answered both

    status = paperchat("model", "status", "--json", state=state, env=SMOLLM)
    assert json.loads(status.stdout)["pid"] == pid
    stop = paperchat("model", "stop", state=state, env=SMOLLM)
    assert stop.returncode == 0 and f"pid {pid}" in stop.stdout
    assert _wait_dead(pid) and not (state / "model" / "server.json").exists()
    assert "No model server running" in paperchat("model", "status", state=state).stdout


def test_a_killed_server_is_started_again_on_the_next_question(state: Path) -> None:
    assert paperchat("model", "start", state=state, env=SMOLLM).returncode == 0
    pid = _state_pid(state)
    os.kill(pid, signal.SIGKILL)
    assert _wait_dead(pid)
    result = paperchat("ask", QUESTION, "--json", state=state, env=SMOLLM)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["answered"]
    new = _state_pid(state)
    assert new != pid and alive(new)


def test_other_settings_replace_the_server_never_two(state: Path) -> None:
    assert paperchat("model", "start", state=state, env=SMOLLM).returncode == 0
    old = _state_pid(state)
    bigger = {**SMOLLM, "PAPERCHAT_LLM__N_CTX": "1024"}
    assert paperchat("model", "start", state=state, env=bigger).returncode == 0
    assert _state_pid(state) != old and not alive(old)
    # extra llama-server flags are settings too: the server is replaced, and says so
    flagged = {**bigger, "PAPERCHAT_LLM__SERVER_ARGS": '["--flash-attn", "on"]'}
    assert paperchat("model", "start", state=state, env=flagged).returncode == 0
    status = json.loads(paperchat("model", "status", "--json", state=state, env=flagged).stdout)
    assert status["extra_args"] == ["--flash-attn", "on"] and status["args"][-1] == "on"


def test_the_server_stops_itself_when_idle(tmp_path: Path) -> None:
    warm = WarmServer(_settings(tmp_path, keep_alive=1.0))
    server = warm.ensure()
    try:
        assert _wait_dead(server.pid, seconds=30), "the idle server did not stop"
        assert _wait_dead(server.keeper_pid, seconds=10) and warm.status() is None
    finally:
        warm.stop()


def test_a_server_killed_mid_answer_gives_one_line_and_the_next_answer_works(
    tmp_path: Path,
) -> None:
    model = EmbeddedModel(_settings(tmp_path))
    messages = [{"role": "user", "content": "Write ten long sentences about the sea."}]
    try:
        stream = model.stream_json(messages, SENTENCES_SCHEMA, max_tokens=400)
        next(stream)
        assert model.state is not None
        os.kill(model.state.pid, signal.SIGKILL)
        with pytest.raises(ProviderError) as info:
            for _ in stream:
                pass
        message = str(info.value)
        assert "stopped during the answer" in message and "ask again" in message
        assert "\n" not in message
        again = "".join(model.stream_json(messages, SENTENCES_SCHEMA, max_tokens=30))
        assert again.startswith("{")
    finally:
        model.warm.stop()


def test_a_dead_endpoint_is_named_after_bounded_retries(state: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    url = f"http://127.0.0.1:{port}/v1"
    env = {"OPENAI_BASE_URL": url, "OPENAI_API_KEY": "test-key-not-real",
           "PAPERCHAT_LLM__MODEL": "m", "PAPERCHAT_LLM__MODE": "pipeline",
           "PAPERCHAT_LLM__RETRIES": "1"}  # fmt: skip
    result = paperchat("ask", "What AP does DINO reach in 12 epochs?", state=state, env=env)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and url in result.stderr
    assert "2 attempts" in result.stderr and "Traceback" not in result.stderr
    assert "test-key-not-real" not in result.stderr + result.stdout


def test_a_silent_endpoint_times_out_with_bounded_retries(state: Path) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    port = listener.getsockname()[1]
    accepted: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            accepted.append(conn)  # read nothing, answer nothing

    threading.Thread(target=accept, daemon=True).start()
    env = {"OPENAI_BASE_URL": f"http://127.0.0.1:{port}/v1", "OPENAI_API_KEY": "x",
           "PAPERCHAT_LLM__MODEL": "m", "PAPERCHAT_LLM__MODE": "pipeline",
           "PAPERCHAT_LLM__TIMEOUT": "1", "PAPERCHAT_LLM__RETRIES": "1"}  # fmt: skip
    try:
        result = paperchat("ask", "What AP does DINO reach in 12 epochs?", state=state, env=env)
    finally:
        listener.close()
        for conn in accepted:
            conn.close()
    assert result.returncode == 2 and "timed out after 1 s (2 attempts)" in result.stderr
    assert f"127.0.0.1:{port}" in result.stderr and result.stderr.count("\n") == 1
    assert len(accepted) == 2  # one try and one retry, no more


# --- the fair queue (logic, with threads) -------------------------------------------------


def test_queue_runs_in_arrival_order_and_tells_each_its_place() -> None:
    queue = FairQueue(slots=1)
    order: list[int] = []
    seen: dict[int, list[int]] = {}
    first = queue.join()
    assert list(queue.wait(first)) == []  # nobody ahead: no waiting at all
    tickets = [queue.join() for _ in range(3)]

    def worker(ticket: int, name: int) -> None:
        seen[name] = list(queue.wait(ticket))
        order.append(name)
        queue.leave(ticket)

    threads = [threading.Thread(target=worker, args=(t, i)) for i, t in enumerate(tickets)]
    for t in threads:
        t.start()
    time.sleep(0.3)
    assert queue.ahead(tickets[2]) == 3 and order == []
    queue.leave(first)
    for t in threads:
        t.join(10)
    assert order == [0, 1, 2]
    assert seen[2][0] == 3 and seen[2] == sorted(seen[2], reverse=True)  # counted down
    assert queue.size == 0


def test_a_caller_who_gives_up_frees_its_place() -> None:
    queue = FairQueue()
    running, waiting, last = queue.join(), queue.join(), queue.join()
    list(queue.wait(running))
    queue.leave(waiting)  # gave up before its turn
    assert queue.ahead(last) == 1
    queue.leave(running)
    assert list(queue.wait(last)) == []


def test_stream_tells_a_second_asker_how_many_are_ahead(make_assistant: Any) -> None:
    gate = threading.Event()
    model = GatedChatModel(gate, {"sentences": [{"text": "DINO reaches 49.4 AP.", "sources": [1]}]})
    assistant = make_assistant(model)
    question = "What AP does DINO achieve in 12 epochs?"
    first: list[Any] = []
    runner = threading.Thread(target=lambda: first.extend(assistant.stream(question)))
    runner.start()
    deadline = time.monotonic() + 30
    while not model.calls and time.monotonic() < deadline:  # the first asker holds the model
        time.sleep(0.05)
    second = assistant.stream(question)
    waiting = next(second)
    assert isinstance(waiting, WaitingEvent) and waiting.ahead == 1
    gate.set()
    runner.join(30)
    assert isinstance(first[-1], AnswerEvent)
    rest = list(second)
    assert isinstance(rest[-1], AnswerEvent) and "49.4" in rest[-1].answer.text
    assert not any(isinstance(e, WaitingEvent) for e in rest)
