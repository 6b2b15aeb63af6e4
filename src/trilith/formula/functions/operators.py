"""Operators, registered like functions: `+ - * / % ^ &`, comparisons, `and or not`.

Arithmetic follows Sigma: `/` always divides as real numbers (5/2 = 2.5) and a zero
divisor gives Null; `%` keeps the sign of the dividend; `^` gives Null where a warehouse
would fail or answer NaN (a negative base with a fractional exponent, 0 to a negative
power). `&` joins text and treats Null as empty text.
"""

from __future__ import annotations

import datetime as dt
import math
import operator
from collections.abc import Callable, Sequence
from typing import Any

from sqlglot import exp

from trilith.formula import types as t
from trilith.formula.functions import trees
from trilith.formula.functions.conversion import text_py, text_sql
from trilith.formula.functions.spec import (
    Function,
    Invocation,
    common,
    function,
    numeric,
    registry,
)
from trilith.formula.ir import Apply, Const

__all__ = ["OPERATORS"]


def _arith(cls: type[exp.Binary]) -> Callable[[Invocation], exp.Expr]:
    return lambda inv: trees.binary(cls, inv.arg(0), inv.arg(1))


def _divide(inv: Invocation) -> exp.Expr:
    divisor = inv.arg(1)
    known = trees.literal_value(divisor)
    safe = known is None or known == 0  # NULLIF(divisor, 0) only where it can be zero
    return trees.binary(exp.Div, inv.arg(0), divisor, typed=False, safe=safe)


def _divide_py(a: Any, b: Any) -> float | None:
    return None if b == 0 else float(a) / float(b)


def _nonzero(node: exp.Expr) -> exp.Expr:
    """The divisor, Null where it is zero (so that x % 0 is Null, not an error)."""
    known = trees.literal_value(node)
    return node if known is not None and known != 0 else trees.nullif(node, trees.integer(0))


def _mod(inv: Invocation) -> exp.Expr:
    return trees.binary(exp.Mod, inv.arg(0), _nonzero(inv.arg(1)))


def _mod_function(inv: Invocation) -> exp.Expr:
    # SQLite's % and PostgreSQL's % work on integers only; their MOD() takes any number.
    if inv.type == t.INTEGER:
        return _mod(inv)
    left, right = inv.arg(0), inv.arg(1)
    if inv.dialect == "postgres":
        left, right = (
            trees.cast(left, exp.DataType.Type.DECIMAL),
            trees.cast(right, exp.DataType.Type.DECIMAL),
        )
    return trees.call("MOD", left, _nonzero(right))


def mod_py(a: Any, b: Any) -> Any:
    if b == 0:
        return None
    if isinstance(a, int) and isinstance(b, int):
        remainder = abs(a) % abs(b)
        return -remainder if a < 0 else remainder
    return math.fmod(a, b)


def power_sql(base: exp.Expr, exponent: exp.Expr) -> exp.Expr:
    """POWER with Null for a negative base and fractional exponent, or 0 to a negative power."""
    power = exp.Pow(this=base, expression=exponent)
    known = trees.literal_value(exponent)
    guards: list[exp.Expr] = []
    if known is None or known < 0:
        zero_base = exp.EQ(this=trees.wrap(base), expression=trees.integer(0))
        negative = exp.LT(this=trees.wrap(exponent), expression=trees.integer(0))
        guards.append(zero_base if known is not None else trees.and_(zero_base, negative))
    if known is None or known != math.floor(known):
        negative_base = exp.LT(this=trees.wrap(base), expression=trees.integer(0))
        fractional = exp.NEQ(this=trees.wrap(exponent), expression=exp.Floor(this=exponent))
        guards.append(negative_base if known is not None else trees.and_(negative_base, fractional))
    return trees.null_if(trees.or_(*guards), power) if guards else power


def power_py(a: Any, b: Any) -> float | None:
    if (a == 0 and b < 0) or (a < 0 and b != math.floor(b)):
        return None
    try:
        return float(float(a) ** float(b))
    except OverflowError:
        return math.inf


def _text_part(inv: Invocation, index: int) -> exp.Expr:
    ir = inv.irs[index]
    node = text_sql(inv.arg(index), ir.type, inv.dialect)
    never_null = (isinstance(ir, Const) and ir.value is not None) or (
        isinstance(ir, Apply) and ir.fn.name in ("&", "Concat")
    )
    return node if never_null else trees.coalesce(node, trees.text(""))


def concat_sql(inv: Invocation) -> exp.Expr:
    parts = [_text_part(inv, i) for i in range(len(inv.irs))]
    result = parts[0]
    for part in parts[1:]:
        result = trees.binary(exp.DPipe, result, part)
    return result


def concat_py(types: Sequence[str], *values: Any) -> str:
    return "".join(text_py(v, ty) or "" for v, ty in zip(values, types, strict=True))


def _comparable(a: Any, b: Any) -> tuple[Any, Any]:
    # A date compares with a datetime as its midnight, as in SQL.
    if isinstance(a, dt.datetime) and type(b) is dt.date:
        return a, dt.datetime.combine(b, dt.time())
    if isinstance(b, dt.datetime) and type(a) is dt.date:
        return dt.datetime.combine(a, dt.time()), b
    return a, b


def _compare(op: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    return lambda a, b: op(*_comparable(a, b))


def and_py(a: bool | None, b: bool | None) -> bool | None:
    if a is False or b is False:
        return False
    return None if a is None or b is None else True


def or_py(a: bool | None, b: bool | None) -> bool | None:
    if a is True or b is True:
        return True
    return None if a is None or b is None else False


def _negate_literal(irs: Any, scope: Any) -> Const | None:
    # -7 is a number literal, so it may stand where a constant is required.
    arg = irs[0]
    if isinstance(arg, Const) and isinstance(arg.value, int | float) and arg.value is not True:
        return Const(-arg.value, arg.type, arg.offset)
    return None


_COMPARISONS: dict[str, tuple[type[exp.Binary], Callable[[Any, Any], bool]]] = {
    "=": (exp.EQ, operator.eq),
    "!=": (exp.NEQ, operator.ne),
    "<": (exp.LT, operator.lt),
    ">": (exp.GT, operator.gt),
    "<=": (exp.LTE, operator.le),
    ">=": (exp.GTE, operator.ge),
}

_NUMBERS = "left: number, right: number"
_same_type = common(what="operand")


def _comparison_type(types: Any) -> str:
    _same_type(types)  # raises when the operands do not mix
    return t.LOGICAL


OPERATORS: dict[str, Function] = registry(
    function(
        "+",
        "operator",
        _NUMBERS,
        numeric,
        _arith(exp.Add),
        evaluate=operator.add,
        hints={t.TEXT: "join text with &", t.DATE: "add to dates with DateAdd()"},
    ),
    function(
        "-",
        "operator",
        _NUMBERS,
        numeric,
        _arith(exp.Sub),
        evaluate=operator.sub,
        hints={t.DATE: "use DateDiff() or DateAdd() with dates"},
    ),
    function("*", "operator", _NUMBERS, numeric, _arith(exp.Mul), evaluate=operator.mul),
    function("/", "operator", _NUMBERS, t.NUMBER, _divide, evaluate=_divide_py),
    function(
        "%",
        "operator",
        _NUMBERS,
        numeric,
        _mod,
        evaluate=mod_py,
        dialects={"sqlite": _mod_function, "postgres": _mod_function},
    ),
    function(
        "^",
        "operator",
        _NUMBERS,
        t.NUMBER,
        lambda inv: power_sql(inv.arg(0), inv.arg(1)),
        evaluate=power_py,
    ),
    function(
        "&",
        "operator",
        "left: any, right: any",
        t.TEXT,
        concat_sql,
        evaluate=concat_py,
        strict=False,
        wants_types=True,
    ),
    *(
        function(
            symbol,
            "operator",
            "left: any, right: any",
            _comparison_type,
            _arith(cls),
            evaluate=_compare(py),
        )
        for symbol, (cls, py) in _COMPARISONS.items()
    ),
    function(
        "and",
        "operator",
        "left: logical, right: logical",
        t.LOGICAL,
        _arith(exp.And),
        evaluate=and_py,
        strict=False,
    ),
    function(
        "or",
        "operator",
        "left: logical, right: logical",
        t.LOGICAL,
        _arith(exp.Or),
        evaluate=or_py,
        strict=False,
    ),
    function(
        "not",
        "operator",
        "operand: logical",
        t.LOGICAL,
        lambda inv: exp.Not(this=trees.wrap(inv.arg(0))),
        evaluate=operator.not_,
    ),
    function(
        "neg",
        "operator",
        "operand: number",
        numeric,
        lambda inv: exp.Neg(this=trees.wrap(inv.arg(0))),
        evaluate=operator.neg,
        fold=_negate_literal,
    ),
)
