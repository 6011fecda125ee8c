"""Chat messages asking for a summary or a bio reach those jobs, with their options."""

from __future__ import annotations

from typing import Any

from assistant.jobs.route import route
from retrieval.query import analyze
from tests.fakes import FakeChatModel


def _route(question: str, previous: str | None = None):  # type: ignore[no-untyped-def]
    prev = analyze(previous, owner="Heung-Yeung Shum") if previous else None
    return route(question, analyze(question, owner="Heung-Yeung Shum"), prev)


def test_summary_and_bio_requests() -> None:
    s = _route("Summarize the work on talking heads and face synthesis.")
    assert (s.job, s.topic) == ("summarize", "talking heads face synthesis")
    b = _route(
        "Draft a short talk introduction about Heung-Yeung Shum's work on conversational AI."
    )
    assert (b.job, b.kind, b.length, b.topic) == ("bio", "talk_intro", "short", "conversational AI")
    long_bio = _route("Write a detailed bio for a student audience")
    assert (long_bio.kind, long_bio.length, long_bio.audience) == ("bio", "long", "student")
    assert _route("What is the summary of DINO?").job == "ask"


def test_summarize_those_uses_the_previous_question() -> None:
    r = _route("Summarize those", previous="Which papers are about video generation?")
    assert (r.job, r.topic) == ("summarize", "video generation")


def test_chat_summary_of_a_metadata_list(make_assistant: Any) -> None:
    fake = FakeChatModel({"theme": "Animation", "sentences": []})
    history = [
        {"role": "user", "content": "Which papers were published in 2024?"},
        {"role": "assistant", "content": "5 papers match (in 2024): ..."},
    ]
    answer = make_assistant(fake).ask("Summarize those", history)
    assert answer.kind == "summarize" and len(answer.citations) == 5
    assert all(c.paper.year == 2024 for c in answer.citations)


def test_follow_up_only_when_the_question_has_no_topic_of_its_own() -> None:
    from assistant.jobs.route import is_follow_up, resolve_follow_up

    history = [
        {"role": "user", "content": "Summarize his work on video generation"},
        {"role": "assistant", "content": "Step-Video-T2V ... [1]."},
    ]
    assert not is_follow_up("Did he publish anything on protein folding?", history)
    assert resolve_follow_up("Did he publish anything on protein folding?", history) == (
        "Did he publish anything on protein folding?"
    )
    assert is_follow_up("How many parameters does it have?", history)
    assert is_follow_up("What about its speed?", history)
    assert is_follow_up("And that paper's FID?", history)
    assert not is_follow_up("Which paper proposes HumanTOMATO?", history)
    assert not is_follow_up("How many parameters does it have?", None)


def test_a_bio_based_on_these_papers_has_no_topic() -> None:
    from retrieval.query import analyze

    question = "Draft a short bio of Heung-Yeung Shum based on these papers."
    r = route(question, analyze(question, owner="Heung-Yeung Shum"))
    assert (r.job, r.topic) == ("bio", None)
    question = "Draft a short bio based on his papers about video generation."
    assert route(question, analyze(question)).topic == "video generation"
