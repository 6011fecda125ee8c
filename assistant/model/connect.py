"""Which model a command talks to: the configured endpoint, or the embedded model behind
the shared warm server; and the LangChain model for the agent's native tool calls."""

from __future__ import annotations

from typing import Any

from assistant.errors import ConfigError
from assistant.model.client import ChatModel, OpenAICompatible
from assistant.model.embedded import EmbeddedModel
from assistant.settings import Settings


def build_chat_model(settings: Settings) -> tuple[ChatModel, str]:
    """The configured endpoint, or the embedded llama.cpp server started on demand.

    Returns the client and the endpoint kind ("llamacpp" for the embedded model).
    """
    llm = settings.llm
    if settings.uses_embedded_model():
        embedded = EmbeddedModel(settings)
        embedded.connect()  # started (or found warm) now: callers time answers, not start-up
        return embedded, "llamacpp"
    provider, model = endpoint(settings)
    client = OpenAICompatible(
        llm.base_url,
        llm.api_key,
        model,
        provider=provider,
        temperature=llm.temperature,
        max_tokens=llm.max_tokens,
        timeout=llm.timeout,
        retries=llm.retries,
    )
    return client, provider


def model_status(settings: Settings, mode: str, provider: str | None, model: Any) -> str:
    """Which model answers and whether it is up (`model`: None until built); never a key."""
    llm = settings.llm
    if provider == "fake":
        return f"test model {getattr(model, 'name', 'fake')} (a fake) · ready"
    if mode == "pipeline" and settings.uses_embedded_model():
        name = llm.gguf.name if llm.gguf else f"{llm.local_model} (embedded, llama.cpp)"
        ready = "ready" if model is not None else "starts on the first question"
        return f"{name} · {ready}"
    return f"{llm.model or 'default model'} (hosted at {llm.base_url or 'api.openai.com'})"


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
        max_retries=llm.retries,
        max_tokens=llm.max_tokens,
    )
