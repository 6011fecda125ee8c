"""Chat messages asking for a summary or a bio reach those jobs, with their options."""

from __future__ import annotations

from typing import Any

from assistant.jobs.route import route
from retrieval.query import analyze
from tests.fakes import FakeChatModel


def _route(question: str, previous: str | None = None):  # type: ignore[no-untyped-def]
    prev = analyze(previous, owner="Heung-Yeung Shum") if previous else None
    return route(question, analyze(question, owner="Heung-Yeung Shum"), prev)


def test_summary_and_bio_requests() -> None:
    s = _route("Summarize the work on talking heads and face synthesis.")
    assert (s.job, s.topic) == ("summarize", "talking heads and face synthesis")
    b = _route(
        "Draft a short talk introduction about Heung-Yeung Shum's work on conversational AI."
    )
    assert (b.job, b.kind, b.length, b.topic) == ("bio", "talk_intro", "short", "conversational AI")
    long_bio = _route("Write a detailed bio for a student audience")
    assert (long_bio.kind, long_bio.length, long_bio.audience) == ("bio", "long", "student")
    # a message naming a paper asks about that paper, whatever it calls it
    assert route("What is the summary of DINO?", analyze("x"), names_paper=True).job == "ask"
    # ... but the work done on a name is a body of work
    named = "what has she done on GlacierNet and ice modelling?"
    assert route(named, analyze(named), names_paper=True).job == "summarize"


def test_summaries_as_people_ask_for_them() -> None:
    """A summary request anywhere in the message, or a question about a body of work; its
    topic is what follows the request. Phrasings of two fields."""
    for question, topic in [
        ("Give me a short overview of his work on social chatbots.", "social chatbots"),
        ("tl;dr of the papers on glacier melt", "glacier melt"),
        ("Can you give me a quick rundown of her research on crop maps?", "crop maps"),
        ("what's he done w/ knowledge graphs", "knowledge graphs"),
        ("What has James Cloyne worked on in corporate taxes?", "corporate taxes"),
        ("What do these papers say about cloud cover?", "cloud cover"),
        ("what has she worked on regarding glaciers", "glaciers"),
        ("what has maria lopez found about soil moisture?", "soil moisture"),
        ("What has Ana Ruiz found about drought and crop yields?", "drought and crop yields"),
    ]:
        r = _route(question)
        assert (r.job, r.topic) == ("summarize", topic), question
    # a list, a count or a lookup stays a question
    for question in [
        "Which papers are about video generation?",
        "How many papers has he published on glaciers?",
        "What did they find about speed in the 2024 paper?",
        "What is the AP of the detector on COCO?",
        # what a finding is: answered, or refused, as a question
        "What does his research find about the effect of tariffs on exports?",
    ]:
        assert _route(question).job == "ask", question
    # a co-author list, the name known to the corpus as "G. Tseng"
    question = "What has she written with Gabriel Tseng, and in which year?"

    def plan_of(text: str):  # type: ignore[no-untyped-def]
        return analyze(text, authors=["G. Tseng"])

    assert route(question, plan_of(question), plan_of=plan_of).job == "ask"


def test_a_talk_introduction_however_it_is_worded() -> None:
    r = _route("Draft a short introduction for a talk on crop mapping, based on these papers.")
    assert (r.job, r.kind, r.topic) == ("bio", "talk_intro", "crop mapping")
    r = _route("Write an intro for her keynote on remote sensing")
    assert (r.job, r.kind) == ("bio", "talk_intro")


def test_summarize_those_uses_the_previous_question() -> None:
    r = _route("Summarize those", previous="Which papers are about video generation?")
    assert (r.job, r.topic) == ("summarize", "video generation")


def test_chat_summary_of_a_metadata_list(make_assistant: Any) -> None:
    fake = FakeChatModel({"theme": "Animation", "sentences": []})
    history = [
        {"role": "user", "content": "Which papers were published in 2024?"},
        {"role": "assistant", "content": "5 papers match (in 2024): ..."},
    ]
    answer = make_assistant(fake).ask("Summarize those", history)
    assert answer.kind == "summarize" and len(answer.citations) == 5
    assert all(c.paper.year == 2024 for c in answer.citations)


def test_follow_up_only_when_the_question_has_no_topic_of_its_own() -> None:
    from assistant.jobs.route import is_follow_up, resolve_follow_up

    history = [
        {"role": "user", "content": "Summarize his work on video generation"},
        {"role": "assistant", "content": "Step-Video-T2V ... [1]."},
    ]
    assert not is_follow_up("Did he publish anything on protein folding?", history)
    assert resolve_follow_up("Did he publish anything on protein folding?", history) == (
        "Did he publish anything on protein folding?"
    )
    assert is_follow_up("How many parameters does it have?", history)
    assert is_follow_up("What about its speed?", history)
    assert is_follow_up("And that paper's FID?", history)
    assert not is_follow_up("Which paper proposes HumanTOMATO?", history)
    assert not is_follow_up("How many parameters does it have?", None)


def test_a_bio_based_on_these_papers_has_no_topic() -> None:
    from retrieval.query import analyze

    question = "Draft a short bio of Heung-Yeung Shum based on these papers."
    r = route(question, analyze(question, owner="Heung-Yeung Shum"))
    assert (r.job, r.topic) == ("bio", None)
    question = "Draft a short bio based on his papers about video generation."
    assert route(question, analyze(question)).topic == "video generation"


def test_a_request_pointing_at_the_whole_collection_has_no_topic() -> None:
    """'this collection of papers', 'the library', 'the whole corpus' are the corpus, not a
    topic: a bio or a summary of all of it. 'digital libraries' or 'data collection' stay
    topics."""
    for question, job in [
        ("Write a short research bio based on this collection of papers.", "bio"),
        ("Draft a talk introduction from this library of publications", "bio"),
        ("Draft a talk intro on the whole corpus", "bio"),
        ("Summarize this collection of papers", "summarize"),
        ("Give me an overview of the library", "summarize"),
    ]:
        assert (_route(question).job, _route(question).topic) == (job, None), question
    assert _route("Write a bio covering his work on data collection").topic == "data collection"
    assert _route("Summarize his work on digital libraries").topic == "digital libraries"


def test_a_question_about_the_work_as_a_whole_gets_the_short_bio() -> None:
    """'What does he work on?' names no topic: as a search it was 'not covered'. Names of
    other fields' researchers too; a topic, a co-author or a named paper keeps its job."""
    for question in (
        "What does he work on?",
        "What is her research about?",
        "What has Shum worked on?",
        "What kind of research does Hannah Kerner do?",
        "what does this researcher study?",
    ):
        r = _route(question)
        assert (r.job, r.kind, r.length, r.topic) == ("bio", "bio", "short", None), question
    assert _route("What has he worked on in video generation?").job == "summarize"
    assert _route("What does he work on with Baoyuan Wang?").job != "bio"
    assert route("What does DINO work on?", analyze("x"), names_paper=True).job == "ask"
    assert _route("What is his h-index?").job == "ask"


def test_what_was_published_in_a_venue_is_a_list_not_a_summary() -> None:
    from assistant.jobs.route import route
    from retrieval.query import analyze

    question = "what has he published in the Journal of Glaciology?"
    plan = analyze(question, venues=["Journal of Glaciology"])
    assert route(question, plan, lambda q: analyze(q)).job == "ask"


def test_a_summary_topic_ends_with_its_sentence() -> None:
    r = _route("what has he done on peatlands and carbon loss? want the full list")
    assert (r.job, r.topic) == ("summarize", "peatlands and carbon loss")
    kept = _route("Summarize his work on U.S. monetary policy.")
    assert kept.topic is not None and "monetary policy" in kept.topic  # no sentence ends at "U.S."


def test_research_areas_without_categories_are_the_bios_threads() -> None:
    for question in ("What are her main research areas?", "What topics does he work on?"):
        assert route(question, analyze(question), categories=False).job == "bio", question
        # where the corpus has categories, the areas are a fact the pipeline states
        assert route(question, analyze(question)).job == "ask", question
    other = "What are the main findings of the flood paper?"
    assert route(other, analyze(other), categories=False).job == "ask"
