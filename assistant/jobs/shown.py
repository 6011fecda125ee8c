"""What a lookup's prompt shows the model, laid out so that its longest part is shared.

The best paper comes first, as the same text whatever the question (`Compressor.stable`):
the system prompt and that paper's line are then a prefix every question about the paper
shares, and the local model server keeps the state it computed for it on disk
(assistant/model/states.py). What depends on the question (the best paper's other nearest
sentences, the other papers, the conversation, the question) follows it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence

import numpy as np

from assistant.evidence.compress import Compressor, format_sources
from assistant.evidence.grounding import Source, mint_sources
from assistant.model.client import ChatModel, Message
from assistant.model.prompts import load
from assistant.settings import AnswerSettings
from assistant.types import Event
from retrieval.models import Paper
from retrieval.text import split_sentences


def shown_texts(
    compressor: Compressor,
    papers: Sequence[Paper],
    query_vector: np.ndarray,
    about: str,
    policy: AnswerSettings,
) -> tuple[list[str], str]:
    """Each paper's shown text, and the best paper's stable part that leads its text."""
    if not papers:
        return [], ""
    best, *rest = papers
    stable = compressor.stable(best, policy.stable_words)
    nearest = compressor.compress(best, query_vector, keep=policy.shown_first, query=about)
    extra = [s for s in split_sentences(nearest) if s not in stable]
    others = [
        compressor.compress(p, query_vector, keep=policy.shown_rest, query=about) for p in rest
    ]
    return [" ".join([stable, *extra]), *others], stable


def sources_text(sources: Sequence[Source], titles: str) -> str:
    """The best paper by its whole title (its line is the shared prefix, its length costs
    nothing once cached), the others as `titles` says."""
    first = format_sources(sources[:1], titles="full")
    rest = format_sources(sources[1:], titles="short" if titles == "short" else "full")
    return "\n".join(t for t in (first, rest) if t)


def answer_messages(
    sources: Sequence[Source], stable: str, context: str, question: str, titles: str
) -> tuple[list[Message], str]:
    """The lookup's messages, and the start of its user message that every question about
    the best paper shares ("" when there is none)."""
    user = load("answer_user").render(
        sources=sources_text(sources, titles), context=context, question=question
    )
    messages: list[Message] = [
        {"role": "system", "content": load("answer_system").render()},
        {"role": "user", "content": user},
    ]
    if not sources or not stable:
        return messages, ""
    line = format_sources(mint_sources([sources[0].paper], [stable]), titles="full")
    end = user.find(line)
    return messages, user[: end + len(line)] if end >= 0 else ""


def prefix_messages(compressor: Compressor, paper: Paper, policy: AnswerSettings) -> list[Message]:
    """The messages whose state a question about `paper` starts from: the system prompt and
    the user message up to the end of the paper's stable line."""
    stable = compressor.stable(paper, policy.stable_words)
    sources = mint_sources([paper], [stable])
    messages, prefix = answer_messages(sources, stable, "", "", "full")
    return [messages[0], {"role": "user", "content": prefix}]


def prefill(
    messages_for: Callable[[Paper], list[Message]],
    model: ChatModel,
    papers: Sequence[Paper],
    queued: Callable[[Callable[[], Iterator[Event]]], Iterator[Event]],
    echo: Callable[[str], None],
    stop: threading.Event | None = None,
) -> int:
    """The model server's state for each paper's prefix, computed where none is saved (a
    model without saved states does nothing), each paper in the model's queue so that a
    question waits for at most one; until `stop` is set. Returns how many were computed."""
    keep = getattr(model, "prefill", None)
    if keep is None:
        return 0
    computed = 0
    for number, paper in enumerate(papers, 1):
        if stop is not None and stop.is_set():
            break
        done: list[bool] = []

        def step(paper: Paper = paper, done: list[bool] = done) -> Iterator[Event]:
            done.append(keep(messages_for(paper)))
            yield from ()

        for _ in queued(step):
            pass
        computed += sum(done)
        if done and done[0]:
            echo(f"{number}/{len(papers)} {paper.short_ref()}")
    return computed
