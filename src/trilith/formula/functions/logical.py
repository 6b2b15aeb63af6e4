"""Logical functions: If, Switch, In, Between, Coalesce, Zn, IsNull, IsNotNull."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlglot import exp

from trilith.formula import types as t
from trilith.formula.functions import trees
from trilith.formula.functions.operators import _comparable, and_py
from trilith.formula.functions.spec import (
    ArgumentError,
    Function,
    Invocation,
    common,
    function,
    numeric,
    registry,
)
from trilith.formula.ir import IR

__all__ = ["FUNCTIONS"]


# If(cond1, value1, cond2, value2, …, [else]): conditions at even places, values after.
def _if_values(count: int) -> list[int]:
    values = list(range(1, count, 2))
    return [*values, count - 1] if count % 2 else values


def _if_check(irs: Sequence[IR]) -> None:
    for index in range(0, len(irs) - 1, 2):
        if not t.accepts(t.LOGICAL, irs[index].type):
            raise ArgumentError(index, f"is {irs[index].type} but a condition must be logical")


def _build_if(inv: Invocation) -> exp.Expr:
    count = len(inv.irs)
    pairs = [(inv.arg(i), inv.arg(i + 1)) for i in range(0, count - 1, 2)]
    return trees.case(*pairs, default=inv.arg(count - 1) if count % 2 else None)


def _if_py(*values: Any) -> Any:
    count = len(values)
    for index in range(0, count - 1, 2):
        if values[index] is True:
            return values[index + 1]
    return values[-1] if count % 2 else None


# Switch(value, match1, result1, …, [default]): matches at odd places, results after.
def _switch_matches(count: int) -> list[int]:
    return [0, *range(1, count - 1, 2)]


def _switch_results(count: int) -> list[int]:
    results = list(range(2, count, 2))
    return [*results, count - 1] if count % 2 == 0 else results


_switch_result_type = common(_switch_results, what="results")
_switch_match_type = common(_switch_matches, what="values")


def _switch_type(types: Sequence[str]) -> str:
    _switch_match_type(types)
    return _switch_result_type(types)


def _build_switch(inv: Invocation) -> exp.Expr:
    count = len(inv.irs)
    ifs = [exp.If(this=inv.arg(i), true=inv.arg(i + 1)) for i in range(1, count - 1, 2)]
    default = inv.arg(count - 1) if count % 2 == 0 else None
    return exp.Case(this=inv.arg(0), ifs=ifs, default=default)


def _switch_py(*values: Any) -> Any:
    count = len(values)
    subject = values[0]
    if subject is not None:
        for index in range(1, count - 1, 2):
            candidate = values[index]
            if candidate is not None and _equal(subject, candidate):
                return values[index + 1]
    return values[-1] if count % 2 == 0 else None


def _equal(a: Any, b: Any) -> bool:
    left, right = _comparable(a, b)
    return bool(left == right)


def _in_py(value: Any, *candidates: Any) -> bool | None:
    if value is None:
        return None
    if any(c is not None and _equal(value, c) for c in candidates):
        return True
    return None if any(c is None for c in candidates) else False


def _between_py(value: Any, low: Any, high: Any) -> bool | None:
    if value is None:
        return None
    above = None if low is None else _comparable(value, low)[0] >= _comparable(value, low)[1]
    below = None if high is None else _comparable(value, high)[0] <= _comparable(value, high)[1]
    return and_py(above, below)


def _coalesce_py(*values: Any) -> Any:
    return next((v for v in values if v is not None), None)


def _logical_type(rule: Any) -> Any:
    def checked(types: Sequence[str]) -> str:
        rule(types)
        return t.LOGICAL

    return checked


FUNCTIONS: dict[str, Function] = registry(
    function(
        "If",
        "logical",
        "condition: any, value: any, more: any*",
        common(_if_values),
        _build_if,
        evaluate=_if_py,
        strict=False,
        validate=_if_check,
        usage="If(condition, value, [condition, value]…, [else])",
        summary="The value of the first true condition, else the last argument (or Null).",
        example='If([Amount] > 100, "large", [Amount] > 10, "medium", "small")',
    ),
    function(
        "Switch",
        "logical",
        "value: any, match: any, result: any, more: any*",
        _switch_type,
        _build_switch,
        evaluate=_switch_py,
        strict=False,
        usage="Switch(value, match, result, [match, result]…, [default])",
        summary="The result paired with the first match equal to value, else the default.",
        example='Switch([Stage], "won", 1, "lost", 0, Null)',
    ),
    function(
        "In",
        "logical",
        "value: any, candidates: any+",
        _logical_type(common(what="values")),
        lambda inv: exp.In(this=trees.wrap(inv.arg(0)), expressions=inv.args[1:]),
        evaluate=_in_py,
        strict=False,
        summary="True when value equals one of the candidates.",
        example='In([Stage], "won", "lost")',
    ),
    function(
        "Between",
        "logical",
        "value: any, low: any, high: any",
        _logical_type(common(what="values")),
        lambda inv: exp.Between(this=trees.wrap(inv.arg(0)), low=inv.arg(1), high=inv.arg(2)),
        evaluate=_between_py,
        strict=False,
        summary="True when low <= value <= high.",
        example="Between([Amount], 10, 20)",
    ),
    function(
        "Coalesce",
        "logical",
        "values: any+",
        common(),
        lambda inv: trees.coalesce(inv.arg(0), *inv.args[1:]),
        evaluate=_coalesce_py,
        strict=False,
        summary="The first argument that is not Null.",
        example='Coalesce([Nickname], [Name], "anonymous")',
    ),
    function(
        "Zn",
        "logical",
        "value: number",
        numeric,
        lambda inv: trees.coalesce(inv.arg(0), trees.integer(0)),
        evaluate=lambda value: 0 if value is None else value,
        strict=False,
        summary="Zero when the number is Null, else the number.",
        example="Zn([Discount])",
    ),
    function(
        "IsNull",
        "logical",
        "value: any",
        t.LOGICAL,
        lambda inv: trees.is_null(inv.arg(0)),
        evaluate=lambda value: value is None,
        strict=False,
        summary="True when the value is Null.",
        example="IsNull([Closed Date])",
    ),
    function(
        "IsNotNull",
        "logical",
        "value: any",
        t.LOGICAL,
        lambda inv: exp.Not(this=trees.is_null(inv.arg(0))),
        evaluate=lambda value: value is not None,
        strict=False,
        summary="True when the value is not Null.",
        example="IsNotNull([Closed Date])",
    ),
)
