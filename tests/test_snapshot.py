"""`paperchat eval --snapshot`: what the code decides per set question, with no model."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.eval.snapshot import differences, take
from assistant.settings import Settings


def test_a_snapshot_holds_routes_prompts_and_code_made_answers(
    settings: Settings, tmp_path: Path
) -> None:
    rows = [
        {"id": "q1", "kind": "metadata", "question": "How many papers are in the corpus?"},
        {"id": "q2", "kind": "lookup", "question": "How many parameters does Step-Video-T2V have?"},
        {"id": "q3", "kind": "summary", "question": "Summarize his work on video generation."},
    ]
    (tmp_path / "dev.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    taken = take(settings, tmp_path)
    assert set(taken) == {"default/q1", "default/q2", "default/q3"}
    assert "42" in taken["default/q1"]["final"]
    lookup = taken["default/q2"]
    assert lookup["route"]["job"] == "ask"
    assert lookup["sources"][0].startswith("Step-Video-T2V")
    assert "Step-Video-T2V" in lookup["prompt"] and "final" not in lookup
    assert taken["default/q3"]["route"]["job"] == "summarize"
    assert "prompt" not in taken["default/q3"]

    changed = json.loads(json.dumps(taken))
    changed["default/q2"]["sources"] = list(reversed(lookup["sources"]))
    del changed["default/q1"]
    assert differences(taken, changed) == [
        "default/q1: final, holding, question, route, sources, undecided",
        "default/q2: sources",
    ]
    assert differences(taken, taken) == []
