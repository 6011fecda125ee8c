"""Typed records that flow through the house: source file -> Paper -> index -> Hit."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# arXiv-style primary category codes as the profile page shows them.
CATEGORY_NAMES: dict[str, str] = {
    "AI": "Artificial Intelligence",
    "CL": "Computation and Language",
    "CP": "Computational Finance",
    "CR": "Cryptography and Security",
    "CV": "Computer Vision",
    "CY": "Computers and Society",
    "DB": "Databases",
    "DC": "Distributed Computing",
    "GR": "Graphics",
    "HC": "Human-Computer Interaction",
    "IR": "Information Retrieval",
    "IT": "Information Theory",
    "LG": "Machine Learning",
    "MA": "Multiagent Systems",
    "MM": "Multimedia",
    "NE": "Neural and Evolutionary Computing",
    "PL": "Programming Languages",
    "RO": "Robotics",
    "SD": "Sound",
    "SE": "Software Engineering",
    "SI": "Social and Information Networks",
    "ST": "Statistics",
    "AS": "Audio and Speech Processing",
    "IV": "Image and Video Processing",
}

DatePrecision = Literal["day", "month", "year", "unknown"]


def category_name(code: str) -> str:
    """Readable name of a category code; unknown codes are shown as themselves."""
    return CATEGORY_NAMES.get(code.upper(), code.upper() or "Unknown")


class PaperVersion(BaseModel):
    """Another record of a paper's work, kept when duplicates are merged into one Paper."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="The id the record would have had.")
    title: str
    year: int | None = None
    venue: str | None = None
    doi: str | None = None
    arxiv_id: str | None = None
    urls: list[str] = Field(default_factory=list)


class Paper(BaseModel):
    """One publication, cleaned and normalised, whatever source it came from."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="Stable id derived from the title; unique in a corpus.")
    title: str = Field(min_length=1)
    authors: list[str] = Field(default_factory=list, description="Authors as listed.")
    authors_truncated: bool = Field(
        default=False, description="True when the source list ended in 'et al.'."
    )
    affiliation: str | None = Field(default=None, description="Affiliation shown with the authors.")
    published: date | None = Field(default=None, description="Publication date (see precision).")
    date_precision: DatePrecision = Field(default="unknown")
    year: int | None = Field(default=None)
    year_inferred: bool = Field(
        default=False, description="True when the source gave no year and the parser inferred it."
    )
    category: str = Field(default="", description="Primary category code, e.g. CV.")
    category_name: str = Field(default="", description="Readable category, e.g. Computer Vision.")
    has_code: bool = Field(default=False)
    code_url: str | None = Field(default=None, description="GitHub URL from the abstract, if any.")
    urls: list[str] = Field(default_factory=list)
    abstract: str = Field(default="", description="Clean text: LaTeX markup removed.")
    venue: str | None = Field(default=None, description="Journal or booktitle, when known.")
    doi: str | None = Field(
        default=None, description="DOI without resolver, e.g. 10.1063/5.0061990."
    )
    arxiv_id: str | None = Field(
        default=None, description="arXiv id without version, e.g. 2203.03605."
    )
    award: str | None = Field(default=None, description="Award or distinction, e.g. Best Paper.")
    keywords: list[str] = Field(default_factory=list, description="Keywords the source gives.")
    links: dict[str, str] = Field(
        default_factory=dict, description="Named links from the source: code, pdf, html, video..."
    )
    selected: bool = Field(default=False, description="The owner marks it as a selected paper.")
    versions: list[PaperVersion] = Field(
        default_factory=list,
        description="Other records of this same work (preprint, workshop, duplicate) merged here.",
    )

    def content_hash(self) -> str:
        """Hash of everything indexed, so unchanged papers are never re-embedded."""
        data = self.model_dump(mode="json")
        # Fields added after corpora were first indexed count only when set, so papers that
        # do not use them keep their old hash and are not re-embedded.
        for name in _LATER_FIELDS:
            if data[name] == _LATER_DEFAULTS[name]:
                del data[name]
        payload = json.dumps(data, sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    def embed_text(self) -> str:
        """The text the embedder and BM25 see."""
        return f"{self.title}. {self.abstract}".strip()

    def name(self) -> str:
        """'DINO' for 'DINO: DETR with ...', as the title writes it; '' when the title has
        no short name (four words at most) before a colon."""
        head, sep, _ = self.title.partition(":")
        return head.strip() if sep and len(head.split()) <= 4 else ""

    def cited_as(self) -> str:
        """'Zhang et al. (2020)', 'Zhang and Ou (2020)', 'Cloyne (2013)': how a reader cites
        the paper in prose; '' without authors."""
        surnames = [a.split()[-1] for a in self.authors if a.split()]
        if not surnames:
            return ""
        if len(surnames) > 2 or self.authors_truncated:
            who = f"{surnames[0]} et al."
        else:
            who = " and ".join(surnames)
        return f"{who} ({self.year})" if self.year else who

    def short_ref(self) -> str:
        """'Title (Year)' for lists and prompts."""
        return f"{self.title} ({self.year})" if self.year else self.title


_LATER_FIELDS = ("doi", "arxiv_id", "award", "keywords", "links", "selected", "versions")
# Read once, at import: pydantic's get_default(call_default_factory=True) inspects the
# factory's signature with ast.parse, which CPython 3.11 does not make thread-safe. Called
# per hash, eight concurrent UI askers crashed one request with "AST constructor recursion
# depth mismatch" (clean-clone make test, test_eight_concurrent_users_with_the_real_model).
_LATER_DEFAULTS = {
    name: Paper.model_fields[name].get_default(call_default_factory=True) for name in _LATER_FIELDS
}


class CorpusInfo(BaseModel):
    """The profile header: who the corpus belongs to and their headline figures."""

    model_config = ConfigDict(extra="forbid")

    owner: str = Field(description="The researcher whose papers these are.")
    field: str | None = Field(default=None, description="Main field code from the header, e.g. CV.")
    h_index: int | None = None
    paper_count: int | None = Field(default=None, description="Paper count the header states.")
    citations: int | None = None
    scores: dict[str, int] = Field(
        default_factory=dict, description="Other header scores in percent, e.g. Novelty, AI Score."
    )
    source: str | None = Field(default=None, description="File the corpus was ingested from.")


class Filters(BaseModel):
    """Metadata filters; every field optional, all given fields must hold."""

    model_config = ConfigDict(extra="forbid")

    year_from: int | None = None
    year_to: int | None = None
    categories: list[str] | None = Field(default=None, description="Category codes, any of.")
    author: str | None = Field(default=None, description="Case-insensitive author name match.")
    coauthor: str | None = Field(
        default=None, description="A second author the paper must have too ('by A and B')."
    )
    has_code: bool | None = None
    first_author: str | None = Field(
        default=None, description="The paper's first listed author ('first-author papers')."
    )
    solo: bool | None = Field(
        default=None, description="Papers with a single listed author ('solo-authored')."
    )
    venue: str | None = Field(
        default=None,
        description="A name the venue must hold, case aside ('AAAI', 'Journal of Glaciology', "
        "'workshop').",
    )

    def is_empty(self) -> bool:
        return all(v is None for v in self.model_dump().values())

    def describe(self) -> str:
        parts = []
        if self.year_from is not None and self.year_from == self.year_to:
            parts.append(f"in {self.year_from}")
        else:
            if self.year_from is not None:
                parts.append(f"since {self.year_from}")
            if self.year_to is not None:
                parts.append(f"up to {self.year_to}")
        if self.categories:
            parts.append("in " + " or ".join(category_name(c) for c in self.categories))
        if self.author:
            both = f" and {self.coauthor}" if self.coauthor else ""
            parts.append(f"with {self.author}{both}")
        if self.first_author:
            parts.append(f"first-authored by {self.first_author}")
        if self.solo:
            parts.append("with a single author")
        if self.has_code is not None:
            parts.append("with code" if self.has_code else "without code")
        if self.venue:
            parts.append(f"in venues naming {self.venue}")
        return ", ".join(parts)


def normalise_name(name: str) -> str:
    return " ".join(name.lower().replace("-", " ").replace(".", " ").split())


class Hit(BaseModel):
    """A search result: the paper, its fused score and why it matched."""

    model_config = ConfigDict(extra="forbid")

    paper: Paper
    score: float = Field(description="Fused relevance, higher is better.")
    dense: float | None = Field(default=None, description="Cosine similarity of the embeddings.")
    lexical: float | None = Field(default=None, description="BM25 score, normalised to 0..1.")
    why: str = Field(default="", description="Human-readable reason for the match.")
