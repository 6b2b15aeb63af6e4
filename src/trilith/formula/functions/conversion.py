"""Type functions: Text, Number, Date, Logical, and the conversions other families reuse.

Conversions give one answer on every engine: Number("abc") is null (never an error),
Text(True) is "true", Text of a datetime is "YYYY-MM-DD HH:MM:SS".
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlglot import exp

from trilith.formula import types as t
from trilith.formula.functions import trees
from trilith.formula.functions.calendar import CALENDARS
from trilith.formula.functions.formats import (
    DATETIME_FORMAT,
    format_sql,
    parse_date_text,
    translate_format,
)
from trilith.formula.functions.spec import ArgumentError, Function, Invocation, function, registry
from trilith.formula.ir import Const

__all__ = ["FUNCTIONS", "TO_INTEGER", "TYPED_NULL", "date_literal", "text_py", "text_sql"]

# The numbers Number(text) accepts, the same on every engine that has regular expressions.
NUMBER_PATTERN = r"^\s*[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?\s*$"
_NUMBER_RE = re.compile(NUMBER_PATTERN)


# --- to text -----------------------------------------------------------------------------


def text_sql(node: exp.Expr, type_: str, dialect: str) -> exp.Expr:
    if type_ in (t.TEXT, t.NULL):
        return node
    if type_ == t.LOGICAL:
        return trees.case(
            (node, trees.text("true")), (exp.Not(this=trees.wrap(node)), trees.text("false"))
        )
    if type_ == t.DATETIME:
        spelled = trees.text(translate_format(DATETIME_FORMAT, dialect))
        return format_sql(node, type_, spelled, dialect)
    if type_ == t.DATE and dialect == "sqlite":
        return node
    return trees.cast(node, t.TEXT)


def text_py(value: Any, type_: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.strftime(DATETIME_FORMAT)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# --- to number ---------------------------------------------------------------------------


def _number_from_text(inv: Invocation, node: exp.Expr) -> exp.Expr:
    matches = exp.RegexpLike(this=node, expression=trees.text(NUMBER_PATTERN))
    return trees.case((matches, trees.cast(exp.Trim(this=node), t.NUMBER)))


def _number_from_text_sqlite(node: exp.Expr) -> exp.Expr:
    # No regular expressions in SQLite: JSON's number grammar is the nearest strict one.
    trimmed = exp.Trim(this=node)
    is_number = exp.In(
        this=trees.call("JSON_TYPE", trimmed),
        expressions=[trees.text("integer"), trees.text("real")],
    )
    inner = trees.case((is_number, trees.cast(trimmed, t.NUMBER)))
    return trees.case((trees.call("JSON_VALID", trimmed), inner))


def _build_number(inv: Invocation) -> exp.Expr:
    node, type_ = inv.arg(0), inv.arg_type(0)
    if type_ == t.LOGICAL:
        return trees.case(
            (node, trees.integer(1)), (exp.Not(this=trees.wrap(node)), trees.integer(0))
        )
    if type_ in (t.TEXT, t.VARIANT):
        if inv.dialect == "sqlite":
            return _number_from_text_sqlite(node)
        return _number_from_text(inv, node)
    return node


def _number_py(types: Sequence[str], value: Any) -> int | float | Decimal | None:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str):
        return float(value.strip()) if _NUMBER_RE.match(value) else None
    assert isinstance(value, int | float | Decimal)
    return value


def _number_type(types: Sequence[str]) -> str:
    return t.INTEGER if types[0] in (t.INTEGER, t.LOGICAL) else t.NUMBER


def _number_check(irs: Any) -> None:
    if irs[0].type in (t.DATE, t.DATETIME, t.ARRAY):
        raise ArgumentError(0, f"is {irs[0].type}; Number() converts text and logicals")


# --- to date -----------------------------------------------------------------------------


def date_literal(value: dt.date) -> exp.Expr:
    if isinstance(value, dt.datetime):
        return trees.cast(trees.text(value.strftime(DATETIME_FORMAT)), t.DATETIME)
    return trees.cast(trees.text(value.isoformat()), t.DATE)


def _build_date(inv: Invocation) -> exp.Expr:
    type_ = inv.arg_type(0)
    if type_ == t.DATE:
        return inv.arg(0)
    if type_ == t.DATETIME:
        return trees.cast(inv.arg(0), t.DATE)
    if inv.dialect == "sqlite":
        return trees.call("DATE", inv.arg(0))
    return trees.cast(CALENDARS[inv.dialect].parse_iso(inv.arg(0)), t.DATE)


def _date_py(types: Sequence[str], value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    parsed = parse_date_text(value)
    return parsed.date() if isinstance(parsed, dt.datetime) else parsed


def _date_check(irs: Any) -> None:
    if irs[0].type not in (t.TEXT, t.DATE, t.DATETIME, t.NULL, t.VARIANT):
        raise ArgumentError(0, f"is {irs[0].type}; Date() converts text and datetimes")


def _date_fold(irs: Any, scope: Any) -> Const | None:
    """Date("2024-01-31") is a date literal; with a time of day, a datetime literal."""
    arg = irs[0]
    if not isinstance(arg, Const) or not isinstance(arg.value, str):
        return None
    value = parse_date_text(arg.value)
    if value is None:
        raise ArgumentError(0, f"{arg.value!r} is not a date: write YYYY-MM-DD[ HH:MM[:SS]]")
    return Const(value, t.DATETIME if isinstance(value, dt.datetime) else t.DATE, arg.offset)


# --- to logical --------------------------------------------------------------------------


def _build_logical(inv: Invocation) -> exp.Expr:
    node, type_ = inv.arg(0), inv.arg_type(0)
    if type_ in (t.INTEGER, t.NUMBER):
        return exp.NEQ(this=trees.wrap(node), expression=trees.integer(0))
    if type_ in (t.TEXT, t.VARIANT):
        folded = exp.Lower(this=exp.Trim(this=node))
        return trees.case(
            (exp.EQ(this=folded, expression=trees.text("true")), exp.true()),
            (exp.EQ(this=folded, expression=trees.text("false")), exp.false()),
        )
    return node


def _logical_py(types: Sequence[str], value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return {"true": True, "false": False}.get(value.strip().lower())
    return bool(value != 0)


def _logical_check(irs: Any) -> None:
    if irs[0].type in (t.DATE, t.DATETIME, t.ARRAY):
        raise ArgumentError(0, f"is {irs[0].type}; Logical() converts text and numbers")


# --- internal: number -> integer where an integer is needed --------------------------------


def _build_to_integer(inv: Invocation) -> exp.Expr:
    return trees.cast(exp.Floor(this=inv.arg(0)), t.INTEGER)


TO_INTEGER = function(
    "Integer", "internal", "value: number", t.INTEGER, _build_to_integer, evaluate=math.floor
)


def _typed_null(type_: str) -> Function:
    return function(
        f"As{type_.title()}",
        "internal",
        "value: any",
        type_,
        lambda inv: trees.cast(inv.arg(0), type_),
        evaluate=lambda value: value,
        strict=False,
    )


# Internal: an expression that is always Null, given the type its place expects.
TYPED_NULL = {
    type_: _typed_null(type_)
    for type_ in (t.NUMBER, t.INTEGER, t.TEXT, t.LOGICAL, t.DATE, t.DATETIME)
}

FUNCTIONS: dict[str, Function] = registry(
    function(
        "Text",
        "type",
        "value: any",
        t.TEXT,
        lambda inv: text_sql(inv.arg(0), inv.arg_type(0), inv.dialect),
        evaluate=lambda types, value: text_py(value, types[0]),
        wants_types=True,
        summary="The value as text; logicals give true/false, datetimes YYYY-MM-DD HH:MM:SS.",
        example="Text(42)",
    ),
    function(
        "Number",
        "type",
        "value: any",
        _number_type,
        _build_number,
        evaluate=_number_py,
        wants_types=True,
        validate=_number_check,
        summary="Text or a logical as a number; text that is not a number gives Null.",
        example='Number("12.5")',
    ),
    function(
        "Date",
        "type",
        "value: any",
        t.DATE,
        _build_date,
        evaluate=_date_py,
        wants_types=True,
        validate=_date_check,
        fold=_date_fold,
        summary="ISO text (YYYY-MM-DD, optionally with a time) or a datetime as a date.",
        example='Date("2024-01-31")',
    ),
    function(
        "Logical",
        "type",
        "value: any",
        t.LOGICAL,
        _build_logical,
        evaluate=_logical_py,
        wants_types=True,
        validate=_logical_check,
        summary='"true"/"false" (any case) or a number (non-zero is True) as a logical.',
        example='Logical("TRUE")',
    ),
)
