"""A JSON schema as a compact GBNF grammar, for llama.cpp's `grammar` request field.

llama.cpp turns a `json_schema` into a grammar whose whitespace rule lets the model indent,
and the 1.5B model always does: 91 tokens for a two-sentence reply that takes 67 written
compactly (measured with the server's /tokenize). Every token costs ~0.1 s on 2 cores, so
for the embedded server the same schema is sent as a grammar with the model's own line
breaks (each merges into a punctuation token: `{\n`, `",\n`) and no indentation. The
breaks are required, not optional: allowed to skip them, the model sometimes began on one
line and then closed the sentence list at once (`{"sentences":[]}`, a false abstention).
Hosted endpoints keep `response_format` (one schema, two spellings of it).

Covers what `replies.py` schemas use: objects (every property is asked for, in schema
order), strings (with maxLength), integers, numbers, booleans, null, arrays (with
min/maxItems), enum, const, anyOf/oneOf and one `pattern`, ONE_SENTENCE. Anything else
is a ValueError, never a silently looser grammar.
"""

from __future__ import annotations

import json
import re
from typing import Any

ESCAPE = r'"\\" (["\\/bfnrt] | "u" [0-9a-fA-F]{4})'  # a JSON string's escape sequence
PRIMITIVES = {
    "char": r'[^"\\\x7F\x00-\x1F] | ' + ESCAPE,
    "string": '"\\"" char* "\\""',
    "integer": '"-"? ([0-9] | [1-9] [0-9]{0,15})',
    "number": '"-"? ([0-9] | [1-9] [0-9]{0,15}) ("." [0-9]{1,16})? ([eE] [-+]? [0-9]{1,4})?',
    "boolean": '"true" | "false"',
    "null": '"null"',
}

# A string holding one sentence: a full stop may end it, or sit inside a token ("3.5",
# "e.g.,"), but is never followed by a space and more text. Hosted endpoints that honour
# `pattern` enforce the same; llama.cpp gets the rule below.
ONE_SENTENCE = r"^([^.]|\.[^ ])*\.?$"
ONE_SENTENCE_RULES = {
    "sentence-char": r'[^".\\\x7F\x00-\x1F] | ' + ESCAPE + r' | "." [^" .\\\x7F\x00-\x1F]',
    "sentence": '"\\"" sentence-char* "."? "\\""',
}


def compact_gbnf(schema: dict[str, Any]) -> str:
    """The grammar of `schema`'s JSON: objects one key per line, never indented."""
    rules: dict[str, str] = {}
    root = _Builder(rules).value(schema, "root")
    lines = [f"root ::= {root}"] if root != "root" else []
    lines += [f"{name} ::= {body}" for name, body in rules.items()]
    lines += ['nl ::= "\\n"', 'sp ::= " "']
    return "\n".join(lines) + "\n"


def _literal(value: Any) -> str:
    """A GBNF terminal spelling `value` as compact JSON."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class _Builder:
    def __init__(self, rules: dict[str, str]) -> None:
        self.rules = rules

    def rule(self, name: str, body: str) -> str:
        """Register `body` under a fresh name (or reuse one holding the same body)."""
        name = re.sub(r"[^a-zA-Z0-9-]+", "-", name)
        for existing, known in self.rules.items():
            if known == body:
                return existing
        taken, n = name, 1
        while taken in self.rules or taken in PRIMITIVES:
            n += 1
            taken = f"{name}{n}"
        self.rules[taken] = body
        return taken

    def primitive(self, kind: str) -> str:
        if kind == "string":
            self.rules.setdefault("char", PRIMITIVES["char"])
        self.rules.setdefault(kind, PRIMITIVES[kind])
        return kind

    def value(self, schema: dict[str, Any], name: str) -> str:
        if "const" in schema:
            return _literal(schema["const"])
        if "enum" in schema:
            return "(" + " | ".join(_literal(v) for v in schema["enum"]) + ")"
        options = schema.get("anyOf") or schema.get("oneOf")
        if options:
            alts = [self.value(o, f"{name}-{i}") for i, o in enumerate(options)]
            return self.rule(name, " | ".join(alts))
        kind = schema.get("type")
        if isinstance(kind, list):
            alts = [self.value({**schema, "type": k}, name) for k in kind]
            return self.rule(name, " | ".join(alts))
        if kind == "object":
            return self.object(schema, name)
        if kind == "array":
            return self.array(schema, name)
        if kind == "string" and schema.get("pattern") == ONE_SENTENCE:
            self.rules.update(ONE_SENTENCE_RULES)
            return "sentence"
        if "pattern" in schema:
            raise ValueError(f"compact_gbnf: unsupported pattern {schema['pattern']!r} at {name}")
        if kind == "string" and "maxLength" in schema:
            self.primitive("string")
            return self.rule(f"{name}-str", f'"\\"" char{{0,{int(schema["maxLength"])}}} "\\""')
        if kind in PRIMITIVES:
            return self.primitive(kind)
        raise ValueError(f"compact_gbnf: unsupported schema part {sorted(schema)} at {name}")

    def object(self, schema: dict[str, Any], name: str) -> str:
        props: dict[str, Any] = schema.get("properties", {})
        if not props:
            return self.rule(name, '"{}"')
        parts = [
            f'{_literal(key)} ":" sp {self.value(sub, f"{name}-{key}")}'
            for key, sub in props.items()
        ]
        return self.rule(name, '"{" nl ' + ' "," nl '.join(parts) + ' nl "}"')

    def array(self, schema: dict[str, Any], name: str) -> str:
        items = schema.get("items", {"type": "string"})
        item = self.value(items, f"{name}-item")
        low = int(schema.get("minItems", 0))
        high = schema.get("maxItems")
        if high is not None and int(high) == 0:
            return self.rule(name, '"[]"')
        # Objects one per line, as the model lays them out; numbers and strings inline.
        block = items.get("type") == "object" or "anyOf" in items
        nl, gap = (" nl", " nl") if block else ("", ' " "?')
        more = "*" if high is None else f"{{{max(low - 1, 0)},{int(high) - 1}}}"
        body = f'"["{nl} {item} (","{gap} {item}){more}{nl} "]"'
        if low == 0:
            body = f'"[]" | {body}'
        return self.rule(name, body)
