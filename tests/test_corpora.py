"""Several corpora side by side: real files ingested into named corpora under a temp data
dir, each with its own real Chroma collection; answers never mix them (FAKE chat model)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assistant import Assistant, ConfigError, Settings
from assistant.corpora import corpus_name_for, ingest_corpus, list_corpora, parse_field_map
from tests.fakes import QuotingChatModel
from tests.test_cli import paperchat

REAL = Path(__file__).parent / "data" / "real"
ZRQIAO = REAL / "zrqiao__zrqiao.github.io__papers.bib"
YICHI = REAL / "594zyc__594zyc.github.io__papers.bib"


@pytest.fixture
def two_corpora(tmp_path: Path) -> Settings:
    settings = Settings()
    settings.paths.data_dir = tmp_path
    settings.llm.mode = "pipeline"
    ingest_corpus(settings, ZRQIAO, name="zrqiao", progress=False)
    ingest_corpus(settings, YICHI, name="yichi", progress=False)
    return settings


def test_each_corpus_answers_from_its_own_papers(two_corpora: Settings, embedder: Any) -> None:
    chem = Assistant(two_corpora, corpus="zrqiao", embedder=embedder)
    nlp = Assistant(two_corpora, corpus="yichi", embedder=embedder)
    chem_ids = {p.id for p in chem.papers}
    nlp_ids = {p.id for p in nlp.papers}
    assert len(chem_ids) == 13 and len(nlp_ids) == 13 and not chem_ids & nlp_ids
    assert chem.index.name != nlp.index.name
    # The same query searches only the assistant's own corpus.
    for assistant, own in ((chem, chem_ids), (nlp, nlp_ids)):
        hits = assistant.search("deep learning model", k=10)
        assert hits and {h.paper.id for h in hits} <= own
    answer = Assistant(
        two_corpora, corpus="zrqiao", embedder=embedder, chat_model=QuotingChatModel()
    ).ask("What does OrbNet predict?")
    assert answer.citations and {c.paper.id for c in answer.citations} <= chem_ids


def test_a_list_naming_a_term_holds_every_paper_that_states_it(
    two_corpora: Settings, embedder: Any
) -> None:
    nlp = Assistant(two_corpora, corpus="yichi", embedder=embedder, chat_model=QuotingChatModel())
    answer = nlp.ask("Which of these papers report results on the MultiWOZ dataset?")
    holding = {p.id for p in nlp.papers if "multiwoz" in p.abstract.lower()}
    assert len(holding) >= 4  # the record's own count, not a fixed number
    assert {c.paper.id for c in answer.citations} == holding
    assert answer.text.startswith(f"{len(holding)} papers in the corpus are about this")


def test_corpora_lists_each_with_owner_and_count(two_corpora: Settings) -> None:
    rows = {r.name: r for r in list_corpora(two_corpora)}
    assert rows["default"].papers == 42 and rows["default"].owner == "Heung-Yeung Shum"
    assert rows["zrqiao"].papers == 13 and rows["zrqiao"].owner == "Zhuoran Qiao"
    assert rows["yichi"].owner == "Yichi Zhang" and rows["yichi"].last_ingest


def test_re_ingesting_the_same_file_changes_nothing(two_corpora: Settings) -> None:
    papers = two_corpora.corpus_paths("zrqiao").papers
    before = papers.read_bytes()
    ingest_corpus(two_corpora, ZRQIAO, name="zrqiao", progress=False)
    assert papers.read_bytes() == before


def test_the_report_is_kept_with_the_corpus(two_corpora: Settings) -> None:
    report = json.loads(two_corpora.corpus_paths("zrqiao").report.read_text())
    kinds = {w["kind"] for w in report["hygiene"]["warnings"]}
    assert {"no_abstract", "possible_version"} <= kinds


def test_names_and_maps_are_checked() -> None:
    assert corpus_name_for(Path("Ada Lovelace papers.bib")) == "ada-lovelace-papers"
    assert parse_field_map("title=name, abstract=summary") == {
        "title": "name",
        "abstract": "summary",
    }
    with pytest.raises(ConfigError, match="not a paper field"):
        parse_field_map("colour=name")
    with pytest.raises(ConfigError, match="Corpus name"):
        Settings().corpus_paths("Bad Name")


def test_cli_corpus_commands(tmp_path: Path) -> None:
    source = tmp_path / "site.json"
    source.write_text(
        json.dumps(
            [
                {"name": "Graph Nets for Rivers", "summary": "We model rivers.", "yr": 2021},
                {"name": "Flood Maps", "summary": "Maps of floods.", "yr": 2023},
            ]
        )
    )
    done = paperchat(
        "ingest", str(source), "--corpus", "rivers", "--map", "title=name,abstract=summary,year=yr",
        "--json", state=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["papers"] == 2
    listed = paperchat("corpora", "--json", state=tmp_path)
    assert {r["name"] for r in json.loads(listed.stdout)} >= {"default", "rivers"}
    papers = paperchat("papers", "--corpus", "rivers", "--json", state=tmp_path)
    rows = json.loads(papers.stdout)
    assert sorted(r["year"] for r in rows) == [2021, 2023] and "venue" in rows[0]
    missing = paperchat("papers", "--corpus", "nope", state=tmp_path)
    assert missing.returncode == 2 and "No corpus 'nope'" in missing.stderr
    assert "Traceback" not in missing.stderr
