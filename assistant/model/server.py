"""The embedded model's process: llama.cpp's own `llama-server`, built by `make` under
`.cache/` (no Linux wheel exists; it speaks the standard `json_schema` response format and
caches prompt prefixes).

`LlamaServer` runs one server as a child of this process (tests, the keeper in `warm.py`).
Commands share one warm server through `warm.WarmServer` instead. A child started here gets
PR_SET_PDEATHSIG, so it never outlives a killed parent.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import socket
import subprocess
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, ClassVar, NoReturn

import httpx

from assistant.errors import ConfigError, ProviderError
from assistant.model.states import states_dir
from assistant.model.weights import resolve_gguf
from assistant.settings import Settings

HOST = "127.0.0.1"
LLAMA_VERSION = "0.3.36"  # keep in step with the Makefile's LLAMA_VERSION
BUILD_HINT = "run `make setup` (it builds llama-server under .cache/, ~5 min once)"


def llama_server_binary(cache_dir: Path | None = None) -> Path | None:
    """llama.cpp's own server, as the Makefile builds it; None if not built."""
    cache = Path(cache_dir) if cache_dir else Settings().paths.cache_dir
    binary = cache / f"llama.cpp-{LLAMA_VERSION}" / "bin" / "llama-server"
    return binary if os.access(binary, os.X_OK) else None


def _die_with_parent() -> None:
    from assistant.model.keeper import _die_with_parent as die

    die()


def require_llama_cpp(binary: Path | None = None) -> Path:
    """The llama-server binary, or a ConfigError saying how to build it."""
    binary = binary or llama_server_binary()
    if binary is None:
        raise ConfigError(f"The embedded model needs llama.cpp's llama-server: {BUILD_HINT}")
    return binary


def free_port(host: str = HOST) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _port_in_use(port: int, host: str = HOST) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        return s.connect_ex((host, port)) == 0


def _tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


class LlamaServer:
    """A `llama-server` child process serving one GGUF at `base_url` (OpenAI API)."""

    _live: ClassVar[set[LlamaServer]] = set()
    _lock: ClassVar[threading.RLock] = threading.RLock()

    def __init__(
        self,
        model: Path,
        *,
        alias: str | None = None,
        threads: int = 2,
        n_ctx: int = 4096,
        port: int | None = None,
        log_dir: Path | None = None,
        startup_timeout: float = 120.0,
        binary: Path | None = None,
        extra_args: Sequence[str] = (),
        slot_dir: Path | None = None,
    ) -> None:
        self.model = Path(model)
        self.model_alias = alias or self.model.stem
        # llama.cpp collapses when its threads exceed the free cores (FINDINGS: 2 threads
        # with another CPU-heavy process fell from 30 to 1.3 tok/s), so the default is 2 on
        # this 2-core machine and prompt processing (threads_batch) gets the same number.
        self.threads = threads
        self.n_ctx = n_ctx
        self.port = port
        self.log_dir = Path(log_dir) if log_dir else Path.cwd() / "logs"
        self.startup_timeout = startup_timeout
        # The chat template is the one stored in the GGUF (Qwen2.5 and SmolLM2 both carry a
        # ChatML-style one), which is what the models were tuned on.
        self.binary = binary
        self.extra_args = list(extra_args)
        self.slot_dir = slot_dir  # where the slot's state is saved and restored (states.py)
        self.log_path: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> LlamaServer:
        model = resolve_gguf(settings)
        return cls(
            model,
            alias=settings.llm.model or model.stem,
            threads=settings.llm.threads,
            n_ctx=settings.llm.n_ctx,
            port=settings.llm.server_port,
            log_dir=Path(settings.paths.data_dir) / "logs",
            binary=settings.llm.server_binary or llama_server_binary(settings.paths.cache_dir),
            extra_args=settings.llm.server_args,
            slot_dir=states_dir(settings) if settings.llm.prefix_states else None,
        )

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    @property
    def base_url(self) -> str:
        if self.port is None:
            raise RuntimeError("LlamaServer.base_url before start()")
        return f"http://{HOST}:{self.port}/v1"

    @property
    def backend(self) -> str:
        return "llama-server"

    def command(self) -> list[str]:
        return [
            str(require_llama_cpp(self.binary)),
            "--model", str(self.model), "--alias", self.model_alias,
            "--ctx-size", str(self.n_ctx),
            "--threads", str(self.threads), "--threads-batch", str(self.threads),
            "--host", HOST, "--port", str(self.port),
            # One slot: on 2 cores, 4 requests on 2 slots took 15.6 s against 9.5 s in turn
            # (FINDINGS); the slot keeps the last prompt, so a shared prefix is reused.
            "--parallel", "1",
            "--no-webui",
            *(["--slot-save-path", str(self.slot_dir)] if self.slot_dir else []),
            *self.extra_args,
        ]  # fmt: skip

    def prepare(self) -> None:
        """Before a start (here or by the warm keeper): the binary, the model file and a
        free port, each a one-line ConfigError when missing."""
        self.binary = require_llama_cpp(self.binary)
        if self.slot_dir is not None:
            self.slot_dir.mkdir(parents=True, exist_ok=True)  # llama-server requires it
        if not self.model.is_file():
            raise ConfigError(f"Model file not found: {self.model}")
        if self.port is None:
            self.port = free_port()
        elif _port_in_use(self.port):
            raise ConfigError(
                f"Port {self.port} is in use: set PAPERCHAT_LLM__SERVER_PORT to a free port "
                "or unset it"
            )

    def start(self) -> LlamaServer:
        """Start the process and block until `GET /v1/models` answers 200."""
        if self.running:
            return self
        self.prepare()
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.log_dir / f"llama-server-{self.model_alias}-{self.port}.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self._proc = subprocess.Popen(
            self.command(), stdin=subprocess.DEVNULL, stdout=self._log,
            stderr=subprocess.STDOUT, env=env, start_new_session=True,
            preexec_fn=_die_with_parent,
        )  # fmt: skip
        with LlamaServer._lock:
            LlamaServer._live.add(self)
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self) -> None:
        url = f"{self.base_url}/models"
        deadline = time.monotonic() + self.startup_timeout
        with httpx.Client(timeout=2.0, trust_env=False) as client:
            while True:
                assert self._proc is not None
                code = self._proc.poll()
                if code is not None:
                    self._fail(f"llama.cpp server exited with code {code} loading {self.model}")
                with contextlib.suppress(httpx.TransportError):
                    if client.get(url).status_code == 200:
                        return
                if time.monotonic() > deadline:
                    self._fail(f"llama.cpp server not ready after {self.startup_timeout:.0f} s")
                time.sleep(0.2)

    def _fail(self, what: str) -> NoReturn:
        """One-line ProviderError with the log's last lines; the longer tail goes in .body."""
        if self._log:
            self._log.flush()
        tail = _tail(self.log_path) if self.log_path else ""
        last = " | ".join(line.strip() for line in tail.splitlines()[-2:])
        raise ProviderError(f"{what}: {last} (full log: {self.log_path})", body=tail)

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM, then SIGKILL after timeout; idempotent."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout)
        if self._log is not None:
            self._log.close()
            self._log = None
        with LlamaServer._lock:
            LlamaServer._live.discard(self)

    def wait(self) -> int:
        """Block until the server exits; its return code."""
        assert self._proc is not None, "wait() before start()"
        return self._proc.wait()

    def __enter__(self) -> LlamaServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = f"pid={self.pid} {self.base_url}" if self.running else "stopped"
        return f"LlamaServer({self.model.name}, {state})"


@atexit.register
def stop_all() -> None:
    """Stop every server this process started (also runs at interpreter exit)."""
    for server in list(LlamaServer._live):
        server.stop(timeout=5.0)
