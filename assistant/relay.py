"""`paperchat ask` through a paperchat process that is already running.

A CLI `ask` on its own pays for its start-up before any work: imports, the embedder, Chroma
and the corpus (2-3.5 s on 2 cores, docs/benchmarks.md). The UI and `paperchat serve` hold
all of that warm, so they also listen on loopback for the CLI: a registration file
`<data_dir>/run/relay-<corpus>.json` (mode 0600) names the port, the process and a random
token, and the CLI posts its question there when that process is alive and runs with the
same settings. Otherwise the CLI answers in its own process, as before. The reply is the
CLI's own output, rendered by the same function in either process.

This module imports only the standard library and the settings: it is on the path of every
`paperchat ask`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import sys
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import PaperchatError
from assistant.settings import Settings

if TYPE_CHECKING:
    from assistant.api import Assistant

MAX_BODY = 64 * 1024  # a question is at most a few thousand characters


def registration(settings: Settings) -> Path:
    return settings.paths.data_dir / "run" / f"relay-{settings.corpus}.json"


def fingerprint(settings: Settings) -> str:
    """The settings an answer depends on: a process started with another model, corpus or
    policy must not answer for this CLI."""
    return hashlib.sha256(settings.model_dump_json().encode()).hexdigest()[:16]


def render(answer: Any, as_json: bool, debug: bool = False) -> tuple[str, str]:
    """What `paperchat ask` prints: (stdout, stderr)."""
    if as_json:
        return json.dumps(answer.to_json_dict(), ensure_ascii=False, indent=2) + "\n", ""
    out = [answer.text]
    if answer.citations:
        out.append("")
        out += [
            f"[{c.key}] {c.paper.short_ref()} — {', '.join(c.paper.authors[:3])}"
            for c in answer.citations
        ]
    err = [
        f"  ({s.status}) {s.text} {s.note}"
        for s in (answer.sentences if debug else [])
        if s.status not in ("verified", "quoted")
    ]
    return "\n".join(out) + "\n", "".join(f"{line}\n" for line in err)


class Relay:
    """Answers the CLI's questions with a warm `Assistant`, on 127.0.0.1 only."""

    def __init__(self, assistant: Assistant, settings: Settings) -> None:
        self.assistant = assistant
        self.settings = settings
        self.token = secrets.token_urlsafe(24)
        self.path = registration(settings)
        self.server: ThreadingHTTPServer | None = None

    def start(self) -> int:
        relay = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                status, body = relay.handle(
                    self.path,
                    self.headers.get("Authorization", ""),
                    self.rfile.read(min(int(self.headers.get("Content-Length", 0)), MAX_BODY)),
                )
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:  # the CLI's questions are not logged
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        record = {
            "pid": os.getpid(),
            "port": port,
            "token": self.token,
            "settings": fingerprint(self.settings),
        }
        partial = self.path.with_suffix(".tmp")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(record, f)
        partial.replace(self.path)
        return int(port)

    def handle(self, path: str, authorization: str, raw: bytes) -> tuple[int, dict[str, Any]]:
        if not hmac.compare_digest(authorization, f"Bearer {self.token}"):
            return 403, {"error": "wrong relay token"}
        if path != "/ask":
            return 404, {"error": f"no such relay path {path}"}
        try:
            request = json.loads(raw)
            question = str(request["question"])
        except (ValueError, KeyError, TypeError):
            return 400, {"error": "a relay request is JSON with a 'question'"}
        try:
            answer = self.assistant.ask(question)
        except PaperchatError as exc:
            return 200, {"error": str(exc)}
        out, err = render(answer, bool(request.get("json")), bool(request.get("debug")))
        return 200, {"stdout": out, "stderr": err}

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
        try:
            if json.loads(self.path.read_text()).get("pid") == os.getpid():
                self.path.unlink()
        except (OSError, ValueError):
            pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):  # gone, or someone else's: not ours
        return False
    return True


def forward(
    settings: Settings, question: str, as_json: bool, debug: bool = False
) -> tuple[str, str] | None:
    """The CLI's (stdout, stderr) from a live relay with the same settings; None when there
    is none, and the CLI answers itself. A relay's user error is raised as this process's."""
    path = registration(settings)
    try:
        record = json.loads(path.read_text())
        pid, port, token = int(record["pid"]), int(record["port"]), str(record["token"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not _alive(pid):
        path.unlink(missing_ok=True)  # left by a process that died without cleaning up
        return None
    if record.get("settings") != fingerprint(settings):
        return None
    body = json.dumps({"question": question, "json": as_json, "debug": debug}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/ask",
        data=body,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.llm.timeout + 30) as response:
            reply = json.loads(response.read())
    except (OSError, ValueError) as exc:
        print(
            f"paperchat: the running process did not answer ({exc}); answering here",
            file=sys.stderr,
        )
        return None
    if "error" in reply:
        raise PaperchatError(str(reply["error"]))
    return str(reply.get("stdout", "")), str(reply.get("stderr", ""))
