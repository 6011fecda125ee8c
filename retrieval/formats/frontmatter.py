"""Front matter and YAML lists, as website repositories hold them, read so that one bad file
or one bad list item is reported with its line while everything else is kept.

Markdown pages carry YAML (`---`), TOML (`+++`, Hugo) or JSON front matter; python-frontmatter
finds and splits it, and the YAML is loaded with PyYAML's safe loader. Errors are turned into
`FrontMatterError`s that name the file line (not the line inside the front matter), because a
site owner fixes the file, not the parser's view of it. A YAML list file (`_data/*.yml`) is
composed once and each item is built on its own, so a bad date in one item costs that item
only; when the file does not even parse, it is split at its top-level items and each is
parsed alone.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from typing import Any

import frontmatter
import yaml
from frontmatter.default_handlers import BaseHandler

from retrieval.formats.jsonfile import LIST_KEYS
from retrieval.profile import ParseProblem

# What a YAML constructor raises on well-formed but unbuildable values: a date of month 13,
# a huge integer, a deeply nested alias bomb.
_BUILD_ERRORS = (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError)


class FrontMatterError(ValueError):
    """A page whose front matter cannot be read: the file line and what to fix."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class TomlHandler(BaseHandler):
    """Hugo's `+++` TOML front matter, through the standard library's tomllib."""

    FM_BOUNDARY = re.compile(r"^\+{3,}\s*$", re.MULTILINE)
    START_DELIMITER = END_DELIMITER = "+++"

    def load(self, fm: str, **kwargs: object) -> Any:
        return tomllib.loads(fm)

    def export(self, metadata: dict[str, object], **kwargs: object) -> str:
        raise NotImplementedError("paperchat only reads front matter")


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, except that a timestamp which is no real date ('2020-13-45')
    stays the text it was, so one bad date does not cost the whole record."""


def _timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def _load(text: str) -> Any:
    """One YAML document through the safe loader above (what yaml.safe_load does)."""
    loader = _Loader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


class YamlHandler(frontmatter.YAMLHandler):
    def load(self, fm: str, **kwargs: object) -> Any:
        return _load(fm)


_HANDLERS = [
    YamlHandler(),
    *(h for h in frontmatter.handlers if not isinstance(h, frontmatter.YAMLHandler)),
    TomlHandler(),
]


@dataclass
class FrontMatter:
    """A page split into its metadata and its (raw Markdown) body."""

    meta: dict[str, Any]
    body: str
    body_line: int


def _mark_line(exc: BaseException) -> int | None:
    """The 0-based line a YAML or TOML error points at: where the broken construct starts
    (an unclosed '[' or quote), else where the parser gave up."""
    mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
    if mark is not None:
        return int(mark.line)
    found = re.search(r"at line (\d+)", str(exc))
    return int(found.group(1)) - 1 if found else None


def _reason(exc: BaseException) -> str:
    problem, context = getattr(exc, "problem", None), getattr(exc, "context", None)
    text = str(f"{context}: {problem}" if context and problem else problem or exc)
    lines = text.strip().splitlines()
    return (lines[0] if lines else type(exc).__name__)[:200]


def read_front_matter(text: str) -> FrontMatter:
    """The front matter and body of a Markdown page (FrontMatterError if unreadable)."""
    text = text.lstrip("\ufeff")
    lead = len(text) - len(text.lstrip())
    start = text[:lead].count("\n") + 1
    page = text[lead:]
    handler = frontmatter.detect_format(page, _HANDLERS)
    if handler is None:
        raise FrontMatterError(start, "no front matter: the page must start with a '---' block")
    try:
        fm, body = handler.split(page)
    except ValueError:
        raise FrontMatterError(start, "front matter is never closed (no second '---')") from None
    # after its '---' or '+++'; JSON front matter keeps its opening brace, so it starts at 0
    found = page.find(fm, 3)
    fm_line = start + page[: found if found >= 0 else max(page.find(fm), 0)].count("\n")
    try:
        meta = handler.load(fm)
    except (*_BUILD_ERRORS, tomllib.TOMLDecodeError) as exc:
        at = _mark_line(exc)
        line = fm_line + at if at is not None else start
        raise FrontMatterError(line, f"invalid front matter: {_reason(exc)}") from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        kind = type(meta).__name__
        raise FrontMatterError(start, f"front matter is a {kind}, not a set of fields")
    body_line = fm_line + fm.count("\n")
    return FrontMatter(meta={str(k): v for k, v in meta.items()}, body=body, body_line=body_line)


def _build(node: yaml.Node) -> Any:
    loader = _Loader("")
    try:
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _items_node(root: yaml.Node) -> list[yaml.Node]:
    """The list of records: the root sequence, a known list key's value, or the one mapping."""
    if isinstance(root, yaml.SequenceNode):
        return list(root.value)
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if str(key.value).lower() in LIST_KEYS and isinstance(value, yaml.SequenceNode):
                return list(value.value)
    return [root]


def yaml_records(text: str) -> list[tuple[int, Any]]:
    """(line, record or ParseProblem) for each item of a YAML list file."""
    try:
        loader = _Loader(text)  # the reader refuses control characters at once
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        return _recover(text, exc)
    if root is None:
        return []
    out: list[tuple[int, Any]] = []
    for node in _items_node(root):
        line = node.start_mark.line + 1
        try:
            out.append((line, _build(node)))
        except _BUILD_ERRORS as exc:
            out.append((line, ParseProblem(line=line, message=f"invalid YAML: {_reason(exc)}")))
    return out


_ITEM_RE = re.compile(r"^( *)- ", re.MULTILINE)


def _recover(text: str, exc: yaml.YAMLError) -> list[tuple[int, Any]]:
    """A file that does not parse: each top-level item parsed alone, the broken ones reported."""
    first = _ITEM_RE.search(text)
    if first is None:
        at = _mark_line(exc)
        line = at + 1 if at is not None else 1
        return [(line, ParseProblem(line=line, message=f"invalid YAML: {_reason(exc)}"))]
    indent = len(first.group(1))
    starts = [m.start() for m in re.finditer(rf"^ {{{indent}}}- ", text, re.MULTILINE)]
    out: list[tuple[int, Any]] = []
    for begin, end in zip(starts, [*starts[1:], len(text)], strict=True):
        line = text.count("\n", 0, begin) + 1
        chunk = "\n".join(row[indent:] for row in text[begin:end].splitlines())
        try:
            value = _load(chunk)
        except _BUILD_ERRORS as err:
            at = _mark_line(err)
            where = line + at if at is not None else line
            message = f"invalid YAML at line {where}: {_reason(err)}"
            out.append((line, ParseProblem(line=line, message=message)))
            continue
        items = value if isinstance(value, list) else [value]
        out.extend((line, item) for item in items)
    return out


def load_yaml(text: str) -> Any:
    """A small YAML config or profile file; None when it is not valid YAML."""
    try:
        return _load(text)
    except _BUILD_ERRORS:
        return None
