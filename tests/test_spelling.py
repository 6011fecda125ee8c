"""A typed question in the corpus's own spelling: names recased from the records, typos
corrected to the one known word an edit away; checked on two corpora of different fields."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.evidence.english import FUNCTION_WORDS
from retrieval.models import Paper
from retrieval.query import REQUEST_WORDS
from retrieval.sources import load_source
from retrieval.spelling import Spelling

REAL = Path(__file__).parent / "data" / "real"


def test_names_are_cased_as_the_records_write_them(corpus: Any) -> None:
    _, papers = corpus
    spell = Spelling(papers, FUNCTION_WORDS | REQUEST_WORDS)
    assert spell("what does lazydrag fix") == "what does LazyDrag fix"
    assert spell("papers with baoyuan wang") == "papers with Baoyuan Wang"
    assert spell("it is about AI and US data") == "it is about AI and US data"  # words stay
    # a title's odd casing of a word the records also write plainly is a pun, not a name
    assert spell("summarize video generation") == "summarize video generation"


def test_a_typo_becomes_the_one_known_word_an_edit_away(corpus: Any) -> None:
    _, papers = corpus
    spell = Spelling(papers, FUNCTION_WORDS | REQUEST_WORDS)
    assert spell("Whcih papres were publshed in 2021?") == "Which papers were published in 2021?"
    assert spell("how many paramters") == "how many parameters"
    # English words and coined names the user cased are never "corrected"
    assert spell("what is the bound on the error of XiaoIce") == (
        "what is the bound on the error of XiaoIce"
    )


def test_a_four_letter_typo_is_unswapped_only_into_a_word_in_use() -> None:
    # two corpora of different fields; the short words are the questions' own
    for name in ("zrqiao__zrqiao.github.io__papers.bib", "594zyc__594zyc.github.io__papers.bib"):
        papers = load_source(REAL / name).papers
        spell = Spelling(papers, FUNCTION_WORDS | REQUEST_WORDS)
        assert spell("waht did he publish wiht his students") == (
            "what did he publish with his students"
        )
        # an acronym in lower case is not a typo of a rare word ("sota" is not "stoa"),
        # and three letters are left alone
        assert spell("is it sota, teh lstm or yolo") == "is it sota, teh lstm or yolo"


def test_spelling_on_a_chemistry_corpus() -> None:
    papers = load_source(REAL / "zrqiao__zrqiao.github.io__papers.bib").papers
    spell = Spelling(papers, FUNCTION_WORDS | REQUEST_WORDS)
    assert spell("how fast is orbnet-equi vs densty functional theory") == (
        "how fast is OrbNet-Equi vs density functional theory"
    )


def test_capitalised_words_and_author_names_are_never_corrected(corpus: Any) -> None:
    _, papers = corpus
    spell = Spelling(papers, FUNCTION_WORDS | REQUEST_WORDS)
    assert spell("Papers with Paolo Surico and Hongyu Liu") == (
        "Papers with Paolo Surico and Hongyu Liu"
    )
    assert spell("Papres with hongyu liu") == "Papers with Hongyu Liu"


def test_abbreviations_are_spelt_out_as_the_records_define_them(corpus: Any) -> None:
    _, papers = corpus
    spell = Spelling(papers, FUNCTION_WORDS | REQUEST_WORDS)
    assert spell("reasoning in llms") == "reasoning in large language models"
    assert spell("Which LLM papers?") == "Which large language model papers?"
    assert spell("What is PaCoRe?") == "What is PaCoRe?"  # a title's name stays a name
    nlp = load_source(REAL / "594zyc__594zyc.github.io__papers.bib").papers
    assert Spelling(nlp)("Do VLMs see illusions?") == "Do vision-language models see illusions?"


def test_a_plural_in_ies_is_a_known_word_not_a_typo() -> None:
    spell = Spelling([], FUNCTION_WORDS | REQUEST_WORDS)
    asked = "which cities and countries were studied, and which one is earlier?"
    assert spell(asked) == asked


def test_a_place_the_abstracts_capitalise_is_restored_when_typed_in_lower_case() -> None:
    papers = [
        Paper(id="a", title="Floods", abstract="We map floods across Kenya and Uganda in 2019."),
        Paper(
            id="b", title="Rivers", abstract="Rivers in the east of Kenya flood; the basin grew."
        ),
    ]
    spelling = Spelling(papers)
    assert spelling("what has she done on kenya and uganda?") == (
        "what has she done on Kenya and Uganda?"
    )
    assert spelling("rivers and floods") == "rivers and floods"  # words, not names
    usa = Spelling(
        [Paper(id="c", title="Schools", abstract="Teachers across the United States.")],
        FUNCTION_WORDS,
    )
    # the second word of a name is no name of its own
    assert usa("which country or which states?") == "which country or which states?"


def test_a_co_authors_surname_typed_in_lower_case_is_their_name() -> None:
    papers = [
        Paper(
            id="a",
            title="Glacier melt",
            abstract="Young glaciers grow long tongues in the Alps.",
            authors=["Ann Holmgren", "Kim Young", "Li Long", "Bo Hauck"],
        )
    ]
    spelling = Spelling(papers)
    assert spelling("how many papers have holmgren as a coauthor?") == (
        "how many papers have Holmgren as a coauthor?"
    )
    # a surname that is an English word, or one the records write in lower case, stays a word
    assert spelling("papers on young and long glaciers") == "papers on young and long glaciers"


def test_a_surname_is_read_as_a_person_only_in_a_question_about_co_authors() -> None:
    papers = [
        Paper(id="a", title="Glacier melt", abstract="We model melt.", authors=["Ann Holmgren"])
    ]
    spelling = Spelling(papers)
    assert spelling("what did she write with holmgren?") == "what did she write with Holmgren?"
    assert spelling("what is holmgren scattering?") == "what is holmgren scattering?"
