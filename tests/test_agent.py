"""Agent mode's tool orchestration, driven by a SCRIPTED FAKE LangChain chat model."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, ToolMessage

from assistant.jobs.agent import KeyRegistry, make_tools, run_agent
from tests.fakes import ScriptedFakeChatModel


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


def test_agent_without_sources_abstains(make_assistant: Any) -> None:
    fake = ScriptedFakeChatModel(
        script=[AIMessage(content="Quantum chips use qubits [1].")], seen=[]
    )
    services = make_assistant(None).services
    answer = run_agent(services, "What about quantum hardware?", None, fake, "http://fake")
    assert not answer.answered and answer.citations == []


def test_list_and_stats_tools_are_exact(make_assistant: Any) -> None:
    registry = KeyRegistry()
    tools = {t.name: t for t in make_tools(make_assistant(None).services, registry)}
    listed = tools["list_papers"].invoke({"has_code": True})
    assert listed.startswith("12 papers") and len(registry.sources) == 12
    stats = tools["corpus_stats"].invoke({})
    assert "h-index 32" in stats and "42 papers" in stats
    assert tools["get_paper"].invoke({"paper_id": "nope"}) == "No paper with id nope."
