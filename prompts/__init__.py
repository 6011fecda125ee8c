"""Prompt templates as files; `assistant.prompting` loads and checks them."""

__all__: list[str] = []
