"""A sentence must name what a wh-question asks for; the question said back is no answer."""

from __future__ import annotations

from typing import Any

from assistant.evidence.asked import parts
from assistant.evidence.slots import fills, slots, unanswering
from retrieval.models import Paper

GLACIER = Paper(
    id="g",
    title="Scaling of debris-covered glacier volumes",
    abstract="We compile thickness surveys of 48 glaciers in the Khumbu and Karakoram regions "
    "between 1998 and 2019. Volumes were estimated with a mass-conservation model.",
)


def _slot(question: str) -> Any:
    [slot] = slots(parts(question))
    return slot


def test_slot_kinds_follow_the_question_shape() -> None:
    assert _slot("Which regions were the glaciers surveyed in?").kind == "specific"
    assert _slot("Which two ice models were compared?").noun == "ice models"  # not "two"
    assert _slot("What years do the thickness surveys span?").kind == "year"
    assert _slot("When were the glaciers surveyed?").kind == "year"
    # a description or a choice among papers: any new word may answer
    assert _slot("What does the glacier paper propose?").kind == "open"
    assert _slot("Which of her papers estimates glacier volumes?").kind == "open"
    assert _slot("Which paper argues that debris slows melt?").kind == "open"
    # no slot: a yes/no question, a choice offered, a value the attribute checks hold
    assert _slot("Do debris-covered glaciers thin faster?") is None
    assert _slot("Which is larger, Khumbu or Karakoram?") is None
    assert _slot("How many glaciers were surveyed?") is None


def test_the_question_said_back_fills_no_slot() -> None:
    question = "Which regions were the glaciers surveyed in?"
    echo = "The glaciers were surveyed in two regions."
    assert not fills(_slot(question), echo, question, [GLACIER])
    assert fills(
        _slot(question), "The surveys cover the Khumbu and Karakoram.", question, [GLACIER]
    )
    years = "What years do the thickness surveys span?"
    assert not fills(_slot(years), "The surveys span several years.", years, [GLACIER])
    assert fills(_slot(years), "They span 1998 to 2019.", years, [GLACIER])
    # the asked noun with a word of its own answers without a name
    model = "Which model estimated the volumes?"
    assert fills(_slot(model), "A mass-conservation model estimated them.", model, [GLACIER])


def test_an_example_the_asker_offers_is_an_answer_when_named() -> None:
    question = "Which region (e.g. Khumbu, Alps) was surveyed?"
    assert fills(_slot(question), "The Khumbu was surveyed.", question, [GLACIER])


def test_a_sentence_is_unanswering_only_when_every_part_has_a_slot() -> None:
    two = "Which regions were surveyed, and what years do the surveys span?"
    assert unanswering(parts(two), two, "The surveys span many regions.", [GLACIER])
    assert unanswering(parts(two), two, "They span 1998 to 2019.", [GLACIER]) is None
    mixed = "Which regions were surveyed, and is the model new?"
    assert unanswering(parts(mixed), mixed, "The model is new.", [GLACIER]) is None
    described = "What does the glacier paper propose?"
    why = unanswering(parts(described), described, "The glacier paper proposes it.", [GLACIER])
    assert why == "restates the question"


def test_an_echo_is_dropped_and_the_record_sentence_naming_it_is_quoted(
    make_assistant: Any,
) -> None:
    from tests.fakes import FakeChatModel

    echo = {"sentences": [{"text": "DINO was pre-trained on a large dataset.", "sources": [1]}]}
    answer = make_assistant(FakeChatModel(echo)).ask("Which pre-training dataset did DINO use?")
    dropped = [s for s in answer.sentences if s.status == "unsupported"]
    assert dropped and dropped[0].note == "does not say which pre-training dataset"
    assert answer.answered and "Objects365" in answer.text  # the record's own sentence
    assert any(s.status == "quoted" for s in answer.sentences)


def test_an_echo_with_no_record_sentence_naming_it_is_not_stated(make_assistant: Any) -> None:
    from tests.fakes import FakeChatModel

    echo = {"sentences": [{"text": "DINO was trained with an optimizer.", "sources": [1]}]}
    answer = make_assistant(FakeChatModel(echo)).ask("Which optimizer was DINO trained with?")
    assert not answer.answered and not answer.citations
    assert "does not state which optimizer" in answer.text
    assert any(c.paper.title.startswith("DINO:") for c in answer.checked)


def test_a_which_paper_answer_names_the_paper_by_its_record(make_assistant: Any) -> None:
    from tests.fakes import FakeChatModel

    said = "It improves DETR-like detectors with a contrastive way for denoising training."
    reply = {"sentences": [{"text": said, "sources": [1]}]}
    answer = make_assistant(FakeChatModel(reply)).ask(
        "Which of his papers improves DETR-like detectors with denoising anchor boxes?"
    )
    assert said.rstrip(".") in answer.text
    assert 'The paper is "DINO: DETR with Improved DeNoising Anchor Boxes' in answer.text


def test_a_year_in_the_title_still_answers_when() -> None:
    dated = Paper(id="d", title="The 2019 surge of Khumbu glacier", abstract="It surged in 2019.")
    question = "When did the Khumbu glacier surge?"
    assert fills(_slot(question), "The Khumbu glacier surged in 2019.", question, [dated])
    assert not fills(_slot(question), "The Khumbu glacier surged.", question, [dated])


def test_a_wh_word_inside_a_yes_no_question_asks_nothing() -> None:
    assert _slot("Do glaciers thin faster when debris covers them?") is None
    assert _slot("Does the model work for what the surveys measured?") is None
    # a lead-in before the wh-word keeps it the question's
    assert _slot("In the glacier paper, exactly which regions were surveyed?").kind == "specific"
    assert _slot("glacier paper: at what altitude do surveys stop?") is not None


def test_how_many_with_no_noun_wants_a_number() -> None:
    question = "In the glacier paper, which regions and how many are surveyed?"
    regions, count = slots(parts(question))
    assert regions is not None and regions.kind == "specific"
    assert count is not None and count.kind == "number" and count.phrase() == "how many"
    assert fills(count, "They survey 48 glaciers.", question, [GLACIER])
    assert unanswering(parts(question), question, "They survey glaciers in panels.", [GLACIER])


def test_a_rank_is_no_count() -> None:
    question = "In the glacier paper, which regions and how many are surveyed?"
    count = slots(parts(question))[1]
    assert count is not None
    assert not fills(count, "The surveys model the 21st century.", question, [GLACIER])
    assert fills(count, "The 2nd survey covers 21 glaciers.", question, [GLACIER])


def test_a_which_paper_answer_the_verifier_cannot_pass_shows_the_record_evidence(
    make_assistant: Any,
) -> None:
    from tests.fakes import FakeChatModel

    said = "It is about anchor boxes for end-to-end object detection that delight engineers."
    reply = {"sentences": [{"text": said, "sources": [1]}]}
    answer = make_assistant(FakeChatModel(reply)).ask(
        "Which of his papers makes DETR-like detectors better with denoising anchor boxes?"
    )
    statuses = [s.status for s in answer.sentences if s.status != "unsupported"]
    assert "verified" not in statuses, answer.sentences  # the premise
    assert 'The paper is "DINO:' in answer.text or answer.text.startswith("The DINO")
    assert "quoted" in statuses and "abstract states:" in answer.text


def test_a_place_is_named_without_the_word_for_it() -> None:
    question = "Which regions and what years did the surveys cover?"
    regions = slots(parts(question))[0]
    assert regions is not None and regions.place
    assert fills(regions, "The surveys covered the Khumbu.", question, [GLACIER])
    assert not fills(regions, "The surveys covered 2 regions.", question, [GLACIER])
    from assistant.evidence.slots import names_slot

    record = GLACIER.abstract.split(". ")[0]
    assert names_slot(regions, record, question, [GLACIER])  # "in the Khumbu and Karakoram"


def test_a_which_paper_answer_that_only_names_it_shows_why(make_assistant: Any) -> None:
    from tests.fakes import FakeChatModel

    title = "DINO: DETR with Improved DeNoising Anchor Boxes for End-to-End Object Detection"
    reply = {"sentences": [{"text": f"{title} (2022).", "sources": [1]}]}
    answer = make_assistant(FakeChatModel(reply)).ask(
        "Which of his papers improves DETR-like detectors with denoising anchor boxes?"
    )
    assert answer.text.startswith(title)
    assert any(s.status == "quoted" and s.keys == ["1"] for s in answer.sentences), answer.text


def test_a_list_of_examples_offered_is_no_choice_and_a_dash_leads_in() -> None:
    slot = _slot(
        "the catalysis paper - which solvent did they use, water or ethanol or something else?"
    )
    assert slot is not None and slot.kind == "specific" and slot.noun == "solvent"
    assert _slot("Which is cheaper, water or ethanol?") is None  # a choice offered


def test_a_paper_described_by_the_question_is_the_only_one_quoted_for_its_slot() -> None:
    from assistant.evidence.grounding import mint_sources
    from assistant.jobs.verdicts import slot_answer

    asked_about = Paper(
        id="s",
        title="Soil salinity under drip irrigation",
        abstract="We sample 40 plots over three seasons. Salinity stays below plant thresholds.",
    )
    other = Paper(
        id="o",
        title="Crops of the delta",
        abstract="The crops of the delta, rice and jute, are sold through Khulna markets.",
    )
    sources = mint_sources([asked_about, other])
    for question, answered in (
        ("In the drip irrigation paper, which crops did they grow?", False),
        ("Which crops are grown in the delta?", True),  # no paper described: any may answer
    ):
        asked = parts(question)
        found = [s for s in slots(asked) if s is not None]
        answer = slot_answer(asked, found, question, sources)
        assert answer.answered is answered, (question, answer.text)
    assert (
        "does not state which crops"
        in slot_answer(
            parts("In the drip irrigation paper, which crops did they grow?"),
            [
                s
                for s in slots(parts("In the drip irrigation paper, which crops did they grow?"))
                if s
            ],
            "In the drip irrigation paper, which crops did they grow?",
            sources,
        ).text
    )


def test_the_slot_is_the_leading_wh_words_not_a_later_ones() -> None:
    slot = _slot(
        "in the paper on two layers of ice, what actually makes a grain slide from one "
        "layer to the other? it's not what people usually assume i think"
    )
    assert slot is not None and slot.kind == "open"


def test_a_which_paper_answer_quotes_the_record_for_what_is_asked_beyond_the_paper() -> None:
    from assistant.evidence.grounding import Composer, mint_sources
    from assistant.jobs.verdicts import evidenced
    from assistant.types import Sentence

    sources = mint_sources([GLACIER])
    composer = Composer(sources)
    composer.add(Sentence(text="It scales glacier volumes [1].", keys=["1"], status="cited"))
    asked: list[str] = []

    def best(paper: Paper, words: str) -> str:
        asked.append(words)
        return "Volumes were estimated with a mass-conservation model."

    question = (
        "there was one on how big ice masses under rubble are - which paper was that, "
        "and how did they estimate the volumes?"
    )
    out = evidenced(question, composer, best)
    assert asked == ["how did they estimate the volumes?"]
    assert out[-1].status == "quoted" and "mass-conservation" in out[-1].text


def test_a_request_to_find_a_paper_is_answered_with_its_title() -> None:
    from assistant.evidence.grounding import Composer, mint_sources
    from assistant.jobs.verdicts import evidenced
    from assistant.types import Sentence

    for question in (
        "I'm looking for work on working out how much ice hides under rock debris",
        "she had a paper weighing glaciers under rubble - which one is that?",
    ):
        composer = Composer(mint_sources([GLACIER]))
        composer.add(Sentence(text="It estimates buried ice [1].", keys=["1"], status="cited"))
        out = evidenced(question, composer, lambda paper, words: "Volumes were estimated.")
        assert out[0].text.startswith('The paper is "Scaling of debris-covered glacier volumes')


def test_a_quote_answers_what_is_asked_beyond_which_paper() -> None:
    from assistant.jobs.named import beyond_which

    asked = (
        "one of her papers weighs ice under rubble. "
        "Which paper was that, and where did they survey?"
    )
    assert beyond_which(asked) == ["where did they survey?"]
    going_on = "Which paper is about ice under rubble, and how debris slows the melt?"
    assert beyond_which(going_on) == [going_on]  # the description goes on: no question of its own
    assert beyond_which("How thick is the debris?") == ["How thick is the debris?"]
    two = "soil crust paper: who first noticed the crusts, and what usually breaks them up?"
    assert beyond_which(two) == [  # each part gets its own quote
        "soil crust paper: who first noticed the crusts",
        "what usually breaks them up?",
    ]


def test_each_asked_part_is_quoted_from_its_own_sentence_once() -> None:
    from assistant.jobs.named import part_quotes

    paper = Paper(
        id="crust",
        title="Biological soil crusts",
        abstract="Crusts were first described by herders. Trampling usually breaks them up. "
        "Crusts fix nitrogen.",
    )
    nearest = {
        "herders": "Crusts were first described by herders.",
        "breaks": "Trampling usually breaks them up.",
    }

    def best(_: Paper, piece: str) -> str:
        return next(
            v for k, v in nearest.items() if k in piece or (k == "herders" and "who" in piece)
        )

    question = "what usually breaks crusts up, and who first noticed them?"
    quoted = part_quotes("1", paper, question, best)
    assert [q.text for q in quoted] == [  # in the record's order, the second said as such
        'The Biological soil crusts abstract states: "Crusts were first described by herders"',
        'It also states: "Trampling usually breaks them up"',
    ]
    assert all(q.status == "quoted" and q.keys == ["1"] for q in quoted)
    choice = "Is it trampling that breaks crusts up, or was it herders who first noticed them?"
    assert len(part_quotes("1", paper, choice, best)) == 2  # each side of the choice


def test_the_asked_noun_fills_its_slot_only_with_a_modifier_of_its_own() -> None:
    question = "which glacier did they run the melt model on?"
    [slot] = slots(parts(question))
    assert slot is not None and slot.kind == "specific"
    assert not fills(slot, "The model was tested on glaciers.", question, [GLACIER])
    assert fills(slot, "It was run on a maritime glacier.", question, [GLACIER])
    assert fills(slot, "It was run on Hintereisferner.", question, [GLACIER])


def test_the_noun_a_later_or_possessive_wh_names_is_the_slot() -> None:
    [place] = slots(
        parts("where were the farmers in the survey based - which region or which states?")
    )
    assert place is not None and place.kind == "specific" and place.place
    [_, whose] = slots(parts("which soil database do they use, and which country's farms?"))
    assert whose is not None and whose.noun == "country" and whose.place
    [sited] = slots(parts("where else was it validated?"))
    assert sited is not None and sited.place
    [source] = slots(parts("where did they get the soil samples?"))
    assert source is not None and source.kind == "open"  # a source, not a place
    [blamed] = slots(parts("what usually gets blamed for the losses?"))
    assert blamed is not None and blamed.kind == "open"


def test_a_place_is_named_by_a_name_not_an_acronym_or_a_count() -> None:
    question = "where else was it validated?"
    [slot] = slots(parts(question))
    assert slot is not None
    assert not fills(slot, "The TC model was validated at two sites.", question, [GLACIER])
    assert fills(slot, "It was also tested at Queenstown.", question, [GLACIER])
    # where a benchmark is named as the place of a test, an acronym names it
    assert fills(slot, "It was also tested on KITTI.", question, [GLACIER])


def test_a_part_held_only_by_the_title_gets_no_quote_of_it() -> None:
    from assistant.evidence.grounding import mint_sources
    from assistant.jobs.verdicts import fillers

    paper = Paper(
        id="snow",
        title="Winter snow sublimation on a moraine",
        abstract="Cold winds impede the loss. Cloud cover limits radiation by 70%.",
    )
    sources = mint_sources([paper])
    [part] = parts("how much of the winter snow sublimation on the moraine is there?")
    title_held = fillers([part], {0: ("1", paper.title)}, sources, [])
    assert title_held == []  # the title restates the question; it is not the abstract's
    held = fillers([part], {0: ("1", "Cloud cover limits radiation by 70%.")}, sources, [])
    assert [s.status for s in held] == ["quoted"]


def test_two_verbs_joined_by_or_offer_no_choice() -> None:
    for question in (
        "FLOODSIM - which river did they test or demo the model on?",
        "In the flood paper, which river did they test or demo the model on?",
    ):
        [slot] = slots(parts(question))
        assert slot is not None and slot.noun == "river", question
    assert slots(parts("Which is wetter, Assam or Kerala?")) == [None]
