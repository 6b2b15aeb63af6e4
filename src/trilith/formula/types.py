"""Formula types: what a value is, how types combine, and how each maps to SQL.

    number     any number; `integer` is a number known to be whole
    text       a string
    logical    true / false
    date       a calendar date; `datetime` a date with a time of day (no time zone)
    array      a list of values (a multi-value control, a selection of several rows)
    variant    unknown: accepted everywhere, checked by the warehouse
    null       the type of `Null`, which fits every type

A parameter kind (what a function accepts) is a type name or `any` (every type except
array). `number` accepts integers, `date` accepts datetimes.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlglot import exp
from sqlglot.expressions.datatypes import DType

__all__ = [
    "ARRAY",
    "DATE",
    "DATETIME",
    "INTEGER",
    "LOGICAL",
    "NULL",
    "NUMBER",
    "TEXT",
    "TYPES",
    "VARIANT",
    "accepts",
    "sql_type",
    "type_of_value",
    "unify",
]

NUMBER = "number"
INTEGER = "integer"
TEXT = "text"
LOGICAL = "logical"
DATE = "date"
DATETIME = "datetime"
ARRAY = "array"
VARIANT = "variant"
NULL = "null"
TYPES = (NUMBER, INTEGER, TEXT, LOGICAL, DATE, DATETIME, ARRAY, VARIANT, NULL)

# Names callers may use for column types, mapped onto formula types.
ALIASES = {
    "int": INTEGER,
    "bigint": INTEGER,
    "float": NUMBER,
    "double": NUMBER,
    "decimal": NUMBER,
    "string": TEXT,
    "varchar": TEXT,
    "boolean": LOGICAL,
    "bool": LOGICAL,
    "timestamp": DATETIME,
    "list": ARRAY,
}

# kind -> the value types it accepts (besides null and variant, accepted everywhere)
_ACCEPTS: dict[str, frozenset[str]] = {
    NUMBER: frozenset({NUMBER, INTEGER}),
    INTEGER: frozenset({INTEGER, NUMBER}),  # a number is floored to an integer
    TEXT: frozenset({TEXT}),
    LOGICAL: frozenset({LOGICAL}),
    DATE: frozenset({DATE, DATETIME}),
    DATETIME: frozenset({DATE, DATETIME}),
    ARRAY: frozenset({ARRAY}),
    "any": frozenset({NUMBER, INTEGER, TEXT, LOGICAL, DATE, DATETIME}),
}

# Pairs that unify to a wider type.
_WIDER = {
    frozenset({INTEGER, NUMBER}): NUMBER,
    frozenset({DATE, DATETIME}): DATETIME,
}


def normalize(name: str) -> str:
    lowered = name.lower()
    lowered = ALIASES.get(lowered, lowered)
    if lowered not in TYPES:
        raise ValueError(f"unknown formula type {name!r}; known: {', '.join(TYPES)}")
    return lowered


def accepts(kind: str, actual: str) -> bool:
    return actual in (NULL, VARIANT) or actual in _ACCEPTS[kind]


def unify(left: str, right: str) -> str | None:
    """The type both fit in, or None when they do not mix (text and number)."""
    if left == right or right == NULL:
        return left
    if left == NULL:
        return right
    if VARIANT in (left, right):
        return VARIANT
    return _WIDER.get(frozenset({left, right}))


def type_of_value(value: Any) -> str:
    """The formula type of a Python value (controls, variables, selections)."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return LOGICAL
    if isinstance(value, int):
        return INTEGER
    if isinstance(value, float | Decimal):
        return NUMBER
    if isinstance(value, str):
        return TEXT
    if isinstance(value, dt.datetime):
        return DATETIME
    if isinstance(value, dt.date):
        return DATE
    if isinstance(value, list | tuple):
        return ARRAY
    return VARIANT


_DATA_TYPES: dict[str, DType] = {
    NUMBER: exp.DataType.Type.DOUBLE,
    INTEGER: exp.DataType.Type.BIGINT,
    TEXT: exp.DataType.Type.TEXT,
    LOGICAL: exp.DataType.Type.BOOLEAN,
    DATE: exp.DataType.Type.DATE,
    DATETIME: exp.DataType.Type.TIMESTAMP,
}


def sql_type(type_: str) -> exp.DataType | None:
    """The SQL type a value of this formula type is cast to, or None (no cast)."""
    member = _DATA_TYPES.get(type_)
    return exp.DataType(this=member) if member is not None else None
