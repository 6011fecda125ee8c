"""`paperchat eval --phrasings FILE`: a question asked five ways gets one answer.

Each row (`id`, `base`, `set`, `corpus`, `style`, `question`) rephrases the question `base`
of the question set `set` (casual, misspelt, indirect, or about "this researcher"). The base
question and each rephrasing are answered in the row's corpus; two answers agree when both
answer (citing the same papers) or both decline (not stated or not covered). Rows
split by the base id's number, as the claim sets do: odd = dev (debug on), even = check.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.errors import ConfigError
from assistant.eval.claims import load_rows
from assistant.types import NOT_COVERED, Answer

Ask = Callable[[str, str], Answer]  # (corpus, question) -> answer


def load_phrasings(path: Path, split: str) -> list[dict[str, Any]]:
    return load_rows(path, "phrasing", {"base", "set", "question"}, split, by="base")


def base_questions(rows: list[dict[str, Any]], folder: Path) -> dict[tuple[str, str], str]:
    """(set, base id) -> the base question, read from the set's file in `folder`
    ('dev' is dev.jsonl, another set its '<set>__*.questions.jsonl')."""
    out: dict[tuple[str, str], str] = {}
    for name in sorted({r["set"] for r in rows}):
        files = [folder / "dev.jsonl"] if name == "dev" else sorted(folder.glob(f"{name}__*.jsonl"))
        if not files or not files[0].exists():
            raise ConfigError(f"No question set {name!r} in {folder}")
        for line in files[0].read_text().splitlines():
            if line.strip():
                q = json.loads(line)
                out[(name, str(q["id"]))] = q["question"]
    unknown = [r["id"] for r in rows if (r["set"], str(r["base"])) not in out]
    if unknown:
        raise ConfigError(f"Phrasings of questions not in their set: {unknown[:5]}")
    return out


def outcome(answer: Answer) -> str:
    if answer.answered:
        return "answered"
    return "not covered" if answer.text.strip() == NOT_COVERED else "not stated"


def cited(answer: Answer) -> frozenset[str]:
    return frozenset(c.paper.title for c in answer.citations) if answer.answered else frozenset()


def score_phrasings(
    rows: list[dict[str, Any]], bases: dict[tuple[str, str], str], ask: Ask
) -> dict[str, Any]:
    """Agreement per style and per set, and the rephrasings refused where the base question
    was answered (false refusals)."""
    answered: dict[tuple[str, str], Answer] = {}
    by_style: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_set: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    disagreements, refused = [], 0
    for row in rows:
        key = (row["set"], str(row["base"]))
        corpus = row.get("corpus", "shipped")
        if key not in answered:
            answered[key] = ask(corpus, bases[key])
        base, other = answered[key], ask(corpus, row["question"])
        # "not stated" and "not covered" both decline: the suite asks answered or not
        same = base.answered == other.answered and cited(base) == cited(other)
        for tally in (by_style[row.get("style", "?")], by_set[row["set"]]):
            tally[0] += same
            tally[1] += 1
        refused += outcome(base) == "answered" and outcome(other) != "answered"
        if not same:
            disagreements.append(
                {
                    "id": row["id"],
                    "question": row["question"],
                    "base": f"{outcome(base)}: {sorted(cited(base))}",
                    "rephrased": f"{outcome(other)}: {sorted(cited(other))}",
                }
            )
    agree = sum(a for a, _ in by_style.values())
    return {
        "rows": len(rows),
        "agreement": round(agree / len(rows), 3) if rows else 0.0,
        "false_refusals": refused,
        "by_style": dict(sorted(by_style.items())),
        "by_set": dict(sorted(by_set.items())),
        "disagreements": disagreements,
    }


def render(result: dict[str, Any]) -> str:
    lines = [
        f"{result['rows']} rephrasings: agreement {result['agreement']:.3f}, "
        f"{result['false_refusals']} refused where the base question was answered",
        "| part | agree | of |",
        "|---|---|---|",
    ]
    for group in ("by_style", "by_set"):
        lines += [f"| {k} | {a} | {b} |" for k, (a, b) in result[group].items()]
    lines += [f"- {d['id']}: {d['base']} vs {d['rephrased']}" for d in result["disagreements"]]
    return "\n".join(lines)
