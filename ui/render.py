"""HTML for the conversation and the paper cards.

Every string from a paper or a model is untrusted (a title may hold `<script>`, an
abstract `<img onerror=...>` or a `[link](javascript:...)`): it goes through `esc` and is
shown as text; only http(s) URLs become links. Templating characters are escaped too,
because gr.HTML fills its value into a template.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant import Answer, Citation, Paper, paper_links

MARKER = re.compile(r"\[(\d+)\]")
STATUS_NOTE = {
    "verified": "verified: the cited abstract states this (numbers, polarity, comparison, subject)",
    "quoted": "quoted: the abstract's own sentence",
    "cited": "cited, not verified: its numbers and names occur in the cited abstract, but the "
    "verifier could not confirm the claim",
    "reattributed": "cited, not verified: the citation was corrected to the paper that holds "
    "its numbers and names",
    "attributed": "cited, not verified: the code found the paper that holds its numbers and names",
    "fact": "from the corpus metadata, exact",
}


def esc(text: str | None) -> str:
    """Text as inert HTML: tags, entities and template syntax all shown as typed."""
    out = html.escape(text or "", quote=True)
    return (
        out.replace("$", "&#36;")
        .replace("{", "&#123;")
        .replace("}", "&#125;")
        .replace("`", "&#96;")
    )


@dataclass
class Turn:
    """One exchange of a browser session; `answer` is None while it streams."""

    question: str
    answer: Answer | None = None
    streamed: str = ""
    retrieved: list[Citation] = field(default_factory=list)
    notice: str = ""  # "busy, 2 ahead of you", an error, a progress line


def _segments(line: str, bodies: list[tuple[int, str]]) -> list[tuple[str, str, int]]:
    """Split a line into ("sentence", text, index), ("marker", key, -1), ("text", text, -1)."""
    spans: list[tuple[int, int, int]] = []
    cursor = 0
    for index, body in bodies:
        at = line.find(body, cursor) if body else -1
        if at >= 0:
            spans.append((at, at + len(body), index))
            cursor = at + len(body)
    out: list[tuple[str, str, int]] = []
    last = 0
    for start, end, index in spans:
        out += _markers(line[last:start])
        out.append(("sentence", line[start:end], index))
        last = end
    out += _markers(line[last:])
    return out


def _markers(text: str) -> list[tuple[str, str, int]]:
    out: list[tuple[str, str, int]] = []
    last = 0
    for m in MARKER.finditer(text):
        out += [("text", text[last : m.start()], -1), ("marker", m[1], -1)]
        last = m.end()
    out.append(("text", text[last:], -1))
    return [x for x in out if x[1]]


def answer_html(answer: Answer, turn: int) -> str:
    """The answer with each kept sentence marked by its check status; [n] link to cards."""
    kept = [(i, s) for i, s in enumerate(answer.sentences) if s.status != "unsupported"]
    bodies = [(i, s.text.strip().rstrip(".!?").strip()) for i, s in kept]
    keys = {c.key for c in answer.citations}
    lines = []
    for raw in answer.text.split("\n"):
        line, prefix = raw, ""
        if line.startswith("- "):
            line, prefix = line[2:], "• "
        heading = re.fullmatch(r"\*\*(.+)\*\*", line.strip())
        if heading:
            lines.append(f'<div class="pc-h">{esc(heading[1])}</div>')
            continue
        parts = [esc(prefix)]
        for kind, text, index in _segments(line, bodies):
            if kind == "marker":
                parts.append(_cite(text, turn) if text in keys else esc(f"[{text}]"))
            elif kind == "sentence":
                s = answer.sentences[index]
                note = STATUS_NOTE.get(s.status, s.status) + (f" ({s.note})" if s.note else "")
                parts.append(
                    f'<span class="pc-s pc-{s.status}" data-turn="{turn}" data-sent="{index}"'
                    f' data-keys="{esc(" ".join(s.keys))}" title="{esc(note)}">{esc(text)}</span>'
                )
            else:
                parts.append(esc(text))
        lines.append(f'<div class="pc-line">{"".join(parts)}</div>' if line.strip() else "")
    foot = _footer(answer)
    return "".join(lines) + (f'<div class="pc-foot">{foot}</div>' if foot else "")


def _cite(key: str, turn: int) -> str:
    return (
        f'<a class="pc-cite" href="#pc-card-{turn}-{esc(key)}" data-turn="{turn}"'
        f' data-key="{esc(key)}">[{esc(key)}]</a>'
    )


def _footer(answer: Answer) -> str:
    checked = sum(s.status != "unsupported" for s in answer.sentences)
    bits = [esc(answer.model)] if answer.model else []
    if answer.timings.total:
        bits.append(f"{answer.timings.total:.1f} s")
    if checked:
        bits.append(f"{checked} sentence(s) checked")
    if answer.unsupported:
        bits.append(f"{answer.unsupported} unsupported sentence(s) removed")
    if answer.reattributed:
        bits.append(f"{answer.reattributed} citation(s) corrected")
    if answer.dropped_keys:
        bits.append("unknown keys dropped: " + esc(", ".join(answer.dropped_keys)))
    return " · ".join(bits)


def conversation_html(turns: Sequence[Turn]) -> str:
    if not turns:
        return (
            '<div class="pc-empty">Ask about the papers. Every sentence of an answer is '
            "checked against the abstract it cites; click a sentence or its [n] to see the "
            "supporting sentence.</div>"
        )
    out = []
    for t, turn in enumerate(turns):
        if turn.answer is not None:
            body = answer_html(turn.answer, t)
        elif turn.streamed:  # checked sentences so far; the final answer adds the links
            partial = answer_html(Answer(text=turn.streamed, answered=False), t)
            body = f'<div class="pc-streaming">{partial}</div>'
        elif not turn.notice:
            body = '<div class="pc-line pc-streaming">…</div>'
        else:
            body = ""
        notice = f'<div class="pc-notice">{esc(turn.notice)}</div>' if turn.notice else ""
        out.append(
            f'<div class="pc-turn" id="pc-turn-{t}"><div class="pc-q">{esc(turn.question)}</div>'
            f'<div class="pc-a">{notice}{body}</div></div>'
        )
    return "".join(out)


def _marked_abstract(abstract: str, marks: dict[str, list[str]]) -> str:
    """The abstract with each supporting sentence in <mark>, classed by the answer
    sentences it supports (so a click can focus exactly one)."""
    spans: list[tuple[int, int, list[str]]] = []
    for evidence, ids in marks.items():
        at = abstract.find(evidence)
        if at >= 0 and not any(at < e and at + len(evidence) > s for s, e, _ in spans):
            spans.append((at, at + len(evidence), ids))
    out, last = [], 0
    for start, end, ids in sorted(spans):
        out.append(esc(abstract[last:start]))
        classes = " ".join(f"pc-ev-{esc(i)}" for i in ids)
        out.append(f'<mark class="pc-ev {classes}">{esc(abstract[start:end])}</mark>')
        last = end
    out.append(esc(abstract[last:]))
    return "".join(out)


def card_html(
    paper: Paper, *, turn: int, key: str | None, label: str, marks: dict[str, list[str]]
) -> str:
    authors = ", ".join(paper.authors) + (" et al." if paper.authors_truncated else "")
    meta = [str(paper.year) if paper.year else "", paper.venue or "", paper.category_name]
    links = " ".join(
        f'<a href="{esc(url)}" target="_blank" rel="noopener noreferrer">{esc(name)}</a>'
        for name, url in paper_links(paper)
    )
    badge = f'<span class="pc-key">[{esc(key)}]</span> ' if key else ""
    ident = f' id="pc-card-{turn}-{esc(key)}"' if key else ""
    award = f'<div class="pc-award">{esc(paper.award)}</div>' if paper.award else ""
    return (
        f'<div class="pc-card"{ident} data-paper="{esc(paper.id)}">'
        f'<div class="pc-label">{esc(label)}</div>'
        f'<div class="pc-title">{badge}{esc(paper.title)}</div>'
        f'<div class="pc-meta">{esc(" · ".join(m for m in meta if m))}</div>'
        f'<div class="pc-authors">{esc(authors)}</div>{award}'
        f'<div class="pc-links">{links}</div>'
        f'<details class="pc-abs"{" open" if marks else ""}><summary>Abstract</summary>'
        f"<p>{_marked_abstract(paper.abstract, marks)}</p></details></div>"
    )


def sources_html(turns: Sequence[Turn]) -> str:
    """Cards for every turn, newest first; older turns folded."""
    if not turns:
        return '<div class="pc-empty">The papers behind an answer appear here.</div>'
    groups = []
    last = len(turns) - 1
    for t in range(last, -1, -1):
        turn = turns[t]
        cards = _turn_cards(turn, t)
        head = f"Sources for: {esc(turn.question)}"
        groups.append(
            f'<details class="pc-group" id="pc-group-{t}"{" open" if t == last else ""}>'
            f"<summary>{head}</summary>{cards}</details>"
        )
    return "".join(groups)


def _turn_cards(turn: Turn, t: int) -> str:
    answer = turn.answer
    if answer is None:
        if not turn.retrieved:
            return '<div class="pc-empty">Searching the papers…</div>'
        return "".join(
            card_html(c.paper, turn=t, key=None, label="retrieved", marks={})
            for c in turn.retrieved
        )
    cards = []
    for c in answer.citations:
        marks: dict[str, list[str]] = {}
        for i, s in enumerate(answer.sentences):
            if s.status != "unsupported" and (ev := s.evidence.get(c.key)):
                marks.setdefault(ev, []).append(f"{t}-{i}")
        cards.append(card_html(c.paper, turn=t, key=c.key, label="cited", marks=marks))
    for c in answer.checked:
        label = "checked: does not state it"
        cards.append(card_html(c.paper, turn=t, key=None, label=label, marks={}))
    shown = {c.paper.id for c in [*answer.citations, *answer.checked]}
    for c in turn.retrieved:
        if c.paper.id not in shown:
            cards.append(card_html(c.paper, turn=t, key=None, label="also retrieved", marks={}))
    return "".join(cards) or '<div class="pc-empty">No papers were used.</div>'
