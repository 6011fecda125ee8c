"""`paperchat eval`: retrieval quality (BM25, dense and hybrid side by side) and, with
`--answers`, answer quality on a question set. Prints a table, writes JSON and a Markdown
report with one bar chart per metric.

The metric functions are pure and take titles, so a hand-made case can check them.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import time
from collections.abc import Callable, Collection, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.errors import ConfigError
from assistant.settings import ROOT, Settings

if TYPE_CHECKING:
    from assistant.answer import Answer
    from assistant.api import Assistant

DEFAULT_SET = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev.jsonl"
KINDS = ("lookup", "aggregate", "metadata", "unanswerable", "summary", "bio")
VARIANTS = ("bm25", "dense", "hybrid")
RETRIEVAL_METRICS = ("recall@5", "recall@k", "mrr")
ANSWER_METRICS = (
    "citation_precision",
    "gold_citation_recall",
    "fact_accuracy",
    "abstention_accuracy",
    "false_abstentions",
)
RANK_DEPTH = 20  # hits kept per variant: enough for MRR and recall@2x gold


class Question(BaseModel):
    """One line of the question set (see ../shared/README.md)."""

    model_config = ConfigDict(extra="forbid")

    id: str
    kind: Literal["lookup", "aggregate", "metadata", "unanswerable", "summary", "bio"]
    question: str
    gold: list[str] = Field(default_factory=list, description="Titles that must be found/cited.")
    also_relevant: list[str] = Field(default_factory=list, description="May be cited freely.")
    facts: list[str] = Field(default_factory=list, description="Strings an answer must contain.")


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
    """True if every fact string occurs in the text (case-insensitive)."""
    if not facts:
        return None
    lowered = text.casefold()
    return all(f.casefold() in lowered for f in facts)


def mean(values: Sequence[float | bool | None]) -> float | None:
    real = [float(v) for v in values if v is not None]
    return sum(real) / len(real) if real else None


# --- running the assistant ---
def check_titles(questions: Sequence[Question], titles: Collection[str]) -> None:
    """A gold title missing from the corpus would silently count as a miss: refuse."""
    known = {title_key(t) for t in titles}
    for q in questions:
        for title in [*q.gold, *q.also_relevant]:
            if title_key(title) not in known:
                raise ConfigError(
                    f"Question {q.id}: title not in the corpus: {title!r}: fix the set or ingest"
                )


def rank_question(assistant: Assistant, q: Question) -> dict[str, Any]:
    """Rankings of the three variants, with the plan's filters and topic as the pipeline uses.

    Metadata-only plans (counts/lists by filter) are answered from the catalog, so all
    variants get that exact list as their ranking.
    """
    plan = assistant.pipeline.plan(q.question)
    searcher = assistant.searcher
    row: dict[str, Any] = {"id": q.id, "kind": q.kind, "gold": len(q.gold)}
    if plan.is_metadata_only:
        listed = [p.title for p in searcher.catalog.select(plan.filters)]
        ranked = dict.fromkeys(VARIANTS, listed)
        row |= {"how": "metadata", "query": plan.filters.describe()}
    else:
        query = plan.topic or q.question
        qvec = searcher.embed(query)
        ranked = {
            v: [
                h.paper.title
                for h in searcher.search(
                    query, k=RANK_DEPTH, filters=plan.filters, mode=v, query_vector=qvec
                )
            ]
            for v in VARIANTS
        }
        row |= {"how": "search", "query": query}
    for v in VARIANTS:
        row[v] = {
            "recall@5": recall_at_k(ranked[v], q.gold, 5),
            "recall@k": recall_at_k(ranked[v], q.gold, depth(q.gold)),
            "mrr": reciprocal_rank(ranked[v], q.gold),
            "top": ranked[v][:5],
        }
    return row


def answer_question(assistant: Assistant, q: Question) -> Answer:
    """The job each kind exercises: ask, summarize or draft_bio."""
    topic = assistant.pipeline.plan(q.question).topic
    if q.kind == "summary":
        return assistant.summarize(topic or q.question)
    if q.kind == "bio":
        talk = "talk" in q.question.lower()
        return assistant.draft_bio(kind="talk_intro" if talk else "bio", topic=topic or None)
    return assistant.ask(q.question)


def score_answer(q: Question, answer: Answer, seconds: float) -> dict[str, Any]:
    cited = [c.paper.title for c in answer.citations]
    allowed = [*q.gold, *q.also_relevant]
    return {
        "id": q.id,
        "kind": q.kind,
        "answered": answer.answered,
        "citations": len(cited),
        "relevant_citations": sum(title_key(c) in {title_key(a) for a in allowed} for c in cited),
        "citation_precision": citation_precision(cited, allowed),
        "gold_citation_recall": gold_recall(cited, q.gold),
        "facts_ok": has_all_facts(answer.text, q.facts),
        "unsupported": answer.unsupported,
        "dropped_keys": len(answer.dropped_keys),
        "seconds": round(seconds, 3),
        "model": answer.model,
        "text": answer.text,
    }


def summarize_answers(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Aggregate answer metrics; citation precision is pooled over all citations."""
    cited = sum(r["citations"] for r in rows)
    answerable = [r for r in rows if r["kind"] != "unanswerable"]
    times = [r["seconds"] for r in rows]
    return {
        "n": len(rows),
        "citation_precision": sum(r["relevant_citations"] for r in rows) / cited if cited else None,
        "gold_citation_recall": mean([r["gold_citation_recall"] for r in rows]),
        "fact_accuracy": mean([r["facts_ok"] for r in rows]),
        "abstention_accuracy": mean(
            [not r["answered"] for r in rows if r["kind"] == "unanswerable"]
        ),
        "false_abstentions": mean([not r["answered"] for r in answerable]),
        "unsupported": sum(r["unsupported"] for r in rows),
        "dropped_keys": sum(r["dropped_keys"] for r in rows),
        "seconds_median": statistics.median(times) if times else None,
        "seconds_max": max(times) if times else None,
    }


def by_kind(
    rows: Sequence[dict[str, Any]], summarise: Callable[[Sequence[dict[str, Any]]], dict[str, Any]]
) -> dict[str, Any]:
    kinds = [k for k in KINDS if any(r["kind"] == k for r in rows)]
    return {
        **{k: summarise([r for r in rows if r["kind"] == k]) for k in kinds},
        "overall": summarise(rows),
    }


def summarize_retrieval(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    scored = [r for r in rows if r["gold"]]
    return {
        "n": len(scored),
        **{v: {m: mean([r[v][m] for r in scored]) for m in RETRIEVAL_METRICS} for v in VARIANTS},
    }


def evaluate(
    assistant: Assistant, questions: Sequence[Question], *, answers: bool = False
) -> dict[str, Any]:
    check_titles(questions, [p.title for p in assistant.papers])
    started = time.perf_counter()
    ranked = [rank_question(assistant, q) for q in questions]
    result: dict[str, Any] = {
        "date": date.today().isoformat(),
        "papers": len(assistant.papers),
        "questions": len(questions),
        "retrieval_seconds": round(time.perf_counter() - started, 2),
        "retrieval": by_kind(ranked, summarize_retrieval),
        "retrieval_rows": ranked,
    }
    if answers:
        _ = assistant.chat_model  # start the model first: its start-up is not answer time
        rows = []
        for q in questions:
            t0 = time.perf_counter()
            answer = answer_question(assistant, q)
            rows.append(score_answer(q, answer, time.perf_counter() - t0))
        result["answers"] = by_kind(rows, summarize_answers)
        result["answer_rows"] = rows
    return result


# --- output ---
def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def retrieval_table(result: dict[str, Any]) -> str:
    head = "| kind | n | " + " | ".join(f"{m} {v}" for m in RETRIEVAL_METRICS for v in VARIANTS)
    lines = [head + " |", "|" + "---|" * (2 + len(RETRIEVAL_METRICS) * len(VARIANTS))]
    for kind, agg in result["retrieval"].items():
        cells = [_fmt(agg[v][m]) for m in RETRIEVAL_METRICS for v in VARIANTS]
        lines.append(f"| {kind} | {agg['n']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def answer_table(result: dict[str, Any]) -> str:
    cols = [*ANSWER_METRICS, "unsupported", "dropped_keys", "seconds_median", "seconds_max"]
    lines = ["| kind | n | " + " | ".join(cols) + " |", "|" + "---|" * (2 + len(cols))]
    for kind, agg in result["answers"].items():
        lines.append(f"| {kind} | {agg['n']} | " + " | ".join(_fmt(agg[c]) for c in cols) + " |")
    return "\n".join(lines)


def render_table(result: dict[str, Any]) -> str:
    out = [f"Retrieval ({result['questions']} questions, {result['papers']} papers; "
           "recall@k is recall@max(5, 2 x gold))", retrieval_table(result)]  # fmt: skip
    if "answers" in result:
        out += ["", "Answers", answer_table(result)]
    return "\n".join(out)


def charts(result: dict[str, Any], out: Path) -> dict[str, str]:
    """One PNG per metric (metric -> file name): retrieval ones compare the variants."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names: dict[str, str] = {}
    kinds = [k for k, agg in result["retrieval"].items() if agg["n"]]
    for metric in RETRIEVAL_METRICS:
        fig, ax = plt.subplots(figsize=(8, 3.2))
        width = 0.8 / len(VARIANTS)
        for i, v in enumerate(VARIANTS):
            values = [result["retrieval"][k][v][metric] or 0.0 for k in kinds]
            ax.bar([x + i * width for x in range(len(kinds))], values, width, label=v)
        ax.set_xticks([x + width for x in range(len(kinds))], kinds)
        _finish(fig, ax, f"{metric} by kind: BM25 vs dense vs hybrid", out, metric, names)
    if "answers" in result:
        akinds = list(result["answers"])
        for metric in ANSWER_METRICS:
            fig, ax = plt.subplots(figsize=(8, 3.2))
            values = [result["answers"][k][metric] for k in akinds]
            ax.bar(akinds, [v or 0.0 for v in values], color="tab:green")
            for x, value in enumerate(values):
                ax.text(x, (value or 0.0) + 0.02, _fmt(value), ha="center", fontsize=8)
            _finish(fig, ax, f"{metric} (hybrid answers) by kind", out, metric, names)
    return names


def _finish(fig: Any, ax: Any, title: str, out: Path, metric: str, names: dict[str, str]) -> None:
    import matplotlib.pyplot as plt

    ax.set_ylim(0, 1.25)
    ax.set_title(title)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper center", ncol=3, fontsize=8, frameon=False)
    fig.tight_layout()
    name = re.sub(r"\W+", "_", metric).strip("_") + ".png"
    fig.savefig(out / name, dpi=90)
    plt.close(fig)
    names[metric] = name


def report(result: dict[str, Any], images: dict[str, str]) -> str:
    r = result
    lines = [
        "# Evaluation report",
        "",
        f"Command: `{r.get('command', 'paperchat eval')}` on {r['date']}. "
        f"Set: `{r.get('set', '?')}` ({r['questions']} questions), corpus: {r['papers']} papers.",
        "",
        "## Retrieval: BM25 vs dense vs hybrid",
        "",
        "recall@k is recall@max(5, 2 x gold); MRR is 1/rank of the first gold paper. Queries "
        "are what the pipeline searches: the question's topic after filter phrases are "
        "removed, under the filters the question states. For metadata-only questions (counts "
        "and lists by year, author, category, code) the ranking is the exact catalog list, the "
        "same for all three variants. Questions without gold titles (unanswerable) are not "
        f"scored here. Retrieval took {r['retrieval_seconds']} s in all.",
        "",
        retrieval_table(r),
        "",
        *[f"![{m}]({images[m]})" for m in RETRIEVAL_METRICS if m in images],
        "",
        "| id | kind | how | query | " + " | ".join(f"r@k {v} / mrr" for v in VARIANTS) + " |",
        "|---|---|---|---|" + "---|" * len(VARIANTS),
    ]
    for row in r["retrieval_rows"]:
        cells = [f"{_fmt(row[v]['recall@k'])} / {_fmt(row[v]['mrr'])}" for v in VARIANTS]
        lines.append(f"| {row['id']} | {row['kind']} | {row['how']} | {row['query']} | "
                     + " | ".join(cells) + " |")  # fmt: skip
    if "answers" in r:
        lines += [
            "",
            "## Answers (hybrid retrieval, the configured model)",
            "",
            "Citation precision: share of all citations that point to gold or also-relevant "
            "papers. Gold citation recall: share of gold papers cited. Fact accuracy: share of "
            "answers containing every expected fact (questions with facts only). Abstention "
            "accuracy: unanswerable questions answered 'not covered'; false abstentions: "
            "answerable ones answered so. `unsupported`: sentences the checks removed; "
            "`dropped_keys`: citation keys the model invented.",
            "",
            answer_table(r),
            "",
            *[f"![{m}]({images[m]})" for m in ANSWER_METRICS if m in images],
            "",
            "| id | kind | answered | cites | precision | facts | unsupported | s | model |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for a in r["answer_rows"]:
            lines.append(
                f"| {a['id']} | {a['kind']} | {_fmt(a['answered'])} | {a['citations']} | "
                f"{_fmt(a['citation_precision'])} | {_fmt(a['facts_ok'])} | {a['unsupported']} "
                f"| {a['seconds']:.1f} | {a['model']} |"
            )
    return "\n".join(lines) + "\n"


def write_outputs(result: dict[str, Any], out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    images = charts(result, out)
    (out / "results.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    (out / "report.md").write_text(report(result, images), encoding="utf-8")
    return [out / "results.json", out / "report.md", *(out / i for i in images.values())]


def main(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.api import Assistant

    questions = load_questions(args.qset or DEFAULT_SET)
    assistant = Assistant(settings)
    try:
        result = evaluate(assistant, questions, answers=args.answers)
        result["set"] = os.path.relpath(args.qset or DEFAULT_SET, ROOT)
        result["command"] = (
            "paperchat eval"
            + (" --answers" if args.answers else "")
            + (f" --set {args.qset}" if args.qset else "")
        )
        written = write_outputs(result, args.out)
        if args.json:
            print(json.dumps(result, indent=2, ensure_ascii=False))
        else:
            print(render_table(result))
            print(f"\nWrote {', '.join(str(p) for p in written[:2])} and {len(written) - 2} charts")
    finally:
        assistant.close()
    return 0
