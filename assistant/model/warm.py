"""One warm model server shared by every command, like Ollama's: the first command that
needs the model starts it, later ones reuse it, and it stops itself after `llm.keep_alive`
idle seconds.

The state lives in `<data_dir>/model/`: `server.lock` (an flock held while a server is
checked, started or stopped, so two commands never start two servers), `server.json` (pid,
port, model, args; written by the keeper once the server answers) and `last_used` (touched
by every request; the keeper's idle clock). A server whose pid is gone or that does not
answer is replaced; one started for another model or thread count is stopped first: never
two model servers on 2 cores.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from assistant.errors import ProviderError
from assistant.model.keeper import LAST_USED, STATE, healthy
from assistant.model.server import HOST, LlamaServer, _tail
from assistant.settings import Settings


class ServerState(BaseModel):
    """What `server.json` holds (and `paperchat model status --json` prints)."""

    pid: int = Field(description="The llama.cpp server process.")
    keeper_pid: int = Field(description="The process that stops it when idle.")
    port: int
    base_url: str
    model: str = Field(description="The GGUF file served.")
    alias: str = Field(description="The model name requests use.")
    backend: str = Field(description="The server program (llama-server).")
    threads: int
    n_ctx: int
    keep_alive: float = Field(description="Idle seconds before it stops; negative: never.")
    args: list[str]
    extra_args: list[str] = Field(default_factory=list, description="llm.server_args.")
    log: str
    started: float


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError):  # a zombie child of ours counts as dead
        status = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return status != "Z"
    return True


def slot_path(args: list[str]) -> str | None:
    """The `--slot-save-path` a server was started with, if any."""
    flag = "--slot-save-path"
    return args[args.index(flag) + 1] if flag in args[:-1] else None


def _kill(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, sig)


class WarmServer:
    """The shared server for one data dir: `ensure()` it, `touch()` it per request."""

    _started: set[Path] = set()  # noqa: RUF012  (state dirs this process started: stop_all)

    def __init__(self, settings: Settings, keep_alive: float | None = None) -> None:
        self.settings = settings
        self.dir = Path(settings.paths.data_dir) / "model"
        self.keep_alive = settings.llm.keep_alive if keep_alive is None else keep_alive

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        self.dir.mkdir(parents=True, exist_ok=True)
        with open(self.dir / "server.lock", "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def read(self) -> ServerState | None:
        try:
            return ServerState.model_validate_json((self.dir / STATE).read_text())
        except (OSError, ValueError):
            return None

    def status(self) -> ServerState | None:
        """The running server, or None (a stale state file is not a server)."""
        state = self.read()
        if state is None or not alive(state.pid) or not healthy(state.base_url):
            return None
        return state

    def touch(self) -> None:
        """Reset the keeper's idle clock."""
        with contextlib.suppress(OSError):
            (self.dir / LAST_USED).touch()

    def ensure(self) -> ServerState:
        """The running server for these settings, started (or replaced) if needed."""
        with self.locked():
            state = self.read()
            wanted = LlamaServer.from_settings(self.settings)
            reusable = state is not None and alive(state.pid) and self._matches(state, wanted)
            if reusable and state is not None and healthy(state.base_url):
                self.touch()
                return state
            if state is not None:
                self._stop(state)
            return self._start(wanted)

    def _matches(self, state: ServerState, wanted: LlamaServer) -> bool:
        return (
            state.model == str(wanted.model.resolve())
            and state.threads == wanted.threads
            and state.n_ctx == wanted.n_ctx
            and state.backend == wanted.backend
            and state.alias == wanted.model_alias
            and state.extra_args == wanted.extra_args
            and slot_path(state.args) == (str(wanted.slot_dir) if wanted.slot_dir else None)
        )

    def _start(self, server: LlamaServer) -> ServerState:
        server.prepare()
        log_dir = Path(self.settings.paths.data_dir) / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        log_path = log_dir / f"llama-server-{server.model_alias}.log"
        command = server.command()
        info: dict[str, Any] = {
            "port": server.port, "base_url": server.base_url,
            "model": str(server.model.resolve()), "alias": server.model_alias,
            "backend": server.backend, "threads": server.threads, "n_ctx": server.n_ctx,
            "keep_alive": self.keep_alive, "args": command, "extra_args": server.extra_args,
            "log": str(log_path),
            "startup_timeout": server.startup_timeout,
        }  # fmt: skip
        keeper_args = [str(self.dir), str(self.keep_alive), json.dumps(info), "--", *command]
        with open(log_path, "wb") as log:
            keeper = subprocess.Popen(
                # Run as a script: `-m` would import the whole package into an idle process.
                [sys.executable, "-I", str(Path(__file__).with_name("keeper.py")), *keeper_args],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True, cwd=Path(__file__).resolve().parents[2],
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )  # fmt: skip
        WarmServer._started.add(self.dir)
        deadline = time.monotonic() + server.startup_timeout + 5
        while True:
            state = self.read()
            if state is not None and state.keeper_pid == keeper.pid:
                return state
            code = keeper.poll()
            if code is not None or time.monotonic() > deadline:
                if code is None:
                    keeper.terminate()
                tail = _tail(log_path)
                last = " | ".join(line.strip() for line in tail.splitlines()[-2:])
                raise ProviderError(
                    f"The embedded model server did not start ({server.backend}, "
                    f"{server.model.name}): {last} (full log: {log_path})",
                    body=tail,
                )
            time.sleep(0.1)

    def stop(self) -> ServerState | None:
        """Stop the server (and its keeper); the state it had, or None if none ran."""
        with self.locked():
            state = self.read()
            if state is None:
                return None
            self._stop(state)
            return state

    def _stop(self, state: ServerState, timeout: float = 15.0) -> None:
        _kill(state.keeper_pid, signal.SIGTERM)  # the keeper stops the server and cleans up
        deadline = time.monotonic() + timeout
        while (alive(state.keeper_pid) or alive(state.pid)) and time.monotonic() < deadline:
            time.sleep(0.1)
        for pid in (state.pid, state.keeper_pid):
            if alive(pid):
                _kill(pid, signal.SIGKILL)
        with contextlib.suppress(FileNotFoundError):
            (self.dir / STATE).unlink()


def stop_started() -> None:
    """Stop the warm servers this process started (tests, bench); commands leave theirs."""
    for state_dir in list(WarmServer._started):
        settings = Settings()
        settings.paths.data_dir = state_dir.parent
        WarmServer(settings).stop()
        WarmServer._started.discard(state_dir)


def describe(state: ServerState | None) -> str:
    if state is None:
        return "No model server running."
    idle = "never stops" if state.keep_alive < 0 else f"stops after {state.keep_alive:.0f} s idle"
    return (
        f"{state.alias} at {state.base_url} ({state.backend}, pid {state.pid}, "
        f"{state.threads} threads, n_ctx {state.n_ctx}; {idle}; log {state.log})"
    )


__all__ = ["HOST", "ServerState", "WarmServer", "describe", "stop_started"]
