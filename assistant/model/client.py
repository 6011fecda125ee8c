"""The model seam: one OpenAI-compatible code path for the embedded llama.cpp server,
OpenAI, vLLM, Ollama or any OPENAI_BASE_URL. Every endpoint gets the standard
`response_format: json_schema`, except vLLM's `guided_json` and the embedded llama.cpp
server, which gets the same schema as a compact grammar (grammar.py).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Protocol

import httpx

from assistant.errors import ProviderError
from assistant.model.grammar import compact_gbnf

Message = dict[str, str]


class ChatModel(Protocol):
    """What the pipeline needs from a model: JSON under a schema, streamed as text."""

    @property
    def name(self) -> str: ...

    def stream_json(
        self,
        messages: list[Message],
        schema: dict[str, Any],
        max_tokens: int | None = None,
        avoid: Sequence[str] = (),
        prefix: str = "",
    ) -> Iterator[str]:
        """`avoid`: words the model should not write, where the endpoint can ban them
        (llama.cpp's logit_bias takes words; OpenAI's takes token ids, so it is not sent).
        `prefix`: the start of the last message that other requests share (a paper's
        record): the embedded server keeps its state for it on disk; hosted endpoints cache
        shared prefixes themselves, so it is not sent."""
        ...


def response_format(provider: str, schema: dict[str, Any]) -> dict[str, Any]:
    """How to ask each endpoint kind for output that follows `schema` (one dialect)."""
    return {"type": "json_schema", "json_schema": {"name": "answer", "schema": schema}}


class MuteModel:
    """A model that writes nothing: `paperchat eval --mute` runs it to measure the floor,
    what the code alone (metadata, quotes, abstentions) scores without a model's words."""

    name = "mute"

    def stream_json(
        self,
        messages: list[Message],
        schema: dict[str, Any],
        max_tokens: int | None = None,
        avoid: Sequence[str] = (),
        prefix: str = "",
    ) -> Iterator[str]:
        return iter(())


class Usage(dict[str, float]):
    """Token counts of the last reply: prompt_tokens, cached_tokens, completion_tokens;
    and, from llama-server, its own seconds for them: prompt_s, generation_s."""


class OpenAICompatible:
    """A chat model behind an OpenAI-compatible endpoint, via the `openai` client."""

    def __init__(
        self,
        base_url: str | None,
        api_key: str | None,
        model: str,
        *,
        provider: str = "openai",
        temperature: float = 0.0,
        max_tokens: int = 400,
        timeout: float = 180.0,
        retries: int = 0,
    ) -> None:
        from openai import OpenAI

        self.base_url = base_url or "https://api.openai.com/v1"
        self.name = model
        self.provider = provider
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.timeout = timeout
        self.retries = retries
        self.last_usage = Usage()
        # The client retries timeouts and refused connections with backoff, `retries` times.
        self.client = OpenAI(
            base_url=self.base_url,
            api_key=api_key or "not-needed",
            timeout=timeout,
            max_retries=retries,
        )

    def stream_json(
        self,
        messages: list[Message],
        schema: dict[str, Any],
        max_tokens: int | None = None,
        avoid: Sequence[str] = (),
        prefix: str = "",
    ) -> Iterator[str]:
        kwargs: dict[str, Any] = {
            "model": self.name,
            "messages": messages,
            "temperature": self.temperature,
            "max_tokens": max_tokens or self.max_tokens,
            "stream": True,
        }
        if self.provider == "vllm":
            kwargs["extra_body"] = {"guided_json": schema}
        elif self.provider == "llamacpp":
            # The schema as a grammar without indentation (grammar.py: 63 tokens instead of
            # 73 for a lookup), and reuse of the KV cache of the longest shared prompt prefix.
            kwargs["extra_body"] = {"grammar": compact_gbnf(schema), "cache_prompt": True}
            if avoid:
                kwargs["extra_body"]["logit_bias"] = [[word, False] for word in avoid]
        else:
            kwargs["response_format"] = response_format(self.provider, schema)
        if self.provider in ("llamacpp", "openai"):
            kwargs["stream_options"] = {"include_usage": True}
        self.last_usage = Usage()
        with self.errors():
            stream = self.client.chat.completions.create(**kwargs)
            # Closed however the caller stops listening (a client that left, a cancelled
            # job): the endpoint sees the request end and stops writing a reply nobody reads.
            with stream:
                for chunk in stream:
                    if chunk.usage is not None:
                        self._record(chunk.usage, getattr(chunk, "timings", None))
                    if chunk.choices and chunk.choices[0].delta.content:
                        yield chunk.choices[0].delta.content

    def _record(self, usage: Any, timings: Any = None) -> None:
        details = getattr(usage, "prompt_tokens_details", None)
        self.last_usage = Usage(
            prompt_tokens=usage.prompt_tokens or 0,
            cached_tokens=(getattr(details, "cached_tokens", 0) or 0) if details else 0,
            completion_tokens=usage.completion_tokens or 0,
        )
        if isinstance(timings, dict):  # llama-server's own clock, beside the usage
            self.last_usage["prompt_s"] = float(timings.get("prompt_ms") or 0) / 1000
            self.last_usage["generation_s"] = float(timings.get("predicted_ms") or 0) / 1000

    def errors(self) -> ErrorMapper:
        return ErrorMapper(self.base_url, self.timeout, self.retries)


class ErrorMapper:
    """Turns the openai client's exceptions into one actionable line."""

    def __init__(self, url: str, timeout: float | None = None, retries: int = 0) -> None:
        self.url = url
        self.timeout = timeout
        self.retries = retries

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        import openai

        if exc is None:
            return
        url = self.url
        tries = f" ({self.retries + 1} attempts)" if self.retries else ""
        if isinstance(exc, openai.APITimeoutError):
            after = f" after {self.timeout:g} s" if self.timeout else ""
            raise ProviderError(
                f"The model at {url} timed out{after}{tries}: raise PAPERCHAT_LLM__TIMEOUT "
                "or use a smaller model"
            ) from exc
        if isinstance(exc, openai.APIConnectionError):
            raise ProviderError(
                f"No model reachable at {url}{tries}: start it or set OPENAI_BASE_URL"
            ) from exc
        if isinstance(exc, httpx.TransportError):  # the stream broke off after it began
            raise ProviderError(
                f"The model at {url} stopped answering mid-reply ({type(exc).__name__}): ask again"
            ) from exc
        if isinstance(exc, openai.APIStatusError):
            if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
                hint = "rejected the API key: check OPENAI_API_KEY"
            elif isinstance(exc, openai.NotFoundError):
                hint = "does not know that model: check PAPERCHAT_LLM__MODEL"
            else:
                hint = f"failed with HTTP {exc.status_code}: see its log"
            raise ProviderError(
                f"The model at {url} {hint}", status=exc.status_code, body=str(exc.body)
            ) from exc
