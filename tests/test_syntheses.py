"""The summary and bio report's measures (`paperchat eval --syntheses`), on hand-made answers,
and the pieces of a synthesis the code decides: a sentence speaking for N papers must cite N,
and a summary is shown the sentences saying what a paper did, not its background."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assistant.eval.syntheses import grams, is_copy, judgements, listed_only, load_syntheses, words
from assistant.evidence.compress import Compressor
from assistant.evidence.grounding import Checker, Draft, mint_sources
from assistant.evidence.verify import Verifier
from assistant.types import Answer, Citation, Sentence
from retrieval.models import Paper
from tests.fakes import FakeEmbedder

ABSTRACT = (
    "Glaciers are shrinking worldwide and their melt matters for water supply. "
    "We measure turbulent heat fluxes on a debris-covered glacier for two years. "
    "The fluxes supply 40% of the melt energy."
)


def _paper(i: int, abstract: str = ABSTRACT) -> Paper:
    return Paper(id=f"p{i}", title=f"Paper {i}", abstract=abstract, year=2020 + i)


def test_a_copy_is_most_of_a_sentence_verbatim() -> None:
    source = grams(words(ABSTRACT))
    assert is_copy("We measure turbulent heat fluxes on a debris-covered glacier.", source)
    assert not is_copy(
        "Two years of flux measurements explain where melt energy comes from.", source
    )


def test_judgement_words_count_only_when_the_records_lack_them() -> None:
    assert judgements("A groundbreaking study of glaciers.", ABSTRACT) == ["groundbreaking"]
    assert judgements("A landmark study.", ABSTRACT + " This landmark dataset") == []
    assert judgements("Melt rose, leading to thinning.", ABSTRACT) == []  # a verb
    assert judgements("A leading group.", ABSTRACT) == ["leading"]


def test_papers_only_named_by_a_fact_are_listed_only() -> None:
    papers = [_paper(1), _paper(2)]
    answer = Answer(
        text="",
        answered=True,
        citations=[Citation(key=str(i + 1), paper=p) for i, p in enumerate(papers)],
        sentences=[
            Sentence(text="They measure fluxes.", keys=["1"], status="verified"),
            Sentence(text="Also on this theme: Paper 2.", keys=["1", "2"], status="fact"),
        ],
    )
    assert listed_only(answer) == {"2"}


def test_rows_split_by_the_number_in_their_id(tmp_path: Path) -> None:
    rows = [{"id": f"syn-x-{n}", "kind": "summary", "request": "Summarize x."} for n in (1, 2, 3)]
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows))
    assert [r["id"] for r in load_syntheses(path, "dev")] == ["syn-x-1", "syn-x-3"]
    assert [r["id"] for r in load_syntheses(path, "check")] == ["syn-x-2"]


def test_a_sentence_speaking_for_three_papers_must_cite_three() -> None:
    sources = mint_sources([_paper(1), _paper(2)])
    checker = Checker(sources, verifier=Verifier())
    text = "Three papers measure turbulent heat fluxes on a debris-covered glacier."
    wrong = checker.check(Draft(text=text, sources=["1", "2"]))[0]
    assert wrong.status != "verified" and "speaks for 3 papers, cites 2" in wrong.note
    both = "Both papers measure turbulent heat fluxes on a debris-covered glacier."
    assert checker.check(Draft(text=both, sources=["1", "2"]))[0].status == "verified"


def test_a_summary_is_shown_what_the_paper_did_not_its_background() -> None:
    compressor = Compressor(FakeEmbedder())
    paper = _paper(1)
    query: Any = compressor.embedder.encode(["glaciers melt water supply"])[0]
    shown = compressor.contributions(paper, query, keep=1, query="glaciers melt water supply")
    assert shown.startswith(("We measure", "The fluxes supply 40%"))


def test_the_researchers_hyphenated_name_is_never_a_claim() -> None:
    record = "Step-Video: a video model. We train a 30B model on video."
    check = Verifier().check(
        "Heung-Yeung Shum's Step-Video trains a 30B model on video.",
        record,
        names=["Heung-Yeung Shum"],
    )
    assert check.ok, check.reasons


def test_what_is_left_open_only_when_an_abstract_says_so() -> None:
    from assistant.jobs.summarize import left_open

    glacier = _paper(
        1,
        "Debris cover changes melt. We measure fluxes on two glaciers. Melt falls by 17%. "
        "How debris thickness controls this remains unclear.",
    )
    water = _paper(
        2,
        "It remains unknown how confined water freezes. We simulate monolayer water. "
        "Nucleation follows classical theory. We release the trajectories to enable future "
        "research.",
    )
    crops = _paper(
        3,
        "We map cropland in Togo. The map is 10 m. It was delivered in 10 days. More work "
        "is needed on labels for smallholder fields.",
    )
    found = left_open([glacier, water, crops])
    # the problem the paper takes on (first half) and a purpose clause are not left open
    assert [(p.id, s.split()[0]) for p, s in found] == [("p3", "More"), ("p1", "How")]


def test_a_summary_quotes_what_its_papers_leave_open(make_assistant: Any) -> None:
    from tests.fakes import FakeChatModel

    fake = FakeChatModel({"theme": "Video generation", "common": {"text": "x", "sources": []}})
    answer = make_assistant(fake).ask("Summarize the work on video generation")
    assert "**What the papers leave open**" in answer.text
    quoted = [s for s in answer.sentences if s.status == "quoted"]
    assert any("discuss the limitations" in s.text and "abstract states" in s.text for s in quoted)
    assert all(s.keys for s in quoted)


def test_a_labelled_quote_is_not_an_unverified_sentence() -> None:
    """The eval's 'unverified' counts model sentences shown without the verifier's pass; a
    quote of the record, labelled and cited, is stated by construction. Invented record."""
    from assistant.eval.syntheses import score_answer
    from assistant.types import Answer, Citation, Sentence
    from retrieval.models import Paper

    paper = Paper(id="a", title="GlacierNet", abstract="GlacierNet maps ice. Gaps remain.")
    answer = Answer(
        text="x",
        answered=True,
        citations=[Citation(key="1", paper=paper)],
        sentences=[
            Sentence(
                text='The GlacierNet abstract states: "Gaps remain"', keys=["1"], status="quoted"
            ),
            Sentence(text="GlacierNet maps all ice.", keys=["1"], status="cited"),
        ],
    )
    row = score_answer({"id": "s-1", "kind": "summary", "gold": []}, answer, 1.0)
    assert row["unverified"] == ["GlacierNet maps all ice."]
