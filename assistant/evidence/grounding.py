"""Citations and grounding, checked by code before a user sees a sentence. The model only
ever sees keys minted here; each sentence it writes is checked against the abstracts it
cites: every number and named term must occur in a cited abstract; a claim that occurs only
in another shown source is re-attributed there; a sentence nothing supports is removed."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from pydantic import BaseModel, ConfigDict, Field

from assistant.evidence.english import (
    PRAISE,
    family,
)
from assistant.evidence.occurrence import (
    allowed_words,
    claims,
    normalise,
    occurs,
)
from assistant.evidence.verify import Verifier
from assistant.types import NOT_COVERED, Citation, Sentence
from retrieval.models import Paper
from retrieval.query import REQUEST_WORDS
from retrieval.text import split_sentences, tokenize

MARKER = re.compile(r"\[(\w+(?:\s*[,;]\s*\w+)*)\]")
NOUN_MARKER = re.compile(r"\b(?P<prep>in|of|by|from|see)\s+\[(?P<key>\w+)\]")


class Source(BaseModel):
    """A paper shown to the model under a key the code minted."""

    model_config = ConfigDict(extra="forbid")

    key: str
    paper: Paper
    shown: str = Field(default="", description="The compressed text the model saw.")

    def evidence(self) -> str:
        """Everything a claim may be checked against: the whole record, not just the snippet."""
        p = self.paper
        return " ".join(
            [p.title, p.abstract, ", ".join(p.authors), str(p.year or ""), p.category_name]
        )


class Draft(BaseModel):
    """One sentence as the model wrote it, with the keys it claimed."""

    text: str
    sources: list[str] = Field(default_factory=list)


def mint_sources(papers: Sequence[Paper], shown: Sequence[str] | None = None) -> list[Source]:
    """Keys 1..n, one per distinct paper id: two papers can never share a key."""
    seen: set[str] = set()
    out: list[Source] = []
    for i, paper in enumerate(papers):
        if paper.id in seen:
            continue
        seen.add(paper.id)
        out.append(Source(key=str(len(out) + 1), paper=paper, shown=shown[i] if shown else ""))
    return out


def overlap(text: str, evidence_tokens: set[str], ignore: frozenset[str] = frozenset()) -> float:
    """Share of the sentence's content words found in the evidence; `ignore` are words
    that are not content (the researcher's own name, which every record's authors hold)."""
    words = set(tokenize(text)) - ignore
    return len(words & evidence_tokens) / len(words) if words else 0.0


# "Both papers ...", "All three studies ...": how many of its cited papers a sentence speaks
# for is the code's to check against its keys, not a claim for the verifier (which reads
# "all" as an intensifier the record must make).
GROUP_SUBJECT = re.compile(
    r"^\s*(?:(all|both|the|these|two|three|four|five|six|seven|eight)\s+)?"
    r"(?:(two|three|four|five|six|seven|eight)\s+)?(?:of\s+the(?:se)?\s+)?"
    r"(?:papers|studies|works|articles)(?:\s+(all|both))?\b",
    re.I,
)
COUNTS = {"both": 2, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8}


def group_subject(text: str, cited: int) -> tuple[str, str | None]:
    """The sentence with a subject naming how many papers it speaks for ("Three papers
    ...") as "The papers ...", and why that count is wrong for `cited` keys (or None)."""
    group = GROUP_SUBJECT.match(text)
    if group is None:
        return text, None
    said = {COUNTS[w.lower()] for w in group.groups() if w and w.lower() in COUNTS}
    if said and said != {cited}:
        return text, f"speaks for {max(said)} papers, cites {cited}"
    return "The papers" + text[group.end() :], None


class Checker:
    """Checks drafts against the sources shown for one answer."""

    def __init__(
        self,
        sources: Sequence[Source],
        allowed: Sequence[str] = (),
        min_overlap: float = 0.34,
        question: str = "",
        binds: Callable[[str, list[Paper]], str | None] | None = None,
        verifier: Verifier | None = None,
    ) -> None:
        """`binds(text, cited papers)` says why a kept sentence's value is not the one its
        records give for what it speaks of (`asked.misbound`), or None. `verifier` decides
        which kept sentences are shown as verified (none without one)."""
        self.min_overlap = min_overlap
        self.binds = binds
        self.verifier = verifier
        self.owner_names = list(allowed)
        self.sources = {s.key: s for s in sources}
        self.evidence = {s.key: normalise(s.evidence()) for s in sources}
        self.tokens = {s.key: set(tokenize(s.evidence())) for s in sources}
        self.shown_tokens: set[str] = set().union(*self.tokens.values()) if self.tokens else set()
        # Words about the request ("this researcher published") are not the question's claim.
        self.asked = set(tokenize(question)) - set(tokenize(" ".join(REQUEST_WORDS)))
        self.allowed = allowed_words(allowed)
        self.names = frozenset(tokenize(" ".join(allowed)))

    def share(self, text: str, key: str) -> float:
        """`overlap` with source `key`, the researcher's own name not counted as content."""
        return overlap(text, self.tokens[key], self.names)

    def supports(self, key: str, needed: set[str]) -> set[str]:
        return {c for c in needed if occurs(c, self.evidence[key])}

    def check(self, draft: Draft) -> tuple[Sentence, list[str]]:
        """The sentence's fate, and the keys it cited that were never minted."""
        sentence, dropped = self._check(draft)
        if sentence.status == "unsupported":
            return sentence, dropped
        note = None
        if self.binds is not None:
            note = self.binds(sentence.text, [self.sources[k].paper for k in sentence.keys])
        if note is not None:
            update = {"status": "unsupported", "keys": [], "note": note}
            return sentence.model_copy(update=update), dropped
        return self.verified(sentence), dropped

    def verified(self, sentence: Sentence) -> Sentence:
        """The sentence as `verified` when its cited records state it; else as it was, with
        the verifier's first reasons in its note (shown as cited, not verified). A verdict
        of "contradicted" does not remove it: on answers it was wrong for more faithful
        sentences than false ones (docs/eval/claims.md)."""
        if self.verifier is None or not sentence.keys:
            return sentence
        text, _ = group_subject(sentence.text, len(sentence.keys))
        papers = [self.sources[k].paper for k in sentence.keys]
        for paper in papers:  # "<Title> (2023) shows": the year names the paper, no claim
            for name in {paper.title.rstrip("."), paper.name()} - {""}:
                text = text.replace(f"{name} ({paper.year})", name)
        record = " ".join(record_text(p) for p in papers)
        check = self.verifier.check(text, record, names=self.owner_names)
        if check.ok:
            keys = self._stating(sentence, text)
            return sentence.model_copy(update={"status": "verified", "keys": keys})
        why = "not verified: " + "; ".join(check.reasons[:2])
        return sentence.model_copy(update={"note": "; ".join(filter(None, [sentence.note, why]))})

    def _stating(self, sentence: Sentence, text: str) -> list[str]:
        """The cited keys whose records state the sentence alone; all of them for a joint
        statement no record states alone, or one that counts its papers ("Both papers")."""
        keys, verifier = sentence.keys, self.verifier
        if len(keys) < 2 or GROUP_SUBJECT.match(sentence.text) or verifier is None:
            return keys
        alone = [
            k for k in keys
            if verifier.check(text, record_text(self.sources[k].paper), names=self.owner_names).ok
        ]  # fmt: skip
        return alone or keys

    def _named(self, m: re.Match[str]) -> str:
        """A marker used as a noun ("the framework in [1] improves") keeps one: the name."""
        p = self.sources[m["key"]].paper if m["key"] in self.sources else None
        return f"{m['prep']} {p.name() or p.cited_as() or p.title} [{m['key']}]" if p else m[0]

    def _check(self, draft: Draft) -> tuple[Sentence, list[str]]:
        inline = [k.strip() for m in MARKER.finditer(draft.text) for k in re.split(r"[,;]", m[1])]
        text = NOUN_MARKER.sub(self._named, draft.text)  # "the framework in [1] improves"
        text = re.sub(r"\s+([.,;!?])", r"\1", MARKER.sub("", text))
        text = re.sub(r"\s{2,}", " ", text).strip()  # "The paper [1] addresses" -> one space
        raw = [str(k).strip().strip("[]") for k in [*draft.sources, *inline]]
        dropped = [k for k in raw if k and k not in self.sources]
        cited = list(dict.fromkeys(k for k in raw if k in self.sources))
        subject, miscount = group_subject(text, len(cited))
        if miscount:
            return Sentence(text=text, status="unsupported", note=miscount), dropped
        needed = claims(subject, self.allowed, initial=True)
        if not text or _is_refusal(text):
            return Sentence(text=text, status="unsupported", note="empty or refusal"), dropped
        praise = [m[0] for m in PRAISE.finditer(text)]
        unsaid = [w for w in praise if not any(occurs(w, self.evidence[k]) for k in cited)]
        if unsaid:  # "groundbreaking work": a judgement the cited records do not make
            note = "praise no cited source states: " + ", ".join(unsaid)
            return Sentence(text=text, status="unsupported", note=note), dropped
        if needed:
            covered = set().union(*(self.supports(k, needed) for k in cited)) if cited else set()
            if covered == needed:
                keys = [k for k in cited if self.supports(k, needed)]
                return Sentence(text=text, keys=keys, status="cited"), dropped
            # Re-attribute: the one shown source that holds every claim.
            holders = [k for k in self.sources if self.supports(k, needed) == needed]
            if holders:
                best = max(holders, key=lambda k: self.share(text, k))
                status = "reattributed" if cited else "attributed"
                missing = ", ".join(sorted(needed - covered))
                note = f"'{missing}' is not in the cited source" if cited else "uncited"
                return Sentence(text=text, keys=[best], status=status, note=note), dropped
            absent = sorted(
                c for c in needed if not any(occurs(c, e) for e in self.evidence.values())
            )
            note = "not in any source: " + ", ".join(absent or sorted(needed))
            return Sentence(text=text, status="unsupported", note=note), dropped
        # No numbers or names: a word taken from the question that no shown source holds
        # ("proposes a neural machine translation model" over a dialog paper) is a claim
        # the sources do not make: the sentence answers with the question's own words.
        echoed = sorted(
            w  # "depend" where the record says "dependence": the same word, not an echo
            for w in (set(tokenize(text)) & self.asked) - self.shown_tokens
            if not any(family(w, t) for t in self.shown_tokens)
        )
        if echoed:
            note = "repeats question terms no source holds: " + ", ".join(echoed)
            return Sentence(text=text, status="unsupported", note=note), dropped
        # The sentence must share its content with a cited source.
        good = [k for k in cited if self.share(text, k) >= self.min_overlap]
        if good:
            return Sentence(text=text, keys=good, status="cited"), dropped
        nearest = max(self.sources, key=lambda k: self.share(text, k), default=None)
        if nearest is not None and self.share(text, nearest) >= self.min_overlap:
            status = "reattributed" if cited else "attributed"
            sentence = Sentence(text=text, keys=[nearest], status=status, note="by word overlap")
            return sentence, dropped
        return Sentence(text=text, status="unsupported", note="no source shares its content"), (
            dropped
        )


def record_text(paper: Paper) -> str:
    """What a claim is verified against: the title, the abstract, and who wrote it when (a
    related-work sentence says "Zhang et al. (2021) show ...")."""
    meta = ", ".join(paper.authors)
    if paper.year:
        meta = f"{meta} ({paper.year})" if meta else str(paper.year)
    tail = f" Written by {meta}." if meta else ""
    return f"{paper.title.rstrip('.')}. {paper.abstract}{tail}"


# A model saying what its sources lack ("not explicitly mentioned in the provided sources")
# is an abstention, which the code decides, not a claim about the paper.
CONTEXT_TALK = re.compile(
    r"\b(?:not|never)\s+(?:explicitly\s+|directly\s+|clearly\s+)?(?:mentioned|stated|"
    r"specified|provided|given|described|discussed|available)\b"
    r"|\b(?:provided|given|available)\s+(?:sources?|abstracts?|context|information|text)\b",
    re.I,
)


def _is_refusal(text: str) -> bool:
    lowered = text.lower()
    return (
        NOT_COVERED.lower().rstrip(".") in lowered
        or "does not cover" in lowered
        or CONTEXT_TALK.search(text) is not None
    )


class Composer:
    """Renders checked sentences one at a time, renumbering keys by first use (1, 2, ...),
    so streaming and the final answer show exactly the same text."""

    def __init__(self, sources: Sequence[Source]) -> None:
        self.by_key = {s.key: s for s in sources}
        self.renumber: dict[str, str] = {}
        self.parts: list[str] = []
        self.sentences: list[Sentence] = []

    def add(self, sentence: Sentence) -> str:
        """The rendered sentence, or "" when it was removed or says again what an earlier
        one said (a small model sometimes repeats its sentence word for word)."""
        if sentence.status == "unsupported":
            self.sentences.append(sentence)
            return ""
        said = " ".join(sentence.text.lower().split()).rstrip(".!?")
        if any(" ".join(s.text.lower().split()).rstrip(".!?") == said for s in self.sentences):
            return ""
        new_keys = [self.renumber.setdefault(k, str(len(self.renumber) + 1)) for k in sentence.keys]
        marks = "".join(f"[{k}]" for k in new_keys)
        body = sentence.text.rstrip()
        ending = body[-1] if body and body[-1] in ".!?" else "."
        body = body.rstrip(".!?")
        piece = f"{body} {marks}{ending}" if marks else f"{body}{ending}"
        self.parts.append(piece)
        evidence = {
            new: supporting_sentence(sentence.text, self.by_key[old].paper)
            for old, new in zip(sentence.keys, new_keys, strict=True)
            if old in self.by_key
        }
        self.sentences.append(sentence.model_copy(update={"keys": new_keys, "evidence": evidence}))
        return piece

    def delta(self, sentence: Sentence) -> str:
        """What adding `sentence` appends to the streamed `text`: the rendered sentence,
        after a space unless it is the first ("" when it is not shown)."""
        piece = self.add(sentence)
        return f" {piece}" if piece and len(self.parts) > 1 else piece

    @property
    def text(self) -> str:
        return " ".join(self.parts)

    @property
    def citations(self) -> list[Citation]:
        return [
            Citation(key=new, paper=self.by_key[old].paper) for old, new in self.renumber.items()
        ]


def supporting_sentence(text: str, paper: Paper) -> str:
    """The sentence of a paper's record that best supports `text`: the most of its claims,
    then the most shared words (what the UI highlights)."""
    candidates = [paper.title, *split_sentences(paper.abstract)]
    needed = claims(text, initial=True)
    words = set(tokenize(text))

    def score(sentence: str) -> tuple[int, int]:
        lowered = normalise(sentence)
        return (sum(occurs(c, lowered) for c in needed), len(words & set(tokenize(sentence))))

    return max(candidates, key=score)


def compose(
    sentences: Sequence[Sentence], sources: Sequence[Source]
) -> tuple[str, list[Citation], list[Sentence]]:
    """Render kept sentences with [n] markers renumbered by first use (n = 1, 2, ...)."""
    composer = Composer(sources)
    for sentence in sentences:
        composer.add(sentence)
    return composer.text, composer.citations, composer.sentences
