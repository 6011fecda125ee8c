"""The ask/summarize/bio jobs through the real index, with a FAKE chat model."""

from __future__ import annotations

import re
from typing import Any

from assistant.jobs.route import resolve_follow_up
from assistant.model.prompts import check_all
from assistant.model.replies import ReplySentence, SentenceStreamer
from assistant.types import NOT_COVERED, AnswerEvent, SourcesEvent, TextEvent
from tests.fakes import FakeChatModel

DINO_Q = "What AP does DINO achieve in 12 epochs with a ResNet-50 backbone?"


def test_stream_yields_sources_then_checked_text_then_answer(make_assistant: Any) -> None:
    fake = FakeChatModel(
        {
            "sentences": [
                {"text": "DINO achieves 49.4 AP in 12 epochs.", "sources": [1]},
                {"text": "It won the Turing Award.", "sources": [1]},
                {"text": "DINO uses contrastive denoising training.", "sources": [9]},
            ]
        }
    )
    events = list(make_assistant(fake).stream(DINO_Q))
    assert isinstance(events[0], SourcesEvent) and events[0].citations
    assert isinstance(events[-1], AnswerEvent)
    streamed = "".join(e.delta for e in events if isinstance(e, TextEvent))
    answer = events[-1].answer
    assert streamed == answer.text  # the user never sees an unchecked sentence
    assert "Turing" not in answer.text and answer.unsupported == 1
    assert answer.dropped_keys == ["9"]
    assert "49.4" in answer.text and answer.citations[0].paper.title.startswith("DINO:")
    assert answer.timings.total >= answer.timings.retrieval


def test_model_silence_quotes_only_a_sentence_holding_the_asked_attribute(
    make_assistant: Any,
) -> None:
    assistant = make_assistant(FakeChatModel({"sentences": []}))
    answer = assistant.ask(DINO_Q)  # the DINO record holds "AP" with a value: quoted, cited
    assert answer.answered and "49.4" in answer.text and answer.citations
    # Silence on a question the search is sure of: the top record's own sentence, labelled a
    # quote ("not covered" would be false); its status says the model wrote nothing.
    silent = assistant.ask("Which paper proposes text-aligned whole-body motion generation?")
    assert silent.text.startswith("The HumanTOMATO abstract states")
    assert [s.status for s in silent.sentences if s.status != "unsupported"] == ["quoted"]
    assert [c.paper.title.split(":")[0] for c in silent.citations] == ["HumanTOMATO"]
    # Silence on a question no record is sure about stays an abstention, not a quote.
    vague = assistant.ask("What does the corpus say about quantum computing hardware?")
    assert not vague.answered and vague.citations == []


def test_unanswerable_abstains_without_calling_the_model(make_assistant: Any) -> None:
    fake = FakeChatModel({"sentences": [{"text": "Quantum chips use qubits.", "sources": [1]}]})
    answer = make_assistant(fake).ask("What does the corpus say about quantum computing hardware?")
    assert not answer.answered and answer.text == NOT_COVERED and answer.citations == []
    assert fake.calls == []


def test_count_and_list_questions_come_from_metadata(make_assistant: Any) -> None:
    fake = FakeChatModel({"sentences": []})
    assistant = make_assistant(fake)
    in_2024 = assistant.ask("Which papers were published in 2024?")
    assert in_2024.model == "metadata" and len(in_2024.citations) == 5
    with_code = assistant.ask("How many papers have code?")
    assert with_code.text.startswith("12 papers") and len(with_code.citations) == 12
    yi_ma = assistant.ask("Which papers did Heung-Yeung Shum write with Yi Ma?")
    assert [c.paper.title[:26] for c in yi_ma.citations] == ["On the Principles of Parsim"[:26]]
    assert fake.calls == []


def test_follow_up_borrows_the_previous_question() -> None:
    history = [
        {"role": "user", "content": "What is Step-Audio?"},
        {"role": "assistant", "content": "Step-Audio is ... [1]."},
    ]
    assert resolve_follow_up("How many parameters does it have?", history).startswith(
        "What is Step-Audio?"
    )
    assert resolve_follow_up("Which paper proposes HumanTOMATO?", history) == (
        "Which paper proposes HumanTOMATO?"
    )


def test_follow_up_answer_uses_earlier_turn(make_assistant: Any) -> None:
    fake = FakeChatModel(
        {"sentences": [{"text": "Step-Audio has 130B parameters.", "sources": [1]}]}
    )
    history = [
        {"role": "user", "content": "What is Step-Audio about?"},
        {"role": "assistant", "content": "Step-Audio unifies speech understanding [1]."},
    ]
    answer = make_assistant(fake).ask("How big is it?", history)
    assert answer.answered and "130B" in answer.text
    assert answer.citations[0].paper.title.startswith("Step-Audio")
    assert "Earlier question: What is Step-Audio about?" in fake.calls[0][-1]["content"]


def test_sentence_streamer_emits_only_complete_items() -> None:
    streamer = SentenceStreamer()
    assert streamer.feed('{"sentences": [{"text": "A b", ') == []
    assert streamer.feed('"sources": [1]}, {"text": "C"') == [
        ReplySentence(text="A b", sources=[1])
    ]
    assert streamer.feed(', "sources": []}]}') == [ReplySentence(text="C", sources=[])]


def test_summary_covers_the_papers_the_topic_list_holds(make_assistant: Any) -> None:
    fake = FakeChatModel(
        {
            "theme": "Portrait animation",
            "common": {"text": "Unrelated words about nothing here.", "sources": [1, 2]},
            "each": [],
        }
    )
    assistant = make_assistant(fake)
    topic = "talking heads and face synthesis"
    answer = assistant.summarize(topic)
    listing = assistant.ask(f"Which papers are about {topic}?")
    assert answer.kind == "summarize" and answer.answered
    assert {c.paper.id for c in answer.citations} == {c.paper.id for c in listing.citations}
    assert "Unrelated words" not in answer.text  # failed the check; its papers named as facts
    assert "On this theme: " in answer.text


def test_summary_opens_with_what_the_code_knows(make_assistant: Any) -> None:
    from assistant.jobs.summarize import lineage, overview

    answer = make_assistant(FakeChatModel({"theme": "x", "common": {}, "each": []})).summarize(
        "portrait animation"
    )
    papers = [c.paper for c in answer.citations]
    head, _ = overview("portrait animation", papers)[0]
    assert head.startswith(f"{len(papers)} papers on portrait animation, from ")
    pairs = {(a.title.split(":")[0], b.title.split(":")[0]) for a, b in lineage(papers)}
    assert ("Follow-Your-Emoji-Faster", "Follow-Your-Emoji") in pairs  # a name is a fact
    assert answer.text.startswith(head)


def test_bio_states_corpus_facts_and_drops_inventions(make_assistant: Any) -> None:
    fake = FakeChatModel(
        {
            "1": "XiaoIce has communicated with 660 million users.",
            "2": "He received the Turing Award from Microsoft Research.",
        }
    )
    answer = make_assistant(fake).draft_bio(kind="talk_intro", topic="conversational AI")
    assert "7,297 times" in answer.text and "h-index of 32" in answer.text
    assert "co-author" not in answer.text.lower() and "- " not in answer.text  # prose
    assert "We pre-train" not in answer.text  # never the abstract's own voice
    assert "Turing" not in answer.text and "Microsoft" not in answer.text
    assert answer.unsupported >= 1  # the invented award, at least
    assert all(c.paper.title for c in answer.citations)


def test_a_talk_intro_for_a_corpus_with_no_owner_names_no_one(
    settings: Any, embedder: Any, corpus: Any
) -> None:
    """A Zotero library or a lab's list has no owner: the text introduces "the speaker"
    in sentences that still read as sentences."""
    from assistant.api import Assistant

    _, papers = corpus
    fake = FakeChatModel({"1": "XiaoIce has communicated with 660 million users."})
    assistant = Assistant(settings, chat_model=fake, embedder=embedder, papers=papers, info=None)
    text = assistant.draft_bio(kind="talk_intro", topic="conversational AI").text
    assert "It is a pleasure to introduce the speaker." in text
    assert "papers by the speaker on conversational AI" in text
    assert "Please join me in welcoming the speaker" in text
    assert "The researcher" not in text and " researcher has" not in text


def test_abstention_gate_on_weak_similarity(make_assistant: Any) -> None:
    """Low similarity is backed by topic words in the hit, or the answer abstains."""
    assistant = make_assistant(FakeChatModel({"sentences": []}))
    assert assistant.ask("Which papers use diffusion transformers?").answered
    for question in (
        "Which papers are about robotics?",
        "Which awards has Heung-Yeung Shum won?",
        "How do blockchain consensus protocols scale?",
    ):
        answer = assistant.ask(question)
        assert not answer.answered and not answer.citations, question


def test_topic_list_with_nothing_inside_its_filter_says_so(make_assistant: Any) -> None:
    fake = FakeChatModel({"sentences": []})
    answer = make_assistant(fake).ask("Which papers on protein folding were published in 2024?")
    assert not answer.answered and answer.citations == [] and len(answer.checked) == 5
    assert answer.text.startswith("None of the 5 papers in 2024 is about protein folding")
    assert fake.calls == []


def test_topic_list_holds_every_relevant_paper_with_a_gist(make_assistant: Any) -> None:
    answer = make_assistant(FakeChatModel({"sentences": []})).ask(
        "Which papers are about image or video editing?"
    )
    titles = [c.paper.title for c in answer.citations]
    assert answer.answered and any(t.startswith("LazyDrag") for t in titles)
    assert all(": " in line for line in answer.text.splitlines()[1:])  # a gist per paper


def test_a_list_of_a_name_holds_every_record_that_names_it(make_assistant: Any) -> None:
    """ "Anything on <name>?" (a place, a person, a method named after one): a record that
    gives the name in its abstract only is on the list, however weakly the embedder ranks
    it. Here "Markov", which two abstracts and no title use."""
    assistant = make_assistant(FakeChatModel({"sentences": []}))
    answer = assistant.ask("anything on Markov?")
    listed = {c.paper.title for c in answer.citations}
    naming = {
        p.title for p in assistant.papers if re.search(r"\bMarkov\b", f"{p.title} {p.abstract}")
    }
    assert answer.answered and naming and listed == naming


def test_bio_on_an_uncovered_topic_says_so_without_the_model(make_assistant: Any) -> None:
    fake = FakeChatModel({"sentences": [{"text": "He folded proteins.", "sources": [1]}]})
    answer = make_assistant(fake).draft_bio(kind="bio", topic="protein folding")
    assert not answer.answered and "does not cover" in answer.text and fake.calls == []


def test_summary_streams_theme_by_theme(make_assistant: Any) -> None:
    fake = FakeChatModel(
        {"theme": "Portrait animation", "common": {"text": "Unrelated.", "sources": [1]}}
    )
    events = list(make_assistant(fake).stream("Summarize the work on talking heads."))
    texts = [e.delta for e in events if isinstance(e, TextEvent)]
    assert isinstance(events[0], SourcesEvent) and isinstance(events[-1], AnswerEvent)
    assert len(texts) >= 2 and " on talking heads" in texts[0]  # the overview first
    assert "".join(texts) == events[-1].answer.text


def test_a_summary_sentence_is_made_from_a_papers_name_and_what_the_model_wrote() -> None:
    """The model goes on from a paper's name; whatever form its words take, the shown
    sentence has that subject and only the model's words besides a copula or "reports
    that". Invented names and phrases."""
    from assistant.jobs.sections import with_subject

    cases = {
        ("MAGI", "Combines masked and causal modeling"): "MAGI combines masked and causal "
        "modeling.",
        ("Orb", "a graph network on orbital features"): "Orb is a graph network on orbital "
        "features.",
        ("Orb", "diffusion-based framework for a user click"): "Orb is a diffusion-based "
        "framework for a user click.",
        ("One paper", "extensive evaluations demonstrate good results."): "One paper reports "
        "that extensive evaluations demonstrate good results.",
        ("One paper", "here, we present a snow model"): "The authors present a snow model.",
        ("Think-on-Graph", "the paper introduces beam search"): "Think-on-Graph introduces "
        "beam search.",
        ("Hand Avatar", "HandAvatar renders hands"): "HandAvatar renders hands.",
        ("One paper", "Present a new method"): "The authors present a new method.",
        ("One paper", "SNOWPY is an open-source model"): "One paper reports that SNOWPY is an "
        "open-source model.",
        ("One paper", "the papers show that winds cool snow"): "The authors show that winds "
        "cool snow.",
        ("One paper", "using strikes in two cities, they examine tweets"): "The authors "
        "examine tweets.",
        ("One paper", "  "): "",
    }
    for (subject, rest), sentence in cases.items():
        assert with_subject(subject, rest) == sentence, (subject, rest)


def test_a_theme_of_one_paper_shows_its_sentence_once() -> None:
    from assistant.jobs.summarize import _repeats
    from retrieval.text import tokenize

    said = [set(tokenize("HandAvatar is a novel representation for hand animation."))]
    assert _repeats("HandAvatar is a novel representation for hand animation and rendering.", said)
    assert not _repeats("HandAvatar renders hands with self-occlusion-aware texture.", said)


def test_a_summary_sentence_that_says_the_topic_back_is_not_shown() -> None:
    from assistant.jobs.summarize import _echoes

    topic = "agents following natural-language instructions"
    assert _echoes("Agents follow natural-language instructions.", topic)
    assert not _echoes("DANLI plans with neural and symbolic representations.", topic)


def test_third_person_rewrites_the_abstracts_voice() -> None:
    from assistant.jobs.sections import third_person

    assert third_person("We introduce GTG, our model.") == "The authors introduce GTG, their model."
    assert third_person("In this paper, we propose X.") == "The authors propose X."
    # the prompt's numbering echoed back is not part of a claim
    assert third_person("Paper 2: Uses an LSTM.") == "One paper uses an LSTM."
    assert third_person("As in paper [3], it works.") == "As in one paper, it works."


def test_a_sentence_about_one_paper_names_it_by_its_authors() -> None:
    """'One paper uses X [1]' cannot tell the reader which: the subject becomes the cited
    record's authors and year; a sentence citing two papers is left as written. Invented
    records."""
    from assistant.evidence.grounding import Source
    from assistant.jobs.sections import by_authors
    from assistant.types import Sentence
    from retrieval.models import Paper

    three = Paper(id="a", title="T", year=2020, authors=["Ana Silva", "Bo Li", "Cy Ng"])
    two = Paper(id="b", title="U", year=2013, authors=["James Cloyne", "Paolo Surico"])
    alone = Paper(id="c", title="V", authors=["Ice Stupa"])
    assert (
        three.cited_as() == "Silva et al. (2020)" and two.cited_as() == "Cloyne and Surico (2013)"
    )
    assert alone.cited_as() == "Stupa" and Paper(id="d", title="W").cited_as() == ""
    sources = {"1": Source(key="1", paper=three), "2": Source(key="2", paper=two)}
    one = Sentence(text="One paper uses dialog states.", keys=["1"], status="verified")
    assert by_authors(one, sources).text == "The paper by Silva et al. (2020) uses dialog states."
    this = one.model_copy(update={"text": "This study finds a 2% rise.", "keys": ["2"]})
    assert (
        by_authors(this, sources).text == "The paper by Cloyne and Surico (2013) finds a 2% rise."
    )
    both = one.model_copy(update={"keys": ["1", "2"]})
    assert by_authors(both, sources) == both
    named = one.model_copy(update={"text": "ARDM uses dialog states."})
    assert by_authors(named, sources) == named
    found = one.model_copy(update={"text": "The authors find a 2% rise."})
    assert by_authors(found, sources).text == "Silva et al. (2020) find a 2% rise."
    solo = {"1": Source(key="1", paper=alone)}  # "Stupa find": left as written
    assert by_authors(found, solo) == found


def test_two_sentences_a_model_glued_together_are_two() -> None:
    from retrieval.text import split_sentences

    glued = "They test this hypothesis.Using a new dataset, they find X. Then Y."
    assert split_sentences(glued) == [
        "They test this hypothesis.",
        "Using a new dataset, they find X.",
        "Then Y.",
    ]
    assert split_sentences("It uses U.S. data and Node.js.") == ["It uses U.S. data and Node.js."]


def test_bio_streams_the_code_written_paragraph_before_the_model(make_assistant: Any) -> None:
    fake = FakeChatModel({"1": "XiaoIce has communicated with 660 million users."})
    assistant = make_assistant(fake)
    seen: list[tuple[str, int]] = []
    final = None
    for event in assistant.stream_bio(kind="talk_intro", topic="conversational AI"):
        seen.append((event.type, len(fake.calls)))
        if event.type == "text" and len(fake.calls) == 0:
            assert "7,297 times" in event.delta  # the facts, written by code
        if event.type == "answer":
            final = event.answer
    texts = [calls for kind, calls in seen if kind == "text"]
    assert texts[0] == 0 and texts[-1] == 1  # first part before any model call
    assert final is not None and final.kind == "bio" and "7,297 times" in final.text


def test_bio_streams_each_checked_sentence_and_ends_with_the_answer_text(
    make_assistant: Any,
) -> None:
    fake = FakeChatModel(
        {
            "1": "GTG builds robust task bots at scale. Shum won the Turing Award for GTG. "
            "GTG is pre-trained on raw text and conversational data.",
        }
    )
    events = list(make_assistant(fake).stream_bio(kind="bio", topic="conversational AI"))
    texts = [e.delta for e in events if isinstance(e, TextEvent)]
    answer = events[-1].answer
    assert "".join(texts) == answer.text  # the stream is exactly the answer
    model_parts = [t for t in texts[1:] if t.startswith(" GTG")]
    assert len(model_parts) >= 2  # one event per checked sentence, not one at the end
    assert not any("Turing" in t for t in texts)  # removed before it was ever shown


def test_summary_streams_each_checked_sentence_as_it_completes(make_assistant: Any) -> None:
    def reply(schema: dict[str, Any]) -> dict[str, Any]:
        labels = schema["properties"]["each"]["required"]  # each paper's name, in order
        rests = ["we propose a one-shot talking head synthesis method. It won the Turing Award"]
        return {
            "theme": "Talking heads",
            "common": {"text": "It controls lip motion, eye gaze and head pose.", "sources": [1]},
            "each": dict(zip(labels, rests + ["x"] * len(labels), strict=False)),
        }

    fake = FakeChatModel(reply)
    events = list(make_assistant(fake).stream("Summarize the work on talking heads."))
    texts = [e.delta for e in events if isinstance(e, TextEvent)]
    answer = events[-1].answer
    assert "".join(texts) == answer.text
    written = [s for s in answer.sentences if s.status == "verified"]
    assert len(written) >= 1 and all(s.text.rstrip(".") in answer.text for s in written)
    assert len(texts) >= 3  # the overview, then one event per kept sentence
    assert not any("Turing" in t for t in texts)  # removed before it was ever shown


def test_bio_asked_in_chat_streams_its_facts_before_the_model(make_assistant: Any) -> None:
    fake = FakeChatModel({"sentences": []})
    first_text_calls = None
    for event in make_assistant(fake).stream("Write a talk introduction for Heung-Yeung Shum"):
        if isinstance(event, TextEvent) and first_text_calls is None:
            first_text_calls = len(fake.calls)
            assert "7,297 times" in event.delta
    assert first_text_calls == 0 and len(fake.calls) == 1


def test_bio_years_read_as_a_person_would_write_them() -> None:
    from assistant.jobs.bio import _span

    assert _span(2025, 2025) == " in 2025" and _span(2018, 2026) == " from 2018 to 2026"


def test_an_answer_speaks_of_the_authors_not_as_them(make_assistant: Any) -> None:
    fake = FakeChatModel(
        {
            "sentences": [
                {"text": "We present DINO, our end-to-end object detector.", "sources": [1]}
            ]
        }
    )
    answer = make_assistant(fake).ask("What is DINO?")
    assert answer.text.startswith("The authors present DINO, their end-to-end object detector")


def test_prompts_name_nothing_from_the_shipped_corpus(corpus: Any) -> None:
    """Templates serve any researcher's corpus: no shipped owner or paper name in them
    (an example "With PaCoRe, Shum showed ..." once invited "Shum" into other corpora)."""
    info, papers = corpus
    names = {info.owner.split()[-1]} | {
        p.title.split(":")[0].strip() for p in papers if ":" in p.title
    }
    for template in check_all():
        found = sorted(n for n in names if len(n) > 3 and n in template.body)
        assert not found, f"prompts/{template.name}.txt names {found}"


def test_bio_and_talk_intro_over_the_same_papers_share_the_cached_prefix(
    make_assistant: Any,
) -> None:
    """The stable parts come first (system prompt, then sources), the purpose last, so the
    server's prompt cache serves a talk introduction after a bio over the same papers."""
    fake = FakeChatModel({"sentences": []})
    assistant = make_assistant(fake)
    assistant.draft_bio(kind="bio")
    assistant.draft_bio(kind="talk_intro")
    (bio_system, bio_user), (talk_system, talk_user) = fake.calls
    assert bio_system == talk_system
    work = bio_system["content"].split("With ", 1)[1].split(",", 1)[0]  # the style example
    assert any(p.title.startswith(f"{work}:") for p in assistant.papers), work  # as written
    assert "</sources>" in bio_user["content"]
    shared = bio_user["content"].split("</sources>")[0]
    assert talk_user["content"].startswith(shared)
    assert bio_user["content"] != talk_user["content"]  # the purpose differs, at the end


def test_each_sentence_of_a_reply_item_is_checked_on_its_own(make_assistant: Any) -> None:
    """A small model once packed six sentences into one bio item citing three papers; the
    first was praise no source states. Each sentence is checked, and cited, by itself
    (the Eliza sentence under another paper's key is re-attributed to its own)."""
    praise = (
        "Heung-Yeung Shum is a researcher who has made significant contributions to the "
        "field of computer vision and artificial intelligence."
    )
    eliza = "From Eliza to XiaoIce reviews the challenges and opportunities of social chatbots."
    fake = FakeChatModel({"1": f"{praise} {eliza} He also received the Turing Award.", "2": "J."})
    answer = make_assistant(fake).draft_bio(kind="bio", topic="conversational AI")
    by_text = {s.text: s for s in answer.sentences}
    assert by_text[praise].status == "unsupported"
    assert praise not in answer.text and "Turing" not in answer.text
    kept = by_text[eliza]
    assert kept.status != "unsupported" and len(kept.keys) == 1
    assert " groundbreaking" in fake.avoided[-1]  # and the model is told not to praise
    assert by_text["J."].status == "unsupported"  # a fragment is not a sentence


# Above the abstention cut, none of its words in the best records: refused by the gate.
GRAY = "Which paper explains how quantum computing hardware chips are built and cooled?"


def test_a_refused_question_gets_the_models_second_look(settings: Any, make_assistant: Any) -> None:
    """Hits above the abstention cut that hold none of the question's words are read by the
    model, best first; a 'no' for each keeps 'not covered' (one call per hit read)."""
    settings.answer.judged_hits = 2
    fake = FakeChatModel({"verdict": "no"})
    answer = make_assistant(fake).ask(GRAY)
    assert not answer.answered and answer.text == NOT_COVERED and answer.citations == []
    assert len(fake.calls) == 2
    assert "Is this paper about what the question asks?" in fake.calls[0][-1]["content"]
    assert answer.timings.judging is not None
    # a topic named in a few words is named as a record would name it: no second look
    short = FakeChatModel({"verdict": "yes"})
    assert make_assistant(short).ask("What does the corpus say about quantum hardware?").text == (
        NOT_COVERED
    )
    assert short.calls == []


def test_a_hit_the_model_admits_is_the_only_source(settings: Any, make_assistant: Any) -> None:
    """A 'yes' makes that hit the answer's one source; the answer is checked as ever (a
    sentence its record does not state is still dropped)."""
    settings.answer.judged_hits = 3
    probe = FakeChatModel([{"verdict": "yes"}, {"sentences": []}])
    (first,) = [c.paper for c in make_assistant(probe).ask(GRAY).citations]
    assert first.title in probe.calls[0][-1]["content"]  # the paper the model admitted
    fake = FakeChatModel(
        [{"verdict": "yes"}, {"sentences": [{"text": f"{first.title}.", "sources": [1]}]}]
    )
    answer = make_assistant(fake).ask(GRAY)
    assert len(fake.calls) == 2 and "Is this paper about what" not in fake.calls[1][-1]["content"]
    assert [c.paper.id for c in answer.citations] == [first.id]
    invented = FakeChatModel(
        [{"verdict": "yes"}, {"sentences": [{"text": "It runs on 53 qubits.", "sources": [1]}]}]
    )
    quoted = make_assistant(invented).ask(GRAY)
    assert "53 qubits" not in quoted.text and 'abstract states: "' in quoted.text
    assert [s.status for s in quoted.sentences] == ["unsupported", "quoted"]


def test_the_judge_reads_first_the_hit_with_the_sentence_nearest_the_question(
    settings: Any, make_assistant: Any
) -> None:
    """A question describing a finding matches the one sentence of its record that states
    it: the hits are read in the order of their nearest sentence, not of their abstracts."""
    settings.answer.judged_hits = 3
    fake = FakeChatModel({"verdict": "no"})
    assistant = make_assistant(fake)
    assistant.ask(GRAY)
    pipeline = assistant.pipeline
    prepared = pipeline.prepare(GRAY)
    qvec = pipeline.vector(prepared)
    above = [
        h for h in prepared.hits[:3] if (h.dense or 0.0) >= pipeline.policy.min_named_relevance
    ]
    nearest = sorted(above, key=lambda h: -pipeline.compressor.nearest(h.paper, qvec))
    judged = [
        next(h.paper.title for h in above if h.paper.title in call[-1]["content"])
        for call in fake.calls
    ]
    assert len(judged) == len(above) >= 2
    assert judged == [h.paper.title for h in nearest]


def test_a_mute_judge_admits_nothing(settings: Any, make_assistant: Any) -> None:
    settings.answer.judged_hits = 3
    answer = make_assistant(FakeChatModel({})).ask(GRAY)
    assert answer.text == NOT_COVERED


def test_a_part_not_stated_is_said_once(make_assistant: Any) -> None:
    """The model's sentence removed, a question with an attribute part the record lacks:
    the answer's 'not stated' fact appears once in its sentences, as in its text."""
    fake = FakeChatModel({"sentences": [{"text": "DINO runs on 53 qubits.", "sources": [1]}]})
    answer = make_assistant(fake).ask("What is DINO and how many parameters does it have?")
    assert fake.calls, "the model is asked: one part has no attribute"
    facts = [s.text for s in answer.sentences if s.status == "fact"]
    assert facts and len(facts) == len(set(facts)), facts
    assert "53 qubits" not in answer.text
    # "it" is DINO: Mask DINO's "under one billion parameters" is not DINO's count
    assert "Mask DINO" not in answer.text and "DINO abstract does not state" in answer.text


def test_a_paper_described_in_everyday_words_is_the_one_the_model_picks(
    make_assistant: Any,
) -> None:
    from tests.fakes import FakeChatModel as Fake

    question = (
        "which of his papers lets someone click on a still photo and type a few words "
        "so that one part of the picture starts moving on its own?"
    )
    said: dict[str, Any] = {"sentences": []}  # what the answer leads with is the code's
    options = [
        h.paper.title for h in make_assistant(Fake(said)).pipeline.prepare(question).choosing
    ]
    assert len(options) >= 2, "a long description should leave the model a choice"
    for picked, first in ((2, options[1]), (0, options[0])):  # 0: none fits, the ranking stands
        model = Fake([{"paper": picked}, said])
        answer = make_assistant(model).ask(question)
        assert "Which paper does the question describe?" in model.calls[0][-1]["content"]
        shown = answer.citations or answer.checked
        assert shown and shown[0].paper.title == first


def test_a_described_paper_whose_records_lack_the_asked_value_is_decided_without_the_model(
    make_assistant: Any,
) -> None:
    fake = FakeChatModel({"paper": 2})
    question = (
        "the one where you click on a still photo and type a few words so part of it moves - "
        "how many GPUs did they train it on?"
    )
    answer = make_assistant(fake).ask(question)
    assert not answer.answered and "does not state the number of GPUs" in answer.text
    assert fake.calls == []  # no close record holds a GPU count: no paper to choose


def test_the_n_most_recent_and_earliest_papers_are_listed_by_date() -> None:
    from assistant.jobs.verdicts import metadata_answer
    from retrieval.models import Paper
    from retrieval.query import analyze

    papers = [Paper(id=f"p{y}", title=f"Paper {y}", year=y) for y in (2024, 2022, 2020)]
    papers.append(Paper(id="undated", title="Scan.pdf"))  # no date: neither newest nor oldest
    newest = metadata_answer(analyze("the two most recent papers"), papers)
    assert newest.text.startswith("The 2 most recent papers in the corpus:")
    assert [c.paper.id for c in newest.citations] == ["p2024", "p2022"]
    first = metadata_answer(analyze("what was her first paper?"), papers)
    assert [c.paper.id for c in first.citations] == ["p2020"]
