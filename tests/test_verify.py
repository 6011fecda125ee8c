"""The claim verifier on small invented records, one phenomenon per test: each corrupted
claim is rejected, and the faithful paraphrase beside it is kept. Real spaCy, real MiniLM."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.evidence.verify import Verifier, embedding_similarity

RECORD = (
    "FastParse: Learned Parsing for Noisy Text. Most existing parsers simply memorise "
    "hand-written rules. We propose FastParse, a learned parser that requires no labelled "
    "data. FastParse reaches an accuracy of over 90% on newswire and 61% on social media "
    "posts, and it performs comparably to BigParse while outperforming TinyParse. We evaluate "
    "it on a benchmark of 4,000 sentences drawn from the Penn Treebank. Larger parsers are "
    "more robust to spelling noise."
)


@pytest.fixture(scope="module")
def verifier(embedder: Any) -> Verifier:
    return Verifier(embedding_similarity(embedder.encode), min_similarity=0.45)


@pytest.mark.parametrize(
    "claim",
    [
        "FastParse is a learned parser that needs no labelled data.",
        "FastParse reaches an accuracy above 90% on newswire and 61% on social media posts.",
        "The authors evaluate FastParse on 4,000 sentences from the Penn Treebank.",
        "Larger parsers are more robust to spelling noise.",
        "FastParse outperforms TinyParse.",
    ],
)
def test_faithful_paraphrases_are_verified(verifier: Verifier, claim: str) -> None:
    check = verifier.check(claim, RECORD)
    assert check.verdict == "verified", check.reasons
    assert check.evidence  # the record sentence it was checked against


@pytest.mark.parametrize(
    ("claim", "why"),
    [
        ("FastParse reaches 61% on newswire and over 90% on social media posts.", "bound"),
        ("FastParse reaches an accuracy of 75% on newswire.", "not in the record"),
        ("FastParse reaches an accuracy under 90% on newswire.", "qualifier"),
        ("FastParse requires labelled data.", "polarity"),
        ("Larger parsers are less robust to spelling noise.", "source says"),
        ("FastParse simply memorises hand-written rules.", "other work"),
        ("FastParse clearly outperforms both BigParse and TinyParse.", ""),
        ("The authors evaluate FastParse on a benchmark of 4,000 sentences from OntoNotes.", ""),
        ("The authors evaluate FastParse on a benchmark of 4,000 documents.", "counts"),
    ],
)
def test_corrupted_claims_are_not_verified(verifier: Verifier, claim: str, why: str) -> None:
    check = verifier.check(claim, RECORD)
    assert check.verdict != "verified", claim
    assert any(why in r for r in check.reasons), check.reasons


def test_owner_name_is_not_a_claim(verifier: Verifier) -> None:
    claim = "With FastParse, Ada Lovelace built a learned parser that needs no labelled data."
    assert verifier.check(claim, RECORD, names=["Ada Lovelace"]).ok
    assert not verifier.check(claim, RECORD).ok  # without it, the name is an unstated claim


SECOND = (
    "Tidal: Fast Retrieval for Long Documents. Previous retrievers reach 40% recall on "
    "LongBench. Tidal reaches 71% recall on LongBench and 64% on QuALITY. It requires users "
    "not only to give a query but also to mark a passage. The cache is lossless. Compared "
    "with Atlas and Contriever, Tidal cuts latency by 30% and 55%, respectively. Short "
    "documents favour dense indexes, while long documents impede them. Squares appear at "
    "small but not large widths."
)


@pytest.mark.parametrize(
    "claim",
    [
        "Tidal needs users to give a query and to mark a passage.",  # "not only" asserts both
        "Tidal's cache works without loss.",  # "lossless"
        "Tidal cuts latency by 55% compared with Contriever.",
        "Squares appear at small widths.",
    ],
)
def test_more_faithful_readings_are_verified(verifier: Verifier, claim: str) -> None:
    check = verifier.check(claim, SECOND)
    assert check.verdict == "verified", check.reasons


@pytest.mark.parametrize(
    ("claim", "why"),
    [
        ("Tidal reaches 71% recall on QuALITY.", "for longbench"),  # a value on another set
        ("Tidal cuts latency by 55% compared with Atlas.", "respectively"),
        ("Previous retrievers reach 71% recall on LongBench.", "other work"),
        ("Tidal reaches 40% recall on LongBench.", "work"),  # the baseline's value
        ("Long documents favour dense indexes.", "something else"),
        ("Squares appear at large widths.", "polarity"),
    ],
)
def test_more_corruptions_are_not_verified(verifier: Verifier, claim: str, why: str) -> None:
    check = verifier.check(claim, SECOND)
    assert check.verdict != "verified", claim
    assert any(why in r for r in check.reasons), check.reasons


def test_two_things_trading_places_is_caught(verifier: Verifier) -> None:
    # spaCy's small model tags "converts" as a noun here, so the test uses "turns".
    record = "Mapper: Text to Images. The module turns text into images."
    assert verifier.check("The module turns text into images.", record).ok
    check = verifier.check("The module turns images into text.", record)
    assert not check.ok and any("trade places" in r for r in check.reasons), check.reasons


THIRD = (
    "Ridge: Sparse Attention. While recent efforts sparsify attention at inference, they "
    "often rely on hand-written masks. Ridge learns its masks end to end. Ridge outperforms "
    "Local and performs comparably to Dense. Our results show that fixed-window models are "
    "over-confident on long inputs."
)


@pytest.mark.parametrize(
    ("claim", "why"),
    [
        ("Ridge outperforms both Local and Dense.", "level"),
        ("Ridge relies on hand-written masks.", "other work"),
        ("Fixed-window models are under-confident on long inputs.", "where the source says"),
    ],
)
def test_hedges_pronoun_subjects_and_prefixes(verifier: Verifier, claim: str, why: str) -> None:
    check = verifier.check(claim, THIRD)
    assert not check.ok and any(why in r for r in check.reasons), check.reasons
    assert verifier.check("Ridge learns its masks end to end.", THIRD).ok


FOURTH = (
    "Tutor: Guided Distillation. The teacher's attention maps are used to guide the student "
    "network. Since the 1990s, distillation has been studied in the way compression was: "
    "from the 80's and 90's on, small models copied large ones."
)


def test_two_things_on_swapped_sides_of_a_verb_are_caught(verifier: Verifier) -> None:
    assert verifier.check("The attention maps of the teacher guide the student network.", FOURTH).ok
    check = verifier.check("The student network guides the teacher's attention maps.", FOURTH)
    assert not check.ok and any("swapped sides" in r for r in check.reasons), check.reasons


def test_decades_and_light_nouns_are_read_as_written(verifier: Verifier) -> None:
    check = verifier.check("Small models copied large ones in the 1980s and 1990s.", FOURTH)
    assert check.ok, check.reasons
    assert not verifier.check("Small models copied large ones in the 1970s.", FOURTH).ok


def test_a_word_replaced_by_its_opposite_is_caught(verifier: Verifier) -> None:
    record = "Drift: Ice Growth. The growth of thin ice conforms to classical theory."
    assert verifier.check("Thin ice growth conforms to classical theory.", record).ok
    check = verifier.check("Thin ice growth deviates from classical theory.", record)
    assert not check.ok and any("where the source says 'conform'" in r for r in check.reasons)


def test_a_name_the_parser_mislabels_is_still_the_subject() -> None:
    """spaCy's small model files some coined names opening a sentence as 'meta' ("FloodAR
    introduces ..."); the claim still speaks of the proposed system, and a sentence about
    recent systems does not back it."""
    record = (
        "FloodAR: autoregressive priors for river flood forecasting. While recent systems have "
        "explored ways to introduce uncertainty into flood forecasts, particularly at the "
        "forecast stage, they often rely on ensemble rules. In this paper, we introduce "
        "FloodAR, which learns a prior over river states."
    )
    claim = "FloodAR introduces uncertainty at the forecast stage through ensemble rules."
    check = Verifier().check(claim, record)
    assert not check.ok and "the source says this of other work" in check.reasons
    assert Verifier().check("FloodAR learns a prior over river states.", record).ok


def test_a_number_in_a_relative_clause_belongs_to_its_antecedent() -> None:
    """'..., beating the GloFAS system, which forecasts 15': the 15 is GloFAS's, as the
    source's '(15/22)' beside GloFAS, though 'forecast' stands next to FloodAR's 19."""
    record = (
        "FloodAR: river flood forecasting with learned priors. Across national forecast "
        "systems, FloodAR gives the best overall skill (forecasting 19/22 floods, 86.4%), "
        "outperforming GloFAS (15/22, 68.2%), and EFAS is the strongest among the open systems."
    )
    right = "FloodAR forecasts 19 of the 22 floods, beating the GloFAS system, which forecasts 15."
    swapped = (
        "FloodAR forecasts 15 of the 22 floods, beating the GloFAS system, which forecasts 19."
    )
    assert Verifier().check(right, record).ok
    assert not Verifier().check(swapped, record).ok


def test_a_judge_can_take_a_verification_away_never_give_one() -> None:
    from assistant.jobs.check import ModelJudge
    from assistant.model.client import MuteModel
    from tests.fakes import FakeChatModel

    record = "FloodAR cuts the forecast error by 12% against GloFAS on 40 basins."
    asked: list[tuple[str, str]] = []

    def no(claim: str, evidence: str) -> bool:
        asked.append((claim, evidence))
        return False

    verifier = Verifier().with_judge(no)
    kept = verifier.check("FloodAR cuts the forecast error by 12% against GloFAS.", record)
    assert not kept.ok and kept.reasons == [
        "the model does not read it in the supporting sentences"
    ]
    assert asked and asked[0][1] == record  # shown the supporting sentence only
    wrong = (
        Verifier()
        .with_judge(lambda c, e: True)
        .check("FloodAR cuts the forecast error by 30% against GloFAS.", record)
    )
    assert not wrong.ok  # the rules' rejection stands whatever the judge says
    # the model's reply decides; no reply (a mute model) takes nothing away
    assert ModelJudge(lambda: FakeChatModel({"verdict": "no"}))("a", "b") is False
    assert ModelJudge(lambda: FakeChatModel({"verdict": "yes"}))("a", "b") is True
    assert ModelJudge(lambda: MuteModel())("a", "b") is True


def test_x_not_y_negates_y_only(verifier: Verifier) -> None:
    """'X, not Y, does Z' says X does Z: the 'not' belongs to Y. Two fields, invented."""
    water = "Irrigation return flow, not rainfall, drives most of the recharge in the wells."
    assert verifier.check(
        "Irrigation return flow drives most of the recharge in the wells.", water
    ).ok
    assert not verifier.check("Rainfall drives most of the recharge in the wells.", water).ok
    surface = "Hydrogen, not methane, forms on the copper surface at 300 K."
    assert verifier.check("Hydrogen forms on the copper surface at 300 K.", surface).ok
    assert not verifier.check("Methane forms on the copper surface at 300 K.", surface).ok


def test_a_noun_described_by_a_negated_participle_keeps_the_rest_affirmed(
    verifier: Verifier,
) -> None:
    """'Farms not using irrigation lose ...': the 'not' denies the participle's phrase only,
    even where the small parser makes the participle the sentence's root. Invented."""
    record = (
        "During the drought, smaller farms not using irrigation lost far more of their maize "
        "yield than larger irrigated farms."
    )
    assert verifier.check(
        "In the drought, small farms that use no irrigation lost much more of their maize "
        "yield than large irrigated farms.",
        record,
    ).ok
    assert not verifier.check(
        "During the drought, smaller farms not using irrigation did not lose maize yield.",
        record,
    ).ok


def test_names_written_as_abbreviations_or_adjectives_are_the_records_names(
    verifier: Verifier,
) -> None:
    """'UK' where the record spells out 'the United Kingdom', 'Kenyan' where it says
    'Kenya'; a name the record never gives is still not stated. Invented records."""
    record = (
        "We study wage growth in the United Kingdom. Using a new payroll dataset of Kenya's "
        "tea estates, we find that wages rose by 4 percent after the reform."
    )
    assert verifier.check(
        "Using a new UK payroll dataset, the authors study wage growth.", record
    ).ok
    assert verifier.check(
        "On Kenyan tea estates, wages rose by 4 percent after the reform.", record
    ).ok
    assert not verifier.check(
        "On Ugandan tea estates, wages rose by 4 percent after the reform.", record
    ).ok


def test_a_framing_verb_is_not_compared_with_a_negated_use_of_it(verifier: Verifier) -> None:
    """'The authors find that X' against a record that says X and elsewhere 'we do not find
    evidence of Y': the framing verb carries no polarity of its own. Invented."""
    record = (
        "Using station data from 1950 to 2010, we show that glaciers retreated faster in "
        "wet years. We do not find evidence of a link with volcanic activity."
    )
    assert verifier.check(
        "Drawing on station data from 1950 to 2010, the authors find that glaciers "
        "retreated faster in wet years.",
        record,
    ).ok
    assert not verifier.check(
        "The authors find that glaciers retreated faster in dry years.", record
    ).ok


def test_a_papers_year_after_its_name_is_no_claim(verifier: Verifier) -> None:
    """'<Title> (2021) reaches ...': the model names the paper as its prompt did; the year
    is the paper's, not a value to bind in its abstract. Invented record."""
    from assistant.evidence.grounding import Checker, Draft, Source
    from retrieval.models import Paper

    title = "FastParse: Learned Parsing for Noisy Text"
    paper = Paper(id="f", title=title, year=2021, abstract=RECORD.split(". ", 1)[1])
    checker = Checker([Source(key="1", paper=paper)], verifier=verifier)
    for named in (title, "FastParse"):
        text = f"{named} (2021) reaches 61% on social media posts."
        sentence, _ = checker.check(Draft(text=text, sources=["1"]))
        assert sentence.status == "verified", sentence.note


SURVEY = (
    "GlacierNet: Mapping Debris Cover. We build GlacierNet, a map of debris cover generated "
    "completely by machine learning. GlacierNet reaches state-of-the-art accuracy, SOTA in 6 "
    "out of 9 regions where most previous maps rely on manual digitising, and a precision of "
    "85.4% prior to the melt season."
)


@pytest.mark.parametrize(
    "claim",
    [
        # "completely" is as universal as "all"
        "GlacierNet's debris map is all generated by machine learning.",
        # the record's initials for the claim's words; the previous maps are the regions'
        "GlacierNet is state-of-the-art in 6 of the 9 regions.",
        # "prior to" is a time, not prior work
        "GlacierNet reaches a precision of 85.4% before the melt season.",
    ],
)
def test_universals_initials_and_prior_to_are_read_as_meant(verifier: Verifier, claim: str) -> None:
    check = verifier.check(claim, SURVEY)
    assert check.verdict == "verified", check.reasons


def test_a_universal_the_record_does_not_make_is_still_stronger(verifier: Verifier) -> None:
    check = verifier.check("FastParse always requires no labelled data.", RECORD)
    assert check.verdict != "verified" and any("stronger" in r for r in check.reasons)


def test_x_comma_not_by_y_negates_the_by_phrase_only(verifier: Verifier) -> None:
    """'..., not by Y as the scheme holds' denies Y, not the rest of the sentence."""
    record = (
        "Ice hopping in pores. In contrast to the common scheme that hopping is driven by "
        "density fluctuations, we find that hopping is induced by local bond fluctuations."
    )
    right = "Hopping is induced by local bond fluctuations, not by density fluctuations."
    wrong = "Hopping is induced by density fluctuations, not by local bond fluctuations."
    assert verifier.check(right, record).verdict == "verified"
    assert verifier.check(wrong, record).verdict != "verified"


def test_the_sides_of_an_effect_are_kept(verifier: Verifier) -> None:
    record = (
        "Soil and rain. We measure the effect of soil moisture on rainfall over the Sahel. "
        "A clear effect of soil moisture on rainfall is found."
    )
    swapped = verifier.check("They find a clear effect of rainfall on soil moisture.", record)
    assert not swapped.ok and any("swapped sides" in r for r in swapped.reasons)
    kept = verifier.check("They find a clear effect of soil moisture on rainfall.", record)
    assert kept.ok, kept.reasons


def test_who_ranks_first_keeps_its_place(verifier: Verifier) -> None:
    record = (
        "Ranking rocks. We compare four detectors of unusual rocks. The Random Forest found "
        "the most unusual rocks. It was followed closely by the Nearest Neighbour method."
    )
    swapped = "The Nearest Neighbour method found the most unusual rocks."
    assert not verifier.check(swapped, record).ok
    kept = verifier.check("The Random Forest found the most unusual rocks.", record)
    assert kept.ok, kept.reasons


def test_a_value_after_a_tilde_operator_is_the_value(verifier: Verifier) -> None:
    record = "Probes. The probe senses water in the top ∼0.3 m of the regolith."
    assert verifier.check("The probe senses water in the top 0.3 m of the regolith.", record).ok
    assert not verifier.check("The probe senses water in the top 3 m of the regolith.", record).ok
