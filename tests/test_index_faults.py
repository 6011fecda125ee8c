"""The index is derived from the corpus files: deleted, truncated or damaged, it is
detected at start and rebuilt with a message (real Chroma on disk in a temp dir)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from assistant import Assistant, Settings


def _assistant(data_dir: Path, embedder: Any, corpus: Any) -> Assistant:
    settings = Settings()
    settings.paths.data_dir = data_dir
    info, papers = corpus
    return Assistant(settings, embedder=embedder, papers=papers, info=info)


def _dino_found(assistant: Assistant) -> bool:
    hits = assistant.search("DINO denoising anchor boxes", k=3)
    return any(h.paper.title.startswith("DINO:") for h in hits)


def test_a_truncated_index_is_set_aside_and_rebuilt(
    tmp_path: Path, embedder: Any, corpus: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    first = _assistant(tmp_path, embedder, corpus)
    first.build_index(progress=False)
    assert _dino_found(first)
    del first
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient.clear_system_cache()  # as a new process would start
    with (tmp_path / "chroma" / "chroma.sqlite3").open("r+b") as handle:
        handle.truncate(4096)
    again = _assistant(tmp_path, embedder, corpus)
    assert _dino_found(again)
    assert "moved to chroma.damaged-1" in capsys.readouterr().err
    assert (tmp_path / "chroma.damaged-1").is_dir()  # set aside, never deleted
    assert again.index.count() == len(corpus[1])


def test_a_deleted_index_is_rebuilt(tmp_path: Path, embedder: Any, corpus: Any) -> None:
    first = _assistant(tmp_path, embedder, corpus)
    first.build_index(progress=False)
    del first
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient.clear_system_cache()
    shutil.rmtree(tmp_path / "chroma")
    again = _assistant(tmp_path, embedder, corpus)
    assert _dino_found(again) and again.index.count() == len(corpus[1])
