"""Pydantic validation errors → ``SpecIssue``s that say where and what to do.

Pydantic reports a location like ``("pages", 0, "elements", 2, "container",
"cornerStyle")``: the element's tag and the file's spelling of the key are in it. Each
location is resolved against the model classes to a spec path (``pages[0].elements[2]
.corner_style``), the model that owns the field, and the field's type, which lets the
message list the accepted values or suggest the field that was probably meant. One
message builder per pydantic error type, in ``MESSAGES``.
"""

from __future__ import annotations

import difflib
import re
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from trilith.spec.base import to_snake, with_article
from trilith.spec.elements import ElementBase
from trilith.spec.errors import SpecIssue
from trilith.spec.source import PathKey, SourceMap

__all__ = ["MESSAGES", "issues_from_validation_error"]


@dataclass(frozen=True, slots=True)
class Located:
    """A pydantic error location resolved against the models."""

    path: PathKey
    owner: type[BaseModel] | None  # the model whose field (or unknown key) ends the path
    annotation: Any  # the type expected at the path, None when unknown
    branches: tuple[str, ...] = ()  # union members pydantic tried, for union errors


MessageBuilder = Callable[[ErrorDetails, Located], tuple[PathKey, str]]
MESSAGES: dict[str, MessageBuilder] = {}


def issues_from_validation_error(
    error: ValidationError, source: SourceMap, root: type[BaseModel]
) -> list[SpecIssue]:
    """One issue per problem; a value no member of a union accepted is one problem."""
    entries: list[tuple[PathKey, str | None]] = []  # None: a union problem, worded below
    unions: dict[PathKey, tuple[Any, list[str]]] = {}
    for details in error.errors(include_url=False):
        at = _resolve(root, details["loc"])
        if at.branches:
            if at.path not in unions:
                unions[at.path] = (details["input"], [])
                entries.append((at.path, None))
            unions[at.path][1].extend(at.branches)
            continue
        entry = MESSAGES.get(details["type"], _as_reported)(details, at)
        if entry not in entries:
            entries.append(entry)
    issues: list[SpecIssue] = []
    for path, message in entries:
        if message is None:
            value, branches = unions[path]
            message = f"got {_show(value)}; use {_or(branches)}"
        issues.append(source.issue(path, message))
    return issues


def _message(*error_types: str) -> Callable[[MessageBuilder], MessageBuilder]:
    def register(builder: MessageBuilder) -> MessageBuilder:
        for error_type in error_types:
            MESSAGES[error_type] = builder
        return builder

    return register


@_message("missing")
def _missing(details: ErrorDetails, at: Located) -> tuple[PathKey, str]:
    name = at.path[-1] if at.path else "?"
    return at.path[:-1], f"missing required field '{name}' of {_describe(at.owner)}; add it"


@_message("extra_forbidden")
def _unknown_field(details: ErrorDetails, at: Located) -> tuple[PathKey, str]:
    key = str(details["loc"][-1])
    allowed = sorted(at.owner.model_fields) if at.owner is not None else []
    close = difflib.get_close_matches(to_snake(key), allowed, n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'?" if close else f"use one of: {', '.join(allowed)}"
    return at.path, f"unknown field '{key}' of {_describe(at.owner)}; {hint}"


@_message("literal_error", "enum")
def _not_an_option(details: ErrorDetails, at: Located) -> tuple[PathKey, str]:
    options = _literal_options(at.annotation) or _parse_expected(details)
    return at.path, f"got {_show(details['input'])}; use one of: {', '.join(options)}"


@_message("union_tag_invalid")
def _unknown_type(details: ErrorDetails, at: Located) -> tuple[PathKey, str]:
    ctx = details.get("ctx", {})
    tags = _union_tags(at.annotation) or _parse_expected(details, "expected_tags")
    return (
        (*at.path, "type"),
        f"unknown element type {ctx.get('tag')!r}; use one of: {', '.join(tags)}",
    )


@_message("union_tag_not_found")
def _missing_type(details: ErrorDetails, at: Located) -> tuple[PathKey, str]:
    tags = _union_tags(at.annotation) or _parse_expected(details, "expected_tags")
    return at.path, f"missing 'type'; add type: one of {', '.join(tags)}"


#: Pydantic type errors → what was expected, and how to write it.
_EXPECTED: dict[str, tuple[str, str]] = {
    "string_type": ("text", "quote it"),
    "int_type": ("a whole number", "write digits only, like 12"),
    "int_parsing": ("a whole number", "write digits only, like 12"),
    "int_from_float": ("a whole number", "drop the fraction"),
    "float_type": ("a number", "write it like 12 or 1.5"),
    "float_parsing": ("a number", "write it like 12 or 1.5"),
    "bool_type": ("true or false", "write true or false"),
    "bool_parsing": ("true or false", "write true or false"),
    "list_type": ("a list", "write it as [a, b] or as lines starting with '- '"),
    "dict_type": ("a mapping", "write it as key: value lines"),
    "model_type": ("a mapping", "write it as key: value lines"),
    "model_attributes_type": ("a mapping", "write it as key: value lines"),
}


@_message(*_EXPECTED)
def _wrong_type(details: ErrorDetails, at: Located) -> tuple[PathKey, str]:
    value = details["input"]
    if not at.path and details["type"] == "model_type":
        return at.path, f"an app spec is a mapping with id, title and pages; got {_show(value)}"
    expected, hint = _EXPECTED[details["type"]]
    if expected == "text" and not isinstance(value, int | float):
        hint = "write it as a string"
    return at.path, f"expected {expected}, got {_show(value)}; {hint}"


@_message("greater_than_equal", "greater_than", "less_than_equal", "less_than")
def _out_of_range(details: ErrorDetails, at: Located) -> tuple[PathKey, str]:
    ctx = details.get("ctx", {})
    bounds = {"ge": ">=", "gt": ">", "le": "<=", "lt": "<"}
    bound = next(f"{sign} {ctx[key]}" for key, sign in bounds.items() if key in ctx)
    return at.path, f"got {_show(details['input'])}; use a number {bound}"


@_message("too_short", "string_too_short")
def _too_short(details: ErrorDetails, at: Located) -> tuple[PathKey, str]:
    if details["type"] == "string_too_short":
        return at.path, "must not be empty; write a value"
    minimum = details.get("ctx", {}).get("min_length", 1)
    noun = "item" if minimum == 1 else "items"
    return at.path, f"needs at least {minimum} {noun}; add one"


@_message("too_long", "string_too_long")
def _too_long(details: ErrorDetails, at: Located) -> tuple[PathKey, str]:
    maximum = details.get("ctx", {}).get("max_length")
    return at.path, f"too long; shorten it to at most {maximum}"


@_message("string_pattern_mismatch")
def _bad_name(details: ErrorDetails, at: Located) -> tuple[PathKey, str]:
    if at.path and at.path[-1] == "type":
        return at.path, f"got {_show(details['input'])}; a step type is lower_snake_case"
    return at.path, (
        f"{_show(details['input'])} is not a valid id; use letters, digits, '_' and '-', "
        "starting with a letter or '_'"
    )


@_message("value_error", "assertion_error")
def _from_validator(details: ErrorDetails, at: Located) -> tuple[PathKey, str]:
    error = details.get("ctx", {}).get("error")
    return at.path, str(error) if error is not None else details["msg"]


def _as_reported(details: ErrorDetails, at: Located) -> tuple[PathKey, str]:
    # Custom errors raised by the spec's own validators already say what to do.
    return at.path, details["msg"]


def _resolve(root: type[BaseModel], loc: Sequence[int | str]) -> Located:
    path: list[str | int] = []
    current: Any = root
    owner: type[BaseModel] | None = None
    branches: list[str] = []
    for item in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel) and isinstance(item, str):
            owner = current
            name = _field_name(current, item)
            path.append(name or to_snake(item))
            current = current.model_fields[name].annotation if name else None
        elif _is_union(current) and isinstance(item, str):
            member = _tagged_member(current, item)
            if member is None:
                branches.append(item)
            current = member
        elif get_origin(current) in (list, tuple) and isinstance(item, int):
            path.append(item)
            current = (get_args(current) or (None,))[0]
        elif get_origin(current) is dict:
            path.append(item)
            current = (get_args(current) or (None, None))[1]
        else:
            path.append(item if isinstance(item, int) else to_snake(item))
            current = None
    return Located(tuple(path), owner, _unwrap(current), tuple(branches))


def _unwrap(annotation: Any) -> Any:
    while True:
        if get_origin(annotation) is Annotated:
            annotation = get_args(annotation)[0]
        elif _is_union(annotation):
            members = [arg for arg in get_args(annotation) if arg is not type(None)]
            if len(members) != 1:
                return annotation
            annotation = members[0]
        else:
            return annotation


def _is_union(annotation: Any) -> bool:
    return get_origin(annotation) in (Union, types.UnionType)


def _field_name(model: type[BaseModel], key: str) -> str | None:
    for name, info in model.model_fields.items():
        if key in (name, info.alias, info.validation_alias):
            return name
    return key if key in model.model_fields else None


def _tagged_member(union: Any, tag: str) -> Any:
    for member in get_args(union):
        member = _unwrap(member)
        if isinstance(member, type) and issubclass(member, BaseModel):
            field = member.model_fields.get("type")
            if field is not None and tag in get_args(field.annotation):
                return member
    return None


def _union_tags(annotation: Any) -> list[str]:
    if not _is_union(annotation):
        return []
    tags: list[str] = []
    for member in get_args(annotation):
        field = getattr(_unwrap(member), "model_fields", {}).get("type")
        if field is not None:
            tags.extend(str(tag) for tag in get_args(field.annotation))
    return sorted(tags)


def _literal_options(annotation: Any) -> list[str]:
    if get_origin(annotation) is Literal:
        return [str(option) for option in get_args(annotation)]
    return []


def _parse_expected(details: ErrorDetails, key: str = "expected") -> list[str]:
    expected = str(details.get("ctx", {}).get(key, ""))
    return [part.strip("'\"") for part in re.split(r", | or ", expected) if part]


def _describe(model: type[BaseModel] | None) -> str:
    if model is None:
        return "this mapping"
    if issubclass(model, ElementBase):
        tag = get_args(model.model_fields["type"].annotation)
        return with_article(f"{tag[0]} element") if tag else "an element"
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", model.__name__).lower()
    return f"the {words}" if model.__name__ == "App" else with_article(words)


_BRANCH_NAMES = {"str": "text", "int": "a number", "float": "a number", "bool": "true/false"}


def _or(branches: list[str]) -> str:
    names = list(dict.fromkeys(_BRANCH_NAMES.get(branch, branch) for branch in branches))
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
