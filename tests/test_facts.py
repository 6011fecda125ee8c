"""Corpus facts (header, areas, co-authors) are answered exactly, without the model."""

from __future__ import annotations

from typing import Any

from tests.fakes import FakeChatModel


def test_header_and_collaborator_questions(make_assistant: Any) -> None:
    fake = FakeChatModel({"sentences": []})
    assistant = make_assistant(fake)
    header = assistant.ask("What is Heung-Yeung Shum's h-index?")
    assert "h-index of 32" in header.text and "7,297 citations" in header.text
    areas = assistant.ask("What are his main research areas?")
    assert "Computer Vision (21 papers)" in areas.text and areas.citations
    coauthors = assistant.ask("Who are his most frequent collaborators?")
    assert "Jingcheng Hu (3 papers)" in coauthors.text
    verb = assistant.ask("Who does he collaborate with most?")  # the verb, not the noun
    assert verb.text == coauthors.text
    assert fake.calls == []


def test_a_named_paper_is_not_a_corpus_fact(make_assistant: Any) -> None:
    fake = FakeChatModel({"sentences": [{"text": "XiaoIce is an AI companion.", "sources": [1]}]})
    answer = make_assistant(fake).ask("What topics does the XiaoIce paper cover?")
    assert fake.calls and "XiaoIce" in answer.citations[0].paper.title


def test_count_of_everything(make_assistant: Any) -> None:
    answer = make_assistant(FakeChatModel({"sentences": []})).ask("How many papers are there?")
    assert answer.text.startswith("42 papers in the corpus:")
