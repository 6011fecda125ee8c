"""The one family of test doubles: FAKE chat models for unit tests of logic only.

`FakeChatModel` implements the production `ChatModel` protocol (schema-valid JSON, streamed
in small chunks); `QuotingChatModel` answers with the sentences shown for source [1];
`ScriptedFakeChatModel` is a LangChain chat model that plays back fixed AI messages, for
the agent's native tool-calling loop; `FakeEndpoint` serves `QuotingChatModel` as an
OpenAI-compatible endpoint on loopback, for tests of whole `paperchat` processes.
Integration tests use the real parts instead.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from retrieval.text import split_sentences


class FakeChatModel:
    """A FAKE chat model: replies with fixed JSON, streamed in small chunks."""

    def __init__(
        self,
        reply: dict[str, Any] | list[dict[str, Any]] | Callable[[dict[str, Any]], dict[str, Any]],
        name: str = "fake",
    ) -> None:
        # A callable reply is written from the request's schema (a summary's labels).
        self.replies = reply if isinstance(reply, list) else [reply]
        self.name = name
        self.calls: list[list[dict[str, str]]] = []
        self.avoided: list[list[str]] = []
        self.prefixes: list[str] = []

    def stream_json(
        self,
        messages: list[dict[str, str]],
        schema: dict[str, Any],
        max_tokens: int | None = None,
        avoid: Sequence[str] = (),
        prefix: str = "",
    ) -> Iterator[str]:
        self.calls.append(messages)
        self.avoided.append(list(avoid))
        self.prefixes.append(prefix)
        reply = self.replies[min(len(self.calls), len(self.replies)) - 1]
        text = json.dumps(reply(schema) if callable(reply) else reply)
        for i in range(0, len(text), 9):
            yield text[i : i + 9]


class QuotingChatModel(FakeChatModel):
    """A FAKE chat model: answers with the sentences shown for source [1], citing [1].

    Deterministic, and every sentence it writes is verbatim from a source, so the grounding
    checks keep it; what an eval then measures is retrieval and the code's decisions.
    """

    def __init__(self) -> None:
        super().__init__([], name="fake-quoter")

    def stream_json(
        self,
        messages: list[dict[str, str]],
        schema: dict[str, Any],
        max_tokens: int | None = None,
        avoid: Sequence[str] = (),
        prefix: str = "",
    ) -> Iterator[str]:
        shown = re.search(r"^\[1\] .*?\(\w+(?:\.\w+)?\): (.*)$", messages[-1]["content"], re.M)
        sentences = split_sentences(shown[1]) if shown else []
        self.replies.append({"sentences": [{"text": s, "sources": [1]} for s in sentences[:3]]})
        yield from super().stream_json(messages, schema, max_tokens)


class GatedChatModel(FakeChatModel):
    """A FAKE chat model that holds its reply until `gate` is set (a busy model, for the
    queue's tests)."""

    def __init__(self, gate: Any, reply: dict[str, Any]) -> None:
        super().__init__(reply, name="fake-gated")
        self.gate = gate

    def stream_json(
        self,
        messages: list[dict[str, str]],
        schema: dict[str, Any],
        max_tokens: int | None = None,
        avoid: Sequence[str] = (),
        prefix: str = "",
    ) -> Iterator[str]:
        self.calls.append(messages)
        self.gate.wait(30)
        self.calls.pop()
        yield from super().stream_json(messages, schema, max_tokens)


class FakeEndpoint:
    """A FAKE OpenAI-compatible chat endpoint on 127.0.0.1: every streamed completion comes
    from a fresh `QuotingChatModel`, so a `paperchat` subprocess reaches the fake through
    the production client (`env()` points OPENAI_BASE_URL at it). `delay` seconds pass
    between chunks, to catch a job mid-answer."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.dropped = 0  # replies the client stopped reading before the end
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                chunks = QuotingChatModel().stream_json(body["messages"], {})
                try:
                    for text in chunks:
                        time.sleep(endpoint.delay)
                        self._event({"content": text})
                    self.wfile.write(b"data: [DONE]\n\n")
                except (BrokenPipeError, ConnectionResetError):
                    endpoint.dropped += 1

            def _event(self, delta: dict[str, str]) -> None:
                chunk = {
                    "id": "fake",
                    "object": "chat.completion.chunk",
                    "created": 0,
                    "model": "fake-quoter",
                    "choices": [{"index": 0, "delta": delta, "finish_reason": None}],
                }
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.flush()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def env(self) -> dict[str, str]:
        """Settings that make a `paperchat` process answer through this endpoint."""
        return {
            "OPENAI_BASE_URL": self.url,
            "OPENAI_API_KEY": "fake",
            "PAPERCHAT_LLM__MODEL": "fake-quoter",
            "PAPERCHAT_LLM__PROVIDER": "openai",
            "PAPERCHAT_LLM__MODE": "pipeline",
        }

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class ScriptedFakeChatModel(BaseChatModel):
    """A FAKE tool-calling LangChain model: plays back fixed AI messages, records what it
    was sent."""

    script: list[AIMessage]
    seen: list[list[BaseMessage]] = []  # noqa: RUF012  (a pydantic field: copied per instance)

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kwargs: Any
    ) -> ChatResult:
        self.seen.append(list(messages))
        message = self.script[min(len(self.seen), len(self.script)) - 1]
        return ChatResult(generations=[ChatGeneration(message=message)])

    def bind_tools(self, tools: Any, **kwargs: Any) -> ScriptedFakeChatModel:  # type: ignore[override]
        return self

    @property
    def _llm_type(self) -> str:
        return "scripted-fake"


class FakeEmbedder:
    """A FAKE embedder on another scale than MiniLM: hashed bag of words, 512 dimensions,
    unit length. Texts sharing words are close; others near 0. For unit tests of logic that
    must hold for any embedder (the abstention calibration)."""

    def __init__(self, dim: int = 512) -> None:
        self.dim = dim

    def fingerprint(self) -> str:
        return f"fake-bow:{self.dim}"

    def encode(self, texts: Any) -> Any:
        import hashlib

        import numpy as np

        rows = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"[a-z0-9]+", str(text).lower()):
                if len(word) > 3:
                    digest = hashlib.sha256(word.encode()).digest()
                    rows[i, int.from_bytes(digest[:2], "big") % self.dim] += 1.0
            norm = float(np.linalg.norm(rows[i]))
            rows[i] = rows[i] / norm if norm else rows[i]
            if not norm:
                rows[i, i % self.dim] = 1.0
        return rows

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [list(map(float, v)) for v in self.encode(texts)]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]
