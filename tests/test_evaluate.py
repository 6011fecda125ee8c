"""`paperchat eval`: the metrics on a hand-made case with known answers, and the whole eval
(retrieval variants and answers) on a tiny question set against the real corpus and a real
Chroma in a temp dir, with a FAKE chat model."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pytest

from assistant.errors import ConfigError
from assistant.eval.evaluate import check_titles, evaluate, main, summarize_answers
from assistant.eval.metrics import (
    ANSWER_METRICS,
    RETRIEVAL_METRICS,
    Question,
    citation_precision,
    depth,
    gold_recall,
    has_all_facts,
    load_questions,
    mean,
    recall_at_k,
    reciprocal_rank,
    row_ok,
)
from assistant.eval.report import render_table, write_outputs
from tests.fakes import QuotingChatModel


# --- the metrics, by hand ---
def test_retrieval_metrics_on_a_hand_made_ranking() -> None:
    ranked = ["Alpha: one", "Beta", "Gamma", "Delta", "Epsilon", "Zeta", "Eta"]
    gold = ["gamma", "ZETA", "Theta"]  # case-insensitive; Theta is never retrieved
    assert recall_at_k(ranked, gold, 5) == pytest.approx(1 / 3)
    assert depth(gold) == 6
    assert recall_at_k(ranked, gold, depth(gold)) == pytest.approx(2 / 3)
    assert reciprocal_rank(ranked, gold) == pytest.approx(1 / 3)
    assert reciprocal_rank(ranked, ["alpha one"]) == 1.0  # punctuation-insensitive
    assert reciprocal_rank(ranked, ["Nowhere"]) == 0.0
    assert recall_at_k(ranked, [], 5) is None and reciprocal_rank(ranked, []) is None
    assert depth(["a"]) == 5


def test_answer_metrics_on_a_hand_made_case() -> None:
    assert citation_precision(["A", "B", "X", "Y"], ["a", "b", "c"]) == 0.5
    assert citation_precision([], ["a"]) is None
    assert gold_recall(["A", "X"], ["A", "B"]) == 0.5
    assert gold_recall([], ["A"]) == 0.0
    assert has_all_facts("DINO reaches 49.4 AP.", ["49.4", "ap"]) is True
    assert has_all_facts("DINO reaches 49.4 AP.", ["49.4", "51.3"]) is False
    assert has_all_facts("anything", []) is None
    # typography is no fact: hyphens, dashes and a space before a percent sign
    assert has_all_facts("It has 196B parameters.", ["196B-parameter"]) is True
    assert has_all_facts("Sublimation is 16-42% of snowfall.", ["16–42 %"]) is True
    assert has_all_facts("It has 196B parameters.", ["169B-parameter"]) is False
    assert mean([1.0, None, 0.0, True]) == pytest.approx(2 / 3)
    assert mean([None]) is None


def _row(kind: str, answered: bool, cited: int, relevant: int, **kw: Any) -> dict[str, Any]:
    base = {"kind": kind, "answered": answered, "citations": cited, "relevant_citations": relevant,
            "gold_citation_recall": None, "facts_ok": None, "unsupported": 0, "dropped_keys": 0,
            "seconds": 1.0, "ok": False, "unchecked_numbers": 0, "verified": 1, "cited_only": 0,
            "quoted": 0, "metadata": 0}  # fmt: skip
    return base | kw


def test_answer_summary_pools_citations_and_scores_abstention() -> None:
    rows = [
        _row("lookup", True, 2, 2, gold_citation_recall=1.0, facts_ok=True, seconds=2.0),
        _row("lookup", True, 2, 0, gold_citation_recall=0.0, facts_ok=False, unsupported=2),
        _row("aggregate", False, 0, 0, gold_citation_recall=0.0, seconds=9.0),
        _row("unanswerable", False, 0, 0, dropped_keys=1, seconds=0.5, ok=True),
        _row("not_stated", True, 0, 0, ok=False),
    ]
    s = summarize_answers(rows)
    assert s["score"] == 0.2 and s["unchecked_numbers"] == 0 and s["verified"] == 5
    assert s["citation_precision"] == 0.5  # 2 of 4 citations, pooled
    assert s["gold_citation_recall"] == pytest.approx(1 / 3)
    assert s["fact_accuracy"] == 0.5
    assert s["abstention_accuracy"] == 0.5  # the not-stated one answered: not honest
    assert s["false_abstentions"] == pytest.approx(1 / 3)
    assert (s["unsupported"], s["dropped_keys"]) == (2, 1)
    assert (s["seconds_median"], s["seconds_max"]) == (1.0, 9.0)


def test_row_ok_by_kind() -> None:
    assert row_ok("not_stated", False, 0, None, None, False)
    assert not row_ok("out_of_corpus", False, 2, None, None, False)  # cited: not honest
    assert row_ok("lookup", True, 1, True, 1.0, True)
    assert not row_ok("multi_part", True, 1, False, 1.0, True)


def test_question_file_errors_are_one_clear_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="No question set"):
        load_questions(tmp_path / "missing.jsonl")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "kind": "lookup", "question": "q"}\n{"id": "b", "kind": "nope"}\n')
    with pytest.raises(ConfigError, match=r"bad\.jsonl:2:"):
        load_questions(bad)
    q = Question(id="x", kind="lookup", question="q", gold=["Not A Real Title"])
    with pytest.raises(ConfigError, match="x: title not in the corpus"):
        check_titles([q], ["Some Other Title"])
    args = argparse.Namespace(qset=tmp_path / "none.jsonl", answers=False, out=tmp_path, json=False)
    with pytest.raises(ConfigError):
        main(args, None)  # type: ignore[arg-type]


# --- end to end on the real corpus ---
DINO = "DINO: DETR with Improved DeNoising Anchor Boxes for End-to-End Object Detection"
MASK_DINO = (
    "Mask DINO: Towards A Unified Transformer-based Framework for Object Detection and Segmentation"
)


def test_eval_end_to_end_on_a_tiny_set(make_assistant: Any, corpus: Any, tmp_path: Path) -> None:
    _, papers = corpus
    in_2024 = [p.title for p in papers if p.year == 2024]
    lines = [
        {"id": "t1", "kind": "lookup", "gold": [DINO], "also_relevant": [MASK_DINO],
         "question": "What AP does DINO achieve in 12 epochs with a ResNet-50 backbone?",
         "facts": ["49.4"]},
        {"id": "t2", "kind": "metadata", "question": "Which papers were published in 2024?",
         "gold": in_2024},
        {"id": "t3", "kind": "unanswerable", "gold": [],
         "question": "What does the corpus say about quantum computing hardware?"},
    ]  # fmt: skip
    qfile = tmp_path / "tiny.jsonl"
    qfile.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    fake = QuotingChatModel()
    result = evaluate(make_assistant(fake), load_questions(qfile), answers=True)

    rows = {r["id"]: r for r in result["retrieval_rows"]}
    assert rows["t2"]["how"] == "metadata"  # the exact catalog list, for every variant
    assert all(rows["t2"][v]["recall@k"] == 1.0 for v in ("bm25", "dense", "hybrid"))
    assert rows["t1"]["how"] == "search" and rows["t1"]["hybrid"]["mrr"] == 1.0
    assert result["retrieval"]["overall"]["n"] == 2  # unanswerable has no gold to find
    assert set(result["retrieval"]) == {"lookup", "metadata", "unanswerable", "overall"}

    answers = result["answers"]
    assert len(fake.calls) == 1  # metadata and abstention are decided by code, not the model
    assert answers["unanswerable"]["abstention_accuracy"] == 1.0
    assert answers["overall"]["false_abstentions"] == 0.0
    assert answers["lookup"]["fact_accuracy"] == 1.0
    assert answers["lookup"]["gold_citation_recall"] == 1.0
    assert answers["metadata"]["citation_precision"] == 1.0
    assert answers["overall"]["seconds_max"] >= answers["overall"]["seconds_median"]

    written = write_outputs(result, tmp_path / "out")
    report = (tmp_path / "out" / "report.md").read_text()
    assert all(v in report for v in ("bm25", "dense", "hybrid")) and "catalog list" in report
    pngs = sorted(p.name for p in written if p.suffix == ".png")
    assert len(pngs) == len(RETRIEVAL_METRICS) + len(ANSWER_METRICS)
    assert all((tmp_path / "out" / name).read_bytes()[:4] == b"\x89PNG" for name in pngs)
    assert json.loads((tmp_path / "out" / "results.json").read_text())["questions"] == 3
    assert "recall@5 hybrid" in render_table(result)
