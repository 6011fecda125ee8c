"""`paperchat eval --claims FILE`: the claim verifier scored on a labelled claim set.

Each row (`id`, `paper` title, `claim`, `label` supported|unsupported, `kind`, `corpus`) is
checked as `paperchat check` checks a user's text: the claim cites its paper through a
one-line reference list, and `check_draft` gives the verdict. Rows are split by id into a
part to debug on (odd numbers) and a part only scored (even numbers).
"""

from __future__ import annotations

import json
import statistics
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from assistant.errors import ConfigError
from assistant.evidence.verify import Verifier
from assistant.jobs.check import check_draft
from retrieval.models import Paper
from retrieval.sources import load_source

SPLITS = ("dev", "check", "all")


def in_split(row_id: str, split: str) -> bool:
    digits = "".join(ch for ch in row_id if ch.isdigit())
    odd = int(digits or 0) % 2 == 1
    return split == "all" or (split == "dev") == odd


def load_rows(
    path: Path, what: str, required: set[str], split: str, by: str = "id"
) -> list[dict[str, Any]]:
    """The rows of a JSON-lines set in `split` (by the number in field `by`); a file that
    cannot be read, or a row missing a `required` field, is a one-line error."""
    try:
        rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(f"Cannot read {what} set {path}: {exc}") from exc
    missing = [r.get("id", "?") for r in rows if not required <= set(r)]
    if missing:
        raise ConfigError(
            f"{what.capitalize()} rows without {', '.join(sorted(required))}: {missing[:5]}"
        )
    return [r for r in rows if in_split(str(r[by]), split)]


def load_claims(path: Path, split: str) -> list[dict[str, Any]]:
    return load_rows(path, "claim", {"id"}, split)


def score_claims(
    rows: list[dict[str, Any]], corpora: dict[str, list[Paper]], verifier: Verifier
) -> dict[str, Any]:
    """Per kind: how many rows the verdict got right; faithful kept, corrupted rejected."""
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    wrong: list[dict[str, str]] = []
    seconds: list[float] = []
    for row in rows:
        papers = corpora.get(row.get("corpus", ""))
        if papers is None:
            raise ConfigError(f"Claim {row['id']}: no corpus {row.get('corpus')!r} given")
        text = f"{row['claim']} [1]\n\n[1] {row['paper']}"
        start = time.perf_counter()
        report = check_draft(text, papers, verifier)
        seconds.append(time.perf_counter() - start)
        verdicts = [s.verdict for s in report.sentences]
        kept = bool(verdicts) and all(v == "verified" for v in verdicts)
        right = kept == (row["label"] == "supported")
        by_kind[row["kind"]][0] += right
        by_kind[row["kind"]][1] += 1
        if not right:
            wrong.append({"id": row["id"], "kind": row["kind"], "verdict": ",".join(verdicts)})
    faithful = by_kind.get("faithful", [0, 0])
    corrupted = [v for k, v in by_kind.items() if k != "faithful"]
    return {
        "rows": len(rows),
        "faithful_kept": faithful,
        "corrupted_rejected": [sum(a for a, _ in corrupted), sum(b for _, b in corrupted)],
        "by_kind": {k: v for k, v in sorted(by_kind.items())},
        "median_ms_per_sentence": round(1000 * statistics.median(seconds), 1) if seconds else 0,
        "wrong": wrong,
    }


def corpora_for(rows: list[dict[str, Any]], roots: list[Path]) -> dict[str, list[Paper]]:
    """Each row's `corpus` file, looked up under `roots` ('shipped' is data/papers.jsonl)."""
    out: dict[str, list[Paper]] = {}
    for name in {r.get("corpus", "") for r in rows}:
        file = "papers.jsonl" if name == "shipped" else name
        path = next((root / file for root in roots if (root / file).exists()), None)
        if path is None:
            raise ConfigError(f"Corpus file {file!r} not found under {', '.join(map(str, roots))}")
        out[name] = load_source(path, keep_all=True).papers
    return out


def render(result: dict[str, Any]) -> str:
    f, c = result["faithful_kept"], result["corrupted_rejected"]
    lines = [
        f"faithful kept {f[0]}/{f[1]}, corrupted rejected {c[0]}/{c[1]}, "
        f"median {result['median_ms_per_sentence']} ms per sentence",
        "| kind | right | of |",
        "|---|---|---|",
    ]
    lines += [f"| {k} | {a} | {b} |" for k, (a, b) in result["by_kind"].items()]
    return "\n".join(lines)
