"""What a question asks, and "not stated" decided by code (no model)."""

from __future__ import annotations

from typing import Any

from assistant.evidence.asked import holding_sentence, not_stated_text, parts
from assistant.jobs.verdicts import not_stated

OWNER = ["Heung-Yeung Shum"]


def _paper(corpus: Any, start: str) -> Any:
    return next(p for p in corpus[1] if p.title.startswith(start))


def test_asked_attribute_and_named_terms() -> None:
    (dino,) = parts("How many parameters does DINO have?", OWNER)
    assert dino.attribute == "parameters" and dino.wants_value and dino.named == ["DINO"]
    (rate,) = parts("What learning rate did Open-Reasoner-Zero use?", OWNER)
    assert rate.attribute == "learning rate" and rate.named == ["Open-Reasoner-Zero"]
    (plain,) = parts("What does LazyDrag eliminate the reliance on?", OWNER)
    assert plain.attribute == ""  # nothing measurable asked: left to the model
    (name,) = parts("What is the name of the framework?", OWNER)
    assert name.attribute == ""


def test_multi_part_question_shares_its_subject() -> None:
    first, second = parts(
        "How many frames can Step-Video-TI2V generate, and what FID does it reach?"
    )
    assert first.attribute == "frames" and second.attribute == "FID"
    assert second.named == first.named


def test_holding_sentence_needs_the_attribute_with_a_value(corpus: Any) -> None:
    audio = _paper(corpus, "Step-Audio:")
    (asked,) = parts("How many parameters does the Step-Audio model have?", OWNER)
    assert "130B-parameter" in (holding_sentence(asked, audio) or "")
    dino = _paper(corpus, "DINO:")
    (missing,) = parts("How many parameters does DINO have?", OWNER)
    assert holding_sentence(missing, dino) is None
    assert not_stated_text(missing, dino) == (
        "The DINO abstract does not state the number of parameters."
    )


def test_not_stated_answer_has_no_citations_and_lists_checked(corpus: Any) -> None:
    dino = _paper(corpus, "DINO:")
    mask = _paper(corpus, "Mask DINO")
    answer = not_stated(parts("How many parameters does DINO have?", OWNER), [mask, dino])
    assert not answer.answered and answer.citations == []
    assert [c.paper.title[:4] for c in answer.checked] == ["Mask", "DINO"]
    assert answer.text == "The DINO abstract does not state the number of parameters."


def test_not_stated_through_the_pipeline_never_calls_the_model(make_assistant: Any) -> None:
    from tests.fakes import FakeChatModel

    fake = FakeChatModel(
        {"sentences": [{"text": "DINO has 1 billion parameters.", "sources": [1]}]}
    )
    assistant = make_assistant(fake)
    for question in (
        "How many parameters does DINO have?",
        "What learning rate did Open-Reasoner-Zero use?",
        "How many GPUs were used to train Step-Video-T2V?",
    ):
        answer = assistant.ask(question)
        assert not answer.answered and answer.citations == [] and answer.checked, question
        assert "does not state" in answer.text, answer.text
    assert fake.calls == []
    history = [
        {"role": "user", "content": "What AP does DINO achieve in 12 epochs?"},
        {"role": "assistant", "content": "DINO achieves 49.4AP [1]."},
    ]
    follow = assistant.ask("How many parameters does it have?", history)
    assert not follow.answered and "does not state" in follow.text


def test_multi_part_answer_covers_each_part(make_assistant: Any) -> None:
    from tests.fakes import FakeChatModel

    fake = FakeChatModel(
        {
            "sentences": [
                {"text": "Step-Video-T2V generates videos up to 204 frames.", "sources": [1]}
            ]
        }
    )
    answer = make_assistant(fake).ask(
        "How many frames can Step-Video-T2V generate, and how many GPUs were used to train it?"
    )
    assert answer.answered and "204" in answer.text
    assert "does not state the number of GPUs" in answer.text
