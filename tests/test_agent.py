"""Agent mode's logic, driven by FAKE models (a scripted LangChain model for native tool
calls, `FakeChatModel` for JSON steps); the real embedded model is in test_agent_real.py."""

from __future__ import annotations

import json
from typing import Any

import pytest
from langchain_core.messages import AIMessage, ToolMessage

from assistant.jobs.agent import KeyRegistry, json_steps, make_tools, native
from assistant.jobs.tools import CorpusTools
from assistant.model.replies import parse_step, step_schema
from assistant.types import AnswerEvent, SourcesEvent, TextEvent, WaitingEvent
from tests.fakes import FakeChatModel, ScriptedFakeChatModel

NULLS = {"year_from": None, "year_to": None, "category": None, "author": None, "has_code": None}


def test_agent_calls_tools_and_its_answer_is_checked(make_assistant: Any) -> None:
    fake = ScriptedFakeChatModel(
        script=[
            AIMessage(
                content="",
                tool_calls=[
                    {"name": "search_papers", "args": {"query": "DINO AP 12 epochs"}, "id": "c1"}
                ],
            ),
            AIMessage(
                content="DINO achieves 49.4 AP in 12 epochs [1]. It won the Turing Award [1]. "
                "It is widely used [7]."
            ),
        ],
        seen=[],
    )
    assistant = make_assistant(None, agent_model=fake)
    assistant.settings.llm.mode = "agent"
    answer = assistant.ask("What AP does DINO achieve in 12 epochs?")
    tool_results = [m for m in fake.seen[-1] if isinstance(m, ToolMessage)]
    assert tool_results and "[1] DINO" in str(tool_results[0].content)
    assert "49.4" in answer.text and "Turing" not in answer.text
    assert answer.citations[0].paper.title.startswith("DINO:")
    assert "7" in answer.dropped_keys and answer.unsupported >= 1


def test_native_agent_without_sources_abstains(make_assistant: Any) -> None:
    fake = ScriptedFakeChatModel(
        script=[AIMessage(content="Quantum chips use qubits [1].")], seen=[]
    )
    services = make_assistant(None).services
    answer = native(services, "What about quantum hardware?", None, fake, "http://fake")
    assert not answer.answered and answer.citations == []


def test_list_and_stats_tools_are_exact(make_assistant: Any) -> None:
    registry = KeyRegistry()
    tools = {t.name: t for t in make_tools(make_assistant(None).services, registry, "with code?")}
    listed = tools["list_papers"].invoke({"has_code": True})
    assert listed.startswith("12 papers") and len(registry.sources) == 12
    stats = tools["corpus_stats"].invoke({})
    assert "h-index 32" in stats and "42 papers" in stats
    assert tools["get_paper"].invoke({"key": "99"}) == "No source [99] was shown."


def test_step_schema_is_generated_and_parses_each_tool() -> None:
    schema = step_schema()
    tools = [branch["properties"]["tool"]["const"] for branch in schema["anyOf"]]
    assert tools == ["search_papers", "list_papers", "get_paper", "corpus_stats", "final"]
    search = schema["anyOf"][0]
    assert "year_from" in search["required"]  # optional arguments: required but nullable
    assert {"type": "null"} in search["properties"]["year_from"]["anyOf"]
    step = parse_step(json.dumps({"tool": "get_paper", "key": 2}))
    assert step.tool == "get_paper"
    assert step_schema(final_only=True)["properties"]["tool"]["const"] == "final"


def test_invented_arguments_are_dropped_and_the_codes_filters_win(make_assistant: Any) -> None:
    services = make_assistant(None).services
    question = "Which papers did he write with Baoyuan Wang in 2023?"
    tools = CorpusTools(services, KeyRegistry(), question, services.plan(question))
    filters = tools.vet(year_from=1990, year_to=2020, category="CL", author=services.owner)
    assert filters.year_from == 2023 and filters.year_to == 2023  # the code's analysis
    assert filters.author == "Baoyuan Wang" and filters.categories is None
    notes = tools.take_notes()
    assert "ignored category 'CL'" in notes and "every paper is by the owner" in notes

    plain = "What is DINO?"
    tools = CorpusTools(services, KeyRegistry(), plain, services.plan(plain))
    assert tools.vet(year_from=2000, category="CV", author="Lei Zhang", has_code=True).is_empty()


def test_the_codes_second_author_and_venue_reach_the_agents_tools(make_assistant: Any) -> None:
    services = make_assistant(None).services
    question = "What did Baoyuan Wang and Lei Zhang publish together?"
    plan = services.plan(question)
    assert plan.filters.coauthor  # two of the corpus's authors, both on the papers asked for
    tools = CorpusTools(services, KeyRegistry(), question, plan)
    filters = tools.vet()
    assert {filters.author, filters.coauthor} == {plan.filters.author, plan.filters.coauthor}
    venued = plan.model_copy(update={"filters": plan.filters.model_copy(update={"venue": "X"})})
    assert CorpusTools(services, KeyRegistry(), question, venued).vet().venue == "X"


def test_json_agent_searches_then_answers_with_checked_citations(make_assistant: Any) -> None:
    fake = FakeChatModel(
        [
            {"tool": "search_papers", "query": "DINO AP 12 epochs", **NULLS},
            {
                "tool": "final",
                "sentences": [
                    {"text": "DINO achieves 49.4 AP in 12 epochs.", "sources": [1]},
                    {"text": "It won the Turing Award.", "sources": [1]},
                    {"text": "It is widely used.", "sources": [7]},
                ],
            },
        ]
    )
    assistant = make_assistant(fake)
    assistant.settings.llm.mode = "agent"
    events = list(assistant.stream("What AP does DINO achieve in 12 epochs with ResNet-50?"))
    kinds = [type(e) for e in events]
    assert kinds[0] is SourcesEvent and kinds[-1] is AnswerEvent and TextEvent in kinds
    assert WaitingEvent not in kinds  # nobody ahead: no waiting
    answer = events[-1].answer
    assert "49.4" in answer.text and "Turing" not in answer.text
    assert answer.citations[0].paper.title.startswith("DINO:")
    assert "7" in answer.dropped_keys and answer.unsupported >= 1
    assert "".join(e.delta for e in events if isinstance(e, TextEvent)) == answer.text
    shown = fake.calls[1][-1]["content"]  # the step after the search saw its result
    assert "<<<" in shown and "[1] DINO" in shown


def test_json_agent_is_bounded_and_ends_with_a_final_step(make_assistant: Any) -> None:
    searching = {"tool": "search_papers", "query": "quantum chip qubits", **NULLS}
    fake = FakeChatModel([searching] * 4 + [{"tool": "final", "sentences": []}])
    services = make_assistant(fake).services
    services.policy.agent_steps = 3
    events = list(json_steps(services, "What about quantum hardware?", fake))
    assert len(fake.calls) == 3  # never more steps than allowed
    assert "No relevant papers" in fake.calls[1][-1]["content"]
    assert "Already done" in fake.calls[2][-1]["content"]  # a repeated call is not rerun
    assert "final answer" in fake.calls[2][-1]["content"]  # the last step must answer
    answer = events[-1].answer
    assert not answer.answered


def test_json_agent_answers_right_after_a_tool_showed_papers(make_assistant: Any) -> None:
    fake = FakeChatModel([{"tool": "search_papers", "query": "DINO AP", **NULLS},
                          {"tool": "final", "sentences": []}])  # fmt: skip
    services = make_assistant(fake).services
    list(json_steps(services, "What AP does DINO reach?", fake))
    assert "final answer" in fake.calls[1][-1]["content"]
    # The final step said nothing although the search showed papers: one rewrite with the
    # pipeline's answer prompt over exactly those papers, and no further step.
    assert len(fake.calls) == 3 and "<sources>" in fake.calls[2][-1]["content"]
    assert "[1] DINO" in fake.calls[2][-1]["content"]


def test_json_agent_falls_back_to_the_codes_papers_when_its_tools_found_none(
    make_assistant: Any,
) -> None:
    fake = FakeChatModel(
        [
            {"tool": "search_papers", "query": "quantum chip qubits", **NULLS},
            {"tool": "final", "sentences": []},
            {"sentences": [{"text": "DINO achieves 49.4 AP in 12 epochs.", "sources": [1]}]},
        ]
    )
    assistant = make_assistant(fake)
    assistant.settings.llm.mode = "agent"
    answer = assistant.ask("What AP does DINO achieve in 12 epochs?")
    assert "No relevant papers" in fake.calls[1][-1]["content"]  # its own search failed
    assert len(fake.calls) == 3 and "[1] DINO" in fake.calls[2][-1]["content"]
    assert answer.answered and "49.4" in answer.text
    assert answer.citations[0].paper.title.startswith("DINO:")


def test_json_agent_reads_a_follow_up_with_its_earlier_question(make_assistant: Any) -> None:
    fake = FakeChatModel({"tool": "final", "sentences": []})
    assistant = make_assistant(fake)
    assistant.settings.llm.mode = "agent"
    history = [
        {"role": "user", "content": "What is Step-Audio?"},
        {"role": "assistant", "content": "Step-Audio is a speech model [1]."},
    ]
    assistant.ask("How many parameters does it have?", history)
    assert "Step-Audio" in fake.calls[0][-1]["content"]


def test_agent_answer_covers_each_asked_part(make_assistant: Any) -> None:
    frames = {"text": "Step-Video-T2V generates videos up to 204 frames.", "sources": [1]}
    fake = FakeChatModel(
        [
            {"tool": "search_papers", "query": "Step-Video-T2V frames", **NULLS},
            {"tool": "final", "sentences": [frames]},
        ]
    )
    assistant = make_assistant(fake)
    assistant.settings.llm.mode = "agent"
    events = list(
        assistant.stream(
            "How many frames can Step-Video-T2V generate, how many parameters does it have,"
            " and how many GPUs were used to train it?"
        )
    )
    answer = events[-1].answer
    assert "".join(e.delta for e in events if isinstance(e, TextEvent)) == answer.text
    assert answer.text.startswith("Step-Video-T2V generates videos up to 204 frames [1].")
    assert "does not state the number of GPUs" in answer.text
    assert "30B parameters" in answer.text  # quoted from the record that holds it
    keys = [k for s in answer.sentences if s.status != "unsupported" for k in s.keys]
    assert set(keys) == {c.key for c in answer.citations}  # every key shown is cited


@pytest.mark.parametrize("question", ["What is his h-index?", "Which papers were from 2024?"])
def test_agent_mode_keeps_facts_and_metadata_answers_exact(
    make_assistant: Any, question: str
) -> None:
    fake = FakeChatModel({"tool": "final", "sentences": []})
    assistant = make_assistant(fake)
    assistant.settings.llm.mode = "agent"
    answer = assistant.ask(question)
    assert answer.model == "metadata" and fake.calls == []
