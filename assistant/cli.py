"""`paperchat`: ingest, index, search, ask, summarize, bio, model serve, mcp, eval, bench, ui.

User errors print one line on stderr and exit 2; anything else is a bug and propagates.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from pydantic import ValidationError

from assistant.cli_corpora import add_parsers as add_corpus_parsers
from assistant.cli_corpora import run as run_corpus_command
from assistant.errors import PaperchatError
from assistant.mcp_server import add_parser as add_mcp_parser
from assistant.relay import Relay, forward, render
from assistant.settings import Settings

EXIT_USAGE = 2


def _filters(args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if getattr(args, "year", None):
        lo, _, hi = args.year.partition("-")
        try:
            out["year_from"] = int(lo) if lo else None
            out["year_to"] = int(hi) if hi else (int(lo) if "-" not in args.year else None)
        except ValueError as exc:
            raise PaperchatError(
                f"--year {args.year!r}: use 2023, 2020-2022, 2023- or -2021"
            ) from exc
    if getattr(args, "category", None):
        out["categories"] = [c.strip().upper() for c in args.category.split(",")]
    if getattr(args, "author", None):
        out["author"] = args.author
    if getattr(args, "code", False):
        out["has_code"] = True
    if getattr(args, "venue", None):
        out["venue"] = args.venue
    return {k: v for k, v in out.items() if v is not None}


def _add_filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--year", help="2023, 2020-2022, 2023- (since) or -2021 (until)")
    p.add_argument("--category", help="category codes, e.g. CV or CV,LG")
    p.add_argument("--author", help="co-author name")
    p.add_argument("--code", action="store_true", help="only papers with code")
    p.add_argument("--venue", help="a name the venue holds, e.g. AAAI or workshop")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="paperchat", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    add_corpus_parsers(sub)

    p = sub.add_parser("index", help="embed new/changed papers into Chroma")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("search", help="hybrid search, no model needed")
    p.add_argument("query")
    p.add_argument("-k", type=int, default=5)
    _add_filters(p)
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--raw", action="store_true", help="search the text as given, without query analysis"
    )

    p = sub.add_parser("ask", help="a cited answer to a question")
    p.add_argument("question")
    p.add_argument("--json", action="store_true")
    p.add_argument("--debug", action="store_true", help="show removed sentences and why")
    p.add_argument(
        "--here",
        action="store_true",
        help="answer in this process even when a running UI or `paperchat serve` could",
    )

    sub.add_parser(
        "serve", help="stay running, warm, and answer `paperchat ask` for this corpus (Ctrl-C)"
    )

    p = sub.add_parser("summarize", help="a topic's papers grouped by theme, cited")
    p.add_argument("topic", nargs="?", default=None)
    _add_filters(p)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("bio", help="a bio or talk introduction from corpus facts only")
    p.add_argument("--kind", choices=["bio", "talk_intro"], default="bio")
    p.add_argument("--length", choices=["short", "medium", "long"], default="short")
    p.add_argument("--audience", default="general")
    p.add_argument("--topic", default=None)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("check", help="verify your own text's claims against the papers it cites")
    p.add_argument("file", help="a text or Markdown file, or - for standard input")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("model", help="the shared embedded llama.cpp model server")
    p.add_argument(
        "action",
        choices=["serve", "start", "status", "stop", "path", "prefill"],
        help="serve: in the foreground until Ctrl-C; start: in the background (stops after "
        "llm.keep_alive idle seconds); status; stop; path: the GGUF file; prefill: save the "
        "server's state for each paper of the corpus, so a first question about any of them "
        "processes only its own tokens",
    )
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("chat", help="interactive questions in the terminal")

    p = sub.add_parser("ui", help="the Gradio chat UI")
    p.add_argument("--port", type=int, default=7860)
    p.add_argument("--host", default="127.0.0.1", help="loopback by default; others need --auth")
    p.add_argument(
        "--auth",
        default=os.environ.get("PAPERCHAT_UI_AUTH"),
        help="user:password for the login page (or PAPERCHAT_UI_AUTH)",
    )

    add_mcp_parser(sub)

    p = sub.add_parser("eval", help="retrieval and answer quality on a question set")
    p.add_argument("--set", dest="qset", type=Path, default=None)
    p.add_argument("--answers", action="store_true", help="also generate and score answers")
    p.add_argument("--out", type=Path, default=Path("docs/eval"))
    p.add_argument("--json", action="store_true")
    p.add_argument("--mode", choices=["pipeline", "agent"], help="answer mode (llm.mode)")
    p.add_argument("--claims", type=Path, default=None, help="score the claim verifier on a set")
    p.add_argument(
        "--phrasings", type=Path, default=None, help="do rephrased questions get the same answer"
    )
    p.add_argument(
        "--syntheses", type=Path, default=None, help="score summaries and bios on a request set"
    )
    p.add_argument("--snapshot", type=Path, help="write what the code decides per set question")
    p.add_argument("--against", type=Path, help="an earlier --snapshot file to compare with")
    p.add_argument(
        "--mute", action="store_true", help="answers from a model that writes nothing (the floor)"
    )
    p.add_argument(
        "--split",
        choices=["dev", "check", "all"],
        default="check",
        help="which part of a claim, phrasing or synthesis set (odd ids: dev, even: check)",
    )

    p = sub.add_parser("bench", help="speed and memory, with the machine")
    p.add_argument("--docs", type=int, default=100_000)
    p.add_argument("--json", action="store_true")
    p.add_argument("--skip", default="", help="comma list: answer,server,scale")
    for command in sub.choices.values():  # every command works on one named corpus
        command.add_argument(
            "--corpus", default=None, help="corpus name (default: PAPERCHAT_CORPUS or shipped)"
        )
    return parser


def _print_answer(answer: Any, as_json: bool, debug: bool = False) -> None:
    _write(*render(answer, as_json, debug))


def _write(out: str, err: str) -> None:
    """What `ask` prints, answered here or by a running process (assistant/relay.py)."""
    sys.stdout.write(out)
    sys.stderr.write(err)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.api import Assistant
    from assistant.types import paper_json

    if args.command in ("ingest", "corpora", "papers"):
        return run_corpus_command(args, settings)
    if args.command == "model" and args.action == "prefill":
        return _prefill(Assistant(settings), args.json)
    if args.command == "model":
        from assistant.model.commands import model_command

        return model_command(args.action, settings, args.json)
    if args.command in ("eval", "bench"):
        try:
            if args.command == "eval":
                from assistant.eval.evaluate import main as job
            else:
                from assistant.bench.main import main as job
        except ImportError as exc:
            raise PaperchatError(
                f"paperchat {args.command} needs the eval extra ({exc.name} is missing): "
                "pip install -e '.[eval]'"
            ) from exc
        if getattr(args, "mode", None):
            settings.llm.mode = args.mode
        return job(args, settings)
    if args.command == "mcp":
        from assistant.mcp_server import serve

        return serve(args, settings)
    if args.command == "ui":
        from ui.app import launch, parse_auth

        launch(settings, host=args.host, port=args.port, auth=parse_auth(args.auth))
        return 0

    assistant = Assistant(settings)
    try:
        if args.command == "index":
            report = assistant.build_index(progress=not args.json)
            print(
                report.model_dump_json()
                if args.json
                else f"indexed: {report.added} added, {report.updated} updated, "
                f"{report.deleted} deleted, {report.unchanged} unchanged "
                f"({report.embedded} embedded)"
            )
        elif args.command == "search":
            # The chat's query analyzer ("with Baoyuan Wang", "since 2023", "about computer
            # vision") turns phrases into filters; explicit flags win; --raw skips it.
            query, applied = args.query, _filters(args)
            if not args.raw:
                plan = assistant.pipeline.plan(args.query)
                query = plan.query or args.query
                given = {k: v for k, v in applied.items() if v is not None}
                applied = {**plan.filters.model_dump(exclude_none=True), **given}
            hits = assistant.search(query, k=args.k, **applied)
            if args.json:
                used = {k: v for k, v in applied.items() if v is not None}
                rows = [
                    {
                        "paper": paper_json(h.paper),
                        "score": h.score,
                        "why": h.why,
                        "query": query,
                        "filters": used,
                    }
                    for h in hits
                ]
                print(json.dumps(rows, ensure_ascii=False, indent=2))
            else:
                for i, h in enumerate(hits, 1):
                    print(f"{i}. {h.paper.short_ref()}  [{h.score:.3f}]  {h.why}")
                if not hits:
                    print("No matching papers.")
        elif args.command == "ask":
            _print_answer(assistant.ask(args.question), args.json, args.debug)
        elif args.command == "summarize":
            _print_answer(assistant.summarize(args.topic, **_filters(args)), args.json)
        elif args.command == "bio":
            answer = assistant.draft_bio(
                kind=args.kind, length=args.length, audience=args.audience, topic=args.topic
            )
            _print_answer(answer, args.json)
        elif args.command == "check":
            _check(assistant, args.file, args.json)
        elif args.command == "chat":
            _chat(assistant)
        elif args.command == "serve":
            _serve(assistant, settings)
    finally:
        assistant.close()
    return 0


def _read_input(name: str) -> str:
    if name == "-":
        return sys.stdin.read()
    try:
        return Path(name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PaperchatError(f"Cannot read {name}: {exc}") from exc


def _check(assistant: Any, name: str, as_json: bool) -> None:
    report = assistant.check(_read_input(name))
    if as_json:
        rows = [
            s.model_dump(exclude={"reasons"}) | {"reasons": s.reasons} for s in report.sentences
        ]
        print(
            json.dumps(
                {"sentences": rows, "unresolved": report.unresolved}, indent=2, ensure_ascii=False
            )
        )
        return
    for s in report.sentences:
        print(f"[{s.verdict}] {s.sentence}")
        for e in s.evidence:
            print(f"    {e.paper}: {e.sentence}")
        for r in s.reasons:
            print(f"    - {r}")
        for t in s.suggested:
            print(f"    stated in: {t}")
    for u in report.unresolved:
        print(f"unresolved citation: {u}", file=sys.stderr)
    print(", ".join(f"{n} {v}" for v, n in report.counts().items()) or "no sentences")


def _prefill(assistant: Any, as_json: bool) -> int:
    states = getattr(assistant.chat_model, "states", lambda: None)()
    if states is None:
        raise PaperchatError(
            "Prefill needs the embedded model with llm.prefix_states on (hosted endpoints "
            "keep their own prompt caches)"
        )
    started = time.perf_counter()
    computed = assistant.prefill(echo=(lambda _: None) if as_json else print)
    seconds = time.perf_counter() - started
    count, size = states.usage()
    if as_json:
        print(json.dumps({"computed": computed, "seconds": round(seconds, 1),
                          "states": count, "bytes": size}))  # fmt: skip
    else:
        print(f"{computed} states computed in {seconds:.0f} s; {count} saved, "
              f"{size / 2**20:.0f} MB in {states.folder}")  # fmt: skip
    return 0


def _serve(assistant: Any, settings: Settings) -> None:
    assistant.warm_up()  # the corpus, the index, the embedder and the model: now, once
    relay = Relay(assistant, settings)
    port = relay.start()
    print(
        f"paperchat: answering `paperchat ask --corpus {settings.corpus}` on "
        f"127.0.0.1:{port} (Ctrl-C stops)",
        flush=True,
    )
    try:
        threading.Event().wait()
    finally:
        relay.stop()


def _chat(assistant: Any) -> None:
    """A terminal loop: questions with follow-ups, until an empty line or EOF."""
    history: list[dict[str, str]] = []
    print("Ask about the papers (empty line quits).")
    while True:
        try:
            question = input("> ").strip()
        except EOFError:
            return
        if not question:
            return
        try:
            answer = assistant.ask(question, history)
        except PaperchatError as exc:
            print(f"error: {exc}")
            continue
        _print_answer(answer, False)
        history += [
            {"role": "user", "content": question},
            {"role": "assistant", "content": answer.text},
        ]


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings()
        if args.corpus:
            settings.corpus = args.corpus
        settings.corpus_paths()  # a bad corpus name is one clear line, before any work
        if args.command == "ask" and not args.here:
            relayed = forward(settings, args.question, args.json, args.debug)
            if relayed is not None:
                _write(*relayed)
                return 0
        return run(args, settings)
    except PaperchatError as exc:
        print(f"paperchat: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"]) or exc.title
        print(f"paperchat: error: invalid {where}: {first['msg']}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("paperchat: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
