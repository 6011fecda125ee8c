"""The abstention cut, calibrated per corpus and per embedder and stored with the index."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from assistant.evidence.select import calibrated, relevant
from assistant.settings import AnswerSettings
from retrieval.calibrate import OFF_FIELD, OFF_TOPIC, calibrate, cut_between, title_questions
from retrieval.index import PaperIndex, make_client
from retrieval.models import Hit
from retrieval.sources import load_source
from tests.fakes import FakeEmbedder

REAL = Path(__file__).parent / "data" / "real"


def test_cut_sits_between_the_banks() -> None:
    off = np.array([0.05, 0.1, 0.12, 0.15])
    on = np.array([0.4, 0.5, 0.6, 0.7])
    cut, separated = cut_between(off, on)
    assert separated and 0.15 < cut < 0.4
    overlapping, separated = cut_between(np.array([0.1, 0.3, 0.5]), np.array([0.2, 0.6, 0.7]))
    assert not separated and 0.1 < overlapping <= 0.6


def test_title_questions_use_part_of_each_title(corpus: Any) -> None:
    _, papers = corpus
    questions = title_questions(papers)
    assert len(questions) >= 30 and all(q.startswith("Which paper is about") for q in questions)
    assert "Boxes for End-to-End Object Detection" not in " ".join(questions)  # half a title


def test_another_embedder_gets_its_own_cut(corpus: Any) -> None:
    """A FAKE bag-of-words embedder lives on another scale than MiniLM: the cut follows it."""
    _, papers = corpus
    fake = FakeEmbedder()
    vectors = fake.encode([p.embed_text() for p in papers])
    result = calibrate(papers, vectors, fake.encode, fake.fingerprint())
    assert result is not None and result.embedder == "fake-bow:512"
    assert result.min_named_relevance <= result.min_relevance
    assert result.min_relevance != AnswerSettings().min_relevance
    policy = calibrated(AnswerSettings(), result)
    assert policy.min_relevance == result.min_relevance
    off = fake.encode([OFF_TOPIC[0]])[0]
    best = max(papers, key=lambda p: float(fake.encode([p.embed_text()])[0] @ off))
    hit = Hit(paper=best, score=0.1, dense=float(fake.encode([best.embed_text()])[0] @ off))
    assert not relevant(OFF_TOPIC[0], OFF_TOPIC[0], hit, policy)


def test_calibration_is_stored_with_the_index_and_redone_on_change(
    tmp_path: Path, corpus: Any
) -> None:
    _, papers = corpus
    fake = FakeEmbedder()
    index = PaperIndex(make_client(tmp_path), fake, name="papers")
    report = index.sync(papers[:20], progress=False)
    first = index.calibration()
    assert report.calibrated and first is not None
    reopened = PaperIndex(make_client(tmp_path), fake, name="papers")
    assert reopened.calibration() == first  # stored in the collection, not recomputed
    assert not reopened.sync(papers[:20], progress=False).calibrated
    assert reopened.sync(papers, progress=False).calibrated  # the corpus changed
    assert reopened.calibration() is not None and reopened.calibration().corpus != first.corpus


def test_one_field_corpus_gets_a_stricter_cut(embedder: Any, corpus: Any) -> None:
    """A real glaciology library: its in-field questions score high, so its cut is higher
    than this corpus's, and an out-of-field research question stays below it."""
    glaciers = load_source(REAL / "gayashiva__Thesis__My_Library.json").papers
    _, shum = corpus
    own = calibrate(
        glaciers, embedder.encode([p.embed_text() for p in glaciers]), embedder.encode, "m"
    )
    other = calibrate(shum, embedder.encode([p.embed_text() for p in shum]), embedder.encode, "m")
    assert own is not None and other is not None
    assert own.min_named_relevance > other.min_named_relevance
    vectors = embedder.encode([p.embed_text() for p in glaciers])
    for question in ("How do transformers detect objects in images?", OFF_FIELD[2]):
        score = float((vectors @ embedder.encode([question])[0]).max())
        assert score < own.min_relevance, question


def test_a_topic_word_is_held_in_its_other_forms() -> None:
    from assistant.evidence.select import held_words
    from retrieval.text import tokenize

    def held(topic: str, record: str) -> int:
        return held_words(set(tokenize(topic)), set(tokenize(record)))

    # economics and chemistry: the question's verb, the record's noun
    assert held("monetary policy transmitted", "the transmission of monetary policy") == 3
    assert held("water freezes", "freezing of confined water") == 2
    # a shared start is not enough: different words stay different
    assert held("police", "fiscal policy") == 0
    assert held("maternal health", "material science") == 0
    # a word inside a longer one is held only through an English ending
    assert held("quantum hardware", "quant investment hardware") == 1
    assert held("graph learning", "graphene membranes learned") == 1
    assert held("computing detection", "computation of detectors") == 2


def test_a_topic_of_alternatives_holds_for_a_record_on_either() -> None:
    """'Which papers deal with misinformation or fact-checking?': a paper on either is on
    the list; the words of the other alternative are not asked of it. Invented records of
    two fields."""
    from retrieval.models import Hit, Paper

    policy = AnswerSettings()
    weak = (policy.min_named_relevance + policy.min_relevance) / 2  # words must back it
    checkers = Paper(id="a", title="Fact checkers reach few readers", abstract="We study visits.")
    rumours = Paper(id="b", title="Why misinformation persists", abstract="We model news.")
    other = Paper(id="c", title="Newsroom employment", abstract="We count journalists.")
    question = "Which papers deal with misinformation or fact-checking?"
    topic = "misinformation fact-checking"
    for paper in (checkers, rumours):
        assert relevant(question, topic, Hit(paper=paper, score=0.5, dense=weak), policy)
    assert not relevant(question, topic, Hit(paper=other, score=0.5, dense=weak), policy)
    # without the "or", both words are asked of the record
    both = "Which papers are on misinformation fact-checking?"
    assert not relevant(both, topic, Hit(paper=rumours, score=0.5, dense=weak), policy)
    ice = Paper(id="d", title="Sea ice melt in the Arctic", abstract="We measure melt.")
    question = "papers on glacier retreat or sea ice melt?"
    assert relevant(
        question, "glacier retreat sea ice melt", Hit(paper=ice, score=0.5, dense=weak), policy
    )


def test_a_lookup_among_a_named_coauthors_papers_needs_no_topic_word() -> None:
    """'What did Okafor and Lin propose for why rumours linger?': the search holds only the
    co-author's papers, so the best above the abstention cut is the one asked about; below
    the cut, or without the co-author, the words must back it. Invented record."""
    from retrieval.models import Hit, Paper

    policy = AnswerSettings()
    weak = (policy.min_named_relevance + policy.min_relevance) / 2
    paper = Paper(id="a", title="When news entertains", abstract="We explain persistence.")
    question, topic = "What did Okafor propose for why rumours linger?", "propose rumours linger"
    hit = Hit(paper=paper, score=0.5, dense=weak)
    assert relevant(question, topic, hit, policy, by_author=True)
    assert not relevant(question, topic, hit, policy)
    below = Hit(paper=paper, score=0.5, dense=policy.min_named_relevance / 2)
    assert not relevant(question, topic, below, policy, by_author=True)


def test_a_topic_the_record_writes_as_its_initials_is_held() -> None:
    """'his work on quantitative easing' where the record says "QE"; 'density functional
    theory' for "DFT". Two initials only when they are the whole topic: "anywhere if" is
    not "AI". Invented records of two fields."""
    from assistant.evidence.english import abbreviated
    from retrieval.models import Hit, Paper

    policy = AnswerSettings()
    weak = (policy.min_named_relevance + policy.min_relevance) / 2  # words must back it
    qe = Paper(id="a", title="Asset purchases and bank lending", abstract="We study QE in Japan.")
    question = "Summarize her work on quantitative easing."
    assert relevant(question, "quantitative easing", Hit(paper=qe, score=0.5, dense=weak), policy)
    dft = Paper(id="b", title="Band gaps of oxides", abstract="We compute DFT band gaps.")
    topic = "density functional theory band gaps"
    assert relevant(f"papers on {topic}", topic, Hit(paper=dft, score=0.5, dense=weak), policy)
    assert abbreviated("is AI hardware discussed anywhere if so".split(), "An AI model.") == set()
    assert abbreviated(["reinforcement", "learning"], "We train RL agents.") == {
        "reinforcement",
        "learning",
    }
    # without the initials in the record, the words must be there
    plain = Paper(id="c", title="Asset purchases", abstract="We study bank lending in Japan.")
    assert not relevant(
        question, "quantitative easing", Hit(paper=plain, score=0.5, dense=weak), policy
    )


def test_a_two_letter_initialism_does_not_cut_a_topic_list_to_its_records() -> None:
    """'AI for quantitative investment': "AI" is shorthand a field's records use freely, so
    the list is the papers about the topic, not every record writing "AI"; a coined name
    (MultiWOZ) still lists exactly the records holding it. Invented records."""
    from assistant.evidence.select import list_names, on_topic
    from retrieval.models import Hit, Paper

    policy = AnswerSettings()
    strong = policy.min_relevance + 0.1
    quant = Paper(id="a", title="Foundation models for trading", abstract="We mine alphas.")
    chat = Paper(id="b", title="An AI chatbot", abstract="An AI companion that talks.")
    hits = [Hit(paper=quant, score=0.9, dense=strong), Hit(paper=chat, score=0.2, dense=0.1)]
    question = "Which papers apply AI to quantitative investment?"
    assert list_names(question, [], "AI quantitative investment") == set()
    assert list_names("Which papers mention AI?", [], "AI") == {"AI"}  # alone, the topic
    listed = on_topic(hits, question, "AI quantitative investment", 0.6, policy)
    assert listed == [quant]
    multiwoz = "Which papers report results on MultiWOZ?"
    assert list_names(multiwoz, [], "report results MultiWOZ") == {"MultiWOZ"}


def test_a_list_on_a_and_b_takes_a_record_on_either_side() -> None:
    """'What has she written about drought and irrigation?': a list takes a paper on either;
    a lookup still asks both. Invented records."""
    from retrieval.models import Hit, Paper

    policy = AnswerSettings()
    weak = (policy.min_named_relevance + policy.min_relevance) / 2
    drought = Paper(id="a", title="Drought in the Sahel", abstract="We map rain.")
    pumps = Paper(id="b", title="Pumps and irrigation costs", abstract="We price water.")
    question = "What has she written about drought and irrigation?"
    topic = "drought and irrigation"
    for paper in (drought, pumps):
        hit = Hit(paper=paper, score=0.5, dense=weak)
        assert relevant(question, topic, hit, policy, listing=True)
        assert not relevant(question, topic, hit, policy)
    # sides longer than a word: the whole side before or after "and"
    loans = Paper(id="c", title="Mortgage notches and saving", abstract="We study loans.")
    topic = "mortgages and household debt"
    hit = Hit(paper=loans, score=0.5, dense=weak)
    assert relevant(f"what has he found about {topic}?", topic, hit, policy, listing=True)


def test_the_judge_also_reads_the_hit_the_embedder_ranks_first() -> None:
    from assistant.jobs.relevance import undecided
    from retrieval.models import Hit, Paper

    policy = AnswerSettings(judged_hits=1)
    papers = [Paper(id=str(i), title=f"Paper {i}", abstract="Text.") for i in range(5)]
    dense = [0.30, 0.29, 0.28, 0.45, 0.10]  # the word ranking put the 4th below three
    hits = [
        Hit(paper=p, score=1 - i / 10, dense=d)
        for i, (p, d) in enumerate(zip(papers, dense, strict=True))
    ]
    nearest = {"3": 0.6}
    chosen = undecided(
        hits,
        "rovers choosing their own rock targets to look at",
        policy,
        lambda p: nearest.get(p.id, 0.2),
    )
    assert [h.paper.id for h in chosen] == ["3"]


def test_a_list_takes_a_record_holding_its_words_below_the_cut_an_answer_does_not() -> None:
    from retrieval.models import Hit, Paper

    policy = AnswerSettings()
    below = policy.min_named_relevance / 2
    paper = Paper(id="a", title="Monetary policy, firm finance and investment", abstract="We")
    topic = "business investment responds policy"
    hit = Hit(paper=paper, score=0.5, dense=below)
    question = "Summarize his work on how business investment responds to policy."
    assert relevant(question, topic, hit, policy, listing=True)
    assert not relevant(question, topic, hit, policy)
    other = Paper(id="b", title="House prices and borrowing", abstract="We study loans.")
    assert not relevant(
        question, topic, Hit(paper=other, score=0.5, dense=below), policy, listing=True
    )


def test_a_summary_topic_that_is_one_name_is_a_name() -> None:
    from assistant.evidence.select import capitalised

    assert capitalised("India") == {"india"}
    assert capitalised("Summarize the work on glaciers") == set()
    assert capitalised("What has she done on India?") == {"india"}


def test_a_list_takes_a_record_whose_abstract_comes_back_to_its_one_word_topic() -> None:
    from retrieval.models import Hit, Paper

    policy = AnswerSettings()
    between = (policy.min_named_relevance + policy.min_relevance) / 2
    question, topic = "all the stuff she has done using isotopes?", "isotopes"
    again = Paper(
        id="a",
        title="Tracing groundwater recharge in karst aquifers",
        abstract="We sample isotopes in springs. The isotopes date recharge to the 1990s.",
    )
    once = Paper(
        id="b",
        title="Karst spring discharge",
        abstract="Discharge peaks in spring; isotopes were not sampled.",
    )
    assert relevant(
        question, topic, Hit(paper=again, score=0.5, dense=between), policy, listing=True
    )
    assert not relevant(
        question, topic, Hit(paper=once, score=0.5, dense=between), policy, listing=True
    )
    # an answer about one paper still needs the word in the title
    assert not relevant(question, topic, Hit(paper=again, score=0.5, dense=between), policy)


def test_a_described_paper_is_chosen_among_close_candidates_unless_turned_off() -> None:
    from assistant.jobs.relevance import choices
    from retrieval.models import Hit, Paper

    policy = AnswerSettings()
    hits = [
        Hit(paper=Paper(id=str(i), title=f"Paper {i}", abstract="x"), score=1 - i / 10, dense=d)
        for i, d in enumerate([0.5, 0.45, 0.1, 0.6])
    ]
    described = "rock glacier ice buried under debris melting slowly summer heat waves"
    chosen = choices(hits, described, policy)
    # the gate's three candidates above the abstention cut and the embedder's best (fourth)
    assert [h.paper.id for h in chosen] == ["0", "1", "3"]
    assert choices(hits, "rock glaciers", policy) == []  # a topic named in a few words
    off = policy.model_copy(update={"choose_described": False})
    assert choices(hits, described, off) == []


def test_the_other_sources_of_a_named_subject_hold_its_name() -> None:
    from assistant.evidence.select import of_the_names
    from retrieval.models import Hit, Paper

    def hit(i: str, title: str, abstract: str) -> Hit:
        return Hit(paper=Paper(id=i, title=title, abstract=abstract), score=0.5, dense=0.5)

    named = hit("a", "FLOWSIM: a river routing model", "We present FLOWSIM for basins.")
    other = hit("b", "Routing tested on the Rhone", "A model tested on the Rhone basin.")
    also = hit("c", "Coupling FLOWSIM to snow", "FLOWSIM runs with a snow scheme.")
    kept = of_the_names([named, other, also], {"FLOWSIM"})
    assert [h.paper.id for h in kept] == ["a", "c"]
    # the best hit not holding the name: nothing is cut (the name may be written out)
    assert of_the_names([other, named], {"FLOWSIM"}) == [other, named]
    assert of_the_names([named, other], set()) == [named, other]
