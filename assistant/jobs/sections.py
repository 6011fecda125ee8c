"""What summaries and bios share: checking a reply's sentences, and assembling checked
sentences under headings with keys renumbered across the whole answer."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.evidence.grounding import Checker, Draft, Source, compose
from assistant.model.replies import ReplySentence
from assistant.types import Answer, Sentence, Timings


def check_items(checker: Checker, items: Sequence[ReplySentence]) -> list[Sentence]:
    return [
        checker.check(Draft(text=item.text, sources=[str(k) for k in item.sources]))[0]
        for item in items
    ]


def assemble(
    intro: str,
    sections: list[tuple[str, list[Sentence]]],
    sources: Sequence[Source],
    *,
    kind: str,
    model: str,
    timings: Timings,
) -> Answer:
    """Reduce: one block per theme, keys renumbered across the whole answer."""
    flat = [s for _, sentences in sections for s in sentences]
    _, citations, final = compose(flat, sources)
    lines = [intro]
    i = 0
    for heading, sentences in sections:
        block = final[i : i + len(sentences)]
        i += len(sentences)
        body = [
            f"- {s.text.rstrip('.')} {''.join(f'[{k}]' for k in s.keys)}".rstrip()
            for s in block
            if s.status != "unsupported"
        ]
        if body:
            lines.append(f"\n**{heading}**" if heading else "")
            lines.extend(body)
    unsupported = sum(s.status == "unsupported" for s in final)
    return Answer(
        text="\n".join(lines).strip(),
        answered=bool(citations),
        citations=citations,
        unsupported=unsupported,
        reattributed=sum(s.status in ("reattributed", "attributed") for s in final),
        sentences=final,
        kind=kind,
        model=model,
        timings=timings,
    )
