"""A lookup's prompt leads with the best paper's stable text, and the embedded server's
state for that prefix is kept on disk (jobs/shown.py, model/states.py)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from assistant.evidence.compress import Compressor
from assistant.model.states import PrefixStates
from retrieval.models import Paper
from tests.fakes import FakeChatModel

NO_ANSWER = {"sentences": []}


def dino(corpus: Any) -> Paper:
    return next(p for p in corpus[1] if p.title.startswith("DINO:"))


def test_two_questions_about_one_paper_share_a_prefix_holding_its_whole_record(
    make_assistant: Any, corpus: Any
) -> None:
    fake = FakeChatModel([NO_ANSWER])
    assistant = make_assistant(fake)
    assistant.ask("What AP does DINO achieve in 12 epochs with a ResNet-50 backbone?")
    assistant.ask("Which backbone does DINO use for its best COCO test-dev result?")
    first, second = fake.prefixes
    assert first and first == second
    for messages, prefix in zip(fake.calls, fake.prefixes, strict=True):
        user = messages[-1]["content"]
        assert user.startswith(prefix) and len(user) > len(prefix)
        assert "Question:" not in prefix  # the question comes after what is shared
    record = " ".join(dino(corpus).abstract.split())
    assert first.startswith("<sources>\n[1] DINO:") and first.endswith(record)


def test_a_paper_with_no_abstract_still_makes_a_prefix(make_assistant: Any) -> None:
    fake = FakeChatModel([NO_ANSWER])
    assistant = make_assistant(fake)
    messages = assistant.pipeline.prefix_messages(
        Paper(id="t", title="An Untitled Note on Graphs", abstract="")
    )
    assert messages[0]["role"] == "system"
    assert messages[1]["content"].startswith("<sources>\n[1] An Untitled Note on Graphs")


def test_a_long_record_is_shown_by_its_leading_sentences(embedder: Any) -> None:
    sentences = [f"Sentence {n} says the glacier lost {n} metres of ice." for n in range(40)]
    paper = Paper(id="g", title="Glacier thinning", abstract=" ".join(sentences))
    stable = Compressor(embedder).stable(paper, words=50)
    assert stable.startswith(sentences[0]) and sentences[5] not in stable
    assert 40 <= len(stable.split()) <= 50
    assert Compressor(embedder).stable(paper, words=10_000) == paper.abstract


def states(tmp_path: Path, limit_mb: int = 1) -> PrefixStates:
    # No server listens on this port: every slot action fails, as a busy or gone server's.
    return PrefixStates(tmp_path, "http://127.0.0.1:9/v1", "model-a", limit_mb)


def test_a_state_is_named_by_its_model_its_earlier_messages_and_its_prefix(
    tmp_path: Path,
) -> None:
    system = [{"role": "system", "content": "rules"}, {"role": "user", "content": "x"}]
    name = states(tmp_path).name(system, "<sources>\n[1] A")
    assert name == states(tmp_path).name(system, "<sources>\n[1] A")
    assert name != states(tmp_path).name(system, "<sources>\n[1] B")
    other_rules = [{"role": "system", "content": "other"}, system[1]]
    assert name != states(tmp_path).name(other_rules, "<sources>\n[1] A")
    other_model = PrefixStates(tmp_path, "http://127.0.0.1:9/v1", "model-b", 1)
    assert name != other_model.name(system, "<sources>\n[1] A")


def test_a_failed_slot_action_costs_only_the_speed(tmp_path: Path) -> None:
    store = states(tmp_path)
    assert store.restore("missing.bin") is False
    (tmp_path / "there.bin").write_bytes(b"state")
    assert store.restore("there.bin") is False  # the server did not load it
    assert store.save("new.bin") is False
    assert (tmp_path / "there.bin").exists()  # nothing is deleted for a failed action


def test_the_least_recently_used_states_go_beyond_the_limit(tmp_path: Path) -> None:
    store = states(tmp_path, limit_mb=1)
    for age, name in enumerate(["old.bin", "mid.bin", "new.bin"]):
        path = tmp_path / name
        path.write_bytes(b"\0" * 400_000)
        os.utime(path, (1_000_000 + age, 1_000_000 + age))
    assert store.full()  # 1.2 MB against 1 MB: a prefill adds no more
    store.trim()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mid.bin", "new.bin"]
    assert store.usage() == (2, 800_000) and not store.full()
