"""Write docs/mcp.md's transcript: the MCP SDK's own client starts `paperchat mcp` over
stdio, lists what it offers and asks one question, and every exchange is printed as
Markdown.

Usage: python tools/mcp_transcript.py [--fake]   (its output is docs/mcp.md's session)
--fake answers through the tests' FAKE quoting model (tests/fakes.py `FakeEndpoint`) instead
of the configured model; without it the embedded model (or OPENAI_BASE_URL) answers.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

import anyio
from mcp import Client, StdioServerParameters

ROOT = Path(__file__).resolve().parents[1]
QUESTION = "What AP does DINO achieve in 12 epochs?"
LONG_FIELDS = {"abstract"}


def shortened(value: Any) -> Any:
    """The result with long paper fields cut (the transcript shows the shape, not abstracts)."""
    if isinstance(value, dict):
        return {
            k: (
                v[:80] + " …"
                if k in LONG_FIELDS and isinstance(v, str) and len(v) > 80
                else shortened(v)
            )
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [shortened(v) for v in value]
    return value


def block(text: str, lang: str = "") -> str:
    return f"```{lang}\n{text}\n```\n"


async def session(params: StdioServerParameters, model: str) -> None:
    out = print
    out("## The session\n")
    async with Client(params, read_timeout_seconds=600) as client:
        info = client.server_info
        name = f"`{info.name}` {info.version}" if info else "the server"
        out(f"Connected to {name}, protocol {client.protocol_version}; {model}.\n")
        out("### tools/list\n")
        for tool in (await client.list_tools()).tools:
            args = ", ".join((tool.input_schema.get("properties") or {}).keys())
            out(f"- `{tool.name}({args})`: {' '.join((tool.description or '').split())}")
        resources = (await client.list_resources()).resources
        templates = (await client.list_resource_templates()).resource_templates
        out(f"\n### resources/list\n\n{len(resources)} resources, e.g.:\n")
        for r in resources[:3]:
            out(f"- `{r.uri}`: {r.title or r.name}")
        out("\nTemplates: " + ", ".join(f"`{t.uri_template}`" for t in templates) + "\n")
        out("### prompts/list\n")
        for p in (await client.list_prompts()).prompts:
            names = ", ".join(a.name for a in p.arguments or [])
            out(f"- `{p.name}` ({p.title}; arguments: {names})")
        call = {"question": QUESTION}
        out(f"\n### tools/call `ask`\n\n{block(json.dumps(call), 'json')}")
        out("Progress notifications, as they arrived:\n")
        lines: list[str] = []

        async def progress(progress: float, total: float | None, message: str | None) -> None:
            lines.append(f"{progress:g}  {message}")

        result = await client.call_tool("ask", call, progress_callback=progress)
        out(block("\n".join(lines)))
        out("The result's `structured_content` (abstracts cut to 80 characters here):\n")
        out(
            block(
                json.dumps(shortened(result.structured_content), indent=2, ensure_ascii=False),
                "json",
            )
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fake", action="store_true", help="the tests' FAKE quoting model")
    args = parser.parse_args()
    env = dict(os.environ)
    model = "the configured model"
    if args.fake:
        sys.path.insert(0, str(ROOT))
        from tests.fakes import FakeEndpoint

        env |= FakeEndpoint().env()
        model = "answers from the FAKE quoting model of tests/fakes.py"
    command = [sys.executable, "-m", "assistant.cli", "mcp"]
    params = StdioServerParameters(command=command[0], args=command[1:], env=env, cwd=ROOT)
    anyio.run(session, params, model)


if __name__ == "__main__":
    main()
