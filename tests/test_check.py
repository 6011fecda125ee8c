"""`paperchat check` / `Assistant.check`: a user's draft, its citations resolved in every
supported style, each sentence with a verdict and evidence."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assistant.jobs.check import _expand, split_references
from tests.test_cli import paperchat

DINO = "DINO: DETR with Improved DeNoising Anchor Boxes for End-to-End Object Detection"


def test_reference_list_and_ranges_are_read() -> None:
    body, refs = split_references(f"One claim [1].\n\nReferences\n[1] {DINO}\n[2] Other")
    assert body.strip() == "One claim [1]." and refs == {"1": DINO, "2": "Other"}
    assert _expand("1, 3-5") == ["1", "3", "4", "5"]


def test_each_citation_style_is_resolved_and_judged(make_assistant: Any) -> None:
    assistant = make_assistant()
    text = (
        "DINO achieves 49.4 AP in 12 epochs on COCO with a ResNet-50 backbone [1]. "
        "DINO achieves 63.2 AP in 12 epochs on COCO [1]. "
        "The detector was never evaluated on COCO \\cite{zhang2022dino}. "
        "A detector reaches 63.3 AP on COCO test-dev after pre-training on Objects365.\n\n"
        f"[1] {DINO}\n"
    )
    report = assistant.check(text)
    verdicts = [s.verdict for s in report.sentences]
    assert verdicts[0] == "verified" and report.sentences[0].cited == [DINO]
    assert "49.4 AP" in report.sentences[0].evidence[0].sentence
    assert verdicts[1] != "verified"  # 63.2 is another number
    assert verdicts[2] != "verified"  # a negation of what the abstract says, or an unknown key
    assert verdicts[3] == "no citation"
    assert any(t.startswith("DINO") for t in report.sentences[3].suggested)


def test_cli_check_json_and_bad_input(tmp_path: Path) -> None:
    state = tmp_path / "state"
    draft = tmp_path / "draft.md"
    draft.write_text(f"DINO achieves 49.4 AP in 12 epochs on COCO [1].\n\n[1] {DINO}\n")
    result = paperchat("check", str(draft), "--json", state=state)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)["sentences"]
    assert rows[0]["verdict"] == "verified" and rows[0]["cited"] == [DINO]
    assert {"sentence", "verdict", "cited", "evidence", "suggested"} <= set(rows[0])
    missing = paperchat("check", str(tmp_path / "nope.md"), state=state)
    assert missing.returncode == 2 and "Cannot read" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_narrative_author_year_citation_is_resolved_and_kept(make_assistant: Any) -> None:
    assistant = make_assistant()
    dino = next(p for p in assistant.papers if p.title == DINO)
    surname = dino.authors[0].split()[-1]
    text = (
        f"{surname} et al. ({dino.year}) report that DINO achieves 49.4 AP in 12 epochs on COCO "
        "with a ResNet-50 backbone."
    )
    [row] = assistant.check(text).sentences
    assert row.verdict == "verified" and DINO in row.cited, row
    assert row.sentence.startswith(f"{surname} et al report")  # the year went, the subject stays
