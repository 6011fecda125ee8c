"""The model seam: one OpenAI-compatible code path for the embedded llama.cpp server,
OpenAI, vLLM, Ollama or any OPENAI_BASE_URL, with a small explicit switch for the
structured-output dialect each speaks (FINDINGS: llama.cpp rejects `json_schema`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

from assistant.errors import ConfigError, ProviderError
from assistant.settings import Settings

Message = dict[str, str]


class ChatModel(Protocol):
    """What the pipeline needs from a model: JSON under a schema, streamed as text."""

    name: str

    def stream_json(
        self, messages: list[Message], schema: dict[str, Any], max_tokens: int | None = None
    ) -> Iterator[str]: ...


def response_format(provider: str, schema: dict[str, Any]) -> dict[str, Any]:
    """How to ask each endpoint kind for output that follows `schema`."""
    if provider == "llamacpp":
        # llama-cpp-python's grammar-enforced extension; `json_schema` gives HTTP 500 there.
        return {"type": "json_object", "schema": schema}
    return {"type": "json_schema", "json_schema": {"name": "answer", "schema": schema}}


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
    ) -> None:
        from openai import OpenAI

        self.base_url = base_url or "https://api.openai.com/v1"
        self.name = model
        self.provider = provider
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.client = OpenAI(
            base_url=self.base_url, api_key=api_key or "not-needed", timeout=timeout, max_retries=0
        )

    def stream_json(
        self, messages: list[Message], schema: dict[str, Any], max_tokens: int | None = None
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
        else:
            kwargs["response_format"] = response_format(self.provider, schema)
        with self.errors():
            stream = self.client.chat.completions.create(**kwargs)
            for chunk in stream:
                if chunk.choices and chunk.choices[0].delta.content:
                    yield chunk.choices[0].delta.content

    def errors(self) -> ErrorMapper:
        return ErrorMapper(self.base_url)


class ErrorMapper:
    """Turns the openai client's exceptions into one actionable line."""

    def __init__(self, url: str) -> None:
        self.url = url

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        import openai

        if exc is None:
            return
        url = self.url
        if isinstance(exc, openai.APITimeoutError):
            raise ProviderError(
                f"The model at {url} timed out: raise PAPERCHAT_LLM__TIMEOUT or use a smaller model"
            ) from exc
        if isinstance(exc, openai.APIConnectionError):
            raise ProviderError(
                f"No model reachable at {url}: start it or set OPENAI_BASE_URL"
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


def build_chat_model(settings: Settings) -> tuple[OpenAICompatible, str]:
    """The configured endpoint, or the embedded llama.cpp server started on demand.

    Returns the client and the endpoint kind ("llamacpp" for the embedded model).
    """
    llm = settings.llm
    if settings.uses_embedded_model():
        from assistant.model.server import LlamaServer

        server = LlamaServer.shared(settings)
        client = OpenAICompatible(
            server.base_url,
            None,
            server.model_alias,
            provider="llamacpp",
            temperature=llm.temperature,
            max_tokens=llm.max_tokens,
            timeout=llm.timeout,
        )
        return client, "llamacpp"
    provider, model = endpoint(settings)
    client = OpenAICompatible(
        llm.base_url,
        llm.api_key,
        model,
        provider=provider,
        temperature=llm.temperature,
        max_tokens=llm.max_tokens,
        timeout=llm.timeout,
    )
    return client, provider


def endpoint(settings: Settings) -> tuple[str, str]:
    """The configured endpoint's dialect and model name (the one place a default is chosen:
    "auto" speaks OpenAI's dialect; a llama.cpp server elsewhere needs provider=llamacpp)."""
    llm = settings.llm
    provider = "openai" if llm.provider == "auto" else llm.provider
    model = llm.model or ("gpt-4o-mini" if provider == "openai" else None)
    if not model:
        raise ConfigError("Set PAPERCHAT_LLM__MODEL to the model name your endpoint serves")
    return provider, model


def build_langchain_model(settings: Settings) -> Any:
    """ChatOpenAI against the configured endpoint (hosted, vLLM, Ollama, ...), for the
    agent's native tool calls."""
    from langchain_openai import ChatOpenAI

    llm = settings.llm
    _, model = endpoint(settings)
    return ChatOpenAI(
        model=model,
        base_url=llm.base_url,
        api_key=llm.api_key or "not-needed",
        temperature=llm.temperature,
        timeout=llm.timeout,
        max_retries=0,
    )
