"""Spec text (YAML, or JSON, which YAML 1.2 reads too) to plain data plus a map from
every spec path to the line and column it came from.

Paths are tuples of keys and indexes, ``("pages", 0, "elements", 2)``; keys are
recorded in snake_case, the names the models use, whichever spelling the file used.
A path with no recorded position (a missing field, a default) is located at its
nearest recorded ancestor.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.representer import BaseRepresenter
from ruamel.yaml.scalarbool import ScalarBoolean

from trilith.spec.base import to_snake
from trilith.spec.errors import SpecError, SpecIssue

__all__ = ["PathKey", "SourceMap", "dump_yaml", "format_path", "parse_yaml"]

PathKey = tuple[str | int, ...]


def format_path(path: PathKey) -> str:
    """``("pages", 0, "elements", 2)`` → ``pages[0].elements[2]``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


@dataclass(frozen=True, slots=True)
class SourceMap:
    """Where each path of a spec document was written (1-based line and column)."""

    file: str | None = None
    positions: Mapping[PathKey, tuple[int, int]] = field(default_factory=dict)

    def locate(self, path: PathKey) -> tuple[int, int] | None:
        for end in range(len(path), -1, -1):
            found = self.positions.get(path[:end])
            if found is not None:
                return found
        return None

    def issue(self, path: PathKey, message: str) -> SpecIssue:
        """A ``SpecIssue`` for ``path``, positioned when the path came from text."""
        found = self.locate(path)
        line, column = found if found is not None else (None, None)
        return SpecIssue(format_path(path), message, line, column, self.file)

    def describe(self, path: PathKey) -> str:
        """``pages[0].elements[1] (app.yaml:12:7)``, for messages that point elsewhere."""
        found = self.locate(path)
        if found is None:
            return format_path(path)
        return f"{format_path(path)} ({self.file or '<spec>'}:{found[0]}:{found[1]})"


def parse_yaml(text: str, filename: str | None = None) -> tuple[Any, SourceMap]:
    """Parse spec text into plain dicts, lists and scalars, and where each came from.

    Dates and timestamps become ISO strings. Raises ``SpecError`` on a syntax error,
    a duplicate key, a recursive alias or a custom tag.
    """
    try:
        document = YAML(typ="rt", pure=True).load(text)
    except MarkedYAMLError as error:
        raise SpecError([_syntax_issue(error, filename)]) from None
    except YAMLError as error:
        raise SpecError([SpecIssue("", f"invalid YAML: {error}", file=filename)]) from None
    positions: dict[PathKey, tuple[int, int]] = {(): (1, 1)}
    source = SourceMap(filename, positions)
    return _Converter(source, positions).plain(document, ()), source


def dump_yaml(data: Any) -> str:
    """Plain data as block-style YAML, keys in the order given."""
    yaml = YAML(typ="rt", pure=True)
    yaml.representer.add_representer(str, _represent_str)
    yaml.default_flow_style = False
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 100
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    return buffer.getvalue()


_UNICODE_BREAKS = re.compile("[\x85\u2028\u2029]")


def _represent_str(representer: BaseRepresenter, text: str) -> ScalarNode:
    # Multi-line text (markdown) reads best as a literal block; ruamel falls back to a
    # quoted style when a block cannot hold the text. Unicode line breaks are written
    # escaped: ruamel's single-quoted style does not round-trip them.
    style = None
    if _UNICODE_BREAKS.search(text):
        style = '"'
    elif "\n" in text and text.replace("\n", "").replace("\t", "").isprintable():
        style = "|"
    return representer.represent_scalar("tag:yaml.org,2002:str", text, style=style)


def _syntax_issue(error: MarkedYAMLError, filename: str | None) -> SpecIssue:
    mark = error.problem_mark or error.context_mark
    problem = error.problem or error.context or "unreadable text"
    if "duplicate key" in problem:
        message = f"{problem}; each key may appear once in a mapping, remove or rename one"
    else:
        context = f" {error.context}" if error.context and error.problem else ""
        message = f"invalid YAML: {problem}{context}; fix the syntax at this position"
    line = mark.line + 1 if mark is not None else None
    column = mark.column + 1 if mark is not None else None
    return SpecIssue("", message, line, column, filename)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _join_surrogates(text: str) -> str:
    # JSON writes a character beyond U+FFFF as a pair of \u escapes; YAML reads each
    # escape as a character of its own, so pair them back up.
    if _SURROGATE.search(text) is None:
        return text
    try:
        return text.encode("utf-16", "surrogatepass").decode("utf-16")
    except UnicodeDecodeError:
        return text


class _Converter:
    """Walks ruamel's round-trip nodes, copying them to plain data and recording
    the position of every mapping key and sequence item."""

    def __init__(self, source: SourceMap, positions: dict[PathKey, tuple[int, int]]) -> None:
        self._source = source
        self._positions = positions
        self._open: set[int] = set()

    def plain(self, node: Any, path: PathKey) -> Any:
        if isinstance(node, Mapping | list):
            if id(node) in self._open:
                raise SpecError([self._source.issue(path, "recursive YAML alias; expand it")])
            self._open.add(id(node))
            try:
                if isinstance(node, Mapping):
                    return self._mapping(node, path)
                return self._sequence(node, path)
            finally:
                self._open.discard(id(node))
        return self._scalar(node, path)

    def _mapping(self, node: Mapping[Any, Any], path: PathKey) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        for key, value in node.items():
            plain_key = self._scalar(key, path)
            child = (*path, to_snake(plain_key) if isinstance(plain_key, str) else str(plain_key))
            self._record(child, node, "key", key)
            out[plain_key] = self.plain(value, child)
        return out

    def _sequence(self, node: list[Any], path: PathKey) -> list[Any]:
        out: list[Any] = []
        for index, value in enumerate(node):
            child = (*path, index)
            self._record(child, node, "item", index)
            out.append(self.plain(value, child))
        return out

    def _record(self, path: PathKey, node: Any, kind: str, key: Any) -> None:
        try:
            line, column = getattr(node.lc, kind)(key)
        except (AttributeError, KeyError, IndexError, TypeError):
            return  # merged (<<) keys and programmatic data have no position
        self._positions[path] = (line + 1, column + 1)

    def _scalar(self, node: Any, path: PathKey) -> Any:
        if type(node) is str:
            return _join_surrogates(node)
        if node is None or type(node) in (int, float, bool):
            return node
        if isinstance(node, ScalarBoolean):
            return bool(node)
        if isinstance(node, dt.date):  # also datetime and ruamel's TimeStamp
            return node.isoformat()
        if isinstance(node, str):
            return _join_surrogates(str(node))
        for plain_type in (bool, int, float):
            if isinstance(node, plain_type):
                return plain_type(node)
        tag = getattr(getattr(node, "tag", None), "value", None) or type(node).__name__
        raise SpecError(
            [self._source.issue(path, f"unsupported YAML value tagged {tag}; remove the tag")]
        )
