"""Corpus facts (header, areas, co-authors) are answered exactly, without the model."""

from __future__ import annotations

from typing import Any

from retrieval.models import Paper
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


def test_the_venues_of_the_papers_are_a_fact_with_one_paper_each() -> None:
    from assistant.evidence.facts import facts_for

    def paper(i: int, venue: str | None) -> Paper:
        return Paper(id=f"p{i}", title=f"Paper {i}", venue=venue)

    papers = [
        paper(1, "Soil Biology"),
        paper(2, "Soil Biology"),
        paper(3, "Geoderma"),
        paper(4, None),
    ]
    [(text, cited)] = facts_for("which journals has she published in?", "Ana", papers, None)
    assert text == "The records name 2 venues: Soil Biology (2 papers); Geoderma (1 paper)"
    assert [p.id for p in cited] == ["p1", "p3"]
    [(where, _)] = facts_for("Where does he publish?", "Ana", papers, None)
    assert where == text
    [(none, nothing)] = facts_for(
        "Which venues has she published in?", "Ana", [paper(5, None)], None
    )
    assert none == "The corpus's records give no venues" and nothing == []
    # what a paper's study looked at is not where the researcher publishes
    assert facts_for("which outlets did the media study look at?", "Ana", papers, None) == []
    assert facts_for("where did they publish the soil dataset?", "Ana", papers, None) == []


def test_facts_of_the_papers_as_people_ask_them() -> None:
    from assistant.evidence.facts import facts_for, of_the_papers

    papers = [
        Paper(
            id="a",
            title="A",
            year=2019,
            authors=["Ana Ruiz", "Bo Chen"],
            venue="Geoderma, Volume 3(1), 1-9",
        ),
        Paper(
            id="b",
            title="B",
            year=2021,
            authors=["Ana Ruiz", "Bo Chen", "Cy Diaz"],
            venue="Geoderma, Volume 5(2), 10-19",
        ),
        Paper(
            id="c", title="C", year=2021, authors=["Ana Ruiz"], venue="Soil Notes Working Paper 12"
        ),
    ]
    [(busy, cited)] = facts_for("Which year did she publish the most?", "Ana Ruiz", papers, None)
    assert busy == "The most papers in one year: 2, in 2021" and {p.id for p in cited} == {"b", "c"}
    [(people, _)] = facts_for("How many co-authors does she have?", "Ana Ruiz", papers, None)
    assert people == "The author lists name 2 different co-authors"
    [(start, _)] = facts_for("When did she start publishing?", "Ana Ruiz", papers, None)
    assert start == "The papers here span 2019 to 2021"
    [(cited_most, _)] = facts_for("What's her most cited paper?", "Ana Ruiz", papers, None)
    assert cited_most == "The records give no citation count for any one paper"
    [(header, _)] = facts_for("What is her h-index?", "Ana Ruiz", papers, None)
    assert header.startswith("The corpus has no profile header")
    # a venue's volume and pages are not another venue
    [(venues, _)] = facts_for("which journals has she published in?", "Ana Ruiz", papers, None)
    assert (
        venues
        == "The records name 2 venues: Geoderma (2 papers); Soil Notes Working Paper (1 paper)"
    )
    assert of_the_papers("which years do her papers cover?")
    assert not of_the_papers("which soils did they sample?")
    # a year or a start said of the research's subject is no fact of the papers
    for question in (
        "In which year did the glacier lose the most mass?",
        "when did the glacier start retreating?",
        "Which years did the drought last?",
    ):
        assert facts_for(question, "Ana Ruiz", papers, None) == [], question
