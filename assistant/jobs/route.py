"""Which job a chat message asks for (a question, a summary, a bio/talk intro), and how a
follow-up turn borrows from the previous one.

In chat people say "Summarize the work on X" or "Draft a short talk introduction about his
work on Y"; those go to the jobs built for them, with their topic and options read here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, Literal

from pydantic import BaseModel

from retrieval.query import REQUEST_WORDS, QueryPlan
from retrieval.text import STOPWORDS

SUMMARY = re.compile(
    r"^\s*(?:please\s+)?(?:summari[sz]e|give\s+(?:me\s+)?(?:an?\s+)?(?:overview|summary)|"
    r"(?:an?\s+)?(?:overview|summary)\s+of)\b",
    re.I,
)
BIO = re.compile(
    r"\b(?:draft|write|compose|prepare|give\s+me)\b.*\b(?:bio|biography|"
    r"talk\s+intro(?:duction)?|introduction\s+for\s+(?:his|her|their)\s+talk|speaker\s+intro)",
    re.I,
)
TALK = re.compile(r"\btalk\b|\bspeaker\b|\bintroduc", re.I)
ABOUT = re.compile(
    r"\b(?:about|on|covering|focused\s+on)\s+(?:(?:his|her|their|the)\s+)?"
    r"(?:work\s+on\s+|research\s+on\s+)?(?P<topic>[^.?!]+)",
    re.I,
)
AUDIENCE = re.compile(
    r"\bfor\s+(?:an?\s+)?(?P<aud>[\w\s-]{3,40}?)\s*(?:audience)?\s*(?:[.?!]|$)", re.I
)
# Words that point back at an earlier turn's paper or papers. "he"/"his" are the corpus's
# owner in every turn, so they never make a follow-up.
FOLLOW_UP = re.compile(
    r"\b(?:it|its|it's|they|their|them|those|these|"
    r"(?:this|that|the|same)\s+(?:paper|papers|model|method|system|approach|work|one|ones)|"
    r"the\s+(?:above|previous|same)|above|previous)\b",
    re.I,
)
# An ellipsis: "What about its speed?", "And the FID?", "How about in 2023?"
ELLIPSIS = re.compile(r"^\s*(?:and|also|what\s+about|how\s+about|same\s+for)\b", re.I)
FOLLOW_UP_ONLY = re.compile(r"^\s*(?:those|these|them|that|it|the\s+above|this)\s*[.?!]?\s*$", re.I)


class Route(BaseModel):
    job: Literal["ask", "summarize", "bio"] = "ask"
    topic: str | None = None
    kind: Literal["bio", "talk_intro"] = "bio"
    length: Literal["short", "medium", "long"] = "short"
    audience: str = "general"


def route(question: str, plan: QueryPlan, previous: QueryPlan | None = None) -> Route:
    """The job and its options; a summary of "those" reuses the previous question's topic."""
    if BIO.search(question):
        about = ABOUT.search(question)
        topic = about["topic"].strip() if about else None
        if topic:  # "Heung-Yeung Shum's work on conversational AI" -> "conversational AI"
            topic = re.sub(r"^.*?\b(?:work|research|papers?)\s+(?:on|in|about)\s+", "", topic)
            words = re.findall(r"[\w'-]+", topic)
            if all(w.lower() in REQUEST_WORDS | STOPWORDS for w in words):
                topic = None  # "based on these papers": the request, not a topic
        audience = AUDIENCE.search(question)
        return Route(
            job="bio",
            topic=_strip_audience(topic),
            kind="talk_intro" if TALK.search(question) else "bio",
            length=_length(question),
            audience=audience["aud"].strip() if audience else "general",
        )
    if SUMMARY.search(question):
        rest = SUMMARY.sub("", question).strip()
        if (not rest or FOLLOW_UP_ONLY.match(rest)) and previous is not None:
            return Route(job="summarize", topic=previous.topic or None)
        return Route(job="summarize", topic=plan.topic or None)
    return Route()


def _length(question: str) -> Literal["short", "medium", "long"]:
    lowered = question.lower()
    if re.search(r"\b(?:long|detailed|full|extended)\b", lowered):
        return "long"
    if re.search(r"\bmedium\b", lowered):
        return "medium"
    return "short"


def _strip_audience(topic: str | None) -> str | None:
    if not topic:
        return None
    topic = re.split(
        r"\s+for\s+(?:an?\s+)?[\w\s-]*audience\b|\s+for\s+(?:students|experts|a\s+)", topic
    )[0]
    return topic.strip() or None


def previous_user_question(history: Sequence[dict[str, Any]] | None) -> str | None:
    users = [m.get("content") for m in history or [] if m.get("role") == "user"]
    return str(users[-1]) if users else None


def is_follow_up(question: str, history: Sequence[dict[str, Any]] | None) -> bool:
    """Only a pronoun or an ellipsis with no topic of its own borrows the earlier turn;
    a self-contained question ("Did he publish anything on protein folding?") never does."""
    if not previous_user_question(history):
        return False
    if FOLLOW_UP.search(question) or ELLIPSIS.search(question):
        return True
    return len(re.findall(r"\w+", question)) <= 3


def resolve_follow_up(question: str, history: Sequence[dict[str, Any]] | None) -> str:
    """The retrieval query for a turn: a follow-up borrows the previous user question."""
    if is_follow_up(question, history):
        return f"{previous_user_question(history)} {question}"
    return question


def previous_exchange(
    history: Sequence[dict[str, Any]] | None, limit: int = 300, question: str | None = None
) -> str:
    """The last question and answer, briefly, so the model can read 'its' and 'those'; none
    when `question` stands on its own."""
    if not history or (question is not None and not is_follow_up(question, history)):
        return ""
    lines = []
    for message in list(history)[-2:]:
        role = "Earlier question" if message.get("role") == "user" else "Earlier answer"
        lines.append(f"{role}: {str(message.get('content', ''))[:limit]}")
    return "\n".join(lines)


def narrowed(
    plan: QueryPlan,
    question: str,
    history: Sequence[dict[str, str]] | None,
    planner: Callable[[str], QueryPlan],
) -> QueryPlan:
    """'Which of those came out in 2024?' after a topic list: the earlier topic under the
    new filters, not the whole corpus."""
    if not plan.is_metadata_only or not is_follow_up(question, history):
        return plan
    previous = previous_user_question(history)
    earlier = planner(previous) if previous else None
    if earlier is None or not earlier.topic:
        return plan
    filters = {
        **earlier.filters.model_dump(exclude_none=True),
        **plan.filters.model_dump(exclude_none=True),
    }
    return plan.model_copy(
        update={"topic": earlier.topic, "filters": type(plan.filters)(**filters)}
    )
