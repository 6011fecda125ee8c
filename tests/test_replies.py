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


def test_synthesis_schema_joins_papers_first_then_one_sentence_each() -> None:
    from assistant.model.grammar import compact_gbnf
    from assistant.model.replies import synthesis_schema

    schema = synthesis_schema([3, 4, 5])
    common = schema["properties"]["common"]["properties"]["sources"]
    each = schema["properties"]["each"]
    assert (common["minItems"], common["items"]["enum"]) == (2, [3, 4, 5])  # speaks for two+
    assert each["minItems"] == each["maxItems"] == 3  # one sentence per paper
    assert each["items"]["properties"]["sources"]["maxItems"] == 1
    assert synthesis_schema([7])["properties"]["common"]["properties"]["sources"]["minItems"] == 1
    rules = dict(line.split(" ::= ", 1) for line in compact_gbnf(schema).strip().splitlines())
    assert rules["root-common-sources"].endswith('{1,2} "]"')  # two or three keys
    assert rules["root-each"].endswith('{2,2} nl "]"')  # exactly three items


def test_per_source_reply_holds_one_sentence_under_each_key_streamed_as_it_completes() -> None:
    import json

    from assistant.model.grammar import compact_gbnf
    from assistant.model.replies import KeyedStreamer, per_source_schema

    schema = per_source_schema(["1", "2"])
    assert schema["required"] == ["1", "2"]
    assert '"\\"1\\"" ":" sp sentence "," nl "\\"2\\""' in compact_gbnf(schema)
    reply = json.dumps({"1": 'GTG, a "robust" bot.', "2": "DINO reaches 49.4 AP."}, indent=0)
    streamer = KeyedStreamer()
    got = []
    for i in range(0, len(reply), 5):
        got += [(s.text, s.sources) for s in streamer.feed(reply[i : i + 5])]
        if i + 5 < reply.index("2"):
            assert not got  # nothing before the first sentence's closing quote
    assert got == [('GTG, a "robust" bot.', [1]), ("DINO reaches 49.4 AP.", [2])]


def test_one_sentence_pattern_allows_inner_full_stops_but_no_second_sentence() -> None:
    import re

    from assistant.model.grammar import ONE_SENTENCE, compact_gbnf

    for text, ok in [("DINO reaches 49.4 AP.", True), ("Step 3.5 Flash, e.g., this", True)]:
        assert bool(re.match(ONE_SENTENCE, text)) is ok
    for text in ["It works. It is fast.", "One. Two"]:
        assert not re.match(ONE_SENTENCE, text)
    rules = compact_gbnf({"type": "string", "pattern": ONE_SENTENCE})
    assert '"." [^" .' in rules  # a full stop is never followed by a space
    with pytest.raises(ValueError, match="unsupported pattern"):
        compact_gbnf({"type": "string", "pattern": "^[a-z]+$"})


def test_predicate_reply_holds_each_papers_sentence_under_its_name() -> None:
    """A summary's paragraph: the model goes on from each paper's name; the name is the
    key, so a sentence cannot land on another paper, and the code makes it a sentence."""
    import json

    from assistant.model.grammar import compact_gbnf
    from assistant.model.replies import PredicateStreamer, predicate_schema

    schema = predicate_schema([1, 2], ["MAGI", "Kerner et al. (2019)"])
    each = schema["properties"]["each"]
    assert each["required"] == ["MAGI", "Kerner et al. (2019)"]
    assert '"\\"MAGI\\"" ":" sp sentence' in compact_gbnf(schema)
    reply = json.dumps(
        {
            "theme": "Video",
            "common": {"text": "Both generate video.", "sources": [1, 2]},
            "each": {"MAGI": 'combines two "modes"', "Kerner et al. (2019)": "maps change"},
        }
    )
    streamer = PredicateStreamer(
        {"MAGI": (1, "MAGI"), "Kerner et al. (2019)": (2, "One paper")},
        lambda subject, rest: f"{subject} {rest}.",
    )
    got = []
    for i in range(0, len(reply), 7):
        got += [(s.text, s.sources) for s in streamer.feed(reply[i : i + 7])]
    assert got == [
        ("Both generate video.", [1, 2]),
        ('MAGI combines two "modes".', [1]),
        ("One paper maps change.", [2]),
    ]
