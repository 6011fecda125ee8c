"""The embedded server's state for shared prompt prefixes, kept on disk.

A lookup's prompt starts with the system prompt and the best paper's record, the same text
for every question about that paper (assistant/jobs/shown.py). llama-server can save the
KV cache of its slot to a file and load it back (`--slot-save-path`, `POST /slots/0?action=
save|restore`): loading 13 MB takes milliseconds where computing the same ~450 tokens takes
2-3 s on 2 cores. Before a request whose prefix has a saved state, that state is restored;
after a request whose prefix had none, the slot is saved. The server then reuses the longest
prefix the restored tokens share with the new prompt and computes only the rest: a state
never changes what the model reads, only what it recomputes.

Every failure here (a busy slot, a file from another llama.cpp build) costs only the speed
it would have saved, so none is raised.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Sequence
from pathlib import Path

import httpx

from assistant.model.client import Message
from assistant.settings import Settings

SUFFIX = ".bin"


def states_dir(settings: Settings) -> Path:
    return Path(settings.paths.data_dir) / "model" / "states"


class PrefixStates:
    """Saved slot states of one model server, named by what they hold."""

    def __init__(self, folder: Path, base_url: str, identity: str, limit_mb: int) -> None:
        """`identity`: what makes a state valid (model file, server build, flags)."""
        self.folder = folder
        self.root = base_url.removesuffix("/").removesuffix("/v1")
        self.identity = identity
        self.limit = limit_mb * 1024 * 1024

    def name(self, messages: Sequence[Message], prefix: str) -> str:
        """The file for the state of `prefix` after the messages before the last one."""
        before = [f"{m['role']}\n{m['content']}" for m in messages[:-1]]
        text = "\x00".join([self.identity, *before, prefix])
        return hashlib.sha256(text.encode()).hexdigest()[:32] + SUFFIX

    def has(self, name: str) -> bool:
        return (self.folder / name).is_file()

    def restore(self, name: str) -> bool:
        """Load a saved state into the slot; False when there is none or it did not load."""
        if not self.has(name):
            return False
        with contextlib.suppress(OSError):
            (self.folder / name).touch()  # recently used: kept longest
        return self._action("restore", name)

    def save(self, name: str) -> bool:
        """Save the slot's state (the prefix and what followed it) under `name`."""
        if self.limit <= 0:
            return False
        self.folder.mkdir(parents=True, exist_ok=True)
        saved = self._action("save", name)
        if saved:
            self.trim()
        return saved

    def trim(self) -> None:
        """Delete the least recently used states beyond the disk limit."""
        files = sorted(self.folder.glob(f"*{SUFFIX}"), key=lambda f: f.stat().st_mtime)
        total = sum(f.stat().st_size for f in files)
        for f in files:
            if total <= self.limit:
                break
            total -= f.stat().st_size
            f.unlink(missing_ok=True)

    def full(self) -> bool:
        """No room for another state: a prefill stops rather than evict the ones it saved."""
        return self.usage()[1] >= self.limit

    def usage(self) -> tuple[int, int]:
        """Saved states and their bytes."""
        files = list(self.folder.glob(f"*{SUFFIX}")) if self.folder.is_dir() else []
        return len(files), sum(f.stat().st_size for f in files)

    def _action(self, action: str, name: str) -> bool:
        try:
            reply = httpx.post(
                f"{self.root}/slots/0", params={"action": action}, json={"filename": name},
                timeout=30.0,
            )  # fmt: skip
        except httpx.HTTPError:
            return False
        return reply.status_code == 200
