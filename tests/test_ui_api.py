"""The UI's API through `gradio_client`, against the real Gradio server on loopback:
`/ask` returns exactly `paperchat ask --json`, `/export_bibtex` returns BibTeX, and 8
concurrent users each get their own answers and history.

Real corpus, Chroma, MiniLM and Gradio; the chat model is the FAKE quoting model
(tests/fakes.py), so the load test measures the UI's own path, not the model's speed.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import bibtexparser
import pytest
from gradio_client import Client

from assistant import Assistant, ConfigError
from tests.test_ui import DINO_QUESTION, DINO_TITLE, corpus_papers, free_port, make_ui_assistant
from ui.app import exposure_warning, launch, parse_auth

ROOT = Path(__file__).resolve().parents[1]
USERS = 8
REQUESTS_PER_USER = 3


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Assistant]]:
    assistant = make_ui_assistant(tmp_path_factory.mktemp("ui-api"))
    port = free_port()
    demo = launch(assistant.settings, port=port, assistant=assistant, block=False)
    yield f"http://127.0.0.1:{port}/", assistant
    demo.close()
    assistant.close()


def client(url: str) -> Client:
    return Client(url, verbose=False, download_files=False)


def test_ask_endpoint_returns_the_cli_json(served: tuple[str, Assistant]) -> None:
    url, assistant = served
    data = client(url).predict(question=DINO_QUESTION, api_name="/ask")
    expected = assistant.ask(DINO_QUESTION).to_json_dict()
    assert set(data) == set(expected)
    assert {k: v for k, v in data.items() if k != "timings"} == {
        k: v for k, v in expected.items() if k != "timings"
    }
    assert data["citations"][0]["paper"]["title"] == DINO_TITLE
    # A follow-up with history resolves against the earlier turn.
    history = [
        {"role": "user", "content": DINO_QUESTION},
        {"role": "assistant", "content": data["answer"]},
    ]
    follow = client(url).predict(
        question="What about its results with 24 epochs?", history=history, api_name="/ask"
    )
    assert follow["citations"] and follow["citations"][0]["paper"]["title"] == DINO_TITLE


def test_ask_endpoint_matches_the_cli_output_shape(served: tuple[str, Assistant]) -> None:
    """The same keys, in the same order, as `paperchat ask --json` (a real subprocess)."""
    url, _ = served
    cli = subprocess.run(
        [
            sys.executable,
            "-m",
            "assistant.cli",
            "ask",
            "Which papers were published in 2024?",
            "--json",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=True,
    )
    from_cli = json.loads(cli.stdout)
    data = client(url).predict(question="Which papers were published in 2024?", api_name="/ask")
    assert list(data) == list(from_cli)
    assert data["answer"] == from_cli["answer"] and data["citations"] == from_cli["citations"]


def test_export_bibtex_endpoint(served: tuple[str, Assistant]) -> None:
    url, _ = served
    ids = [p.id for p in corpus_papers() if p.title == DINO_TITLE] + ["no-such-paper"]
    text = client(url).predict(paper_ids=ids, api_name="/export_bibtex")
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    assert [e.fields_dict["title"].value for e in library.entries] == ["{" + DINO_TITLE + "}"]
    assert client(url).predict(paper_ids=[], api_name="/export_bibtex") == ""


def question_about(paper: Any) -> str:
    return f"What does the paper '{paper.title}' propose?"


def one_user(
    url: str, corpus: str, user: int, papers: list[Any], own_hits: dict[str, set[str]]
) -> list[tuple[float, bool]]:
    """A user asks about their own papers, with their own history, through /ask and the
    chat endpoint; returns (seconds, ok) per request. ok: every cited paper is one this
    user's own questions retrieve, and the session shows only this user's turns."""
    c = client(url)
    history: list[dict[str, str]] = []
    results = []
    for i in range(REQUESTS_PER_USER):
        paper = papers[(user * REQUESTS_PER_USER + i) % len(papers)]
        question = question_about(paper)
        mine = set().union(*(own_hits[q["content"]] for q in history if q["role"] == "user"))
        mine |= own_hits[question]
        started = time.perf_counter()
        if i < REQUESTS_PER_USER - 1:
            data = c.predict(question=question, history=history, api_name="/ask")
            cited = {x["paper"]["id"] for x in data["citations"]}
            ok = bool(cited) and cited <= mine
            history += [
                {"role": "user", "content": question},
                {"role": "assistant", "content": data["answer"]},
            ]
        else:  # the UI's own chat event: the session's conversation must hold only ours
            out = c.predict(corpus, question, "any", "any", [], False, None, "", api_name="/chat")
            conversation = out[1]
            own = [q["content"] for q in history if q["role"] == "user"]
            ok = conversation.count('class="pc-q"') == 1 and not any(q in conversation for q in own)
            ok = ok and paper.title.split(":")[0] in out[2]
        results.append((time.perf_counter() - started, ok))
    return results


def test_eight_concurrent_users_get_only_their_own_answers(
    served: tuple[str, Assistant], tmp_path: Path
) -> None:
    url, assistant = served
    papers = [p for p in corpus_papers() if len(p.abstract) > 200]
    own_hits = {
        question_about(p): {h.paper.id for h in assistant.search(question_about(p), k=10)}
        for p in papers
    }
    started = time.perf_counter()
    with ThreadPoolExecutor(USERS) as pool:
        runs = list(
            pool.map(lambda u: one_user(url, assistant.corpus, u, papers, own_hits), range(USERS))
        )
    wall = time.perf_counter() - started
    latencies = sorted(s for run in runs for s, _ in run)
    assert len(latencies) == USERS * REQUESTS_PER_USER  # every request completed
    assert all(ok for run in runs for _, ok in run), runs
    report = {
        "users": USERS,
        "requests": len(latencies),
        "wall_s": round(wall, 2),
        "throughput_rps": round(len(latencies) / wall, 2),
        "p50_s": round(statistics.median(latencies), 3),
        "p95_s": round(latencies[int(0.95 * (len(latencies) - 1))], 3),
        "model": "fake-quoter (FAKE)",
    }
    (tmp_path / "load.json").write_text(json.dumps(report, indent=2))
    print("load:", json.dumps(report))


def test_serving_flags() -> None:
    assert parse_auth("ada:s3:cret") == ("ada", "s3:cret") and parse_auth(None) is None
    with pytest.raises(ConfigError, match="user:password"):
        parse_auth("ada")
    assert exposure_warning("127.0.0.1", None) is None and exposure_warning("::1", None) is None
    assert "without --auth" in (exposure_warning("0.0.0.0", None) or "")
    assert exposure_warning("0.0.0.0", ("ada", "pw")) is None
    bad = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "ui", "--auth", "nopassword"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert bad.returncode == 2 and "--auth takes user:password" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_auth_protects_the_api(tmp_path: Path) -> None:
    assistant = make_ui_assistant(tmp_path)
    port = free_port()
    demo = launch(
        assistant.settings, port=port, assistant=assistant, block=False, auth=("ada", "pw")
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        with pytest.raises(Exception, match=r"(?i)login|auth|401|403|credentials"):
            client(url).predict(paper_ids=[], api_name="/export_bibtex")
        authed = Client(url, auth=("ada", "pw"), verbose=False, download_files=False)
        assert authed.predict(paper_ids=[], api_name="/export_bibtex") == ""
    finally:
        demo.close()
        assistant.close()


@pytest.mark.slow
def test_eight_concurrent_users_with_the_real_model(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    """One lookup each, at once, through /ask with the embedded Qwen model: every request
    completes, and every answer cites only papers its own question retrieves."""
    from assistant import Settings

    settings = Settings()
    settings.paths.data_dir = tmp_path_factory.mktemp("ui-load-real")
    settings.llm.mode = "pipeline"
    settings.llm.base_url = None
    settings.llm.api_key = None
    assistant = Assistant(settings)
    port = free_port()
    demo = launch(settings, port=port, assistant=assistant, block=False)
    url = f"http://127.0.0.1:{port}/"
    papers = [p for p in corpus_papers() if len(p.abstract) > 200][:USERS]
    questions = [f"What does the paper '{p.title}' propose?" for p in papers]
    own = [{h.paper.id for h in assistant.search(q, k=10)} for q in questions]

    def one(i: int) -> tuple[float, dict[str, Any]]:
        started = time.perf_counter()
        data = client(url).predict(question=questions[i], api_name="/ask")
        return time.perf_counter() - started, data

    try:
        started = time.perf_counter()
        with ThreadPoolExecutor(USERS) as pool:
            results = list(pool.map(one, range(USERS)))
        wall = time.perf_counter() - started
    finally:
        demo.close()
        assistant.close()
    for (_, data), mine in zip(results, own, strict=True):
        assert {c["paper"]["id"] for c in data["citations"]} <= mine
    latencies = sorted(s for s, _ in results)
    report = {
        "users": USERS,
        "requests": len(latencies),
        "wall_s": round(wall, 2),
        "throughput_rps": round(len(latencies) / wall, 3),
        "p50_s": round(statistics.median(latencies), 2),
        "p95_s": round(latencies[int(0.95 * (len(latencies) - 1))], 2),
        "answered": sum(bool(d["answered"]) for _, d in results),
        "model": results[0][1]["model"],
    }
    (tmp_path / "load-real.json").write_text(json.dumps(report, indent=2))
    print("load (real model):", json.dumps(report))
