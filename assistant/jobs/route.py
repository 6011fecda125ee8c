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

from retrieval.query import REQUEST_WORDS, QueryPlan, analyze
from retrieval.text import STOPWORDS

# A request for a summary, anywhere in the message ("give me a short overview of ...",
# "tl;dr of ...", "can you give a quick rundown of ..."); a question that opens by asking
# for papers, a count or a date is a list, a count or a lookup whatever else it says.
SUMMARY = re.compile(
    r"\b(?:summari[sz]e|summary|overview|tl;?dr|recap|run-?down|gist|synopsis)\b", re.I
)
NOT_SUMMARY = re.compile(r"^\s*(?:which|how\s+many|when|who|in\s+what\s+year)\b", re.I)
# one paper pointed at ("the 2024 paper", "that model"): a question about it
ONE_PAPER = re.compile(
    r"\b(?:the|this|that)\s+(?:[\w-]+\s+)?(?:paper|article|model|method|system)\b(?!s)", re.I
)
# A question about a body of work: what the researcher has done or found ("what has he done
# on X", "what's she published about X", "what has <First Last> found about X") or what the
# papers say ("what do these papers say about X"). What "his research" finds is a question:
# it is answered or refused.
_TOPIC_AFTER = r"(?:\s+\w+)?\s+(?:on|about|in|with|w/|regarding|concerning|around)(?!\w)"
BODY_OF_WORK = re.compile(
    r"(?i:\bwhat(?:'s|\s+has|\s+have|\s+had|\s+did|\s+does|\s+do)?)\s+"
    r"(?:(?i:he|she|(?:this|the)\s+(?:researcher|author|scientist))|[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)+"
    # a name typed in lower case ("zhuoran qiao"), never "the papers" or "his research"
    r"|(?:(?!(?:his|her|their|its|the|this|that|these|those|my|your|our|an?|does|did|do|has|"
    r"have|had|is|are|was|were)\b)[a-z][\w'-]+\s+){1,2}[a-z][\w'-]+)"
    r"\s+(?i:(?:been\s+)?(?:done|do|did|published|publish|worked|work|written|write|"
    r"contributed|contribute|studied|study|found|find|shown|show)\b" + _TOPIC_AFTER + ")"
    r"|(?i:\bwhat\s+(?:do|did)\s+(?:these|the|those|his|her|their|(?:this|the)\s+"
    r"(?:researcher|author)'s)\s+(?:papers|publications|articles)\s+(?:say|find|show|report)"
    + _TOPIC_AFTER
    + ")"
)
# "What does he work on?", "What is her research about?", "What kind of research does
# Shum do?": the researcher's work as a whole, with no topic named. The short bio answers it
# (the threads of the work and their best results, cited); as a search it had no topic.
_NAME = r"[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)*"
_WHO = rf"(?:he|she|they|(?:this|the)\s+(?:researcher|author|scientist)|{_NAME})"
_HIS = rf"(?:his|her|their|(?:this|the)\s+(?:researcher|author)'s|{_NAME}'s)"
OVERVIEW = re.compile(
    rf"^\s*(?i:what)\s+(?:(?i:does|did|has|have|do)\s+{_WHO}\s+(?i:work(?:ed)?\s+on|research|"
    rf"stud(?:y|ied)|focus(?:ed)?\s+on)|(?i:is|are)\s+{_HIS}\s+(?i:research|work)"
    rf"(?:\s+(?i:about|on))?|(?i:kind|sort|type)s?\s+of\s+(?i:research|work)\s+(?i:does|did)\s+"
    rf"{_WHO}\s+(?i:do))\s*[?.!]?\s*$"
)
# "What are her main research areas?", "What topics does he work on?": the threads of the
# work, which the corpus's categories state as a fact where it has them, else the short bio.
AREAS = re.compile(
    rf"^\s*(?i:what)(?:['’]s|\s+(?i:are|were|is))\s+{_HIS}\s+(?i:(?:main|key|major|primary)\s+)?"
    r"(?i:(?:research\s+)?(?:areas?|topics?|interests?|fields?|themes?|directions?))\b"
    rf"|^\s*(?i:what|which)\s+(?i:topics|areas|fields|themes)\s+(?i:does|did|do)\s+{_WHO}\s+"
    r"(?i:work\s+on|study|research|cover|publish\s+on|write\s+about)\b"
)
BIO = re.compile(
    r"\b(?:draft|write|compose|prepare|give\s+me)\b.*\b(?:bio|biography|"
    r"(?:talk|speaker)\s+intro(?:duction)?|"
    r"intro(?:duction)?\b(?=.*\b(?:talk|speaker|seminar|keynote|lecture|colloquium)\b))",
    re.I,
)
# "these papers", "this collection of publications", "the library": the request pointing
# at the corpus itself ("..., based on these papers": where the text comes from), never a
# topic.
CORPUS = (
    r"(?:these|this|the|his|her|their)\s+(?:(?:whole|entire)\s+)?"
    r"(?:(?:collection|set|list|library|corpus|bibliography)(?:\s+of\s+(?:(?:his|her|their|the)\s+)?"
    r"(?:papers|abstracts|records|publications|works))?|papers|abstracts|records|publications|works)"
)
BASED_ON = re.compile(rf",?\s*\b(?:based\s+on|using|from|of)\s+{CORPUS}\b.*$", re.I)
ONLY_CORPUS = re.compile(
    rf"^\s*(?:{CORPUS}|(?:(?:whole|entire)\s+)?(?:collection|library|corpus|bibliography))"
    r"\s*[.?!]?\s*$",
    re.I,
)
TALK = re.compile(r"\b(?:talk|speaker|seminar|keynote|lecture|colloquium)\b|\bintroduc", re.I)
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


def route(
    question: str,
    plan: QueryPlan,
    previous: QueryPlan | None = None,
    names_paper: bool = False,
    plan_of: Callable[[str], QueryPlan] = analyze,
    categories: bool = True,
) -> Route:
    """The job and its options; a summary of "those" reuses the previous question's topic.
    A message that names a paper (`names_paper`) asks about it, whatever it calls it. A
    summary's topic is what follows the request ("... overview of <topic>"), planned by
    `plan_of`, so the request's own words ("tl;dr", "what has he done on") are not in it.
    A corpus without `categories` has no areas to state: "what are his research areas?" is
    answered by the short bio's threads of the work."""
    if BIO.search(question):
        about = ABOUT.search(question)
        topic = BASED_ON.sub("", about["topic"]).strip() if about else None
        if topic and ONLY_CORPUS.match(topic):  # "... based on this collection of papers"
            topic = None
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
    # "what has he done on OrbNet": the work on a name is a body of work, though a paper
    # bears the name
    body = None if ONE_PAPER.search(question) else BODY_OF_WORK.search(question)
    if (names_paper and not body) or NOT_SUMMARY.search(question):
        return Route()
    if OVERVIEW.match(question) or (not categories and AREAS.match(question)):
        return Route(job="bio")
    summary = None if names_paper else SUMMARY.search(question)
    asked = summary or body
    if asked is None:
        return Route()
    rest = re.sub(r"^\s*(?:of|on|about|for)\b", "", question[asked.end() :]).strip()
    # "what has he done on X? want the full list": the topic ends with its sentence
    rest = re.split(r"(?:(?<=[?!])|(?<=[a-z]{3}\.))\s+(?=\w)", rest, maxsplit=1)[0]
    if (not rest or FOLLOW_UP_ONLY.match(rest)) and previous is not None:
        return Route(job="summarize", topic=previous.topic or None)
    if summary and ONLY_CORPUS.match(rest):  # "Summarize this collection of papers": all
        return Route(job="summarize", topic=None)
    topic = plan_of(rest).topic if rest.strip(" ?.!") else ""
    if not summary and not plan.topic and not plan.filters.is_empty():
        topic = ""  # "what has he published in <a venue>": the words were a filter
    if not topic and not summary:
        return Route()  # "what has she written with <co-author>": a list by its filter
    return Route(job="summarize", topic=topic or plan.topic or None)


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
