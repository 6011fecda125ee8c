"""Question sets and the pure metrics: titles in, numbers out, so a hand-made case can
check them."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.errors import ConfigError
from assistant.settings import ROOT

DEFAULT_SET = ROOT / "data" / "eval" / "dev.jsonl"
Kind = Literal[
    "lookup",
    "aggregate",
    "metadata",
    "unanswerable",
    "summary",
    "bio",
    "not_stated",
    "out_of_corpus",
    "multi_turn",
    "multi_part",
    "coauthor",
    "category",
    "paraphrase",  # a lookup that names its paper only in other words
]
KINDS: tuple[str, ...] = get_args(Kind)
# Kinds whose honest answer is an abstention: answered=False and no citations.
ABSTAIN_KINDS = frozenset({"unanswerable", "not_stated", "out_of_corpus"})
VARIANTS = ("bm25", "dense", "hybrid")
RETRIEVAL_METRICS = ("recall@5", "recall@k", "mrr")
ANSWER_METRICS = (
    "score",
    "citation_precision",
    "gold_citation_recall",
    "fact_accuracy",
    "abstention_accuracy",
    "false_abstentions",
)
RANK_DEPTH = 20  # hits kept per variant: enough for MRR and recall@2x gold


class Question(BaseModel):
    """One line of a question set (data/eval/README.md)."""

    model_config = ConfigDict(extra="forbid")

    id: str
    kind: Kind
    question: str
    gold: list[str] = Field(default_factory=list, description="Titles that must be found/cited.")
    also_relevant: list[str] = Field(default_factory=list, description="May be cited freely.")
    facts: list[str] = Field(default_factory=list, description="Strings an answer must contain.")
    history: list[dict[str, str]] = Field(
        default_factory=list, description="Earlier chat turns ({role, content}) for follow-ups."
    )


def load_questions(path: Path) -> list[Question]:
    if not path.is_file():
        raise ConfigError(f"No question set at {path}: pass --set FILE (JSONL, see shared/eval)")
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append(Question.model_validate_json(line))
        except ValidationError as exc:
            first = exc.errors()[0]
            raise ConfigError(f"{path}:{n}: {first['loc']}: {first['msg']}") from exc
    if not out:
        raise ConfigError(f"{path} holds no questions")
    return out


# --- pure metrics: titles in, numbers out (None where the metric does not apply) ---
def title_key(title: str) -> str:
    """Titles compared case- and punctuation-insensitively."""
    return " ".join(re.findall(r"\w+", title.casefold()))


def recall_at_k(ranked: Sequence[str], gold: Collection[str], k: int) -> float | None:
    """Share of gold titles among the first k ranked ones."""
    if not gold:
        return None
    wanted = {title_key(g) for g in gold}
    return len(wanted & {title_key(r) for r in ranked[:k]}) / len(wanted)


def depth(gold: Collection[str]) -> int:
    """k for the second recall: max(5, 2 x gold), so list questions are not capped at 5."""
    return max(5, 2 * len(gold))


def reciprocal_rank(ranked: Sequence[str], gold: Collection[str]) -> float | None:
    """1/rank of the first gold title; 0 if none was ranked."""
    if not gold:
        return None
    wanted = {title_key(g) for g in gold}
    for i, title in enumerate(ranked, 1):
        if title_key(title) in wanted:
            return 1.0 / i
    return 0.0


def citation_precision(cited: Sequence[str], allowed: Collection[str]) -> float | None:
    """Share of cited titles that are gold or also-relevant; None without citations."""
    if not cited:
        return None
    ok = {title_key(a) for a in allowed}
    return sum(title_key(c) in ok for c in cited) / len(cited)


def gold_recall(cited: Sequence[str], gold: Collection[str]) -> float | None:
    return recall_at_k(cited, gold, len(cited))


def has_all_facts(text: str, facts: Sequence[str]) -> bool | None:
    """True if every fact string occurs in the text, case and typography aside: a hyphen or
    a dash is a space ("196B-parameter" is in "196B parameters"), and so is nothing before
    a percent sign ("16–42 %" is "16-42%")."""
    if not facts:
        return None
    written = _typeset(text)
    return all(_typeset(f) in written for f in facts)


def _typeset(text: str) -> str:
    text = re.sub(r"[‐‑‒–—−-]", " ", text.casefold())
    return " ".join(re.sub(r"\s+%", "%", text).split())


def mean(values: Sequence[float | bool | None]) -> float | None:
    real = [float(v) for v in values if v is not None]
    return sum(real) / len(real) if real else None


def row_ok(
    kind: str,
    answered: bool,
    cited: int,
    facts_ok: bool | None,
    gold_recall_value: float | None,
    has_gold: bool,
) -> bool:
    """One question's pass/fail: an honest abstention for the abstaining kinds; otherwise an
    answer holding every gold fact and citing at least one gold paper when there are any."""
    if kind in ABSTAIN_KINDS:
        return not answered and cited == 0
    if not answered or facts_ok is False:
        return False
    return not has_gold or bool(gold_recall_value)
