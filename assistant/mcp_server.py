"""`paperchat mcp`: the corpus as tools, resources and prompts for any MCP client, over
stdio (what desktop clients start) or streamable HTTP.

HTTP binds to loopback by default; any other address exposes the corpus and the model to
the network, so it needs a bearer token (`--auth`). The SDK is imported only when the
server starts, so the other commands never pay for it.
"""

from __future__ import annotations

import argparse
import hmac
import os
import socket
import sys
from typing import TYPE_CHECKING, Any

from assistant.errors import ConfigError
from assistant.settings import Settings, is_loopback

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Receive, Scope, Send

DEFAULT_PORT = 8765
MCP_PATH = "/mcp"


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "mcp", help="an MCP server over the corpus (stdio; --http for streamable HTTP)"
    )
    p.add_argument("--http", action="store_true", help="streamable HTTP instead of stdio")
    p.add_argument("--host", default="127.0.0.1", help="loopback by default; others need --auth")
    p.add_argument("--port", type=int, default=DEFAULT_PORT)
    p.add_argument(
        "--auth",
        default=os.environ.get("PAPERCHAT_MCP_AUTH"),
        help="bearer token HTTP clients must send (or PAPERCHAT_MCP_AUTH)",
    )


def serve(args: argparse.Namespace, settings: Settings) -> int:
    """Serve `--corpus` only, or every corpus in the data dir, until the client leaves
    (stdio) or Ctrl-C (HTTP)."""
    if args.http and not args.auth and not is_loopback(args.host):
        raise ConfigError(
            f"--host {args.host} exposes the papers and the model to the network: set a token "
            "with --auth TOKEN (or PAPERCHAT_MCP_AUTH), or bind to 127.0.0.1"
        )
    listening = _bind(args.host, args.port) if args.http else None  # a taken port fails first
    import anyio

    from assistant.mcp_io import Corpora
    from assistant.mcp_tools import build_server

    corpora = Corpora(settings, only=args.corpus)
    try:
        corpora.warm()
        server = build_server(corpora)
        if listening is None:
            server.run("stdio")
            return 0
        app: ASGIApp = server.streamable_http_app(streamable_http_path=MCP_PATH, host=args.host)
        if args.auth:
            app = BearerAuth(app, args.auth)
        print(f"paperchat mcp: serving http://{args.host}:{args.port}{MCP_PATH}", file=sys.stderr)
        anyio.run(_serve_http, app, listening)
        return 0
    finally:
        corpora.close()


def _bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound here so a taken port is one clear line, not a log."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listening = socket.socket(family, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listening.bind((host, port))
    except OSError as exc:
        listening.close()
        raise ConfigError(
            f"Cannot listen on {host}:{port} ({exc.strerror}): choose another --port or --host"
        ) from exc
    return listening


async def _serve_http(app: Any, listening: socket.socket) -> None:
    import uvicorn

    config = uvicorn.Config(app, log_level="warning")
    await uvicorn.Server(config).serve(sockets=[listening])


class BearerAuth:
    """Every HTTP request must carry `Authorization: Bearer <token>`; others get 401.

    A fixed token, not the SDK's OAuth: a researcher sharing a corpus with their own agents
    has no authorization server, and advertising one that does not exist misleads clients.
    """

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.expected = f"Bearer {token}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            given = dict(scope["headers"]).get(b"authorization", b"")
            if not hmac.compare_digest(given, self.expected):
                await send(
                    {
                        "type": "http.response.start",
                        "status": 401,
                        "headers": [
                            (b"content-type", b"text/plain; charset=utf-8"),
                            (b"www-authenticate", b'Bearer realm="paperchat"'),
                        ],
                    }
                )
                await send(
                    {"type": "http.response.body", "body": b"paperchat mcp: bearer token required"}
                )
                return
        await self.app(scope, receive, send)
