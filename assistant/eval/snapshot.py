"""What the code decides for every set question before any model is called.

A rule change that alters no prompt, no shown source, no route and no code-made answer
cannot change what the model writes, so it needs no model round to show that it changes no
answer. `paperchat eval --snapshot FILE` writes, for every question of the repository's
sets, the route, the prepared prompt, the sources, the sentences held for asked attributes
and any answer made without the model; `--against OLD` lists the questions whose snapshot
differs. Nothing here loads the model: the assistants get a `MuteModel`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from assistant.api import Assistant
from assistant.eval.metrics import load_questions
from assistant.eval.phrasings import load_phrasings
from assistant.eval.syntheses import load_syntheses
from assistant.model.client import MuteModel
from assistant.settings import Settings

SHIPPED = ("shipped", "default")
# The corpus names data/eval/README.md ingests the real files under.
REAL_CORPORA = {"hannah-rae": "kerner"}


def set_questions(root: Path) -> Iterator[tuple[str, str, str]]:
    """(corpus, id, question) for every question set under `root` (data/eval): the dev set,
    the real corpora's sets, the site debug sets, the phrasings and the synthesis requests."""
    sets = [("default", root / "dev.jsonl")]
    for path in sorted(root.glob("*.questions.jsonl")):
        owner = path.name.split("__")[0]
        sets.append((REAL_CORPORA.get(owner, owner), path))
    sets += [
        (p.name.split(".")[0], p) for p in sorted((root / "sites_debug").glob("*.questions.jsonl"))
    ]
    for corpus, path in sets:
        if path.exists():
            yield from ((corpus, q.id, q.question) for q in load_questions(path))
    if (phrasings := root / "phrasings.jsonl").exists():
        yield from ((r["corpus"], r["id"], r["question"]) for r in load_phrasings(phrasings, "all"))
    if (syntheses := root / "syntheses.jsonl").exists():
        yield from ((r["corpus"], r["id"], r["request"]) for r in load_syntheses(syntheses, "all"))


def snapshot_one(assistant: Assistant, question: str) -> dict[str, Any]:
    """The route, and for the ask job its prepared prompt, sources and code-made answer."""
    routed = assistant.route(question)
    record: dict[str, Any] = {"route": routed.model_dump(mode="json")}
    if routed.job != "ask":
        return record
    pipeline = assistant.pipeline
    prepared = pipeline.prepare(question)
    record["sources"] = [s.paper.title for s in prepared.sources]
    record["holding"] = {str(k): v[1] for k, v in prepared.holding.items()}
    record["undecided"] = [h.paper.title for h in prepared.undecided]
    if prepared.final is not None:
        record["final"] = prepared.final.text
    elif prepared.sources:
        record["prompt"] = pipeline.messages(prepared)[0][-1]["content"]
    return record


def take(settings: Settings, root: Path) -> dict[str, Any]:
    """Every set question's snapshot, keyed by corpus and id."""
    assistants: dict[str, Assistant] = {}
    out: dict[str, Any] = {}
    try:
        for corpus, qid, question in set_questions(root):
            name = "default" if corpus in SHIPPED else corpus
            if name not in assistants:
                assistants[name] = Assistant(
                    settings, chat_model=MuteModel(), corpus=None if name == "default" else name
                )
            out[f"{name}/{qid}"] = {
                "question": question,
                **snapshot_one(assistants[name], question),
            }
    finally:
        for assistant in assistants.values():
            assistant.close()
    return out


def differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """One line per question whose snapshot changed, naming the fields that changed."""
    lines = []
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key, {}), new.get(key, {})
        changed = sorted(f for f in set(before) | set(after) if before.get(f) != after.get(f))
        if changed:
            lines.append(f"{key}: {', '.join(changed)}")
    return lines
