"""The compact grammar the embedded server gets for each reply schema (pure logic; the
real server runs it in test_server.py)."""

from __future__ import annotations

import pytest


def test_compact_gbnf_spells_the_schema_without_indentation() -> None:
    from assistant.model.grammar import compact_gbnf

    grammar = compact_gbnf(
        {
            "type": "object",
            "properties": {
                "tool": {"const": "final"},
                "year_from": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
                "sources": {"type": "array", "items": {"type": "integer"}, "maxItems": 3},
            },
            "required": ["tool", "year_from", "sources"],
        }
    )
    rules = dict(line.split(" ::= ", 1) for line in grammar.strip().splitlines())
    assert rules["root"].startswith('"{" nl "\\"tool\\"" ":" sp "\\"final\\""')
    assert rules["root-year-from"] == "integer | null"  # a GBNF name: no underscore
    assert rules["root-sources"] == '"[]" | "[" integer ("," " "? integer){0,2} "]"'  # inline
    # Line breaks required (skipping them led the model to an empty list), never indented.
    assert rules["nl"] == '"\\n"' and rules["sp"] == '" "'


def test_compact_gbnf_puts_objects_of_a_list_one_per_line() -> None:
    from assistant.model.grammar import compact_gbnf

    item = {"type": "object", "properties": {"text": {"type": "string"}}}
    grammar = compact_gbnf({"type": "array", "items": item, "maxItems": 4})
    rules = dict(line.split(" ::= ", 1) for line in grammar.strip().splitlines())
    assert rules["root"] == '"[]" | "[" nl root-item ("," nl root-item){0,3} nl "]"'


def test_compact_gbnf_refuses_what_it_cannot_spell() -> None:
    from assistant.model.grammar import compact_gbnf

    with pytest.raises(ValueError, match="unsupported schema part"):
        compact_gbnf({"type": "object", "properties": {"x": {"$ref": "#/x"}}})


def test_one_per_source_caps_the_sentences_at_the_sources_given() -> None:
    from assistant.model.grammar import compact_gbnf
    from assistant.model.replies import THEMED_SCHEMA, one_per_source

    capped = one_per_source(THEMED_SCHEMA, 1)
    assert capped["properties"]["sentences"]["maxItems"] == 1
    assert THEMED_SCHEMA["properties"]["sentences"]["maxItems"] == 6  # not mutated
    rules = dict(line.split(" ::= ", 1) for line in compact_gbnf(capped).strip().splitlines())
    assert rules["root-sentences"].endswith('{0,0} nl "]"')  # the grammar holds one
