"""The keeper: a small detached process that owns the warm model server.

`python keeper.py STATE_DIR KEEP_ALIVE INFO_JSON -- COMMAND...` starts COMMAND (the
llama.cpp server), waits until it answers, writes `STATE_DIR/server.json` (pid, port, model,
args), then watches it: it stops the server once nobody used it for KEEP_ALIVE seconds
(clients touch `STATE_DIR/last_used`; negative = never, like Ollama's keep_alive), exits when
the server dies, and stops the server on SIGTERM. The server gets PR_SET_PDEATHSIG, so a
SIGKILLed keeper leaves no orphan. Standard library only: it starts in ~50 ms.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

STATE = "server.json"
LAST_USED = "last_used"
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM it when the keeper dies (even by SIGKILL)."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write then rename: readers never see half a file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n")
    os.replace(tmp, path)


def healthy(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/models", timeout=timeout) as reply:
            return bool(reply.status == 200)
    except (OSError, ValueError):
        return False


def idle_seconds(state_dir: Path) -> float:
    try:
        return time.time() - (state_dir / LAST_USED).stat().st_mtime
    except OSError:
        return 0.0


def keep(state_dir: Path, keep_alive: float, command: list[str], info: dict[str, Any]) -> int:
    url = str(info["base_url"])
    proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent)
    stopping = False

    def on_term(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    state = state_dir / STATE
    written = False
    try:
        deadline = time.monotonic() + float(info.get("startup_timeout", 120))
        while not stopping and proc.poll() is None:
            if not written:
                if healthy(url):
                    (state_dir / LAST_USED).touch()
                    write_json(state, {**info, "pid": proc.pid, "keeper_pid": os.getpid(),
                                       "started": time.time()})  # fmt: skip
                    written = True
                elif time.monotonic() > deadline:
                    print(f"keeper: server not ready at {url}", file=sys.stderr, flush=True)
                    break
            elif keep_alive >= 0 and idle_seconds(state_dir) > keep_alive:
                print(f"keeper: idle for {keep_alive:.0f} s, stopping", file=sys.stderr, flush=True)
                break
            time.sleep(0.25 if not written else 1.0)
    finally:
        _forget(state, os.getpid())
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    return 0 if written else 1


def _forget(state: Path, keeper_pid: int) -> None:
    """Remove the state file if it still describes this keeper's server."""
    try:
        if json.loads(state.read_text()).get("keeper_pid") == keeper_pid:
            state.unlink()
    except (OSError, ValueError):
        pass


def main(argv: list[str]) -> int:
    split = argv.index("--")
    state_dir, keep_alive, info_json = Path(argv[0]), float(argv[1]), argv[2]
    return keep(state_dir, keep_alive, argv[split + 1 :], json.loads(info_json))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
