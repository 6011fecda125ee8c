"""`paperchat eval --syntheses FILE`: summaries, bios and talk introductions scored as a
reader would judge them.

Each row (`id`, `corpus`, `kind` summary|bio|talk_intro, `request` as typed in chat,
`topic`, `gold` titles) is sent through `ask`, so routing is scored too. Per answer:

- copied: a model-written sentence is a copy when at least 60% of its 4-word sequences
  occur verbatim in the abstracts of the answer's sources;
- multi-paper: model-written sentences citing two or more papers;
- gold recall: the gold papers the answer cites (a paper only listed counts: it is covered);
- unverified: model-written sentences shown without the verifier's pass (a labelled quote
  of the record is not one);
- judgement words: evaluative words the shown text uses and no cited record does.

The judgement list below is a measuring stick for this report only; the product checks what
a sentence says against its records (`grounding.Checker`), not against a list.
Rows split by the number in their id, as the other sets: odd = dev (debug on), even = check.
"""

from __future__ import annotations

import re
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.eval.claims import load_rows
from assistant.types import Answer, Sentence

Ask = Callable[[str, str], Answer]  # (corpus, request) -> answer

MODEL_WRITTEN = ("verified", "cited", "reattributed", "attributed", "quoted")
COPY_SHARE = 0.6
JUDGEMENT_WORDS = frozenset(
    (
        "groundbreaking ground-breaking pioneering innovative seminal renowned remarkable "
        "transformative visionary trailblazing brilliant influential revolutionary "
        "revolutionized breakthrough breakthroughs significant significantly impressive "
        "outstanding exceptional landmark leading prominent celebrated notable notably "
        "cutting-edge unprecedented crucial vital important importantly key profound "
        "extraordinary world-class acclaimed"
    ).split()
)
WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")


def load_syntheses(path: Path, split: str) -> list[dict[str, Any]]:
    return load_rows(path, "synthesis", {"id", "kind", "request"}, split)


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def grams(tokens: list[str], n: int = 4) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def is_copy(sentence: str, source_grams: set[tuple[str, ...]]) -> bool:
    mine = grams(words(sentence))
    return bool(mine) and len(mine & source_grams) / len(mine) >= COPY_SHARE


# "leading to": the verb, not a judgement ("a leading group")
NOT_JUDGED = re.compile(r"\bleading\s+to\b", re.I)


def judgements(text: str, records: str) -> list[str]:
    said = set(words(records))
    text = NOT_JUDGED.sub(" ", text)
    return sorted({w for w in words(text) if w in JUDGEMENT_WORDS and w not in said})


def score_answer(row: dict[str, Any], answer: Answer, seconds: float) -> dict[str, Any]:
    papers = [c.paper for c in answer.citations]
    source_grams: set[tuple[str, ...]] = set()
    for paper in papers:
        source_grams |= grams(words(paper.abstract))
    shown: list[Sentence] = [s for s in answer.sentences if s.status in MODEL_WRITTEN]
    key_paper = {c.key: c.paper for c in answer.citations}
    cited_titles = {key_paper[k].title for s in answer.sentences for k in s.keys if k in key_paper}
    gold = list(row.get("gold") or [])
    found = [g for g in gold if g in cited_titles]
    records = " ".join(f"{p.title} {p.abstract}" for p in papers)
    return {
        "id": row["id"],
        "corpus": row.get("corpus", "default"),
        "kind": row["kind"],
        "routed": answer.kind,
        "answered": answer.answered,
        "papers": len(papers),
        "sentences": len(shown),
        "copied": [s.text for s in shown if is_copy(s.text, source_grams)],
        "multi_paper": sum(len(s.keys) >= 2 for s in shown),
        "listed_only": len(listed_only(answer)),
        "dropped": [f"{s.text} ({s.note})" for s in answer.sentences if s.status == "unsupported"],
        # A labelled quote is the record's own sentence, cited: stated by construction.
        "unverified": [s.text for s in shown if s.status not in ("verified", "quoted")],
        "judgements": judgements(" ".join(s.text for s in shown), records),
        "gold": len(gold),
        "gold_found": len(found),
        "missed": [g for g in gold if g not in cited_titles],
        "seconds": round(seconds, 1),
        "text": answer.text,
    }


def listed_only(answer: Answer) -> set[str]:
    """Keys only a fact names ("Also on this theme: ..."): no written sentence covers them."""
    written = {k for s in answer.sentences if s.status in MODEL_WRITTEN for k in s.keys}
    named = {k for s in answer.sentences if s.status == "fact" and len(s.keys) >= 1 for k in s.keys}
    return named - written


def score_syntheses(rows: list[dict[str, Any]], ask: Ask) -> dict[str, Any]:
    scored = []
    for row in rows:
        start = time.perf_counter()
        answer = ask(row.get("corpus", "default"), row["request"])
        scored.append(score_answer(row, answer, time.perf_counter() - start))
    return {"rows": len(scored), "totals": totals(scored), "per_row": scored}


def totals(scored: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in scored:
        by_kind["summary" if r["kind"] == "summary" else "bio"].append(r)
    for kind, rs in sorted(by_kind.items()):
        sentences = sum(r["sentences"] for r in rs)
        gold = sum(r["gold"] for r in rs)
        big = [r for r in rs if r["papers"] >= 3]
        out[kind] = {
            "rows": len(rs),
            "routed_right": sum(
                r["routed"] == ("summarize" if kind == "summary" else "bio") for r in rs
            ),
            "sentences": sentences,
            "copied_share": round(sum(len(r["copied"]) for r in rs) / sentences, 3)
            if sentences
            else 0.0,
            "multi_paper_rows": f"{sum(r['multi_paper'] > 0 for r in big)}/{len(big)}",
            "gold_recall": round(sum(r["gold_found"] for r in rs) / gold, 3) if gold else None,
            "unverified": sum(len(r["unverified"]) for r in rs),
            "listed_only": sum(r["listed_only"] for r in rs),
            "judgement_words": sum(len(r["judgements"]) for r in rs),
            "median_seconds": statistics.median(r["seconds"] for r in rs),
            "max_seconds": max(r["seconds"] for r in rs),
        }
    return out


def render(result: dict[str, Any]) -> str:
    lines = [f"{result['rows']} requests ({result.get('split', 'all')} part)"]
    lines.append(
        "| kind | rows | routed | sentences | copied | multi-paper (3+ papers) | gold recall "
        "| unverified | listed only | judgement words | median s | max s |"
    )
    lines.append("|---" * 12 + "|")
    for kind, t in result["totals"].items():
        lines.append(
            f"| {kind} | {t['rows']} | {t['routed_right']} | {t['sentences']} | "
            f"{t['copied_share']:.0%} | {t['multi_paper_rows']} | {t['gold_recall']} | "
            f"{t['unverified']} | {t['listed_only']} | {t['judgement_words']} | "
            f"{t['median_seconds']:.1f} | {t['max_seconds']:.1f} |"
        )
    for r in result["per_row"]:
        problems = []
        if r["missed"]:
            problems.append(f"missed {r['missed']}")
        if r["copied"]:
            problems.append(f"{len(r['copied'])} copied")
        if r["judgements"]:
            problems.append(f"judgements {r['judgements']}")
        if r["unverified"]:
            problems.append(f"{len(r['unverified'])} unverified")
        lines.append(f"- {r['id']} ({r['seconds']} s): " + ("; ".join(problems) or "ok"))
    return "\n".join(lines)
