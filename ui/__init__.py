"""The Gradio chat UI over the `Assistant` facade."""

from ui.app import build_app, launch

__all__ = ["build_app", "launch"]
