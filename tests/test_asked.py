"""What a question asks, and "not stated" decided by code (no model)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.evidence.asked import holding_sentence, misbound, not_stated_text, parts
from assistant.evidence.slots import slots
from assistant.jobs.verdicts import not_stated
from retrieval.models import Paper

OWNER = ["Heung-Yeung Shum"]


def _paper(corpus: Any, start: str) -> Any:
    return next(p for p in corpus[1] if p.title.startswith(start))


def test_asked_attribute_and_named_terms() -> None:
    (dino,) = parts("How many parameters does DINO have?", OWNER)
    assert dino.attribute == "parameters" and dino.wants_value and dino.named == ["DINO"]
    (rate,) = parts("What learning rate did Open-Reasoner-Zero use?", OWNER)
    assert rate.attribute == "learning rate" and rate.named == ["Open-Reasoner-Zero"]
    (plain,) = parts("What does LazyDrag eliminate the reliance on?", OWNER)
    assert plain.attribute == ""  # nothing measurable asked: left to the model
    (name,) = parts("What is the name of the framework?", OWNER)
    assert name.attribute == ""


def test_multi_part_question_shares_its_subject() -> None:
    first, second = parts(
        "How many frames can Step-Video-TI2V generate, and what FID does it reach?"
    )
    assert first.attribute == "frames" and second.attribute == "FID"
    assert second.named == first.named


def test_holding_sentence_needs_the_attribute_with_a_value(corpus: Any) -> None:
    audio = _paper(corpus, "Step-Audio:")
    (asked,) = parts("How many parameters does the Step-Audio model have?", OWNER)
    assert "130B-parameter" in (holding_sentence(asked, audio) or "")
    dino = _paper(corpus, "DINO:")
    (missing,) = parts("How many parameters does DINO have?", OWNER)
    assert holding_sentence(missing, dino) is None
    assert not_stated_text(missing, dino) == (
        "The DINO abstract does not state the number of parameters."
    )


def test_not_stated_answer_has_no_citations_and_lists_checked(corpus: Any) -> None:
    dino = _paper(corpus, "DINO:")
    mask = _paper(corpus, "Mask DINO")
    answer = not_stated(parts("How many parameters does DINO have?", OWNER), [mask, dino])
    assert not answer.answered and answer.citations == []
    assert [c.paper.title[:4] for c in answer.checked] == ["Mask", "DINO"]
    assert answer.text == "The DINO abstract does not state the number of parameters."


def test_not_stated_through_the_pipeline_never_calls_the_model(make_assistant: Any) -> None:
    from tests.fakes import FakeChatModel

    fake = FakeChatModel(
        {"sentences": [{"text": "DINO has 1 billion parameters.", "sources": [1]}]}
    )
    assistant = make_assistant(fake)
    for question in (
        "How many parameters does DINO have?",
        "What learning rate did Open-Reasoner-Zero use?",
        "How many GPUs were used to train Step-Video-T2V?",
    ):
        answer = assistant.ask(question)
        assert not answer.answered and answer.citations == [] and answer.checked, question
        assert "does not state" in answer.text, answer.text
    assert fake.calls == []
    history = [
        {"role": "user", "content": "What AP does DINO achieve in 12 epochs?"},
        {"role": "assistant", "content": "DINO achieves 49.4AP [1]."},
    ]
    follow = assistant.ask("How many parameters does it have?", history)
    assert not follow.answered and "does not state" in follow.text


def test_multi_part_answer_covers_each_part(make_assistant: Any) -> None:
    from tests.fakes import FakeChatModel

    fake = FakeChatModel(
        {
            "sentences": [
                {"text": "Step-Video-T2V generates videos up to 204 frames.", "sources": [1]}
            ]
        }
    )
    answer = make_assistant(fake).ask(
        "How many frames can Step-Video-T2V generate, and how many GPUs were used to train it?"
    )
    assert answer.answered and "204" in answer.text
    assert "does not state the number of GPUs" in answer.text


REAL = Path(__file__).parent / "data" / "real"
AGENTS_Q = (
    "In the work on automatically judging digital agents, by how much was the state of the art"
    " improved on the popular web-navigation benchmark, and how closely did the evaluators"
    " agree with oracle metrics?"
)


def _yichi(start: str) -> Any:
    from retrieval.ingest import load_source

    papers = load_source(REAL / "594zyc__594zyc.github.io__papers.bib").papers
    return next(p for p in papers if p.title.startswith(start))


def test_degree_questions_ask_for_a_value() -> None:
    improved, agree = parts(AGENTS_Q)
    assert (improved.attribute, agree.attribute) == ("improved", "agree")
    assert improved.wants_value and agree.wants_value
    (gain, called) = parts(
        "On the ALFRED benchmark, what success-rate gain over the previous state of the art did"
        " the task learner achieve, and what is the model called?"
    )
    assert gain.attribute == "success-rate gain" and gain.words == {"success", "rate", "gain"}
    assert called.attribute == ""
    (size, _) = parts("How large an improvement over reactive baselines did it report, and where?")
    assert size.attribute == "improvement"
    (well,) = parts("How well does the model perform?")
    assert well.attribute == ""  # no measurable detail named: left to the model


def test_a_value_taken_from_another_part_is_misbound() -> None:
    paper = _yichi("Autonomous evaluation")
    asked = parts(AGENTS_Q)
    wrong = "The state of the art improved on the popular benchmark by 74.4% to 92.9%."
    assert misbound(asked, wrong, [paper]) is not None
    right = "The state of the art on WebArena improved by 29%."
    assert misbound(asked, right, [paper]) is None
    agreed = "The evaluators agreed with oracle metrics between 74.4 and 92.9% of the time."
    assert misbound(asked, agreed, [paper]) is None
    other = "Step-Video-T2V was trained on 30B parameters."
    gpus = parts("How many GPUs were used to train it?")
    assert "not one for" in (misbound(gpus, other, [paper]) or "")
    # The record's sentence for the first part is the one giving its value.
    assert "29%" in (holding_sentence(asked[0], paper) or "")


def test_misbound_sentence_is_removed_and_the_part_is_quoted(make_assistant: Any) -> None:
    from tests.fakes import FakeChatModel

    fake = FakeChatModel(
        {"sentences": [{"text": "DINO improved on DN-DETR by 63.2 AP.", "sources": [1]}]}
    )
    answer = make_assistant(fake).ask("By how much does DINO improve over DN-DETR?")
    removed = [s for s in answer.sentences if s.status == "unsupported"]
    assert [s.text for s in removed] == ["DINO improved on DN-DETR by 63.2 AP."]
    assert "63.2" not in answer.text and "+6.0 AP" in answer.text  # the record's own sentence
    assert answer.answered and answer.citations[0].paper.title.startswith("DINO:")


def test_a_rare_coined_name_identifies_its_paper_a_common_one_does_not(corpus: Any) -> None:
    from assistant.evidence.select import identifies
    from retrieval.models import Hit

    papers = corpus[1]
    dino = Hit(paper=_paper(corpus, "DINO:"), score=0.2, dense=0.1)
    assert identifies("How many parameters does DINO have?", dino, papers, 0.1)
    assert not identifies("How many parameters does DINO have?", dino, papers[:0], 0.1)
    common = sum("AI" in p.abstract for p in papers)
    assert common > 0.1 * len(papers)  # the premise: "AI" is common in this corpus
    ai = Hit(paper=next(p for p in papers if "AI" in p.abstract), score=0.2, dense=0.1)
    assert not identifies("What about AI?", ai, papers, 0.1)


def test_an_attribute_in_other_words_is_found_by_its_setting() -> None:
    from retrieval.models import Paper

    paper = Paper(
        id="x",
        title="Orbit: Scaling Search",
        abstract="Orbit searches in parallel. A 7B model reaches 81.5% on AIME 2024 with it. "
        "Orbit can plan up to 40 steps in depth.",
    )
    [score] = parts("What score does Orbit's 7B model reach on AIME 2024?")
    assert holding_sentence(score, paper) == "A 7B model reaches 81.5% on AIME 2024 with it."
    [depth] = parts("How many steps deep can Orbit plans be?")
    assert holding_sentence(depth, paper) == "Orbit can plan up to 40 steps in depth."
    [lr] = parts("What learning rate does Orbit use?")
    assert holding_sentence(lr, paper) is None  # nothing in other words either: not stated
    # An earlier turn's names are not this question's setting.
    [it] = parts(
        "How many parameters does it have?", context="What does a 7B model reach on AIME 2024?"
    )
    assert holding_sentence(it, paper) is None


def test_a_degree_asked_with_a_verb_reads_as_english_when_not_stated() -> None:
    (part,) = parts("How much does the parser improve on noisy text?")
    assert part.phrase() == "how much it improves"
    (past,) = parts("By how much was latency reduced?")
    assert past.phrase() == "how much it reduced"


def test_parts_after_a_preposition_and_count_heads() -> None:
    first, second = parts(
        "What is the parameter count of X-Net, and with how many users did Y talk?"
    )
    assert second.text.startswith("with how many users") and second.attribute == "users"
    assert first.words == {"paramet"}  # "count" only says how many: the record writes "130B"


def test_a_list_names_every_record_holding_its_coined_name(corpus: Any) -> None:
    from assistant.evidence.select import relevant
    from assistant.settings import AnswerSettings
    from retrieval.models import Hit

    papers = corpus[1]
    holder = next(p for p in papers if "AI" in p.abstract)  # "AI" is common here (above)
    hit = Hit(paper=holder, score=0.1, dense=0.05)  # an embedder that misses the name
    policy = AnswerSettings()
    question = "Which papers mention AI?"
    assert relevant(question, "AI", hit, policy, corpus=papers, listing=True)
    assert not relevant(question, "AI", hit, policy, corpus=papers)  # a lookup: not enough


def test_a_change_noun_is_not_a_change_verb() -> None:
    from assistant.evidence.english import change_verb as _change_verb

    assert _change_verb("improved") and _change_verb("rise") and _change_verb("increases")
    assert not _change_verb("speedup") and not _change_verb("growth")


def test_casual_value_questions_still_ask_for_their_attribute() -> None:
    (_, bleu) = parts("which paper proposes a parser and what is the bleu gain it reports")
    assert bleu.attribute == "bleu gain" and bleu.wants_value
    (part,) = parts("How much of a BLEU improvement does it report?")
    assert part.attribute == "BLEU"


def test_a_telegraphic_count_is_a_part_of_its_own() -> None:
    """'X param count, and how many ...' asks two things; a lead-in ('In the work on X, by
    how much ...') still joins its part. Names from two fields."""
    first, second = parts("Step-Audio parameter count, and how many users has XiaoIce talked to?")
    assert (first.attribute, first.named, first.wants_value) == ("parameter", ["Step-Audio"], True)
    assert (second.attribute, second.named) == ("users", ["XiaoIce"])
    (chem,) = parts("the number of molecules in the OrbNet-Equi benchmark")
    assert chem.attribute == "molecules" and chem.wants_value
    (lead,) = parts("In the work on HiTUT, by how much does the success rate rise?")
    assert lead.named == ["HiTUT"]


def test_a_value_asked_in_a_contraction_an_ellipsis_or_with_a_typo() -> None:
    """ "What's the X of", "Y, how many X?" and "What X dose Y reach?" ask for X as their
    full forms do; a count of papers stays a corpus question. Wording from two fields."""
    (part,) = parts("What’s the Faradaic efficiency of the NiFe-LDH electrode?")
    assert (part.attribute, part.wants_value) == ("Faradaic efficiency", True)
    (part,) = parts("the GlacierNet model, how many params?")
    assert (part.attribute, part.wants_value) == ("params", True)
    (part,) = parts("What accuracy dose GlacierNet reach?")
    assert (part.attribute, part.named) == ("accuracy", ["GlacierNet"])
    (part,) = parts("how many papers?")
    assert part.attribute == ""


def test_an_attribute_asked_by_its_abbreviation_is_held_written_out() -> None:
    """'What EIS ...' is answered by a sentence writing 'elasticity of intertemporal
    substitution' with its value; one without the value does not hold it. Invented."""
    from retrieval.models import Paper

    paper = Paper(
        id="x",
        title="Consumption responses to price kinks",
        abstract="We study kinks in loan pricing. The elasticity of intertemporal substitution "
        "matters. We estimate an elasticity of intertemporal substitution of around 0.2.",
    )
    (part,) = parts("What EIS do they back out from the kinks?")
    assert holding_sentence(part, paper) == (
        "We estimate an elasticity of intertemporal substitution of around 0.2."
    )


def test_a_noun_of_change_is_not_the_verb_asked_about() -> None:
    """'How large is X, estimated from the jumps in Y?' asks for X, not how much something
    jumped; 'how much did the increase in rates cut spending' asks about the cut, and 'did X
    rise in response to Y' about the rise."""
    (part,) = parts("How large is the melt response, judged from the jumps in summer runoff?")
    assert part.attribute == ""
    (part,) = parts("How much did the increase in tariffs cut imports?")
    assert (part.attribute, part.wants_value) == ("cut", True)
    (part,) = parts("By how much did meltwater discharge rise in response to the heatwave?")
    assert part.attribute == "rise"


def test_a_named_term_asked_by_its_abbreviation_is_held_where_written_out() -> None:
    """ "What F1 did the SVM reach?" over a record that writes "support vector machine":
    the record holds the term, and its sentence with the value answers. Invented."""
    from retrieval.models import Paper

    paper = Paper(
        id="soil",
        title="Classifying soil samples from hyperspectral scans",
        abstract="We scan 400 soil samples. A support vector machine reaches an F1 of 0.81 "
        "on held-out samples.",
        authors=["A. Researcher"],
        year=2021,
    )
    asked = parts("What F1 did the SVM reach on the soil samples?")
    assert asked[0].named == ["SVM"]
    assert "0.81" in (holding_sentence(asked[0], paper) or "")
    assert parts("What F1 did the CNN reach?")[0].named == ["CNN"]
    assert holding_sentence(parts("What F1 did the CNN reach?")[0], paper) is None


def test_a_which_part_names_its_detail_and_never_decides_not_stated() -> None:
    lead, value = parts(
        "For the glacier survey, which instrument was flown and what resolution did it reach?"
    )
    assert lead.detail == "instrument" and lead.attribute == ""
    assert value.attribute == "resolution" and value.detail == ""
    first, second = parts("Who wrote the survey, and which backbone does it use?")
    assert first.detail == "" and second.detail == "backbone"
    # a 'what' inside a part that asks 'how' first is not what the part asks
    (_, degree) = parts(
        "Which panel do they use, and how big can the effect get depending on what banks do?"
    )
    assert degree.detail == ""
    (alone,) = parts("Which instrument was flown over the glacier?")
    assert alone.detail == ""  # one part: the model's answer is that part's answer
    glacier = Paper(
        id="g",
        title="Airborne radar of a glacier",
        abstract="We flew an ice-penetrating radar instrument over the glacier. The ice is "
        "up to 300 m thick.",
    )
    held = holding_sentence(lead, glacier)
    assert held == "We flew an ice-penetrating radar instrument over the glacier."


def test_a_skipped_which_part_is_quoted_and_a_missing_one_is_not_refused(
    make_assistant: Any,
) -> None:
    from tests.fakes import FakeChatModel

    # The model answers the value part and skips the "which" part.
    fake = FakeChatModel(
        {"sentences": [{"text": "DINO achieves 49.4 AP in 12 epochs.", "sources": [1]}]}
    )
    answer = make_assistant(fake).ask(
        "Which backbone gives DINO its best COCO test-dev result, and what AP does it reach "
        "in 12 epochs?"
    )
    quoted = [s for s in answer.sentences if s.status == "quoted"]
    assert quoted and "SwinL backbone" in quoted[0].text
    assert "does not state" not in answer.text
    fake = FakeChatModel(
        {"sentences": [{"text": "DINO achieves 49.4 AP in 12 epochs.", "sources": [1]}]}
    )
    answer = make_assistant(fake).ask(
        "Which optimizer trains DINO, and what AP does it reach in 12 epochs?"
    )
    # no record sentence speaks of an optimizer: nothing quoted, nothing refused
    assert [s.status for s in answer.sentences] == ["verified"], answer.sentences


def test_a_value_in_the_unit_of_the_asked_measure_is_bound_to_it() -> None:
    from retrieval.models import Paper

    paper = Paper(
        id="c",
        title="Pore size and ion transport",
        abstract="Membranes with pore widths of 1.2 nm and 2.0 nm were made. At 1.6 nm, the "
        "ion flux peaks. Flux rose by 40% over controls.",
    )
    asked = parts("At what pore width does the ion flux peak?")
    assert misbound(asked, "The ion flux peaks at a pore width of 1.6 nm.", [paper]) is None
    assert misbound(asked, "The ion flux peaks at a pore width of 40%.", [paper]) is not None
    # the value's unit says what it measures, though the sentence never names the width
    two = parts("At which pore width is transport fastest, and at which width does flux peak?")
    assert misbound(two, "The ion flux peaks at 1.6 nm.", [paper]) is None
    assert misbound(two, "The ion flux rose by 40%.", [paper]) is not None


def test_one_hyphenated_name_is_one_specific_term() -> None:
    """'GPT-2' tokenizes as gpt-2, gpt and 2: a sentence that only mentions GPT-2 does not
    hold 'which size of GPT-2' on the strength of three terms that are one. Invented record."""
    paper = Paper(
        id="d",
        title="A dialog model",
        abstract="Large models such as BERT and GPT-2 (2019) work well. We build a dialog "
        "model on them.",
    )
    [part] = parts("Which size of GPT-2 did they use in the dialog paper?")
    assert part.attribute == "size"
    assert holding_sentence(part, paper) is None


def test_a_unit_asked_for_makes_any_noun_a_measure() -> None:
    [flow] = parts("In the flood study, what peak flow in m3/s did they model at the dam?")
    assert (flow.attribute, flow.wants_value) == ("peak flow", True)
    [area] = parts("what area in km2 did the survey cover?")
    assert (area.attribute, area.wants_value) == ("area", True)
    [role] = parts("what role in K-12 teaching did it play?")
    assert not role.attribute


def test_a_comparative_or_an_amount_after_by_is_a_degree() -> None:
    [cheaper] = parts("how much cheaper is the sensor than a radar?")
    assert (cheaper.attribute, cheaper.wants_value) == ("cheaper", True)
    [water] = parts("how much water is used?")
    assert not water.attribute
    paper = Paper(
        id="s",
        title="Shading of snow by forest canopies",
        abstract="We model snow under forests. The canopy plays a key role in limiting "
        "the incoming solar radiation by 60 %. Melt is slower.",
    )
    [cut] = parts("how much does the canopy cut incoming solar radiation?")
    assert holding_sentence(cut, paper) == (
        "The canopy plays a key role in limiting the incoming solar radiation by 60 %."
    )


def test_a_year_the_record_writes_dates_its_content_not_the_paper(make_assistant: Any) -> None:
    """'the social chatbot launched back in 2014': the 2018 paper says "since her launch in
    2014"; the year filter, which no paper of 2014 passes, gives way to it."""
    from tests.fakes import FakeChatModel

    said = "XiaoIce has communicated with over 660 million active users."
    reply = {"sentences": [{"text": said, "sources": [1]}]}
    answer = make_assistant(FakeChatModel(reply)).ask(
        "How many users has XiaoIce, the social chatbot launched back in 2014, talked with?"
    )
    assert answer.answered and answer.citations[0].paper.year == 2018
    assert "660 million" in answer.text


def test_a_degree_noun_of_several_words_is_the_attribute() -> None:
    [part] = parts("the bond paper - how big a fiscal multiplier do they estimate in recessions?")
    assert part.attribute == "fiscal multiplier" and part.wants_value
    [part] = parts("How large a share of farms adopted the seed?")
    assert part.attribute == "share"  # "of farms" is not part of the noun
    [part] = parts("By how much does that lower the catalyst's overpotential?")
    assert part.attribute == "lower"  # "that" is the subject, not an article


def test_two_attributes_offered_as_alternatives_are_each_asked() -> None:
    asked = parts("what Sharpe ratio or annual return did the momentum portfolio earn?")
    assert [a.attribute for a in asked] == ["Sharpe ratio", "annual return"]
    assert all(a.wants_value for a in asked)
    # a noun whose value a verb of attaining asks for is a measure; a general one is not
    [part] = parts("what yields did the coupling reactions reach?")
    assert part.attribute == "yields"
    [part] = parts("what results did the field trials get?")
    assert part.attribute == ""


def test_a_count_of_the_asked_thing_in_other_words_holds_it() -> None:
    from retrieval.models import Paper

    paper = Paper(
        id="c",
        title="Classroom contexts",
        abstract="We interviewed 20 educators across five schools. Lessons ran for a term.",
    )
    near = {("teachers", "educators"): 0.78}  # a FAKE similarity: the embedder's word cosines

    def similar(words: list[str], record: list[str]) -> list[float]:
        return [max(near.get((w, r), 0.1) for r in record) for w in words]

    [asked] = parts("How many teachers were interviewed for the classroom study?")
    assert holding_sentence(asked, paper) is None  # no synonyms: the word is not there
    held = holding_sentence(asked, paper, similar, 0.4)
    assert held == "We interviewed 20 educators across five schools."
    [other] = parts("How many principals were interviewed?")
    assert holding_sentence(other, paper, similar, 0.4) is None


def test_how_many_is_held_by_a_count_of_the_thing_not_any_number_near_it() -> None:
    paper = Paper(
        id="p",
        title="Scaling of reef fish biomass",
        abstract="Biomass on protected reefs is 40% larger than on fished reefs. "
        "We surveyed 112 coral reefs across four archipelagos. "
        "Counts came from five underwater visual censuses (UVCs) per reef.",
    )
    [reefs] = parts("in the reef biomass paper, how many reefs did they survey?")
    assert holding_sentence(reefs, paper) == "We surveyed 112 coral reefs across four archipelagos."
    [percent] = parts("how many protected reefs were larger?")
    assert holding_sentence(percent, paper) is None  # "40% larger" counts no reefs
    [teams] = parts("how many UVCs were there?")  # the abbreviation spelled out after the count
    assert holding_sentence(teams, paper) == (
        "Counts came from five underwater visual censuses (UVCs) per reef."
    )


def test_a_part_asked_with_why_is_a_part_of_its_own() -> None:
    asked = parts("soil crust model: why does it transfer across climates, and what grid is it on?")
    assert [a.text for a in asked] == [
        "soil crust model: why does it transfer across climates",
        "what grid is it on?",
    ]


def test_a_detail_is_the_noun_asked_of_not_its_sort_or_its_modifier() -> None:
    [_, sols] = parts("How wide is the crater, and which range of sols went into the survey?")
    assert sols.detail == "sols"
    [_, kinds] = parts("What did they find, and which set of benchmarks was used?")
    assert kinds.detail == "benchmarks"
    [lake, _] = parts("which lake model needs the input, and where was it tested?")
    assert lake.detail == ""  # a model is asked for, not a lake
    [_, blamed] = parts("who reads fact checks, and what usually gets blamed for it?")
    assert blamed.detail == ""  # a subject asked, not a noun


def test_the_degree_a_subject_comes_to_is_its_attribute() -> None:
    [big] = parts("how big can the tax multiplier get depending on what the central bank does?")
    assert (big.attribute, big.wants_value) == ("tax multiplier", True)
    [high] = parts("How high does the peak discharge reach in spring?")
    assert (high.attribute, high.wants_value) == ("peak discharge", True)
    [slot] = slots([big])
    assert slot is None  # the clause "what the central bank does" asks nothing of its own


def test_a_wh_phrase_describing_a_papers_topic_asks_nothing() -> None:
    described = parts(
        "there's one on how much of the rain on a tropical island runs off before it soaks in. "
        "what kind of soil holds that back?"
    )
    assert [(a.attribute, a.detail) for a in described] == [("", ""), ("", "soil")]
    [about] = parts("a paper about how many birds migrate at night")
    assert about.attribute == ""
    [asked] = parts("How much of the rain runs off?")
    assert asked.wants_value  # asked, not described
