"""The query analyzer: natural language -> filters and intent."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


@pytest.mark.parametrize(
    ("question", "author"),
    [
        ("Which papers did Heung-Yeung Shum co-author with Baoyuan Wang?", "Baoyuan Wang"),
        ("Joint work with B. Wang?", "Baoyuan Wang"),
        ("Papers with Wang, Baoyuan", "Baoyuan Wang"),
        ("Which papers were co-authored with Xingyu Chen?", "Xingyu Chen"),
        ("Which papers did H.-Y. Shum write with Yi Ma?", "Yi Ma"),
    ],
)
def test_coauthor_phrasings_are_metadata_lists(question: str, author: str) -> None:
    p = plan(question)
    assert p.filters.author == author and p.is_metadata_only, p


def test_category_name_as_topic_is_a_filter() -> None:
    p = plan("Which 2022 papers are about computer vision?")
    assert p.filters.categories == ["CV"] and p.filters.year_from == 2022 and p.is_metadata_only
    assert plan("Which papers are about computation and language?").filters.categories == ["CL"]


def test_relative_years_and_picks() -> None:
    assert plan("Which papers appeared in the last 3 years?").filters.year_from == 2023
    assert plan("What did he publish over the past two years?").filters.year_from == 2024
    newest = plan("What is his most recent paper?")
    assert newest.pick == "newest" and newest.is_metadata_only
    assert plan("What was his first paper?").pick == "oldest"


def test_function_word_topic_is_a_metadata_list() -> None:
    assert plan("Which papers did he co-author?").is_metadata_only
    topical = plan("Which papers on protein folding were published in 2024?")
    assert topical.topic == "protein folding" and topical.filters.year_from == 2024


def test_author_names_are_normalised() -> None:
    p = analyze(
        "Which papers did he write with Baoyuan Wang?",
        authors=["Baoyuan Wang<nobr><em>*</em></nobr>"],
        owner="Heung-Yeung Shum",
        today=TODAY,
    )
    assert p.filters.author == "Baoyuan Wang"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_analyzer_never_raises(text: str) -> None:
    """Any input is planned: the analyzer raises nothing (the project's own errors come
    from the callers that validate, never from here)."""
    result = plan(text)
    assert result.question == text and result.intent in ("count", "list", "question")


def test_owner_unknown_two_names_and_listed_phrasing() -> None:
    names = ["Yichi Zhang", "Shane Storks"]
    p = analyze("Which papers did Yichi Zhang co-author with Shane Storks?", authors=names)
    assert p.filters.author == "Shane Storks" and p.is_metadata_only
    dated = analyze("How many of the listed works are dated 2022?", authors=names, today=TODAY)
    assert dated.intent == "count" and dated.filters.year_from == 2022 and dated.is_metadata_only


@pytest.mark.parametrize(
    ("question", "year_from", "year_to"),
    [
        ("Which of his papers came out in 2019 or earlier?", None, 2019),
        ("papers from 2024 or later", 2024, None),
        ("anything published 2021 and later on robots", 2021, None),
    ],
)
def test_open_year_bounds(question: str, year_from: int | None, year_to: int | None) -> None:
    p = plan(question)
    assert (p.filters.year_from, p.filters.year_to) == (year_from, year_to)
    assert not {"came", "out", "earlier", "later"} & set(p.topic.lower().split())


@pytest.mark.parametrize(
    ("question", "topic", "intent"),
    [
        ("What has this researcher published on talking heads?", "talking heads", "list"),
        ("Tell me about his work on protein folding", "protein folding", "question"),
        ("whats the speedup of the rocket cache", "speedup rocket cache", "question"),
    ],
)
def test_words_about_the_request_are_not_the_topic(question: str, topic: str, intent: str) -> None:
    p = plan(question)
    assert (p.topic, p.intent) == (topic, intent)


def test_category_filters_only_where_the_corpus_has_categories() -> None:
    q = "Which papers are about machine learning?"
    with_lg = analyze(q, categories={"LG", "CV"})
    assert with_lg.filters.categories == ["LG"] and with_lg.topic == ""
    bibtex = analyze(q, categories=set())  # a BibTeX corpus: no categories at all
    assert bibtex.filters.categories is None and bibtex.topic == "machine learning"
    assert analyze("Show me CV papers", categories=set()).filters.categories is None


def test_chat_shorthand_is_written_out_and_symbols_stay() -> None:
    from retrieval.text import spelled_in_full

    assert spelled_in_full("which papers r abt diffusion") == "which papers are about diffusion"
    assert spelled_in_full("r there any w/ code b4 2020") == "are there any with code before 2020"
    assert spelled_in_full("whats the r value") == "what is the r value"  # r stays a symbol
    for kept in ("r = 0.99 at the site", "what is R?", "the u-net model"):
        assert spelled_in_full(kept) == kept


def test_one_of_the_papers_named_by_a_singular_verb_is_a_lookup() -> None:
    assert analyze("Which of his papers addresses shape segmentation?").intent == "question"
    assert analyze("Which of the papers is about parsing?").intent == "question"
    for plural in ("Which of his papers study reasoning?", "Which of these papers focus on video?"):
        assert analyze(plural).intent == "list"


def test_co_written_and_dated_phrasings_are_filters() -> None:
    plan = analyze("Show me the papers co-written with Jian Guo.", authors=["Jian Guo"])
    assert plan.filters.author == "Jian Guo" and plan.topic == "" and plan.intent == "list"
    plan = analyze("What is the count of listed works that carry a 2022 date?")
    assert (plan.filters.year_from, plan.filters.year_to, plan.topic) == (2022, 2022, "")
    plan = analyze("What is the number of papers whose publication year is 2021?")
    assert (plan.filters.year_from, plan.filters.year_to) == (2021, 2021)


def test_a_possessive_request_word_is_no_topic() -> None:
    assert analyze("What speedup does this researcher's compiler paper report?").topic == (
        "speedup compiler report"
    )


def test_a_coauthor_typed_without_accents_or_with_the_full_given_name() -> None:
    """Records write 'Patrick Hürtgen' and 'G. Tseng'; people type 'Patrick Hurtgen' and
    'Gabriel Tseng'. Names of two fields, invented."""
    names = ["Jonas Ødegård", "Patrick Hürtgen", "G. Tseng", "Ana Muñoz"]
    p = analyze("which papers did he write with Patrick Hurtgen and what years", authors=names)
    assert (p.intent, p.filters.author, p.topic) == ("list", "Patrick Hürtgen", "")
    p = analyze("What has she written with Gabriel Tseng on crop maps?", authors=names)
    assert (p.filters.author, p.topic) == ("G. Tseng", "crop maps")
    assert analyze("papers with ana munoz", authors=names).filters.author == "Ana Muñoz"
    # an initial stands for a given name with that letter only, and only the record's own
    assert analyze("papers with Karl Tseng", authors=names).filters.author is None
    assert analyze("papers with Yue Ma", authors=["Yi Ma"]).filters.author is None


def test_a_coauthor_typed_without_the_middle_initial() -> None:
    """Records write 'Grace W. Adeyemi'; people type 'Grace Adeyemi', also beside the owner's
    own name. A hyphenated given name stays whole. Names invented."""
    names = ["Rosa Lindqvist", "Grace W. Adeyemi", "Ming-Hua Ko", "Ming Ko"]
    p = analyze(
        "list the papers rosa lindqvist co-wrote with Grace Adeyemi",
        authors=names,
        owner="Rosa Lindqvist",
    )
    assert (p.intent, p.filters.author, p.topic) == ("list", "Grace W. Adeyemi", "")
    assert analyze("papers with Ming Ko", authors=names).filters.author == "Ming Ko"


def test_a_coauthor_named_by_surname_alone() -> None:
    """'What did she write with Okafor?': a capitalised surname one co-author has names
    them; a surname two people share, a lower-case word or the question's first word does
    not. Names invented."""
    names = ["Chidi Okafor", "C. Okafor", "Mei Lin", "Tao Lin", "Sara Field"]
    p = analyze("What did she write with Okafor?", authors=names)
    assert (p.intent, p.filters.author, p.topic) == ("list", "Chidi Okafor", "")
    assert analyze("papers with Lin on glaciers", authors=names).filters.author is None
    assert analyze("papers on field studies", authors=names).filters.author is None
    assert analyze("Field studies of monsoon rain?", authors=names).filters.author is None


def test_two_coauthors_named_together_must_both_be_on_the_paper() -> None:
    """'What did Okafor and Lindqvist publish together?': a list of the papers with both;
    the catalog keeps only those. Names and records invented."""
    from retrieval.models import Paper
    from retrieval.search import Catalog

    names = ["Chidi Okafor", "Maja Lindqvist", "Tao Wen"]
    p = analyze("What did Okafor and Lindqvist publish together?", authors=names)
    assert {p.filters.author, p.filters.coauthor} == {"Chidi Okafor", "Maja Lindqvist"}
    assert p.intent == "list" and p.filters.describe().count(" and ") == 1
    papers = [
        Paper(id="a", title="Rumours", authors=["Chidi Okafor", "Maja Lindqvist"]),
        Paper(id="b", title="Turnout", authors=["Chidi Okafor", "Tao Wen"]),
    ]
    assert [x.id for x in Catalog(papers).select(p.filters)] == ["a"]


def test_anything_on_a_subject_or_set_in_a_place_is_a_list_of_that_subject() -> None:
    """ "Anything on X?" asks for whatever papers there are; "set in", "conducted in" say
    where, and the place is the topic. Invented phrasings of other fields."""
    for question, topic in [
        ("anything conducted in Peru?", "Peru"),
        ("Is there something about soil erosion?", "soil erosion"),
        ("Anything on glacier surges since 2015?", "glacier surges"),
        ("Which papers are based in Ghana?", "Ghana"),
    ]:
        plan = analyze(question)
        assert (plan.intent, plan.topic) == ("list", topic), question
    assert analyze("What is the dataset based on?").intent == "question"


def test_what_someone_found_about_a_subject_has_the_subject_as_its_topic() -> None:
    """ "What has she found about X?": 'found' is about the request, never the topic (the
    topic 'found X' matched no record and the question was refused). Invented."""
    assert analyze("What have they found about glacier retreat in the Alps?").topic == (
        "glacier retreat Alps"
    )
    assert analyze("what has she found on soil carbon").topic == "soil carbon"


def test_the_owner_by_surname_alone_is_no_topic() -> None:
    """'Which of Kerner's papers are about crops?' in Hannah Kerner's corpus: every paper is
    hers, so her surname is no topic word (it was, and the list was refused)."""
    from retrieval.query import analyze

    owner = "Hannah Kerner"
    assert analyze("Which of Kerner's papers are about crops?", owner=owner).topic == "crops"
    plan = analyze("What did Kerner publish in 2020?", owner=owner)
    assert plan.topic == "" and plan.filters.year_from == 2020
    assert "Surico" in analyze("What did Surico publish on taxes?", owner=owner).topic


def test_a_verb_joining_papers_to_their_topic_is_not_the_topic() -> None:
    for q in ("Which papers focus on glacier melt?", "Which of her papers look at glacier melt?"):
        assert analyze(q).topic == "glacier melt", q
    assert analyze("Which papers concern glacier melt?").topic == "glacier melt"


def test_a_possessive_name_is_whose_papers_when_the_owner_is_unknown() -> None:
    plan = analyze("Which of Okafor's papers are about Lagos?", authors=[], owner=None)
    assert plan.intent == "list" and plan.topic == "Lagos"
    # a capitalised word before the papers that is not a possessive stays in the topic
    assert "Lagos" in analyze("Which Lagos papers are about traffic?").topic


def test_what_a_list_takes_in_as_well_is_not_its_topic() -> None:
    plan = analyze("list all her ICML papers, workshops included", venues=["ICML"])
    assert plan.filters.venue == "ICML" and plan.topic == ""
    assert analyze("Which papers on glaciers, including preprints?").topic == "glaciers"


def test_a_given_name_typed_in_full_matches_the_records_initials() -> None:
    plan = analyze("papers with ada okafor?", authors=["A. N. Okafor", "B. Lee"])
    assert plan.filters.author == "A. N. Okafor" and plan.topic == ""


def test_items_in_a_library_are_the_papers_not_the_topic() -> None:
    plan = analyze("which items in the library are by or with Okafor?", authors=["A. Okafor"])
    assert plan.intent == "list" and plan.filters.author == "A. Okafor" and plan.topic == ""
    assert analyze("Which items in my library are about lake ice?").topic == "lake ice"
    counted = analyze("Which of her papers were at ICML, counting workshops?", venues=["ICML"])
    assert counted.filters.venue == "ICML" and counted.topic == ""


def test_counts_of_what_a_researcher_put_out_whatever_the_noun() -> None:
    pubs = analyze("how many pubs did she have in 2021?")
    assert (pubs.intent, pubs.topic, pubs.filters.year_from) == ("count", "", 2021)
    things = analyze("how many things did he put out in 2018?")
    assert (things.intent, things.topic, things.filters.year_to) == ("count", "", 2018)
    got = analyze(
        "how many papers has Ortega got in the Journal of Hydrology?",
        owner="Ana Ortega",
        venues=["Journal of Hydrology"],
    )
    assert (got.intent, got.topic, got.filters.venue) == ("count", "", "Journal of Hydrology")
    # a count of something else stays a question
    assert analyze("how many sensors did they use?").intent == "question"


def test_a_coordinated_topic_keeps_its_coordinator_and_searches_without_it() -> None:
    plan = analyze("What has she written about drought and irrigation?")
    assert (plan.intent, plan.topic, plan.query) == (
        "list",
        "drought and irrigation",
        "drought irrigation",
    )
    assert analyze("Which papers are about computation and language?").filters.categories == ["CL"]


def test_a_paper_described_in_a_sentence_is_one_paper() -> None:
    long = analyze(
        "Which of her papers looked at letting farmers decide for themselves when to water "
        "their fields using cheap soil sensors, and what did it find?"
    )
    assert long.intent == "question"
    assert analyze("Which of her papers looked at soil sensors?").intent == "list"


def test_counts_phrased_loosely_are_counts() -> None:
    whose = analyze(
        "how many of maria's papers are at ICML, counting workshops?",
        owner="Maria Lopez",
        venues=["ICML", "ICML Workshop on X"],
    )
    assert (whose.intent, whose.topic, whose.filters.venue) == ("count", "", "ICML")
    lead = analyze(
        "Water Research: how many of the library's papers come from there?",
        venues=["Water Research"],
    )
    assert (lead.intent, lead.topic, lead.filters.venue) == ("count", "", "Water Research")
    bare = analyze("2019 alone - how many of her papers in here are from that year?")
    assert (bare.intent, bare.topic, bare.filters.year_from, bare.filters.year_to) == (
        "count",
        "",
        2019,
        2019,
    )
    things = analyze("how many things on his list are from 2017?")
    assert (things.intent, things.topic, things.filters.year_from) == ("count", "", 2017)
    # a year inside a lookup is no filter of its own
    assert analyze("How many sites did the 2019 survey cover?").filters.year_from is None


def test_all_the_work_someone_has_done_on_a_topic_is_a_list() -> None:
    for question, topic in (
        ("all the stuff she's done using isotope tracers?", "isotope tracers"),
        ("all his papers on monetary policy", "monetary policy"),
        ("everything they have worked on in soil moisture", "soil moisture"),
        ("everything on soil moisture?", "soil moisture"),
    ):
        plan = analyze(question)
        assert (plan.intent, plan.topic) == ("list", topic), question
    # a claim about all of something is no list
    assert analyze("All models trained on ImageNet overfit?").intent == "question"


def test_a_generational_suffix_is_no_surname() -> None:
    authors = ["Ruth K. Adler Jr.", "Omar B. Said III", "B. Lee"]
    full = analyze("what has she written with Omar B. Said?", authors=authors)
    assert (full.intent, full.filters.author, full.topic) == ("list", "Omar B. Said III", "")
    alone = analyze("Which papers are with Adler?", authors=authors)
    assert alone.filters.author == "Ruth K. Adler Jr."
    # the surname said again after a nickname is the same person, not a topic
    nick = analyze("how many of these has omar said (Omar B. Said) coauthored?", authors=authors)
    assert (nick.intent, nick.filters.author, nick.topic) == ("count", "Omar B. Said III", "")


def test_what_someone_put_out_and_the_titles_asked_for_are_a_list() -> None:
    plan = analyze("What did she put out in 2019? Give me the count and the titles.")
    assert (plan.intent, plan.topic, plan.filters.year_from) == ("list", "", 2019)
    saved = analyze("how many of the saved papers are from Soil Biology?", venues=["Soil Biology"])
    assert (saved.intent, saved.topic, saved.filters.venue) == ("count", "", "Soil Biology")
    # "how many of these" counts papers only as the subject of a verb of having or writing
    assert analyze("how many of these sensors failed in winter?").intent == "question"


def test_asking_to_pull_the_work_together_is_a_list_of_it() -> None:
    for question, topic in (
        (
            "Can you pull together everything she's done on soil moisture / drought?",
            "soil moisture drought",
        ),
        ("round up his papers on tidal energy", "tidal energy"),
    ):
        plan = analyze(question)
        assert (plan.intent, plan.topic) == ("list", topic), question
    # pulling things together inside a lookup is what a paper did
    assert analyze("how do they pull together the two datasets?").intent == "question"


def test_what_the_library_has_and_the_newest_papers_are_lists() -> None:
    held = analyze("What does the library have from Soil Biology?", venues=["Soil Biology"])
    assert (held.intent, held.topic, held.filters.venue) == ("list", "", "Soil Biology")
    newest = analyze("what are her newest papers?")
    assert (newest.intent, newest.topic) == ("list", "")
    latest = analyze("Which of his latest publications are about sea ice?")
    assert latest.topic == "sea ice"


def test_more_metadata_phrasings_are_filters() -> None:
    pair = analyze("list her 2020 and 2021 papers")
    assert (pair.filters.year_from, pair.filters.year_to, pair.topic) == (2020, 2021, "")
    apart = analyze("papers from 2015 and 2021")
    assert apart.filters.year_to != 2021 or apart.filters.year_from == 2021  # no 2016-2020
    repos = analyze("which of her papers have github repos?")
    assert (repos.filters.has_code, repos.topic) == (True, "")
    latest = analyze("what did she publish most recently?")
    assert (latest.intent, latest.pick, latest.topic) == ("list", "newest", "")
    some = analyze("show me the three most recent papers")
    assert (some.pick, some.picks, some.topic) == ("newest", 3, "")
    oldest = analyze("her 2 earliest publications")
    assert (oldest.pick, oldest.picks) == ("oldest", 2)
    arxiv = analyze("Which papers are in cs.CL?", categories=["CL", "CV"])
    assert (arxiv.filters.categories, arxiv.topic) == (["CL"], "")


def test_a_decade_and_the_librarys_own_papers() -> None:
    decade = analyze("how many library items came out in the 2010s?")
    assert (decade.intent, decade.filters.year_from, decade.filters.year_to, decade.topic) == (
        "count",
        2010,
        2019,
        "",
    )
    owned = analyze("list the library's papers on ice stupas")
    assert (owned.intent, owned.topic) == ("list", "ice stupas")
    oldest = analyze("what's the oldest item in the library?")
    assert (oldest.pick, oldest.topic) == ("oldest", "")


def test_first_author_papers_are_those_the_person_leads() -> None:
    from retrieval.models import Paper
    from retrieval.search import Catalog

    own = analyze("how many first-author papers does she have?", owner="Ana Ruiz")
    assert (own.intent, own.filters.first_author, own.topic) == ("count", "Ana Ruiz", "")
    named = analyze("papers where Chen is lead author", authors=["Bo Chen"], owner="Ana Ruiz")
    assert (named.filters.first_author, named.filters.author) == ("Bo Chen", None)
    # no owner and no name: nobody to be first, so no filter
    assert analyze("how many first-author papers are there?").filters.first_author is None
    # asking who is first on a paper is a question about that paper, no filter
    who = analyze("who is the first author of the flood paper?", owner="Ana Ruiz")
    assert who.filters.first_author is None and who.intent == "question"
    papers = [
        Paper(id="a", title="A", authors=["A. Ruiz", "Bo Chen"]),
        Paper(id="b", title="B", authors=["Bo Chen", "Ana Ruiz"]),
        Paper(id="c", title="C", authors=[]),
    ]
    catalog = Catalog(papers)
    assert [p.id for p in catalog.select(own.filters)] == ["a"]  # "A. Ruiz" is Ana Ruiz
    assert [p.id for p in catalog.select(named.filters)] == ["b"]


def test_solo_authored_papers_have_one_listed_author() -> None:
    from retrieval.models import Paper
    from retrieval.search import Catalog

    for question in ("anything she wrote alone?", "how many single-authored papers?"):
        plan = analyze(question)
        assert (plan.filters.solo, plan.topic) == (True, ""), question
    papers = [
        Paper(id="a", title="A", authors=["Ana Ruiz"]),
        Paper(id="b", title="B", authors=["Ana Ruiz", "Bo Chen"]),
    ]
    assert [p.id for p in Catalog(papers).select(analyze("solo-authored papers").filters)] == ["a"]
    assert analyze("Which papers study robots that learn on their own?").filters.solo is None
