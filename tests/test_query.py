"""The query analyzer: natural language -> filters and intent."""

from __future__ import annotations

from datetime import date

import pytest

from retrieval.query import analyze

AUTHORS = ["Baoyuan Wang", "Yi Ma", "Jingcheng Hu", "Heung-Yeung Shum", "Xingyu Chen"]
TODAY = date(2026, 11, 25)


def plan(q: str):  # type: ignore[no-untyped-def]
    return analyze(q, authors=AUTHORS, owner="Heung-Yeung Shum", today=TODAY)


@pytest.mark.parametrize(
    ("question", "year_from", "year_to"),
    [
        ("Which papers appeared since 2023?", 2023, None),
        ("papers in 2025 on video", 2025, 2025),
        ("What did he publish after 2022?", 2023, None),
        ("papers before 2020", None, 2019),
        ("work between 2020 and 2022", 2020, 2022),
        ("papers from this year", 2026, 2026),
    ],
)
def test_years(question: str, year_from: int | None, year_to: int | None) -> None:
    f = plan(question).filters
    assert (f.year_from, f.year_to) == (year_from, year_to)


def test_author_category_and_code() -> None:
    p = plan("Which computer vision papers with code did he write with Baoyuan Wang?")
    assert p.filters.author == "Baoyuan Wang"
    assert p.filters.categories == ["CV"]
    assert p.filters.has_code is True
    assert p.intent == "list" and p.is_metadata_only


def test_owner_is_not_an_author_filter() -> None:
    p = plan("Which papers did Heung-Yeung Shum write with Yi Ma?")
    assert p.filters.author == "Yi Ma" and p.is_metadata_only


def test_topic_words_are_not_categories() -> None:
    p = plan("Which papers use machine learning for knowledge graphs?")
    assert p.filters.categories is None and "knowledge" in p.topic


def test_count_versus_lookup_how_many() -> None:
    assert plan("How many papers have code?").intent == "count"
    assert plan("How many frames can Step-Video-TI2V generate?").intent == "question"
    assert plan("Which paper proposes HumanTOMATO?").intent == "question"
    assert plan("Which papers study reasoning?").intent == "list"


def test_without_code() -> None:
    assert plan("List the papers without code").filters.has_code is False
