"""Venues a question names, found against the corpus's own venue strings (retrieval/venues.py)."""

from __future__ import annotations

from typing import Any

from retrieval.models import Filters, Paper, PaperVersion
from retrieval.query import analyze
from retrieval.search import Catalog
from retrieval.venues import venue_in, venue_matches
from tests.fakes import FakeChatModel

# Invented venues of two fields: nothing below is a venue of the shipped corpus.
VENUES = [
    "Journal of Hydrology, Volume 12(3), 1-20",
    "Proceedings of the Glacier Modelling Symposium (GMS) Workshops",
    "Annals of Ice Studies",
    "arXiv preprint arXiv:2301.00001",
]


def test_a_named_venue_is_the_longest_name_a_venue_holds() -> None:
    assert venue_in("Which papers appeared in the Journal of Hydrology?", VENUES) == (
        "Journal of Hydrology",
        (29, 49),
    )
    assert venue_in("List her Annals of Ice Studies papers", VENUES)[0] == "Annals of Ice Studies"
    assert venue_in("What did she present at GMS?", VENUES)[0] == "GMS"


def test_a_kind_of_venue_is_a_filter_only_where_the_corpus_uses_the_word() -> None:
    assert venue_in("Which of them are workshop papers?", VENUES)[0] == "workshop"  # "Workshops"
    assert venue_in("Any preprints?", VENUES)[0] == "preprint"
    assert venue_in("Which appeared in a journal?", VENUES)[0] == "journal"
    assert venue_in("Which appeared in a conference?", VENUES) is None  # no venue says so


def test_words_that_only_look_like_venues_stay_the_topic() -> None:
    assert venue_in("What is the nature of ice in hydrology models?", VENUES) is None
    assert venue_in("Papers on glacier modelling?", VENUES) is None  # not capitalised
    # a specific journal the corpus lacks is not 'any journal'
    assert venue_in("How many papers in the Journal of Glaciology?", VENUES) is None
    assert venue_in("Which papers appeared in the Journal of Hydrology?", []) is None


def test_the_venue_filter_selects_records_and_their_versions() -> None:
    papers = [
        Paper(id="a", title="Ice A", venue="Journal of Hydrology, Volume 12(3), 1-20"),
        Paper(
            id="b",
            title="Ice B",
            venue="arXiv preprint arXiv:2301.00001",
            versions=[PaperVersion(id="b2", title="Ice B", venue="Annals of Ice Studies")],
        ),
        Paper(id="c", title="Ice C"),
    ]
    catalog = Catalog(papers)
    assert [p.id for p in catalog.select(Filters(venue="journal of hydrology"))] == ["a"]
    assert [p.id for p in catalog.select(Filters(venue="Annals of Ice Studies"))] == ["b"]
    assert catalog.select(Filters(venue="Nature")) == []
    assert not venue_matches("Hydro", "Journal of Hydrology")  # whole words only


def test_the_plan_takes_the_venue_out_of_the_topic() -> None:
    plan = analyze("Which of her papers appeared in the Journal of Hydrology?", venues=VENUES)
    assert plan.filters.venue == "Journal of Hydrology" and plan.intent == "list"
    assert plan.topic == "" and plan.is_metadata_only
    plan = analyze("What do her workshop papers say about ice cliffs?", venues=VENUES)
    assert plan.filters.venue == "workshop" and "ice cliffs" in plan.topic
    assert analyze("What do her papers say about ice cliffs?", venues=VENUES).filters.venue is None


def test_in_a_question_about_the_research_only_a_verb_of_publishing_names_a_venue() -> None:
    venues = ["Central Bank of Ruritania Working Paper 12"]
    question = "How much did prices rise in response to the Central Bank of Ruritania's cuts?"
    assert analyze(question, venues=venues).filters.venue is None
    published = analyze(
        "What has he published in the Central Bank of Ruritania series?", venues=venues
    )
    assert published.filters.venue == "Central Bank of Ruritania"
    listed = analyze("Which papers are in the Central Bank of Ruritania series?", venues=venues)
    assert listed.filters.venue == "Central Bank of Ruritania"


def test_a_venue_asked_by_a_verb_of_publishing_is_found_without_the_corpus() -> None:
    from retrieval.venues import venue_asked

    assert venue_asked("Did she publish anything at IGARSS?") == "IGARSS"
    assert venue_asked("Which papers were published in the Journal of Hydrology?") == (
        "Journal of Hydrology"
    )
    assert venue_asked("What did she find about ice published in 2020?") == ""  # a year
    assert venue_asked("How did prices appear in the UK data?") == ""  # not publishing
    # with the object between: the corpus's venue filter reads it too
    assert venue_in("Did she publish anything at GMS?", VENUES, listing=False) is not None


def test_a_corpus_without_venues_says_it_cannot_tell(make_assistant: Any) -> None:
    """The shipped profile page gives no venues: 'at CVPR?' is answered as unknowable, not
    as 'not covered', without the model; a corpus with venues is not answered this way."""
    from assistant.jobs.verdicts import no_venue

    fake = FakeChatModel({})
    answer = make_assistant(fake).ask("Did he publish anything at CVPR?")
    assert answer.text == (
        "The corpus's records give no venues, so it cannot tell what appeared at CVPR."
    )
    assert not answer.answered and fake.calls == []
    assert no_venue("CVPR", {"Journal of Hydrology"}) is None


def test_an_acronym_names_a_venue_that_writes_it_out() -> None:
    venues = [
        "Proceedings of the 2021 Conference on Glacier Surface Modelling and Hydrology",
        "Findings of the Glacier Surface Modelling and Hydrology Meeting: GSMH 2023",
    ]
    assert venue_in("how many of her papers are at GSMH?", venues)[0] == "GSMH"
    assert venue_matches("GSMH", venues[0]) and venue_matches("GSMH", venues[1])
    assert not venue_matches("GM", venues[0])  # two letters: too many venues hold them
    assert not venue_matches("HSM", venues[0])  # not the initials in their order


def test_an_acronym_with_its_subtitle_names_the_subtitled_venue() -> None:
    venues = ["Annals of Soil Science: Microbiology, Volume 3", "Annals of Soil Science: Physics"]
    plan = analyze("how many papers are in ASS: Microbiology?", venues=venues)
    assert (plan.intent, plan.filters.venue, plan.topic) == ("count", "ASS: Microbiology", "")
    assert venue_matches("ASS: Microbiology", venues[0])
    assert not venue_matches("ASS: Microbiology", venues[1])


def test_venue_names_as_questions_type_them() -> None:
    venues = [
        "Conference on Soil Systems (SoilSys) Workshops",
        "Soil Science",
        "Journal of Selected Topics in Applied Soil Observations and Remote Sensing",
    ]
    workshops = analyze("how many papers at SoilSys workshops?", venues=venues)
    assert (workshops.filters.venue, workshops.topic) == ("SoilSys workshops", "")
    assert venue_matches("SoilSys workshops", venues[0])  # brackets are no words
    other = analyze("Did she publish anything in Soil Science of America?", venues=venues)
    # a longer name than any venue: a venue no record has, so no paper matches it
    assert other.filters.venue == "Soil Science of America" and other.topic == ""
    assert not venue_matches("Soil Science of America", venues[1])
    long = analyze(
        "papers in the Journal of Selected Topics in Applied Soil Observations and Remote Sensing",
        venues=venues,
    )
    assert (long.intent, long.filters.venue) == ("list", venues[2])
