"""A second look before "not covered": a question put in other words than its record's
("borrowing against a home that gained value" for a paper on house prices and household
borrowing) shares no topic word with it, so the lexical gate refuses it. When the best hits
sit between the abstention cut and the strong cut, the model reads each one's title and its
sentences nearest the question, and says whether the paper is about what the question
asks. It can only admit a hit the embedder already ranked; it never makes a record say
anything (the answer is checked as ever).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np

from assistant.evidence.select import held_words, topic_words
from assistant.model.client import ChatModel
from assistant.model.prompts import load
from assistant.model.replies import VERDICT_SCHEMA, choice_of, choice_schema, verdict_of
from assistant.settings import AnswerSettings
from retrieval.intent import DESCRIBES_ONE
from retrieval.models import Filters, Hit, Paper
from retrieval.search import Searcher
from retrieval.text import tokenize

# A topic named in a few words ("robotics", "fetal brain MRI segmentation") is named as the
# records would name it: none of its words in them means the corpus does not cover it. A
# question that describes its subject in a sentence may use other words than the record.
DESCRIBED = 5
# The hits the gate reads for the question's words; the judge chooses among the same.
CANDIDATES = 3


def undecided(
    hits: Sequence[Hit], topic: str, policy: AnswerSettings, nearest: Callable[[Paper], float]
) -> list[Hit]:
    """The hits the model may still admit: for a topic described in `DESCRIBED` content
    words or more, `judged_hits` of the gate's candidates and the hit the embedder ranks
    first, above the abstention cut (below it the corpus does not cover the question), the
    one with the sentence nearest the question first. A question that describes a finding in
    other words matches the one sentence of its record that states it more closely than it
    matches the whole abstract, which is what ranked the hits."""
    if len(topic_words(topic)) < DESCRIBED:
        return []
    return sorted(_candidates(hits, policy), key=lambda h: -nearest(h.paper))[: policy.judged_hits]


def _candidates(hits: Sequence[Hit], policy: AnswerSettings) -> list[Hit]:
    """The gate's candidates and the embedder's best, above the abstention cut, in rank
    order. A question in other words than its record shares few of them, so the
    word-matching half of the ranking can push its paper below the top three: the
    embedder's best joins."""
    best = max(hits, key=lambda h: h.dense or 0.0, default=None)
    candidates = [*hits[:CANDIDATES], *([best] if best and best not in hits[:CANDIDATES] else [])]
    return [h for h in candidates if (h.dense or 0.0) >= policy.min_named_relevance]


class TopicJudge:
    """Is this paper about what the question asks? yes | no, under a grammar. A mute model
    (no verdict) admits nothing: "not covered" stands."""

    def __init__(self, model: Callable[[], ChatModel]) -> None:
        self.model = model

    def __call__(self, question: str, paper: Paper, sentences: str) -> bool:
        user = load("relevance_user").render(
            title=paper.title, sentences=sentences, question=question
        )
        messages = [
            {"role": "system", "content": load("relevance_system").render()},
            {"role": "user", "content": user},
        ]
        reply = "".join(self.model().stream_json(messages, VERDICT_SCHEMA, 12))
        return verdict_of(reply) is True


def admitted(
    question: str,
    hits: Sequence[Hit],
    shown: Callable[[Paper], str],
    judge: Callable[[str, Paper, str], bool],
) -> Hit | None:
    """The first hit, in rank order, the judge says the question is about, reading what
    `shown` gives of each record (its sentences nearest the question)."""
    return next((h for h in hits if judge(question, h.paper, shown(h.paper))), None)


def choices(hits: Sequence[Hit], topic: str, policy: AnswerSettings) -> list[Hit]:
    """The papers a question that describes one paper in a sentence of its own words
    (`DESCRIBES_ONE` topic words or more) may be about: the gate's candidates and the
    embedder's best, above the abstention cut, in rank order; none when only one is. The
    ranking weighs shared words, and a description in everyday words shares few with its
    record ("coaching someone through a recipe" for a cooking-guidance paper)."""
    words = topic_words(topic)
    if not policy.choose_described or len(words) < DESCRIBES_ONE or not hits:
        return []
    # The first hit holds half the description's words or more, as the gate asks of a long
    # question: the question is in its record's own terms, and the ranking stands.
    first = hits[0].paper
    if held_words(words, set(tokenize(f"{first.title} {first.abstract}"))) >= len(words) / 2:
        return []
    above = _candidates(hits, policy)
    return above if len(above) > 1 else []


class PaperChooser:
    """Which of the numbered papers does the question describe? A number under a grammar,
    0 for none; a mute model (or 0) leaves the ranking as it was."""

    def __init__(self, model: Callable[[], ChatModel]) -> None:
        self.model = model

    def __call__(self, question: str, papers: Sequence[tuple[Paper, str]]) -> int | None:
        listed = "\n".join(
            f"[{i}] {paper.title}: {sentences}" for i, (paper, sentences) in enumerate(papers, 1)
        )
        messages = [
            {"role": "system", "content": load("choose_system").render()},
            {
                "role": "user",
                "content": load("choose_user").render(papers=listed, question=question),
            },
        ]
        reply = "".join(self.model().stream_json(messages, choice_schema(len(papers)), 12))
        chosen = choice_of(reply, len(papers))
        return chosen - 1 if chosen is not None else None


def dated_content(
    searcher: Searcher, filters: Filters, query: str, vector: np.ndarray, k: int
) -> tuple[list[Hit], Filters]:
    """A question's year may date what the paper studies, not the paper ("the climate
    strikes back in 2019" in a 2021 paper): the hits without the year filter whose records
    write that year, and the filters without it; no hits, and the year filter stands."""
    years = {str(y) for y in (filters.year_from, filters.year_to) if y is not None}
    undated = filters.model_copy(update={"year_from": None, "year_to": None})
    hits = [
        h
        for h in searcher.search(query, k=k, filters=undated, query_vector=vector)
        if any(re.search(rf"(?<!\d){y}(?!\d)", h.paper.abstract) for y in years)
    ]
    return hits, undated
