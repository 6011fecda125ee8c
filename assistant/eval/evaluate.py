"""`paperchat eval`: retrieval quality (BM25, dense and hybrid side by side) and, with
`--answers`, answer quality on a question set. Prints a table, writes JSON and a Markdown
report with one bar chart per metric.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable, Collection, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from assistant.errors import ConfigError
from assistant.eval.metrics import (
    ABSTAIN_KINDS,
    DEFAULT_SET,
    KINDS,
    RANK_DEPTH,
    RETRIEVAL_METRICS,
    VARIANTS,
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
    title_key,
)
from assistant.eval.report import render_table, write_outputs
from assistant.settings import ROOT, Settings

if TYPE_CHECKING:
    from assistant.api import Assistant
    from assistant.types import Answer


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
        query = plan.query or q.question
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
    """As chat does: routed by the question text (and its history), never by the kind label."""
    return assistant.ask(q.question, q.history or None)


def unchecked_numbers(answer: Answer) -> int:
    """Numbers in kept model sentences that no cited record holds (0 when the checks work)."""
    from assistant.evidence.grounding import Source, claims, normalise, occurs

    papers = {c.key: c.paper for c in answer.citations}
    count = 0
    for sentence in answer.sentences:
        if sentence.status in ("unsupported", "fact") or not sentence.keys:
            continue
        records = [
            normalise(Source(key=k, paper=papers[k]).evidence())
            for k in sentence.keys
            if k in papers
        ]
        for claim in claims(sentence.text):
            if claim[0].isdigit() and not any(occurs(claim, r) for r in records):
                count += 1
    return count


def names_the_paper(q: Question, answer: Answer) -> bool:
    """A 'not stated' answer is right only about the paper asked of: its gold paper must be
    among the papers the answer says it checked."""
    if q.kind != "not_stated" or not q.gold:
        return True
    checked = {title_key(c.paper.title) for c in answer.checked}
    return all(title_key(g) in checked for g in q.gold)


def written_by(answer: Answer) -> dict[str, int]:
    """Who wrote the kept sentences: the model (verified by the claim verifier, or only
    cited), the code quoting a record, or the code from metadata."""
    kept = [s for s in answer.sentences if s.status != "unsupported"]
    return {
        "verified": sum(s.status == "verified" for s in kept),
        "cited_only": sum(s.status in ("cited", "reattributed", "attributed") for s in kept),
        "quoted": sum(s.status == "quoted" for s in kept),
        "metadata": sum(s.status == "fact" for s in kept),
    }


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
        # An abstaining kind's gold is the paper it must name as checked, not cite.
        "gold_citation_recall": None if q.kind in ABSTAIN_KINDS else gold_recall(cited, q.gold),
        "facts_ok": has_all_facts(answer.text, q.facts),
        "ok": row_ok(
            q.kind,
            answer.answered,
            len(cited),
            has_all_facts(answer.text, q.facts),
            gold_recall(cited, q.gold),
            bool(q.gold),
        )
        and names_the_paper(q, answer),
        "unchecked_numbers": unchecked_numbers(answer),
        **written_by(answer),
        "routed": answer.kind,
        "unsupported": answer.unsupported,
        "dropped_keys": len(answer.dropped_keys),
        "seconds": round(seconds, 3),
        "model": answer.model,
        "text": answer.text,
    }


def summarize_answers(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Aggregate answer metrics; citation precision is pooled over all citations."""
    cited = sum(r["citations"] for r in rows)
    answerable = [r for r in rows if r["kind"] not in ABSTAIN_KINDS]
    times = [r["seconds"] for r in rows]
    return {
        "n": len(rows),
        "score": mean([r["ok"] for r in rows]),
        "citation_precision": sum(r["relevant_citations"] for r in rows) / cited if cited else None,
        "gold_citation_recall": mean([r["gold_citation_recall"] for r in rows]),
        "fact_accuracy": mean([r["facts_ok"] for r in rows]),
        "abstention_accuracy": mean(
            [not r["answered"] and not r["citations"] for r in rows if r["kind"] in ABSTAIN_KINDS]
        ),
        "false_abstentions": mean([not r["answered"] for r in answerable]),
        "unsupported": sum(r["unsupported"] for r in rows),
        "dropped_keys": sum(r["dropped_keys"] for r in rows),
        "unchecked_numbers": sum(r["unchecked_numbers"] for r in rows),
        **{k: sum(r[k] for r in rows) for k in ("verified", "cited_only", "quoted", "metadata")},
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


def main(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.api import Assistant

    if getattr(args, "claims", None):
        return _claims(args, settings)
    if getattr(args, "phrasings", None):
        return _phrasings(args, settings)
    if getattr(args, "syntheses", None):
        return _syntheses(args, settings)
    if getattr(args, "snapshot", None):
        return _snapshot(args, settings)
    questions = load_questions(args.qset or DEFAULT_SET)
    mute = getattr(args, "mute", False)
    if mute:
        from assistant.model.client import MuteModel

        assistant = Assistant(settings, chat_model=MuteModel())
    else:
        assistant = Assistant(settings)
    try:
        result = evaluate(assistant, questions, answers=args.answers)
        result["set"] = os.path.relpath(args.qset or DEFAULT_SET, ROOT)
        result["command"] = (
            "paperchat eval"
            + (" --answers" if args.answers else "")
            + (" --mute" if mute else "")
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


def _claims(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.api import Assistant
    from assistant.eval.claims import corpora_for, load_claims, render, score_claims

    rows = load_claims(args.claims, args.split)
    roots = [ROOT / "data", ROOT / "tests" / "data" / "real", args.claims.parent]
    assistant = Assistant(settings)
    try:
        result = score_claims(rows, corpora_for(rows, roots), assistant.verifier_for("check"))
    finally:
        assistant.close()
    result["set"], result["split"] = str(args.claims), args.split
    print(json.dumps(result, indent=2) if args.json else render(result))
    return 0


class CorpusAsker:
    """`ask(corpus, question)` over several corpora with one model: an `Assistant` per
    corpus, made when first asked ('shipped' and 'default' are the shipped corpus)."""

    def __init__(self, settings: Settings) -> None:
        from assistant.api import Assistant

        self.settings = settings
        first = Assistant(settings)
        self.assistants = {"shipped": first, "default": first}

    def __call__(self, corpus: str, question: str) -> Answer:
        from assistant.api import Assistant

        if corpus not in self.assistants:  # one model for every corpus
            model = self.assistants["default"].chat_model
            self.assistants[corpus] = Assistant(self.settings, chat_model=model, corpus=corpus)
        return self.assistants[corpus].ask(question)

    def close(self) -> None:
        for assistant in set(self.assistants.values()):
            assistant.close()


def _phrasings(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.eval.phrasings import base_questions, load_phrasings, render, score_phrasings

    rows = load_phrasings(args.phrasings, args.split)
    bases = base_questions(rows, ROOT / "data" / "eval")
    ask = CorpusAsker(settings)
    try:
        result = score_phrasings(rows, bases, ask)
    finally:
        ask.close()
    result["set"], result["split"] = str(args.phrasings), args.split
    print(json.dumps(result, indent=2) if args.json else render(result))
    return 0


def _snapshot(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.eval.snapshot import differences, take

    taken = take(settings, ROOT / "data" / "eval")
    args.snapshot.write_text(json.dumps(taken, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"{len(taken)} questions -> {args.snapshot}")
    if args.against:
        old = json.loads(args.against.read_text(encoding="utf-8"))
        changed = differences(old, taken)
        print("\n".join(changed) or "no question's snapshot changed")
    return 0


def _syntheses(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.eval.syntheses import load_syntheses, render, score_syntheses

    rows = load_syntheses(args.syntheses, args.split)
    ask = CorpusAsker(settings)
    try:
        result = score_syntheses(rows, ask)
    finally:
        ask.close()
    result["set"], result["split"] = str(args.syntheses), args.split
    print(json.dumps(result, indent=2, ensure_ascii=False) if args.json else render(result))
    return 0
