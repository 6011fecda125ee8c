from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from retrieval.errors import SourceError
from retrieval.models import Paper
from retrieval.sources import (
    iter_source_batches,
    load_source,
    read_corpus,
    write_corpus,
)

DATA = Path(__file__).resolve().parent / "data"
REPO_DATA = Path(__file__).resolve().parent.parent / "data"
PROFILE = REPO_DATA / "heung-yeung-shum.profile.txt"


def by_id(papers: list[Paper]) -> dict[str, Paper]:
    return {p.id: p for p in papers}


def test_jsonl_keeps_good_records_and_reports_bad_lines() -> None:
    result = load_source(DATA / "mixed.jsonl")
    assert result.format == "jsonl" and result.info is None
    assert [(p.line, p.message.split(":")[0]) for p in result.problems] == [
        (4, "invalid JSON"),
        (5, "record has no title"),
        (6, "invalid paper"),
        (9, "invalid paper"),
    ]
    assert "year" in result.problems[2].message and "stars" in result.problems[3].message
    raw = load_source(DATA / "mixed.jsonl", hygiene=False)
    assert raw.report is None and raw.problems == result.problems
    assert [p.id for p in raw.papers] == ["dino-detr", "only-title", "mask-dino", "only-title-2"]
    assert raw.papers[3].authors == ["Someone Else"]
    # The second "Only a title" is the same title with a shared (missing) author list: merged.
    papers = by_id(result.papers)
    assert list(papers) == ["dino-detr", "only-title", "mask-dino"]
    assert [v.id for v in papers["only-title"].versions] == ["only-title-2"]
    assert papers["only-title"].authors == ["Someone Else"]
    assert result.report is not None and result.report.papers == 3
    assert [s.line for s in result.report.skipped] == [4, 5, 6, 9]
    mask = papers["mask-dino"]
    assert (mask.year, mask.date_precision, mask.category_name) == (2022, "day", "Computer Vision")
    assert mask.has_code
    assert papers["dino-detr"].authors_truncated


def test_google_scholar_bibtex() -> None:
    result = load_source(DATA / "scholar.bib")
    assert result.format == "bibtex"
    assert [(p.line, p.message) for p in result.problems] == [
        (16, "BibTeX entry 'ma2022principles' has no title")
    ]
    dino, hand, xiaoice = result.papers
    assert dino.authors[:2] == ["Hao Zhang", "Feng Li"] and dino.authors[-1] == "Heung-Yeung Shum"
    assert (dino.year, dino.published, dino.date_precision) == (2022, date(2022, 1, 1), "year")
    assert dino.venue == "arXiv preprint arXiv:2203.03605"
    assert dino.urls == ["https://arxiv.org/abs/2203.03605"]
    assert hand.authors == ["Xingyu Chen", "Baoyuan Wang", "Heung-Yeung Shum"]
    assert hand.venue and hand.venue.startswith("Proceedings of the IEEE/CVF")
    assert xiaoice.title == "The design and implementation of XiaoIce, an empathetic social chatbot"
    assert not any(p.has_code for p in result.papers)


def test_dblp_bibtex() -> None:
    result = load_source(DATA / "dblp.bib")
    assert [(p.line, p.message.split(" ")[0]) for p in result.problems] == [
        (36, "BibTeX"),
        (41, "malformed"),
    ]
    assert "no title" in result.problems[0].message
    papers = by_id(result.papers)
    # The second Mask DINO record (same title and author) is merged as a version.
    assert list(papers) == [
        "dino-detr-with-improved-denoising-anchor",
        "mask-dino-towards-unified-transformer-based",
    ]
    assert result.report is not None
    assert [w.papers for w in result.report.of_kind("duplicate")] == [
        [
            "mask-dino-towards-unified-transformer-based",
            "mask-dino-towards-unified-transformer-based-2",
        ]
    ]
    dino = papers["dino-detr-with-improved-denoising-anchor"]
    assert dino.title == (
        "DINO: DETR with Improved DeNoising Anchor Boxes for End-to-End Object Detection"
    )
    assert dino.authors == ["Hao Zhang", "Feng Li", "Shilong Liu"] and dino.authors_truncated
    assert (dino.published, dino.date_precision) == (date(2023, 5, 1), "month")
    assert dino.venue == (
        "The Eleventh International Conference on Learning Representations, ICLR 2023"
    )
    assert dino.has_code and dino.code_url == "https://github.com/IDEACVR/DINO"
    assert (
        dino.abstract
        == "DINO achieves 49.4 AP in 12 epochs. Code: https://github.com/IDEACVR/DINO."
    )
    assert "https://openreview.net/forum?id=3mRwyG5one" in dino.urls
    assert not any("dblp.org" in url for url in dino.urls)
    mask = papers["mask-dino-towards-unified-transformer-based"]
    assert mask.authors == ["Feng Li", "Hao Zhang", "Huaizhe Xu"]  # "Last, First" reordered
    assert (mask.category, mask.category_name) == ("CV", "Computer Vision")
    assert (mask.doi, mask.arxiv_id) == ("10.48550/arxiv.2206.02777", "2206.02777")
    assert mask.urls == [
        "https://doi.org/10.48550/arxiv.2206.02777",
        "https://arxiv.org/abs/2206.02777",
    ]
    assert [v.year for v in mask.versions] == [2023]


def test_profile_source_has_header_and_matches_committed_corpus() -> None:
    result = load_source(PROFILE, today=date(2026, 11, 25))
    assert result.format == "profile" and result.problems == []
    assert result.info is not None and result.info.citations == 7297
    info, papers = read_corpus(REPO_DATA / "papers.jsonl", REPO_DATA / "corpus_info.json")
    assert papers == result.papers
    assert info is not None and info.source == "data/heung-yeung-shum.profile.txt"
    assert info.model_dump(exclude={"source"}) == result.info.model_dump(exclude={"source"})


@pytest.mark.parametrize("name", ["mixed.jsonl", "scholar.bib", "dblp.bib"])
def test_streaming_batches_match_load_source(name: str) -> None:
    whole = load_source(DATA / name, hygiene=False)
    batches = list(iter_source_batches(DATA / name, batch_size=1))
    assert len(batches) >= len(whole.papers)
    assert [p for papers, _ in batches for p in papers] == whole.papers
    assert [p for _, problems in batches for p in problems] == whole.problems


def test_write_and_read_corpus_round_trip(tmp_path: Path) -> None:
    result = load_source(PROFILE, today=date(2026, 11, 25))
    papers_path, info_path = tmp_path / "out" / "papers.jsonl", tmp_path / "out" / "info.json"
    write_corpus(result.papers, result.info, papers_path, info_path)
    assert read_corpus(papers_path, info_path) == (result.info, result.papers)
    assert len(papers_path.read_text(encoding="utf-8").splitlines()) == 42
    assert sorted(p.name for p in papers_path.parent.iterdir()) == ["info.json", "papers.jsonl"]

    # A corpus without a header must not keep the previous corpus's header.
    write_corpus(result.papers[:2], None, papers_path, info_path)
    assert read_corpus(papers_path, info_path) == (None, result.papers[:2])
    assert not info_path.exists()


def test_damaged_corpus_names_the_line(tmp_path: Path) -> None:
    papers_path = tmp_path / "papers.jsonl"
    papers_path.write_text('{"title": "ok"}\n{"title": \n', encoding="utf-8")
    with pytest.raises(SourceError, match="line 2"):
        read_corpus(papers_path, tmp_path / "info.json")


def test_missing_and_unknown_files_raise_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="No source file"):
        load_source(tmp_path / "nope.bib")
    with pytest.raises(SourceError, match="No source file"):
        list(iter_source_batches(tmp_path / "nope.jsonl"))
    with pytest.raises(SourceError, match="No corpus"):
        read_corpus(tmp_path / "papers.jsonl", tmp_path / "info.json")
    odd = tmp_path / "papers.csv"
    odd.write_text("title,year\nDINO,2022\n", encoding="utf-8")
    with pytest.raises(SourceError, match="Cannot tell the format"):
        load_source(odd)
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(SourceError, match="No papers found"):
        load_source(empty)
    all_bad = tmp_path / "bad.jsonl"
    all_bad.write_text('\n{"year": 2020}\n', encoding="utf-8")
    with pytest.raises(SourceError, match="line 2: record has no title"):
        load_source(all_bad)


def test_format_is_sniffed_without_a_known_extension(tmp_path: Path) -> None:
    copy = tmp_path / "export"
    copy.write_text((DATA / "scholar.bib").read_text(encoding="utf-8"), encoding="utf-8")
    assert load_source(copy).format == "bibtex"
