"""An agent's answer made whole: each asked part the agent's kept sentences do not speak
of gets the pipeline's filler, as a pipeline answer would.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from assistant.evidence.grounding import Composer, Source
from assistant.jobs.prepared import Prepared
from assistant.jobs.verdicts import fillers
from assistant.types import AnswerEvent, Event, TextEvent


def cover(prepared: Prepared, events: Iterable[Event]) -> Iterator[Event]:
    """An agent's answer gets the pipeline's per-part coverage: each asked part none of
    its kept sentences speaks of is quoted from the record holding it, or said to be not
    stated ("..., and how many GPUs?" answered with the frames alone)."""
    for event in events:
        if not isinstance(event, AnswerEvent) or not event.answer.answered:
            yield event
            continue
        answer = event.answer
        kept = [s for s in answer.sentences if s.status != "unsupported"]
        wanted = fillers(prepared.asked, prepared.holding, prepared.sources, [s.text for s in kept])
        if not wanted:
            yield event
            continue
        cited = {c.paper.id: c.key for c in answer.citations}
        shown = {s.key: s.paper for s in prepared.sources}
        composer = Composer(
            [
                *(Source(key=c.key, paper=c.paper) for c in answer.citations),
                *(Source(key=f"shown-{k}", paper=p) for k, p in shown.items() if p.id not in cited),
            ]
        )
        for sentence in kept:
            composer.add(sentence)
        added = [
            composer.add(
                f.model_copy(
                    update={"keys": [cited.get(shown[k].id, f"shown-{k}") for k in f.keys]}
                )
            )
            for f in wanted
        ]
        text = " ".join(p for p in added if p)
        if not text:  # every filler repeated a kept sentence: nothing to add
            yield event
            continue
        yield TextEvent(delta=" " + text)
        yield AnswerEvent(
            answer=answer.model_copy(
                update={
                    "text": f"{answer.text} {text}",
                    "citations": composer.citations,
                    "sentences": [*answer.sentences, *composer.sentences[len(kept) :]],
                }
            )
        )
