from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from retrieval.models import Paper
from retrieval.profile import parse_profile

PROFILE = Path(__file__).resolve().parent.parent / "data" / "heung-yeung-shum.profile.txt"
TODAY = date(2026, 11, 25)


@pytest.fixture(scope="module")
def text() -> str:
    return PROFILE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def papers(text: str) -> dict[str, Paper]:
    _, parsed, problems = parse_profile(text, today=TODAY)
    assert problems == []
    return {p.title: p for p in parsed}


def by_prefix(papers: dict[str, Paper], prefix: str) -> Paper:
    (paper,) = [p for title, p in papers.items() if title.startswith(prefix)]
    return paper


def test_header(text: str) -> None:
    info, _, _ = parse_profile(text, today=TODAY, source="profile.txt")
    assert info.owner == "Heung-Yeung Shum"
    assert info.field == "CV"
    assert (info.h_index, info.paper_count, info.citations) == (32, 42, 7297)
    assert info.scores == {"Novelty": 54, "AI Score": 62}
    assert info.source == "profile.txt"


def test_all_papers_with_code_flags_and_categories(papers: dict[str, Paper]) -> None:
    assert len(papers) == 42
    assert sum(p.has_code for p in papers.values()) == 12
    assert Counter(p.category for p in papers.values()) == {
        "CV": 21, "CL": 5, "LG": 5, "AI": 3, "CP": 2, "GR": 2, "SE": 1, "ST": 1, "SD": 1, "HC": 1,
    }  # fmt: skip
    assert by_prefix(papers, "Large Investment").category_name == "Statistics"


def test_dino_fields(papers: dict[str, Paper]) -> None:
    dino = by_prefix(papers, "DINO:")
    assert dino.id == "dino-detr-with-improved-denoising-anchor"
    assert dino.authors == ["Hao Zhang", "Feng Li", "Shilong Liu"]
    assert dino.authors_truncated
    assert dino.affiliation == "tsinghua"
    assert (dino.published, dino.date_precision, dino.year) == (date(2022, 3, 7), "day", 2022)
    assert not dino.year_inferred
    assert dino.has_code and dino.code_url == "https://github.com/IDEACVR/DINO"
    assert dino.urls == ["https://github.com/IDEACVR/DINO"]
    assert "49.4" in dino.abstract and "63.3 AP" in dino.abstract
    assert "\\textbf" not in dino.abstract and "$" not in dino.abstract
    assert "% in this paper" not in dino.abstract
    assert dino.abstract.startswith("We present DINO (DETR with Improved deNoising anchOr boxes)")


def test_full_author_list_and_project_page(papers: dict[str, Paper]) -> None:
    hand = by_prefix(papers, "Hand Avatar")
    assert hand.authors == ["Xingyu Chen", "Baoyuan Wang", "Heung-Yeung Shum"]
    assert not hand.authors_truncated and hand.affiliation is None
    # A github.io project page is a URL, not a code repository.
    assert hand.urls == ["https://seanchenxy.github.io/HandAvatarWeb"]
    assert hand.code_url is None and not hand.has_code


def test_code_flag_without_repository_link(papers: dict[str, Paper]) -> None:
    pacore = by_prefix(papers, "PaCoRe")
    assert pacore.has_code and pacore.code_url is None


def test_yearless_dates_are_inferred_from_today(text: str) -> None:
    expected = {
        "SWE-AGI": date(2026, 2, 10),
        "PaCoRe": date(2026, 1, 9),
        "Step 3.5 Flash": date(2026, 2, 11),
        "SQuadGen": date(2026, 4, 30),
    }
    _, parsed, _ = parse_profile(text, today=TODAY)
    inferred = {p.title.split(":")[0]: p for p in parsed if p.year_inferred}
    assert {k: p.published for k, p in inferred.items()} == expected
    assert all(p.year == 2026 and p.date_precision == "day" for p in inferred.values())

    _, early, _ = parse_profile(text, today=date(2026, 2, 1))
    dates = {p.title.split(":")[0]: p.published for p in early if p.year_inferred}
    assert dates == {
        "SWE-AGI": date(2025, 2, 10),
        "PaCoRe": date(2026, 1, 9),
        "Step 3.5 Flash": date(2025, 2, 11),
        "SQuadGen": date(2025, 4, 30),
    }


def test_ids_are_unique_and_stable(text: str) -> None:
    first = [p.id for p in parse_profile(text, today=TODAY)[1]]
    second = [p.id for p in parse_profile(text, today=date(2027, 1, 1))[1]]
    assert len(set(first)) == 42
    assert first == second


def test_duplicate_titles_get_suffixed_ids(text: str) -> None:
    block = "CVMar 7, 2022Code\nSame Title\n\nA, B\n\nAbstract one.\n\n"
    _, parsed, problems = parse_profile("Owner\n\n" + block + block, today=TODAY)
    assert problems == []
    assert [p.id for p in parsed] == ["same-title", "same-title-2"]


def test_malformed_blocks_are_reported_with_their_line(text: str) -> None:
    lines = text.splitlines()
    assert lines[11] == "CVMar 7, 2022Code" and lines[46] == "CVNov 23, 2022"
    assert lines[56].startswith("Sheng Yu, Zheng Yuan")
    lines[11] = "CVMar 37, 2022Code"  # no such date
    lines[46] = "CVNovember 23, 2022"  # mangled meta line
    del lines[56:58]  # BIOS loses its author line: the abstract follows the title
    tail = len(lines) + 2
    broken = "\n".join([*lines, "", "CVMar 1, 2020", "A title with nothing after it"])
    _, parsed, problems = parse_profile(broken, today=TODAY)
    assert [(p.line, p.message.split(" ")[0]) for p in problems] == [
        (12, "invalid"),
        (47, "unreadable"),
        (57, "expected"),
        (tail, "paper"),
    ]
    assert len(parsed) == 39
    skipped = ("DINO:", "Hand Avatar", "BIOS", "A title")
    assert not any(p.title.startswith(skipped) for p in parsed)
