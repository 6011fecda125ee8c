"""A question that names a paper: its metadata from the record, or its own description
quoted when the model's answer fails the checks; never "not covered"."""

from __future__ import annotations

from typing import Any

from assistant.types import NOT_COVERED
from tests.fakes import FakeChatModel

STEP3 = "Step-3 is Large yet Affordable: Model-system Co-design for Cost-effective Decoding"


def test_authors_of_a_named_paper_come_from_its_record(make_assistant: Any) -> None:
    fake = FakeChatModel({"sentences": []})
    assistant = make_assistant(fake)
    answer = assistant.ask("Who are the authors of Step-3?")
    step3 = next(p for p in assistant.papers if p.title == STEP3)
    assert answer.answered and answer.model == "metadata" and fake.calls == []
    assert [c.paper.title for c in answer.citations] == [STEP3]
    assert all(name in answer.text for name in step3.authors[:2])
    assert answer.sentences[0].status == "fact"


def test_a_failed_answer_about_a_named_paper_quotes_its_description(make_assistant: Any) -> None:
    wrong = "Step-3.5 Flash pairs a 196B-parameter foundation with 11B active parameters."
    fake = FakeChatModel({"sentences": [{"text": wrong, "sources": [1]}]})
    answer = make_assistant(fake).ask("Tell me about Step-3.")
    assert answer.text != NOT_COVERED and "196B" not in answer.text
    assert answer.text.startswith("The Step-3 is Large yet Affordable abstract states: ")
    assert [s.status for s in answer.sentences if s.status != "unsupported"] == ["quoted"]
    assert [c.paper.title for c in answer.citations] == [STEP3]


def test_talk_about_the_sources_is_an_abstention_not_a_claim(make_assistant: Any) -> None:
    said = "The authors of Step-3 are not explicitly mentioned in the provided sources."
    fake = FakeChatModel({"sentences": [{"text": said, "sources": [1]}]})
    answer = make_assistant(fake).ask("What does Step-3 decouple?")
    assert said.rstrip(".") not in answer.text
    assert any(
        s.text.startswith("The authors of Step-3") and s.status == "unsupported"
        for s in answer.sentences
    )


def test_a_follow_up_asks_the_earlier_papers_metadata(make_assistant: Any) -> None:
    fake = FakeChatModel({"sentences": []})
    assistant = make_assistant(fake)
    history = [
        {"role": "user", "content": "What is Step-3?"},
        {"role": "assistant", "content": "Step-3 is a model-system co-design [1]."},
    ]
    answer = assistant.ask("Who are its authors?", history)
    assert answer.model == "metadata" and [c.paper.title for c in answer.citations] == [STEP3]


def test_which_of_those_keeps_the_earlier_topic(make_assistant: Any) -> None:
    assistant = make_assistant(FakeChatModel({"sentences": []}))
    first = assistant.ask("Which papers are about portrait animation?")
    history = [
        {"role": "user", "content": "Which papers are about portrait animation?"},
        {"role": "assistant", "content": first.text},
    ]
    answer = assistant.ask("Which of those came out in 2024?", history)
    listed = {c.paper.title for c in answer.citations}
    assert listed and listed <= {c.paper.title for c in first.citations}
    assert all(c.paper.year == 2024 for c in answer.citations)


def test_a_failed_answer_quotes_the_sentence_for_what_was_asked(make_assistant: Any) -> None:
    # The question asks about the cache beyond the paper's name: the quote is the record's
    # sentence about it, not the paper's opening line.
    fake = FakeChatModel({"sentences": [{"text": "The cache is 10x faster.", "sources": [1]}]})
    answer = make_assistant(fake).ask(
        "what acceleration does Follow-Your-Emoji-Faster's cache give"
    )
    assert "10x" not in answer.text and "2.6X" in answer.text, answer.text
    assert [s.status for s in answer.sentences if s.status != "unsupported"] == ["quoted"]


def test_a_title_typed_without_its_commas_names_the_paper() -> None:
    from assistant.jobs.named import named_papers
    from retrieval.models import Paper

    papers = [
        Paper(id="a", title="Dry Soils, Wet Springs: Moisture Memory in Prairies"),
        Paper(id="b", title="Wet Springs"),
    ]
    assert named_papers(
        "dry soils wet springs moisture memory in prairies - which sites?", papers
    ) == [0]
    assert named_papers("what did the 'dry soils' paper find?", papers) == []


def test_the_journal_of_a_named_paper_is_its_records_venue_or_none() -> None:
    from assistant.evidence.grounding import mint_sources
    from assistant.jobs.named import paper_metadata
    from retrieval.models import Paper

    [known, unknown] = mint_sources(
        [
            Paper(id="a", title="SoilNet: Mapping Soils", venue="Geoderma"),
            Paper(id="b", title="RiverNet: Mapping Rivers"),
        ]
    )
    [said] = paper_metadata("what journal was the SoilNet paper in?", known)
    assert (said.text, said.keys, said.status) == ("SoilNet appeared in Geoderma", ["1"], "fact")
    [none] = paper_metadata("which conference was RiverNet at?", unknown)
    assert none.text == "RiverNet's record gives no venue"
