"""The dense index: papers' vectors in Chroma, kept in step with the corpus by content hash.

Unchanged papers are never re-embedded, changed ones are updated, removed ones deleted,
and a collection built with another embedder is detected and rebuilt.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel
from tqdm import tqdm

from retrieval.calibrate import Calibration, calibrate, corpus_key, dumps, loads
from retrieval.embedder import Embedder
from retrieval.errors import IndexError_
from retrieval.models import Paper

UPSERT_BATCH = 256


class SyncReport(BaseModel):
    """What one `sync` did; `embedded == 0` on an unchanged corpus."""

    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    embedded: int = 0
    rebuilt: bool = False
    calibrated: bool = False


def make_client(data_dir: Path, host: str | None = None, port: int = 8000) -> Any:
    """Persistent Chroma on disk, or a `chroma run` server when a host is given."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if host:
        try:
            client = chromadb.HttpClient(host=host, port=port, settings=chroma_settings)
            client.heartbeat()
        except Exception as exc:
            raise IndexError_(
                f"No Chroma server at {host}:{port}: start `chroma run` or unset CHROMA_HOST"
            ) from exc
        return client
    data_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(data_dir / "chroma"), settings=chroma_settings)


def paper_metadata(paper: Paper) -> dict[str, Any]:
    """Chroma metadata: what a filter may need, plus the hash that drives re-indexing."""
    return {
        "hash": paper.content_hash(),
        "year": paper.year if paper.year is not None else -1,
        "category": paper.category,
        "has_code": paper.has_code,
        "title": paper.title,
    }


class PaperIndex:
    """A Chroma collection of paper vectors; the embedder is always passed in explicitly."""

    def __init__(self, client: Any, embedder: Embedder, name: str = "papers") -> None:
        self.client = client
        self.embedder = embedder
        self.name = name
        self.collection = self._open()
        self._count: int | None = None

    def _open(self) -> Any:
        """Open the collection; one built with another embedder is dropped and recreated."""
        fingerprint = self.embedder.fingerprint()
        # Always hand over our embedding function: without it a reopened collection falls
        # back to Chroma's default, which downloads a model and fails offline.
        ef = self.embedder if hasattr(self.embedder, "name") else None

        def open_collection() -> Any:
            return self.client.get_or_create_collection(
                self.name,
                embedding_function=ef,
                metadata={"embedder": fingerprint},
                configuration={"hnsw": {"space": "cosine"}},
            )

        collection = open_collection()
        self.rebuilt = (collection.metadata or {}).get("embedder") != fingerprint
        if self.rebuilt:
            self.client.delete_collection(self.name)
            collection = open_collection()
        return collection

    def count(self) -> int:
        self._count = int(self.collection.count())
        return self._count

    def stored_hashes(self) -> dict[str, str]:
        """id -> content hash of everything stored, read in pages."""
        out: dict[str, str] = {}
        offset, page = 0, 5000
        while True:
            got = self.collection.get(include=["metadatas"], limit=page, offset=offset)
            for pid, meta in zip(got["ids"], got["metadatas"] or [], strict=False):
                out[pid] = str((meta or {}).get("hash", ""))
            if len(got["ids"]) < page:
                return out
            offset += page

    def sync(
        self,
        papers: Iterable[Paper],
        *,
        delete_missing: bool = True,
        progress: bool = True,
        vectors_for: Callable[[list[Paper]], np.ndarray] | None = None,
    ) -> SyncReport:
        """Bring the collection in step with `papers`; embeds only what changed.

        `delete_missing=False` is for streaming ingest in batches, where a batch is not the
        whole corpus. `vectors_for` lets a caller supply cached vectors (the bench does).
        """
        papers = list(papers)
        report = SyncReport(rebuilt=self.rebuilt)
        stored = self.stored_hashes()
        todo: list[Paper] = []
        for paper in papers:
            old = stored.get(paper.id)
            if old == paper.content_hash():
                report.unchanged += 1
                continue
            todo.append(paper)
            if old is None:
                report.added += 1
            else:
                report.updated += 1
        if delete_missing:
            wanted = {p.id for p in papers}
            gone = [pid for pid in stored if pid not in wanted]
            for start in range(0, len(gone), UPSERT_BATCH * 4):
                self.collection.delete(ids=gone[start : start + UPSERT_BATCH * 4])
            report.deleted = len(gone)
        bar = tqdm(
            total=len(todo), desc="Embedding papers", unit="paper", disable=not progress or not todo
        )
        embed = vectors_for or (lambda batch: self.embedder.encode([p.embed_text() for p in batch]))
        for start in range(0, len(todo), UPSERT_BATCH):
            batch = todo[start : start + UPSERT_BATCH]
            vectors = embed(batch)
            # Upsert per batch: an interrupted run keeps what it stored and resumes from there.
            self.collection.upsert(
                ids=[p.id for p in batch],
                embeddings=[v.tolist() for v in vectors],
                documents=[p.embed_text() for p in batch],
                metadatas=[paper_metadata(p) for p in batch],
            )
            report.embedded += len(batch)
            bar.update(len(batch))
        bar.close()
        self._count = None
        if delete_missing and vectors_for is None:
            report.calibrated = self.recalibrate(papers)
        return report

    def calibration(self) -> Calibration | None:
        """The abstention cut stored with this collection, if any (see retrieval.calibrate)."""
        return loads((self.collection.metadata or {}).get("calibration"))

    def recalibrate(self, papers: list[Paper], force: bool = False) -> bool:
        """Compute and store the cut when the corpus or embedder changed since the last one."""
        key = corpus_key(papers)
        fingerprint = self.embedder.fingerprint()
        stored = self.calibration()
        if not force and stored and stored.corpus == key and stored.embedder == fingerprint:
            return False
        vectors = self.vectors([p.id for p in papers]) if papers else np.zeros((0, 1))
        result = calibrate(papers, vectors, self.embedder.encode, fingerprint)
        metadata = {"embedder": fingerprint}
        if result is not None:
            metadata["calibration"] = dumps(result)
        self.collection.modify(metadata=metadata)
        return result is not None

    def delete_except(self, keep: set[str]) -> int:
        """Remove every stored paper not in `keep` (the end of a streaming ingest)."""
        gone = [pid for pid in self.stored_hashes() if pid not in keep]
        for start in range(0, len(gone), UPSERT_BATCH * 4):
            self.collection.delete(ids=gone[start : start + UPSERT_BATCH * 4])
        self._count = None
        return len(gone)

    def vectors(self, ids: list[str]) -> np.ndarray:
        """Stored vectors in the order of `ids` (missing ids raise: the index is stale)."""
        rows: dict[str, np.ndarray] = {}
        for start in range(0, len(ids), 5000):
            got = self.collection.get(ids=ids[start : start + 5000], include=["embeddings"])
            for pid, emb in zip(got["ids"], got["embeddings"], strict=True):
                rows[pid] = np.asarray(emb, dtype=np.float32)
        missing = [pid for pid in ids if pid not in rows]
        if missing:
            raise IndexError_(
                f"{len(missing)} papers are not indexed (e.g. {missing[0]}): run `paperchat index`"
            )
        return np.stack([rows[pid] for pid in ids]) if ids else np.zeros((0, 384), np.float32)

    def query(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """Approximate nearest neighbours (HNSW): (id, cosine similarity), best first."""
        # The count is cached between syncs: over HTTP every call is a round trip.
        n = min(k, self._count if self._count is not None else self.count())
        if n == 0:
            return []
        res = self.collection.query(
            query_embeddings=[vector.tolist()], n_results=n, include=["distances"]
        )
        return [
            (pid, 1.0 - float(d)) for pid, d in zip(res["ids"][0], res["distances"][0], strict=True)
        ]


def open_index(
    data_dir: Path, embedder: Embedder, name: str, *, host: str | None = None, port: int = 8000
) -> PaperIndex:
    """Open a corpus's collection. The index is derived from the corpus files, so a damaged
    store on disk is set aside (never deleted) and rebuilt: the next sync embeds again."""
    if host:
        return PaperIndex(make_client(data_dir, host, port), embedder, name=name)
    try:
        return PaperIndex(make_client(data_dir), embedder, name=name)
    except Exception as exc:  # chromadb raises its own error types for a damaged store
        from chromadb.api.shared_system_client import SharedSystemClient

        SharedSystemClient.clear_system_cache()  # chroma caches the failed client per path
        moved = set_aside(data_dir / "chroma")
        print(
            f"paperchat: the index at {data_dir / 'chroma'} could not be opened "
            f"({type(exc).__name__}); moved to {moved.name} and rebuilding from the corpus",
            file=sys.stderr,
        )
        return PaperIndex(make_client(data_dir), embedder, name=name)


def set_aside(path: Path) -> Path:
    """Rename a damaged folder to `<name>.damaged-<n>` and return the new path."""
    n = 1
    while (target := path.with_name(f"{path.name}.damaged-{n}")).exists():
        n += 1
    path.rename(target)
    return target
