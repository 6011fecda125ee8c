"""Prompt templates from `prompts/`: each file declares its variables on its first line
(`# variables: a, b`) and loading checks that the body uses exactly those. `check_all`
loads every template at start-up, so a broken prompt fails before the first question.
"""

from __future__ import annotations

import string
from functools import cache
from importlib import resources

from pydantic import BaseModel

from assistant.errors import ConfigError


class Template(BaseModel):
    name: str
    variables: frozenset[str]
    body: str

    def render(self, **values: str) -> str:
        missing = self.variables - values.keys()
        extra = values.keys() - self.variables
        if missing or extra:
            raise ConfigError(
                f"Prompt {self.name}: missing {sorted(missing)}, unexpected {sorted(extra)}"
            )
        return self.body.format(**values)


@cache
def load(name: str) -> Template:
    """Load `prompts/<name>.txt`, checking declared against used variables."""
    try:
        text = resources.files("prompts").joinpath(f"{name}.txt").read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(f"No prompt template prompts/{name}.txt") from exc
    header, _, body = text.partition("\n")
    if not header.startswith("# variables:"):
        raise ConfigError(f"prompts/{name}.txt must start with '# variables: ...'")
    declared = frozenset(v.strip() for v in header.split(":", 1)[1].split(",") if v.strip())
    used = frozenset(f for _, f, _, _ in string.Formatter().parse(body) if f)
    if used != declared:
        raise ConfigError(f"prompts/{name}.txt declares {sorted(declared)} but uses {sorted(used)}")
    return Template(name=name, variables=declared, body=body.strip())


def names() -> list[str]:
    return sorted(
        entry.name.removesuffix(".txt")
        for entry in resources.files("prompts").iterdir()
        if entry.name.endswith(".txt")
    )


def check_all() -> list[Template]:
    """Every template in `prompts/`, loaded and checked."""
    return [load(name) for name in names()]
