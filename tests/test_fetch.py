"""Fetchers against saved responses through httpx.MockTransport: never the network."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from retrieval.errors import SourceError
from retrieval.fetch import (
    Fetcher,
    fetch_openalex,
    fetch_semantic_scholar,
    openalex_author_filter,
    save_records,
)
from retrieval.sources import load_source

DATA = Path(__file__).resolve().parent / "data"


def saved(name: str) -> dict[str, object]:
    data: dict[str, object] = json.loads((DATA / name).read_text(encoding="utf-8"))
    return data


def fetcher(handler: Callable[[httpx.Request], httpx.Response], sleeps: list[float]) -> Fetcher:
    client = httpx.Client(transport=httpx.MockTransport(handler))
    return Fetcher(client, sleep=sleeps.append, delay=0.1, backoff=0.5)


def test_openalex_follows_the_cursor_politely(tmp_path: Path) -> None:
    seen: list[httpx.Request] = []
    flaky = {"left": 1}

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.params["cursor"] == "PAGE2" and flaky["left"]:
            flaky["left"] -= 1
            return httpx.Response(429, headers={"Retry-After": "2"})
        page = (
            "openalex_page1.json" if request.url.params["cursor"] == "*" else "openalex_page2.json"
        )
        return httpx.Response(200, json=saved(page))

    sleeps: list[float] = []
    progress: list[tuple[int, int | None]] = []
    works = fetch_openalex(
        "https://orcid.org/0000-0001-6533-6996",
        mailto="me@example.org",
        fetcher=fetcher(handler, sleeps),
        progress=lambda n, total: progress.append((n, total)),
    )
    assert len(works) == 5
    assert [r.url.params["cursor"] for r in seen] == ["*", "PAGE2", "PAGE2"]
    assert seen[0].url.params["filter"] == "author.orcid:https://orcid.org/0000-0001-6533-6996"
    assert seen[0].url.params["mailto"] == "me@example.org"
    assert seen[0].headers["User-Agent"].startswith("paperchat/")
    assert sleeps == [0.1, 2.0]  # the pause between pages, then Retry-After
    assert progress == [(3, 1728799), (5, 1728799)]
    result = load_source(save_records(works, tmp_path / "works.jsonl"))
    assert result.format == "openalex" and len(result.papers) == 4


def test_semantic_scholar_pages_by_offset() -> None:
    offsets: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        offsets.append(request.url.params["offset"])
        assert request.url.path == "/graph/v1/author/1111/papers"
        assert "abstract" in request.url.params["fields"]
        return httpx.Response(
            200, json=saved(f"s2_author_papers_{request.url.params['offset']}.json")
        )

    papers = fetch_semantic_scholar("1111", fetcher=fetcher(handler, []))
    assert offsets == ["0", "2"] and len(papers) == 3


def test_semantic_scholar_records_load(tmp_path: Path) -> None:
    records = saved("s2_author_papers_0.json")["data"]
    assert isinstance(records, list)
    result = load_source(save_records(records, tmp_path / "s2.jsonl"))
    assert result.format == "s2"
    graphs = result.papers[0]
    assert (graphs.doi, graphs.arxiv_id, graphs.venue) == (
        "10.5555/icml.2021.7",
        "2106.00001",
        "International Conference on Machine Learning",
    )
    assert graphs.links["pdf"] == "https://arxiv.org/pdf/2106.00001"


def test_errors_are_one_clear_line() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503)

    sleeps: list[float] = []
    with pytest.raises(SourceError, match="kept answering 503"):
        fetch_openalex("A5023888391", fetcher=fetcher(down, sleeps))
    assert sleeps == [0.5, 1.0, 2.0, 4.0]  # exponential backoff
    with pytest.raises(SourceError, match="answered 404"):
        fetch_semantic_scholar("42", fetcher=fetcher(lambda r: httpx.Response(404), []))
    with pytest.raises(SourceError, match="not an OpenAlex author id"):
        openalex_author_filter("Ada Lovelace")
    assert openalex_author_filter("https://openalex.org/a5023888391") == "author.id:A5023888391"
