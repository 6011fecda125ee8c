"""`paperchat eval` output: tables, one bar chart per metric, and the Markdown report."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from assistant.eval.metrics import ANSWER_METRICS, RETRIEVAL_METRICS, VARIANTS


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
    cols = [
        *ANSWER_METRICS,
        "unsupported",
        "dropped_keys",
        "unchecked_numbers",
        "verified",
        "cited_only",
        "quoted",
        "metadata",
        "seconds_median",
        "seconds_max",
    ]
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
            "Every question is asked as chat asks it (`Assistant.ask` with its `history`): the "
            "router, not the kind label, picks the job. Score: share of questions passed (an "
            "honest abstention, answered=false with no citation, for unanswerable, "
            "not_stated and out_of_corpus; otherwise an answer holding every expected fact "
            "and citing a gold paper when there is one). "
            "Citation precision: share of all citations that point to gold or also-relevant "
            "papers. Gold citation recall: share of gold papers cited. Fact accuracy: share of "
            "answers containing every expected fact (questions with facts only). Abstention "
            "accuracy: abstaining kinds answered honestly; false abstentions: "
            "answerable ones not answered. `unsupported`: sentences the checks removed; "
            "`dropped_keys`: citation keys the model invented; `unchecked_numbers`: numbers in "
            "kept sentences that no cited record holds. Kept sentences by who wrote them: "
            "`verified` (the model's, passed by the claim verifier), `cited_only` (the "
            "model's, numbers and names in the cited record but not verified), `quoted` (the "
            "code quoting a record sentence), `metadata` (the code, from corpus metadata).",
            "",
            answer_table(r),
            "",
            *[f"![{m}]({images[m]})" for m in ANSWER_METRICS if m in images],
            "",
            "| id | kind | ok | answered | cites | precision | facts | unsupported | s | model |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for a in r["answer_rows"]:
            lines.append(
                f"| {a['id']} | {a['kind']} | {_fmt(a.get('ok'))} | {_fmt(a['answered'])} | "
                f"{a['citations']} | "
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
