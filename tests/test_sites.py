"""Website repositories as sources: the three real sites in `tests/data/real/` (Hugo Blox,
academicpages, a Jekyll `_data` list) ingest from their folders with the counts and owners
their SOURCES.md gives, and the report names each quirk it lists; small built sites cover
what the real ones lack (bad YAML, drafts, theme examples, profiles, duplicate bundles); the
CLI's dry run. Property tests of the reader are in test_frontmatter.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from retrieval.hygiene import HygieneReport, HygieneWarning
from retrieval.ingest import ingest
from retrieval.models import Paper
from retrieval.sources import LoadResult, load_source
from tests.test_cli import paperchat

REAL = Path(__file__).parent / "data" / "real"
EVAL = Path(__file__).parent.parent / "data" / "eval"
CLOYNE = REAL / "jcloyne__jcloyne.github.io"
KERNER = REAL / "hannah-rae__hannah-rae.github.io"
BHALLA = REAL / "sakshi-bhalla__sakshi-bhalla.github.io__publications.yml"
BUNDLES = "content/publication"


def report(result: LoadResult) -> HygieneReport:
    assert result.report is not None
    return result.report


def notes(result: LoadResult, kind: str, file: str | None = None) -> list[HygieneWarning]:
    return [
        w
        for w in report(result).of_kind(kind)  # type: ignore[arg-type]
        if file is None or (w.file or "").endswith(file)
    ]


def titled(papers: list[Paper], start: str) -> Paper:
    return next(p for p in papers if p.title.startswith(start))


def gold(name: str, qid: str) -> set[str]:
    for line in (EVAL / name).read_text(encoding="utf-8").splitlines():
        question = json.loads(line)
        if question["id"] == qid:
            return set(question["gold"])
    raise KeyError(qid)


@pytest.fixture(scope="module")
def cloyne() -> LoadResult:
    return load_source(CLOYNE)


@pytest.fixture(scope="module")
def kerner() -> LoadResult:
    return load_source(KERNER, owner="Hannah Kerner")


def test_hugo_blox_bundles_counts_owner_and_me(cloyne: LoadResult) -> None:
    rep = report(cloyne)
    assert cloyne.format == "site" and rep.papers == 25 and not rep.skipped
    assert (rep.owner, rep.owner_inferred) == ("James Cloyne", False)
    assert sum(bool(p.abstract) for p in cloyne.papers) == 16
    assert [f.layout for f in cloyne.found] == ["hugo"] * 25
    assert sum(f.companion is not None for f in cloyne.found) == 24
    for slug in ("cloyne-2014-government-spending-shocks", "cloyne-2025-asset"):
        [key] = notes(cloyne, "author_key", f"{slug}/index.md")
        assert "'me' is James Cloyne (data/authors/me.yaml)" in key.detail
        paper = next(p for p in cloyne.papers if p.id in key.papers)
        assert paper.authors[0] == "James Cloyne"
    assert all("James Cloyne" in p.authors for p in cloyne.papers)


def test_hugo_blox_quirks_are_named_per_file(cloyne: LoadResult) -> None:
    papers = cloyne.papers
    [brexit] = notes(cloyne, "placeholder", "cloyne-2018-brexit/index.md")
    assert "issue details" in brexit.detail and not titled(papers, "Brexit").abstract
    [template] = notes(cloyne, "placeholder", "cloyne-2023-inflation/index.md")
    assert "full text" in template.detail
    [short] = notes(cloyne, "abstract_source", "cloyne-2014-government-spending-shocks/index.md")
    assert "too short" in short.detail
    [dates] = notes(cloyne, "date_disagreement", "cloyne-2023-taxes-growth/index.md")
    assert "date 2024" in dates.detail and "cite.bib 2023" in dates.detail
    assert titled(papers, "Taxes and Growth").year == 2024
    assert notes(cloyne, "date_disagreement", "cloyne-2012-narrative-shocks/index.md")
    [other] = notes(cloyne, "source_disagreement", "cloyne-2021-anniversary/index.md")
    assert "describes another item" in other.detail and "COVID-19" in other.detail
    [order] = notes(cloyne, "source_disagreement", "cloyne-2016-unconventional/index.md")
    assert "author order" in order.detail
    assert len([w for w in notes(cloyne, "links") if "code link" in w.detail]) == 3
    [bare] = notes(cloyne, "no_abstract")
    assert len(bare.papers) == 9


def test_hugo_blox_fields_are_plain_text(cloyne: LoadResult) -> None:
    papers = cloyne.papers
    unconventional = titled(papers, "The Effect of Unconventional")
    assert unconventional.title.endswith("Expectations: Evidence from Firms in the UK")
    inflation = titled(papers, "Do Tax Increases Tame Inflation")
    assert inflation.abstract.startswith('The answer is "yes" for personal')
    assert inflation.doi == "10.1257/pandp.20231070" and not inflation.has_code
    aer = titled(papers, "Discretionary Tax Changes")
    assert aer.venue == "American Economic Review, Volume 103(4), 1507-1528"
    assert aer.links["code"].startswith("https://www.openicpsr.org/") and aer.has_code
    covid = titled(papers, "COVID-19 and the Economy")  # an unquoted YAML date
    assert (covid.year, str(covid.published)) == (2020, "2020-06-01")
    assert any(p.selected for p in papers)


def test_hugo_blox_question_golds_hold(cloyne: LoadResult) -> None:
    name = "jcloyne__jcloyne.github.io.questions.jsonl"
    surico = {p.title for p in cloyne.papers if "Paolo Surico" in p.authors}
    assert surico == gold(name, "jc-metadata-1")
    assert {p.title for p in cloyne.papers if p.year == 2020} == gold(name, "jc-metadata-2")
    narrative = {p.title for p in cloyne.papers if "narrative" in p.abstract.lower()}
    assert narrative == gold(name, "jc-aggregate-1")


@pytest.mark.parametrize("inside", ["content", BUNDLES])
def test_a_site_is_read_from_its_content_folder_too(inside: str, cloyne: LoadResult) -> None:
    result = load_source(CLOYNE / inside)
    assert [p.model_dump() for p in result.papers] == [p.model_dump() for p in cloyne.papers]
    assert report(result).owner == "James Cloyne"


def test_academicpages_counts_owner_and_authors(kerner: LoadResult) -> None:
    rep = report(kerner)
    assert rep.papers == 12 and (rep.owner, rep.owner_inferred) == ("Hannah Kerner", False)
    assert all("Hannah Kerner" in p.authors for p in kerner.papers)
    assert sum(bool(p.abstract) for p in kerner.papers) == 12
    dmkd = titled(kerner.papers, "Comparison of novelty detection")
    assert len(dmkd.authors) == 9 and "J. F. Bell III" in dmkd.authors
    assert len(notes(kerner, "authors_guessed")) == 12
    [variants] = [w for w in rep.of_kind("name_variants") if "Hannah Kerner" in w.detail]
    assert "H. R. Kerner" in variants.detail
    inferred = report(load_source(KERNER))
    assert (inferred.owner, inferred.owner_inferred) == ("H. R. Kerner", True)


def test_academicpages_abstracts_without_debris(kerner: LoadResult) -> None:
    papers = kerner.papers
    knn = titled(papers, "Field-level crop type")
    assert knn.abstract.endswith("baseline for future work.") and "GAN" not in knn.abstract
    debris = [w.detail for w in notes(kerner, "page_debris", "2020-ICLR-knn-kenya.md")]
    assert any("repeats the excerpt and adds 13 words" in d for d in debris)
    [body] = notes(kerner, "abstract_source", "2021-ieee-aero-novelty.md")
    assert body.detail == "abstract taken from the page body"
    aero = titled(papers, "Integrating Novelty Detection")
    assert aero.abstract.endswith("through guided triage.")
    for text in ("Download", "Recommended citation", "<!--", "-->", "&quot;"):
        assert all(text not in p.abstract for p in papers)
    assert "returning large volumes" in titled(papers, "Deep Learning Methods").abstract
    assert "top ∼0.5 m" in titled(papers, "Analysis of active neutron").abstract
    assert (
        "stray '-->'" in notes(kerner, "page_debris", "2019-DMKD-mastcam-noveltydet.md")[0].detail
    )
    assert knn.arxiv_id == "2004.03023"


def test_academicpages_dates_and_golds(kerner: LoadResult) -> None:
    [dmkd] = notes(kerner, "date_disagreement", "2019-DMKD-mastcam-noveltydet.md")
    assert "date 2020" in dmkd.detail and "citation 2019" in dmkd.detail
    [jgrp] = notes(kerner, "date_disagreement", "2020-JGRP-dan.md")
    assert "permalink 2019" in jgrp.detail
    name = "hannah-rae__hannah-rae.github.io.questions.jsonl"
    novelty = {p.title for p in kerner.papers if "novelty" in p.abstract.lower()}
    assert novelty == gold(name, "hk-aggregate-1")
    becker = {p.title for p in kerner.papers if "I. Becker-Reshef" in p.authors}
    assert becker == gold(name, "hk-metadata-1")
    workshops = {p.title for p in kerner.papers if "Workshops" in (p.venue or "")}
    assert workshops == gold(name, "hk-metadata-2")


def test_jekyll_data_list_with_owner() -> None:
    result = load_source(BHALLA, owner="Sakshi Bhalla")
    rep = report(result)
    assert rep.papers == 6 and rep.owner == "Sakshi Bhalla" and len(result.excluded) == 3
    assert all(p.authors[0] == "Sakshi Bhalla" for p in result.papers)
    assert sum(bool(p.abstract) for p in result.papers) == 4
    [wip] = notes(result, "work_in_progress")
    assert len(wip.papers) == 3 and "held back" in wip.detail
    [soon] = notes(result, "forthcoming")
    scope = titled(result.papers, "Scope it")
    assert soon.papers == [scope.id] and scope.year is None and "no year" in soon.detail
    ccc = titled(result.papers, "Climate strikes")
    assert ccc.doi is None and ccc.links["html"].startswith("https://academic.oup.com/")
    assert ccc.title.endswith('"on-ground" networks in digital-first movements')
    assert any("web page, not a DOI" in w.detail for w in notes(result, "links"))
    everything = load_source(BHALLA, owner="Sakshi Bhalla", keep_all=True)
    assert report(everything).papers == 9
    assert sum(bool(p.abstract) for p in everything.papers) == 6
    assert "kept (keep_all)" in notes(everything, "work_in_progress")[0].detail


def test_jekyll_data_list_without_owner_never_guesses_one() -> None:
    result = load_source(BHALLA)
    rep = report(result)
    assert rep.owner is None and rep.of_kind("owner_unknown")
    assert "only co-authors" in rep.of_kind("owner_unknown")[0].detail
    assert all("Sakshi Bhalla" not in p.authors for p in result.papers)


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def page(title: str, extra: str = "", body: str = "") -> str:
    return f'---\ntitle: "{title}"\nauthors: [Ada Lovelace, Charles Babbage]\n{extra}---\n{body}'


def test_a_bad_file_is_reported_and_the_others_kept(tmp_path: Path) -> None:
    site = write(tmp_path, {
        "_publications/a.md": page("Analytical engines", "date: 2019-01-02\n"),
        "_publications/b.md": "---\ntitle: [unclosed\nauthors: x\n---\nBody\n",
        "_publications/c.md": page("Difference engines", "date: 2020-13-45\n"),
        "_publications/d.md": "No front matter at all.\n",
        "_publications/e.md": page("Notes on the engine"),
    })  # fmt: skip
    result = load_source(site)
    titles = sorted(p.title for p in result.papers)
    assert titles == ["Analytical engines", "Difference engines", "Notes on the engine"]
    assert titled(result.papers, "Difference").year == 2020  # the impossible date stays text
    skipped = {s.file: (s.line, s.reason) for s in report(result).skipped}
    assert skipped.keys() == {"_publications/b.md", "_publications/d.md"}
    assert skipped["_publications/b.md"][0] == 2
    assert skipped["_publications/b.md"][1].startswith("invalid front matter: while parsing")
    assert "no front matter" in skipped["_publications/d.md"][1]


def test_a_bad_item_in_a_yaml_list_costs_only_itself(tmp_path: Path) -> None:
    good = "- title: One\n  year: 2020\n- title: Two\n  year: 2021\n"
    broken = write(tmp_path, {"_data/publications.yml": good + "- title: [oops\n  year: 1\n"})
    assert [p.title for p in load_source(broken).papers] == ["One", "Two"]
    not_a_record = good + "- just a string\n- title: Four\n  date: 2020-02-31\n"
    result = load_source(write(tmp_path, {"_data/publications.yml": not_a_record}))
    assert [(p.title, p.year) for p in result.papers] == [
        ("One", 2020),
        ("Two", 2021),
        ("Four", 2020),
    ]
    assert [(s.line, s.reason) for s in report(result).skipped] == [
        (5, "item is not a set of fields")
    ]


def test_drafts_theme_examples_and_duplicate_bundles(tmp_path: Path) -> None:
    abstract = "We build an engine that computes Bernoulli numbers from cards."
    site = write(tmp_path, {
        f"{BUNDLES}/_index.md": "---\ntitle: Publications\n---\n",
        f"{BUNDLES}/engine-2020/index.md": page("The Analytical Engine", "date: 2020-05-01\n"),
        f"{BUNDLES}/engine-2021/index.md": page(
            "The analytical engine", f"date: 2021-05-01\npublication: '*J. Eng.*'\n"
            f"abstract: {abstract}\n"),
        f"{BUNDLES}/draft/index.md": page("Unfinished business", "draft: true\n"),
        f"{BUNDLES}/journal-article/index.md": page("An example journal article"),
    })  # fmt: skip
    result = load_source(site)
    [merged] = result.papers
    assert merged.abstract == abstract and [v.year for v in merged.versions] == [2020]
    assert report(result).of_kind("duplicate") and notes(result, "draft", "draft/index.md")
    assert notes(result, "theme_example", "journal-article/index.md")
    assert {p.title for p in result.excluded} == {
        "Unfinished business",
        "An example journal article",
    }
    assert len(load_source(site, keep_all=True).papers) == 3


def test_profiles_config_and_single_pages(tmp_path: Path) -> None:
    site = write(tmp_path, {
        "content/authors/ada/_index.md": "---\ntitle: Ada Lovelace\nsuperuser: true\n---\n",
        "hugo.toml": 'baseURL = "https://ada.example.org/"\n',
        f"{BUNDLES}/notes.md": "+++\ntitle = 'Notes'\nauthors = ['ada', 'Charles Babbage']\n"
        "url_pdf = '/files/notes.pdf'\ntags = ['engines', 'journal-article']\n+++\n",
    })  # fmt: skip
    result = load_source(site)
    [notes_paper] = result.papers
    assert notes_paper.authors == ["Ada Lovelace", "Charles Babbage"]
    assert notes_paper.links["pdf"] == "https://ada.example.org/files/notes.pdf"
    assert notes_paper.keywords == ["engines"] and report(result).owner == "Ada Lovelace"
    single = load_source(site / BUNDLES / "notes.md")
    assert [p.title for p in single.papers] == ["Notes"]


def test_al_folio_bibliography_with_the_owner_from_config(tmp_path: Path) -> None:
    bib = (REAL / "594zyc__594zyc.github.io__papers.bib").read_text(encoding="utf-8")
    config = "first_name: Yichi\nlast_name: Zhang\nurl: https://594zyc.github.io\n"
    site = write(tmp_path, {"_bibliography/papers.bib": bib, "_config.yml": config})
    result = load_source(site)
    assert [f.layout for f in result.found] == ["bibtex"] and len(result.papers) == 13
    assert (report(result).owner, report(result).owner_inferred) == ("Yichi Zhang", False)


def test_re_ingesting_an_unchanged_folder_changes_nothing(tmp_path: Path) -> None:
    out, info = tmp_path / "papers.jsonl", tmp_path / "info.json"
    first = ingest(KERNER, out, info, progress=False)
    before = out.read_bytes(), info.read_bytes()
    ingest(KERNER, out, info, progress=False)
    assert (out.read_bytes(), info.read_bytes()) == before and first.papers == 12


def test_cli_dry_run_prints_each_file_and_writes_nothing(tmp_path: Path) -> None:
    done = paperchat("ingest", str(CLOYNE), "--corpus", "x", "--dry-run", state=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Hugo Blox page bundles: 25 files" in done.stdout
    assert f"{BUNDLES}/cloyne-2025-asset/index.md (+ cite.bib): 1 paper" in done.stdout
    assert "author_key" in done.stdout and "nothing written" in done.stderr
    as_json = paperchat("ingest", str(BHALLA), "--dry-run", "--json", state=tmp_path)
    data = json.loads(as_json.stdout)
    assert data["dry_run"] and data["papers"] == 6 and len(data["files"][0]["held_back"]) == 3
    assert not (tmp_path / "corpora").exists()


def test_cli_ingests_a_site_and_bad_paths_are_one_line(tmp_path: Path) -> None:
    done = paperchat(
        "ingest",
        str(KERNER),
        "--corpus",
        "kerner",
        "--owner",
        "Hannah Kerner",
        "--json",
        state=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert (json.loads(done.stdout)["papers"], json.loads(done.stdout)["owner"]) == (
        12,
        "Hannah Kerner",
    )
    (tmp_path / "empty").mkdir()
    for source, needle in (
        ("/nonexistent/site", "/nonexistent/site"),
        (tmp_path / "empty", "No publications"),
    ):
        for extra in ((), ("--dry-run",)):
            bad = paperchat("ingest", str(source), "--corpus", "x", *extra, state=tmp_path)
            lines = [line for line in bad.stderr.splitlines() if line.strip()]
            assert bad.returncode == 2 and len(lines) == 1 and needle in lines[0], bad.stderr
