"""Importers for the publication files people have: BibTeX, CSL-JSON, OpenAlex, S2, JSON."""

from retrieval.formats.bibtex import iter_bibtex
from retrieval.formats.common import Draft, draft_to_paper
from retrieval.formats.jsonfile import iter_json_records, json_items, record_kind

__all__ = [
    "Draft",
    "draft_to_paper",
    "iter_bibtex",
    "iter_json_records",
    "json_items",
    "record_kind",
]
