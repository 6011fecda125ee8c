"""The embedded model as a `ChatModel`: each request finds (or starts) the shared warm server
first, so a server that died or idled out since the last question is simply started again,
and a server killed mid-answer gives one clear line instead of a broken stream.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from assistant.errors import ProviderError
from assistant.model.client import Message, OpenAICompatible, Usage
from assistant.model.states import PrefixStates
from assistant.model.warm import ServerState, WarmServer, alive, slot_path
from assistant.settings import Settings

TOUCH_EVERY = 5.0  # seconds: a long reply keeps resetting the keeper's idle clock


class EmbeddedModel:
    """The local GGUF behind the shared llama.cpp server."""

    provider = "llamacpp"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.warm = WarmServer(settings)
        self.state: ServerState | None = None
        self._client: OpenAICompatible | None = None

    @property
    def name(self) -> str:
        return self.state.alias if self.state else (self.settings.llm.model or "embedded")

    @property
    def last_usage(self) -> Usage:
        return self._client.last_usage if self._client else Usage()

    def connect(self) -> OpenAICompatible:
        """The client for the running server (started if it is not)."""
        state = self.warm.ensure()
        if self._client is None or self.state is None or state.base_url != self.state.base_url:
            llm = self.settings.llm
            self._client = OpenAICompatible(
                state.base_url,
                None,
                state.alias,
                provider="llamacpp",
                temperature=llm.temperature,
                max_tokens=llm.max_tokens,
                timeout=llm.timeout,
                retries=llm.retries,
            )
        self.state = state
        return self._client

    def states(self) -> PrefixStates | None:
        """The saved prefix states of the running server (None when switched off)."""
        state = self.state
        slots = slot_path(state.args) if state else None
        if state is None or slots is None:
            return None
        model = Path(state.model)
        size = model.stat().st_size if model.is_file() else 0
        identity = "|".join([state.model, str(size), state.args[0], *state.extra_args])
        return PrefixStates(
            Path(slots), state.base_url, identity, self.settings.llm.prefix_states_mb
        )

    def prefill(self, messages: list[Message]) -> bool:
        """Compute and save the state of `messages` (its last message the shared prefix)
        unless it is saved already; True when it was computed now."""
        client = self.connect()
        states = self.states()
        if states is None or self.state is None:
            return False
        name = states.name(messages, messages[-1]["content"])
        if states.has(name) or states.full():
            return False
        with client.errors():
            client.client.chat.completions.create(
                model=self.state.alias,
                messages=messages,  # type: ignore[arg-type]
                max_tokens=1,
                extra_body={"cache_prompt": True},
            )
        self.warm.touch()
        return states.save(name)

    @property
    def client(self) -> Any:
        """The underlying `openai.OpenAI` client (bench: direct requests)."""
        return self.connect().client

    def stream_json(
        self,
        messages: list[Message],
        schema: dict[str, Any],
        max_tokens: int | None = None,
        avoid: Sequence[str] = (),
        prefix: str = "",
    ) -> Iterator[str]:
        client = self.connect()
        assert self.state is not None
        state = self.state
        touched = time.monotonic()
        states = self.states() if prefix else None
        name = states.name(messages, prefix) if states else ""
        fresh = states is not None and not states.restore(name)
        try:
            for chunk in client.stream_json(messages, schema, max_tokens, avoid):
                if time.monotonic() - touched > TOUCH_EVERY:
                    self.warm.touch()
                    touched = time.monotonic()
                yield chunk
            if states is not None and fresh:
                states.save(name)
        except ProviderError as exc:
            if not alive(state.pid):
                raise ProviderError(
                    f"The embedded model server (pid {state.pid}) stopped during the answer: "
                    f"ask again to restart it (log: {state.log})"
                ) from exc
            raise
        finally:
            self.warm.touch()
