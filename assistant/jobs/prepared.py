"""What the ask pipeline decided about a question before the model is called."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from assistant.evidence.asked import Asked
from assistant.evidence.grounding import Source
from assistant.types import Answer
from retrieval.models import Hit
from retrieval.query import QueryPlan


@dataclass
class Prepared:
    """Everything decided before the model is called."""

    question: str
    plan: QueryPlan
    hits: list[Hit] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    final: Answer | None = None  # answered (or abstained) without the model
    query_vector: np.ndarray | None = None
    context: str = ""
    retrieval_seconds: float = 0.0
    asked: list[Asked] = field(default_factory=list)
    # part index -> (key of the shown source, its sentence holding the asked attribute)
    holding: dict[int, tuple[str, str]] = field(default_factory=dict)
    query: str = ""  # what was searched (a follow-up's earlier question joined)
    subject: str = ""  # a follow-up's earlier question, whose names the parts share
    # Hits the gate refused that the model may still admit (relevance.py); `final` holds
    # "not covered" until it has read them.
    undecided: list[Hit] = field(default_factory=list)
    judging: float | None = None
    admitted: bool = False  # the model said the question is about the best hit
    stable: str = ""  # the best paper's text as every question about it shows it
    # Papers a question describing one may be about (relevance.choices): the model picks
    # one before it answers; the answer was grounded on the ranking's first meanwhile.
    choosing: list[Hit] = field(default_factory=list)

    @property
    def waiting(self) -> bool:
        """The model has a look to take before the answer stands."""
        return bool(self.undecided or self.choosing)
