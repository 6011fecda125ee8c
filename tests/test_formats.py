"""Every real publication file in tests/data/real ingests with what its SOURCES.md implies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from retrieval.errors import SourceError
from retrieval.models import Paper
from retrieval.sources import LoadResult, detect_format, load_source

DATA = Path(__file__).resolve().parent / "data"
REAL = DATA / "real"
YZ = REAL / "594zyc__594zyc.github.io__papers.bib"
ZQ = REAL / "zrqiao__zrqiao.github.io__papers.bib"
ZOTERO = REAL / "gayashiva__Thesis__My_Library.json"
OPENALEX = REAL / "d-camargo__easyScieloPy__openalex_works.json"


def kinds(result: LoadResult) -> dict[str, list[list[str]]]:
    assert result.report is not None
    out: dict[str, list[list[str]]] = {}
    for w in result.report.warnings:
        out.setdefault(w.kind, []).append(w.papers)
    return out


def titled(result: LoadResult, start: str) -> Paper:
    (paper,) = [p for p in result.papers if p.title.startswith(start)]
    return paper


def test_alfolio_bibtex_yichi_zhang() -> None:
    result = load_source(YZ)
    assert result.format == "bibtex" and result.problems == []
    assert len(result.papers) == 13 and result.excluded == []
    assert result.report is not None and result.report.owner == "Yichi Zhang"
    assert all(p.abstract for p in result.papers)
    assert sum(p.has_code for p in result.papers) == 11
    danli = titled(result, "DANLI")
    assert "70%" in danli.abstract and "{" not in danli.abstract
    assert danli.code_url == "https://github.com/sled-group/DANLI"
    assert danli.doi == "10.18653/v1/2022.emnlp-main.83" and danli.arxiv_id == "2210.12485"
    assert (danli.year, danli.published and danli.published.month) == (2022, 12)
    assert "machines'" in " ".join(p.abstract for p in result.papers)
    assert titled(result, "Improved Learning").title.endswith("Semantic Injection")
    guide = titled(result, "Can Foundation Models")
    assert {"Alex de la Iglesia", "Itamar Bar-Yossef"} <= set(guide.authors)
    # Editors are not authors: Joyce Chai edited the ACL paraphrase paper.
    assert "Joyce Chai" not in titled(result, "Paraphrase Augmented").authors
    # One arXiv id on two different papers is reported, and both are kept.
    (shared,) = kinds(result)["shared_identifier"]
    assert len(shared) == 2 and "duplicate" not in kinds(result)


def test_alfolio_bibtex_zhuoran_qiao() -> None:
    result = load_source(ZQ)
    assert len(result.papers) == 13 and result.problems == [] and result.excluded == []
    found = kinds(result)
    (no_abstract,) = found["no_abstract"]
    assert len(no_abstract) == 7
    (pair,) = found["possible_version"]
    assert set(pair) == {
        "state-specific-proteinligand-complex-structure-prediction",
        "dynamic-backbone-protein-ligand-structure-prediction",
    }
    workshop = titled(result, "Dynamic-Backbone")
    assert workshop.venue == (
        "NeurIPS 2022 Machine Learning in Structural Biology (MLSB) Workshop, contributed talk."
    )
    assert titled(result, "State-specific").title.startswith("State-specific protein–ligand")
    pnas = titled(result, "Informing geometric")
    assert pnas.doi == "10.1073/pnas.2205221119" and pnas.arxiv_id is None
    assert titled(result, "OrbNet Denali").links == {"url": "https://doi.org/10.1063/5.0061990"}
    # "Miller III, Thomas F", "Thomas F. Miller", "Miller,Thomas F." are one name.
    millers = {a for p in result.papers for a in p.authors if "Miller" in a}
    assert millers == {"Thomas F Miller III"}
    assert found["similar_names"]  # Anima / Animashree: reported, not merged
    assert titled(result, "COVIDisAirborne").authors_truncated
    assert not any("<" in (p.venue or "") for p in result.papers)


def test_zotero_csl_json_reading_library() -> None:
    result = load_source(ZOTERO)
    assert result.format == "csl" and result.problems == []
    assert len(result.papers) == 88 and result.excluded == []
    assert sum(bool(p.abstract) for p in result.papers) == 11
    assert result.report is not None and result.report.owner is None
    assert "owner_unknown" in kinds(result)
    assert not any(p.abstract.startswith("Abstract") for p in result.papers)
    assert min(p.year for p in result.papers if p.year) == 1930
    assert titled(result, "2007_ingvar_tveiten").year is None


def test_openalex_works_list() -> None:
    result = load_source(OPENALEX)
    assert result.format == "openalex"
    assert len(result.papers) == 4  # 5 works, the book's two records merged
    (dup,) = kinds(result)["duplicate"]
    assert dup == [
        "structural-health-monitoring",
        "structural-health-monitoring-machine-learning-perspective",
    ]
    book = result.papers[1]
    assert book.doi == "10.1002/9781118443118" and len(book.versions) == 1
    assert sum(bool(p.abstract) for p in result.papers) == 3
    assert kinds(result)["no_abstract"] == [
        ["structural-health-monitoring-with-piezoelectric-wafer"]
    ]
    intro = titled(result, "An introduction")
    assert intro.abstract.startswith("The process of implementing a damage identification")
    assert intro.authors == ["Charles R. Farrar", "Keith Worden"]
    assert result.report is not None and result.report.owner == "Charles R. Farrar"
    assert "&amp;" not in json.dumps([p.urls for p in result.papers])


@pytest.mark.parametrize("path", [YZ, ZQ, ZOTERO, OPENALEX])
def test_reloading_gives_identical_papers(path: Path) -> None:
    first, second = load_source(path), load_source(path)
    assert first.papers == second.papers and first.report == second.report
    assert [p.content_hash() for p in first.papers] == [p.content_hash() for p in second.papers]


def test_format_is_told_by_content_not_extension(tmp_path: Path) -> None:
    for src, fmt in ((YZ, "bibtex"), (ZOTERO, "csl"), (OPENALEX, "openalex")):
        copy = tmp_path / f"export-{fmt}.txt"
        copy.write_bytes(src.read_bytes())
        assert detect_format(copy) == fmt
    odd = tmp_path / "notes.json"
    odd.write_text("title;year\n", encoding="utf-8")
    with pytest.raises(SourceError, match="Cannot tell the format"):
        detect_format(odd)


def test_alfolio_demo_entries_html_names_and_links() -> None:
    result = load_source(DATA / "alfolio_demo.bib")
    assert [(p.line, p.message.split(" (")[0]) for p in result.problems] == [
        (70, "malformed BibTeX entry")
    ]
    assert result.report is not None and result.report.owner == "Ada Lovelace"
    assert [p.year for p in result.excluded] == [1905, 1935, 1967]
    everyone = {a for p in result.papers for a in p.authors}
    assert not any(c in a for a in everyone for c in "<>*{}")
    assert len([p for p in result.papers if "Molin Zhang" in p.authors]) == 4
    graphs = titled(result, "Graph Networks")
    assert graphs.title == "Graph Networks for Layout Planning"
    assert graphs.abstract == (
        'We plan layouts with graph networks and gain 12% over baselines on "hard" cases – '
        "a Müller-style benchmark."
    )
    assert graphs.has_code and graphs.code_url == "https://github.com/example/layout-graphs"
    assert graphs.links == {
        "code": "https://github.com/example/layout-graphs", "html": "https://example.org/layout"
    }  # fmt: skip
    assert (graphs.award, graphs.selected, graphs.keywords) == (
        "Outstanding Paper Award",
        True,
        ["graph networks", "layout"],
    )
    assert (graphs.published and graphs.published.month) == 7
    jmlr = titled(result, "Layout Planning")
    assert jmlr.venue == "Journal of Machine Learning Research"
    assert (jmlr.doi, jmlr.arxiv_id) == ("10.5555/jmlr.2022.001", "2203.01234")
    tables = titled(result, "Tables as Programs")  # the ICLR record kept, arXiv one a version
    assert tables.venue == "ICLR" and tables.abstract and tables.arxiv_id == "2301.00001"
    kept_all = load_source(DATA / "alfolio_demo.bib", keep_all=True)
    assert len(kept_all.papers) == 8 and kept_all.excluded == []
    assert kept_all.report is not None and kept_all.report.of_kind("not_by_owner")


def test_plain_json_array_guesses_fields_and_keeps_good_records() -> None:
    result = load_source(DATA / "publications.json")
    assert result.format == "json"
    assert [(p.line, p.message) for p in result.problems] == [(4, "record has no title")]
    graphs, memory, tables = result.papers
    assert graphs.abstract == "We plan layouts with graph networks."
    assert graphs.authors == ["Ada Lovelace", "Molin Zhang"] and graphs.venue == "ICML"
    assert graphs.code_url == "https://github.com/example/layout-graphs"
    assert graphs.keywords == ["graphs", "layout"] and graphs.year == 2021
    assert memory.year == 2024 and memory.venue == "TMLR"
    assert tables.doi == "10.5555/iclr.2023.9" and tables.published and tables.published.month == 5


def test_field_map_overrides_the_guess(tmp_path: Path) -> None:
    path = tmp_path / "site.jsonl"
    path.write_text(
        '{"label": "Layout Planning", "blurb": "Graph layouts.", "who": ["A. Lovelace"], '
        '"yr": "2021", "title": "ignored"}\n{"label": "", "blurb": "x"}\n',
        encoding="utf-8",
    )
    fmap = {"title": "label", "abstract": "blurb", "authors": "who", "year": "yr"}
    result = load_source(path, field_map=fmap)
    (paper,) = result.papers
    assert (paper.title, paper.abstract, paper.authors, paper.year) == (
        "Layout Planning",
        "Graph Layouts.".capitalize(),
        ["A. Lovelace"],
        2021,
    )
    assert [(p.line, p.message) for p in result.problems] == [(2, "record has no title")]


def test_broken_record_in_a_json_array_costs_only_itself(tmp_path: Path) -> None:
    path = tmp_path / "papers.json"
    path.write_text(
        '[\n  {"title": "One", "year": 2020},\n  {"title": "Two", "year": },\n'
        '  {"title": "Three", "year": 2021}\n]\n',
        encoding="utf-8",
    )
    result = load_source(path)
    assert [p.title for p in result.papers] == ["One", "Three"]
    assert [p.line for p in result.problems] == [3]


def test_content_hash_counts_later_fields_only_when_set() -> None:
    """Papers indexed before `doi`, `links`, ... existed keep their hash (no re-embedding);
    setting one changes it. The defaults are read once, not per hash (thread safety)."""
    import hashlib
    import json

    from retrieval.models import Paper

    paper = Paper(id="p1", title="A title", abstract="An abstract.")
    old = {
        k: v
        for k, v in paper.model_dump(mode="json").items()
        if k not in {"doi", "arxiv_id", "award", "keywords", "links", "selected", "versions"}
    }
    expected = hashlib.sha256(json.dumps(old, sort_keys=True).encode()).hexdigest()[:16]
    assert paper.content_hash() == expected
    assert paper.model_copy(update={"links": {"code": "https://x"}}).content_hash() != expected
