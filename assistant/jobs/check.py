"""`paperchat check`: a user's own text (a bio draft, a related-work paragraph) checked
sentence by sentence against the corpus with the same verifier the answers go through.

A sentence cites papers by `[n]` with a reference list at the end, by `\\cite{key}` with the
keys of the corpus's own BibTeX export, by "(Author, Year)", or by naming a title. Each
sentence gets a verdict (verified / contradicted / not stated / no citation), the record
sentence it was checked against, and, when it cites nothing, the papers that state it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.errors import ConfigError
from assistant.evidence.grounding import record_text
from assistant.evidence.verify import Verifier
from assistant.exports import bib_key
from assistant.model.client import ChatModel
from assistant.model.prompts import load
from assistant.model.replies import VERDICT_SCHEMA, verdict_of
from retrieval.models import Paper
from retrieval.text import split_sentences, tokenize

Verdict = Literal["verified", "contradicted", "not stated", "no citation"]

MARKER = re.compile(r"\[(\d+(?:\s*[,;–-]\s*\d+)*)\]")
CITE = re.compile(r"\\cite[tp]?\*?(?:\[[^\]]*\])?\{([^}]*)\}")
AUTHOR_YEAR = re.compile(
    r"\(([A-Z][\w'’-]+)(?: et al\.?| and [A-Z][\w'’-]+)?,? (\d{4})[a-z]?\)"
    r"|\b([A-Z][\w'’-]+)(?: et al\.?| and [A-Z][\w'’-]+)? \((\d{4})[a-z]?\)"
)
TRAILING = re.compile(r"([.!?])\s*((?:(?:\[\d[^\]]*\]|\\cite[tp]?\*?\{[^}]*\})\s*)+)(?=\s|$)")
REFERENCE = re.compile(r"^\s*(?:\[(\d+)\]|(\d+)\.)\s+(.+)$")
HEADER = re.compile(r"^\s*#*\s*(references|bibliography|works cited)\s*:?\s*$", re.I)


class Evidence(BaseModel):
    model_config = ConfigDict(extra="forbid")

    paper: str = Field(description="The paper's title.")
    sentence: str = Field(description="The record sentence(s) the claim was checked against.")


class SentenceCheck(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sentence: str
    verdict: Verdict
    cited: list[str] = Field(default_factory=list, description="Titles of the cited papers.")
    evidence: list[Evidence] = Field(default_factory=list)
    suggested: list[str] = Field(
        default_factory=list, description="For a sentence citing nothing: papers that state it."
    )
    reasons: list[str] = Field(default_factory=list, description="Why it was not verified.")


class CheckReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sentences: list[SentenceCheck]
    unresolved: list[str] = Field(
        default_factory=list, description="Citations that match no paper of the corpus."
    )

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for s in self.sentences:
            out[s.verdict] = out.get(s.verdict, 0) + 1
        return out


def split_references(text: str) -> tuple[str, dict[str, str]]:
    """The body and its numbered reference list ('[1] Title ...' or '1. Title ...' lines at
    the end, after an optional 'References' header)."""
    lines = text.rstrip().splitlines()
    refs: dict[str, str] = {}
    end = len(lines)
    while end > 0:
        line = lines[end - 1]
        m = REFERENCE.match(line)
        if m:
            refs[m[1] or m[2]] = m[3].strip()
        elif not line.strip() or HEADER.match(line):
            pass
        else:
            break
        end -= 1
    return "\n".join(lines[:end]), refs


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def match_title(reference: str, papers: Sequence[Paper]) -> Paper | None:
    """The paper a reference line names: its title inside the line, else the paper whose
    title shares most words with it (at least 70% of the title's words)."""
    ref = _norm(reference)
    for paper in papers:
        if _norm(paper.title) and _norm(paper.title) in ref:
            return paper
    words = set(tokenize(reference))
    best, score = None, 0.0
    for paper in papers:
        title = set(tokenize(paper.title))
        share = len(words & title) / len(title) if title else 0.0
        if share > score:
            best, score = paper, share
    return best if score >= 0.7 else None


def _expand(marker: str) -> list[str]:
    """'1, 3-5' -> ['1', '3', '4', '5']."""
    out: list[str] = []
    for part in re.split(r"\s*[,;]\s*", marker.strip()):
        m = re.fullmatch(r"(\d+)\s*[–-]\s*(\d+)", part)
        if m and 0 <= int(m[2]) - int(m[1]) < 50:
            out += [str(n) for n in range(int(m[1]), int(m[2]) + 1)]
        else:
            out.append(part)
    return out


class _Resolver:
    """Citations in a sentence -> corpus papers."""

    def __init__(self, papers: Sequence[Paper], refs: dict[str, str]) -> None:
        self.papers = list(papers)
        taken: set[str] = set()
        self.by_key = {bib_key(p, taken): p for p in self.papers}
        self.refs = {n: match_title(line, self.papers) for n, line in refs.items()}
        self.unresolved: list[str] = [f"[{n}] {refs[n]}" for n, p in self.refs.items() if not p]

    def cited(self, sentence: str) -> tuple[list[Paper], bool]:
        """The papers a sentence cites, and whether it tried to cite anything at all."""
        found: list[Paper] = []
        tried = False
        for m in MARKER.finditer(sentence):
            tried = True
            for n in _expand(m[1]):
                paper = self.refs.get(n)
                if paper is None and n not in self.refs:
                    self.unresolved.append(f"[{n}] (no reference line)")
                found += [paper] if paper else []
        for m in CITE.finditer(sentence):
            tried = True
            for key in (k.strip() for k in m[1].split(",")):
                if key in self.by_key:
                    found.append(self.by_key[key])
                else:
                    self.unresolved.append(f"\\cite{{{key}}}")
        for m in AUTHOR_YEAR.finditer(sentence):
            tried = True
            name, year = (m[1], m[2]) if m[1] else (m[3], m[4])
            hits = [p for p in self.papers if p.year == int(year) and _has_author(p, name)]
            found += hits[:1]
            if not hits:
                self.unresolved.append(m[0])
        low = _norm(sentence)
        for paper in self.papers:
            name = _norm(paper.title.split(":")[0])
            named = len(name.split()) > 1 or ":" in paper.title
            if named and len(name) >= 4 and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", low):
                found.append(paper)
                tried = True
        return list({p.id: p for p in found}.values()), tried


def _has_author(paper: Paper, surname: str) -> bool:
    s = surname.lower()
    return any(a.lower().split()[-1] == s or a.lower().startswith(s + ",") for a in paper.authors)


def _clean(sentence: str) -> str:
    # "(Li et al., 2025)" goes; "Li et al. (2025) show" keeps its subject, "Li et al. show".
    def drop(m: re.Match[str]) -> str:
        return "" if m[1] else re.sub(r"\s*\(\d{4}[a-z]?\)", "", m[0])

    sentence = CITE.sub("", MARKER.sub("", AUTHOR_YEAR.sub(drop, sentence)))
    return re.sub(r"\s+([.,;!?])", r"\1", re.sub(r"\s{2,}", " ", sentence)).strip()


def check_draft(
    text: str,
    papers: Sequence[Paper],
    verifier: Verifier,
    search: Callable[..., Sequence[Any]] | None = None,
    *,
    names: Sequence[str] = (),
) -> CheckReport:
    """Each sentence of `text` with its verdict against the papers it cites. `search(query,
    k=...)` finds candidate papers for a sentence that cites none."""
    if not text.strip():
        raise ConfigError("Nothing to check: the text is empty.")
    body, refs = split_references(text)
    resolver = _Resolver(papers, refs)
    out: list[SentenceCheck] = []
    # "... pairs. [1]" and "... pairs.\cite{k}": the citation belongs to the sentence before.
    body = TRAILING.sub(r" \2\1", " ".join(body.split()))
    body = re.sub(r"\bet al\.", "et al", body)  # "Li et al. (2025) show": one sentence
    for raw in split_sentences(body):
        cited, tried = resolver.cited(raw)
        claim = _clean(raw)
        if len(claim.split()) < 3:
            continue
        if not cited:
            suggested = []
            if search is not None:
                for hit in search(claim, k=3):
                    if verifier.check(claim, record_text(hit.paper), names=names).ok:
                        suggested.append(hit.paper.title)
            verdict: Verdict = "not stated" if tried else "no citation"
            reasons = ["its citation matches no paper of the corpus"] if tried else []
            out.append(
                SentenceCheck(sentence=claim, verdict=verdict, suggested=suggested, reasons=reasons)
            )
            continue
        results = [(p, verifier.check(claim, record_text(p), names=names)) for p in cited]
        passed = [(p, c) for p, c in results if c.ok]
        if passed:
            verdict, shown = "verified", passed
        elif any(c.verdict == "contradicted" for _, c in results):
            shown = [(p, c) for p, c in results if c.verdict == "contradicted"]
            verdict = "contradicted"
        else:
            verdict, shown = "not stated", results
        out.append(
            SentenceCheck(
                sentence=claim,
                verdict=verdict,
                cited=[p.title for p in cited],
                evidence=[Evidence(paper=p.title, sentence=c.evidence) for p, c in shown],
                reasons=[r for _, c in shown for r in c.reasons][:4],
            )
        )
    return CheckReport(sentences=out, unresolved=list(dict.fromkeys(resolver.unresolved)))


class ModelJudge:
    """The model as a second reader of a sentence the rules verified: does the supporting
    passage state it, yes or no? Shown only the aligned sentences: given whole abstracts,
    the 1.5B model missed almost every swapped number (docs/eval/claims.md)."""

    def __init__(self, model: Callable[[], ChatModel]) -> None:
        self.model = model

    def __call__(self, claim: str, evidence: str) -> bool:
        messages = [
            {"role": "system", "content": load("verify_system").render()},
            {"role": "user", "content": load("verify_user").render(evidence=evidence, claim=claim)},
        ]
        reply = "".join(self.model().stream_json(messages, VERDICT_SCHEMA, 12))
        return verdict_of(reply) is not False  # no verdict (a mute model): the rules stand


def with_veto(
    verifier: Verifier, model: Callable[[], ChatModel], veto: str, use: str = "check"
) -> Verifier:
    """The rules, and the model's reading where the `veto` setting puts it: "all" (every
    sentence shown as verified), "check" (a user's draft, `use="check"`), or "off"."""
    on = veto == "all" or (veto == "check" and use == "check")
    return verifier.with_judge(ModelJudge(model)) if on else verifier
