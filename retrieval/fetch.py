"""Fetch an author's works from OpenAlex or Semantic Scholar, for users who have internet.

Polite by design: an identifying User-Agent (and OpenAlex's `mailto`, which puts requests in
its faster "polite pool"), a small pause between pages, and retries with exponential backoff
on 429 and 5xx (honouring Retry-After). Pages are followed by cursor (OpenAlex) or offset
(Semantic Scholar). The results are the raw records, which `retrieval.formats` reads like a
saved file; `save_records` writes them as JSONL for `load_source`.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from retrieval.errors import SourceError

OPENALEX_URL = "https://api.openalex.org"
S2_URL = "https://api.semanticscholar.org/graph/v1"
S2_FIELDS = (
    "paperId,title,abstract,year,publicationDate,authors,venue,journal,externalIds,url,"
    "openAccessPdf"
)
USER_AGENT = "paperchat/0.1 (+https://github.com/; publication-corpus importer)"
Progress = Callable[[int, int | None], None]  # (records so far, total if known)


class Fetcher:
    """GET JSON with retries and a pause between requests; `sleep` is swappable in tests."""

    def __init__(
        self,
        client: httpx.Client | None = None,
        *,
        delay: float = 0.2,
        retries: int = 4,
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client or httpx.Client(timeout=30.0, follow_redirects=True)
        if self.client.headers.get("User-Agent", "").startswith("python-httpx"):
            self.client.headers["User-Agent"] = USER_AGENT  # say who we are, unless told
        self.delay, self.retries, self.backoff, self.sleep = delay, retries, backoff, sleep
        self._calls = 0

    def get(self, url: str, params: dict[str, Any]) -> Any:
        if self._calls:
            self.sleep(self.delay)
        self._calls += 1
        for attempt in range(self.retries + 1):
            try:
                response = self.client.get(url, params=params)
            except httpx.TransportError as exc:
                if attempt == self.retries:
                    raise SourceError(f"Cannot reach {url} ({exc}): check the connection.") from exc
                self.sleep(self.backoff * 2**attempt)
                continue
            if response.status_code == 429 or response.status_code >= 500:
                if attempt == self.retries:
                    break
                wait = response.headers.get("Retry-After", "")
                self.sleep(float(wait) if wait.isdigit() else self.backoff * 2**attempt)
                continue
            if response.status_code >= 400:
                raise SourceError(
                    f"{url} answered {response.status_code}: {response.text[:200]!r} "
                    "(check the author id)."
                )
            return response.json()
        raise SourceError(
            f"{url} kept answering {response.status_code} after {self.retries} retries: "
            "try again later."
        )


def openalex_author_filter(author: str) -> str:
    """The works filter for an OpenAlex author id (A123, its URL) or an ORCID."""
    author = author.strip()
    if orcid := re.search(r"(\d{4}-\d{4}-\d{4}-\d{3}[\dX])", author):
        return f"author.orcid:https://orcid.org/{orcid.group(1)}"
    if match := re.search(r"\b(A\d+)\b", author, re.IGNORECASE):
        return f"author.id:{match.group(1).upper()}"
    raise SourceError(f"{author!r} is not an OpenAlex author id (A...) or an ORCID.")


def fetch_openalex(
    author: str,
    *,
    mailto: str | None = None,
    per_page: int = 200,
    max_records: int | None = None,
    progress: Progress | None = None,
    fetcher: Fetcher | None = None,
) -> list[dict[str, Any]]:
    """All works of an OpenAlex author (id or ORCID), following `next_cursor`."""
    fetcher = fetcher or Fetcher()
    params: dict[str, Any] = {
        "filter": openalex_author_filter(author), "per-page": per_page, "cursor": "*",
    }  # fmt: skip
    if mailto:
        params["mailto"] = mailto
    works: list[dict[str, Any]] = []
    while True:
        page = fetcher.get(f"{OPENALEX_URL}/works", params)
        results = page.get("results") or []
        works.extend(results)
        total = (page.get("meta") or {}).get("count")
        if progress:
            progress(len(works), total)
        cursor = (page.get("meta") or {}).get("next_cursor")
        if not results or not cursor or (max_records and len(works) >= max_records):
            return works[:max_records] if max_records else works
        params["cursor"] = cursor


def fetch_semantic_scholar(
    author_id: str,
    *,
    api_key: str | None = None,
    limit: int = 100,
    max_records: int | None = None,
    progress: Progress | None = None,
    fetcher: Fetcher | None = None,
) -> list[dict[str, Any]]:
    """All papers of a Semantic Scholar author id, following `next` offsets."""
    if not re.fullmatch(r"\d+", author_id.strip()):
        raise SourceError(f"{author_id!r} is not a Semantic Scholar author id (digits).")
    fetcher = fetcher or Fetcher(delay=1.0)  # the shared public pool allows ~1 request/s
    if api_key:
        fetcher.client.headers["x-api-key"] = api_key
    url = f"{S2_URL}/author/{author_id.strip()}/papers"
    papers: list[dict[str, Any]] = []
    offset: int | None = 0
    while offset is not None:
        page = fetcher.get(url, {"fields": S2_FIELDS, "limit": limit, "offset": offset})
        data = page.get("data") or []
        papers.extend(data)
        if progress:
            progress(len(papers), None)
        offset = page.get("next") if data else None
        if max_records and len(papers) >= max_records:
            return papers[:max_records]
    return papers


def save_records(records: list[dict[str, Any]], path: str | Path) -> Path:
    """Write fetched records as JSONL, one per line, for `load_source` (format by content)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path
