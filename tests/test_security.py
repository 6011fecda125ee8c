"""No eval, no exec, no shell, no pickle anywhere in the product code: user files are data."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = re.compile(
    r"\b(?:eval|exec)\(|shell\s*=\s*True|\bimport pickle\b|\bpickle\.|allow_pickle\s*=\s*True"
    r"|os\.system\(|yaml\.load\("
)


def test_no_code_execution_paths_in_the_product() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for package in ("retrieval", "assistant", "ui")
        for path in sorted((ROOT / package).rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if FORBIDDEN.search(line)
    ]
    assert found == []
