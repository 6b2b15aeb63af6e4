"""Math functions. Rounding is half away from zero on every engine; undefined results
(the square root of a negative number, the logarithm of zero) are Null, never an error.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlglot import exp

from trilith.formula import types as t
from trilith.formula.functions import trees
from trilith.formula.functions.operators import OPERATORS, mod_py, power_py, power_sql
from trilith.formula.functions.spec import (
    Function,
    Invocation,
    common,
    function,
    numeric,
    registry,
)

__all__ = ["FUNCTIONS", "round_py"]


def _digits(inv: Invocation, index: int = 1) -> exp.Expr:
    return inv.arg(index) if inv.has(index) else trees.integer(0)


def round_sql(inv: Invocation, node: exp.Expr, digits: exp.Expr, type_: str) -> exp.Expr:
    """ROUND half away from zero. PostgreSQL rounds doubles half to even, numerics away."""
    if inv.dialect == "postgres" and type_ != t.INTEGER:
        node = trees.cast(node, exp.DataType.Type.DECIMAL)
    if inv.dialect == "sqlite" and trees.literal_value(digits) is None:
        # SQLite treats negative digits as 0: scale by a power of ten instead.
        scale = exp.Pow(this=trees.integer(10), expression=exp.Neg(this=trees.wrap(digits)))
        scaled = trees.binary(exp.Mul, exp.Round(this=trees.binary(exp.Div, node, scale)), scale)
        below = exp.LT(this=trees.wrap(digits), expression=trees.integer(0))
        return trees.case((below, scaled), default=exp.Round(this=node, decimals=digits))
    known = trees.literal_value(digits)
    if inv.dialect == "sqlite" and known is not None and known < 0:
        step = trees.integer(10 ** int(-known))
        return trees.binary(exp.Mul, exp.Round(this=trees.binary(exp.Div, node, step)), step)
    if known == 0:
        return exp.Round(this=node)
    return exp.Round(this=node, decimals=digits)


def round_py(value: Any, digits: int = 0) -> Any:
    if isinstance(value, int) and digits >= 0:
        return value
    exponent = Decimal(1).scaleb(-digits)
    rounded = Decimal(repr(value) if isinstance(value, float) else value).quantize(
        exponent, rounding=ROUND_HALF_UP
    )
    return float(rounded)


def _build_round(inv: Invocation) -> exp.Expr:
    return round_sql(inv, inv.arg(0), _digits(inv), inv.arg_type(0))


def _directed(ceiling: bool) -> Callable[[Invocation], exp.Expr]:
    """RoundUp / RoundDown: toward +inf / -inf at `digits` places.

    The scaled value is first rounded to 9 places so 1.1 * 100 (110.00000000000001 in
    binary floating point) rounds up to 110, not 111.
    """

    def build(inv: Invocation) -> exp.Expr:
        cls = exp.Ceil if ceiling else exp.Floor
        node, digits = inv.arg(0), _digits(inv)
        if trees.literal_value(digits) == 0:
            return cls(this=node)
        scale = exp.Pow(this=trees.integer(10), expression=digits)
        scaled = round_sql(inv, trees.binary(exp.Mul, node, scale), trees.integer(9), t.NUMBER)
        return trees.binary(exp.Div, cls(this=scaled), scale, typed=False)

    return build


def _directed_py(ceiling: bool) -> Callable[..., Any]:
    def evaluate(value: Any, digits: int = 0) -> Any:
        step = math.ceil if ceiling else math.floor
        if digits == 0:
            return step(value)
        scale = 10.0**digits
        return step(round_py(float(value) * scale, 9)) / scale

    return evaluate


def _whole(cls: type[exp.Func]) -> Callable[[Invocation], exp.Expr]:
    # An integer is its own floor and ceiling; FLOOR(int) is a double on PostgreSQL.
    return lambda inv: inv.arg(0) if inv.arg_type(0) == t.INTEGER else cls(this=inv.arg(0))


def _guarded(
    name: str, invalid: Callable[[exp.Expr], exp.Expr]
) -> Callable[[Invocation], exp.Expr]:
    def build(inv: Invocation) -> exp.Expr:
        node = inv.arg(0)
        built = trees.call(name, node)
        known = trees.literal_value(node)
        return built if known is not None and known > 0 else trees.null_if(invalid(node), built)

    return build


def _negative(node: exp.Expr) -> exp.Expr:
    return exp.LT(this=trees.wrap(node), expression=trees.integer(0))


def _not_positive(node: exp.Expr) -> exp.Expr:
    return exp.LTE(this=trees.wrap(node), expression=trees.integer(0))


def _build_log(inv: Invocation) -> exp.Expr:
    node = inv.arg(0)
    if not inv.has(1):
        log10 = _LOG10.get(inv.dialect, _log10)(node)
        return trees.null_if(_not_positive(node), log10)
    base = inv.arg(1)
    ratio = trees.binary(exp.Div, exp.Ln(this=node), exp.Ln(this=base), typed=False, safe=True)
    bad_base = trees.or_(
        _not_positive(base), exp.EQ(this=trees.wrap(base), expression=trees.integer(1))
    )
    return trees.null_if(trees.or_(_not_positive(node), bad_base), ratio)


def _log10(node: exp.Expr) -> exp.Expr:
    return trees.call("LOG10", node)


_LOG10: dict[str, Callable[[exp.Expr], exp.Expr]] = {
    "redshift": lambda n: trees.call("LOG", n),
    "snowflake": lambda n: trees.call("LOG", trees.integer(10), n),
}


def _log_py(value: Any, base: Any = None) -> float | None:
    if value <= 0 or (base is not None and (base <= 0 or base == 1)):
        return None
    return math.log10(value) if base is None else math.log(value) / math.log(base)


def _extreme(
    cls: type[exp.Func], ignores_nulls: frozenset[str]
) -> Callable[[Invocation], exp.Expr]:
    """GREATEST/LEAST, Null when any argument is Null (some warehouses skip Nulls)."""

    def build(inv: Invocation) -> exp.Expr:
        args = inv.args
        # ignore_nulls=True: the native function, without sqlglot's own Null handling
        # (for DuckDB it would repeat the arguments after their parameters are numbered).
        node = cls(this=args[0], expressions=args[1:], ignore_nulls=inv.dialect == "duckdb")
        if inv.dialect not in ignores_nulls or len(args) == 1:
            return node
        return trees.null_if(trees.or_(*(trees.is_null(a.copy()) for a in args)), node)

    return build


def _extreme_py(pick: Callable[..., Any]) -> Callable[..., Any]:
    def evaluate(*values: Any) -> Any:
        # A date among datetimes counts as its midnight, as in SQL.
        if any(isinstance(v, dt.datetime) for v in values):
            values = tuple(
                v if isinstance(v, dt.datetime) else dt.datetime.combine(v, dt.time())
                for v in values
            )
        return pick(values)

    return evaluate


_SKIP_NULLS = frozenset({"duckdb", "postgres", "redshift", "databricks"})

FUNCTIONS: dict[str, Function] = registry(
    function(
        "Abs",
        "math",
        "number: number",
        numeric,
        lambda inv: exp.Abs(this=inv.arg(0)),
        evaluate=abs,
        summary="The absolute value.",
        example="Abs([Change])",
    ),
    function(
        "Round",
        "math",
        "number: number, digits: integer?",
        t.NUMBER,
        _build_round,
        evaluate=round_py,
        summary="Rounded half away from zero to digits places (default 0; negative "
        "digits round to tens, hundreds …).",
        example="Round([Amount] * 1.1, 2)",
    ),
    function(
        "RoundUp",
        "math",
        "number: number, digits: integer?",
        t.NUMBER,
        _directed(True),
        evaluate=_directed_py(True),
        summary="Rounded toward positive infinity at digits places.",
        example="RoundUp([Price], 1)",
    ),
    function(
        "RoundDown",
        "math",
        "number: number, digits: integer?",
        t.NUMBER,
        _directed(False),
        evaluate=_directed_py(False),
        summary="Rounded toward negative infinity at digits places.",
        example="RoundDown([Price], 1)",
    ),
    function(
        "Ceiling",
        "math",
        "number: number",
        numeric,
        _whole(exp.Ceil),
        evaluate=math.ceil,
        summary="The smallest integer not below the number.",
        example="Ceiling([Hours])",
    ),
    function(
        "Floor",
        "math",
        "number: number",
        numeric,
        _whole(exp.Floor),
        evaluate=math.floor,
        summary="The largest integer not above the number.",
        example="Floor([Hours])",
    ),
    function(
        "Mod",
        "math",
        "number: number, divisor: number",
        numeric,
        OPERATORS["%"].build,
        dialects=OPERATORS["%"].dialects,
        evaluate=mod_py,
        summary="The remainder, with the sign of number; Null for a zero divisor.",
        example="Mod([Id], 10)",
    ),
    function(
        "Power",
        "math",
        "base: number, exponent: number",
        t.NUMBER,
        lambda inv: power_sql(inv.arg(0), inv.arg(1)),
        evaluate=power_py,
        summary="base raised to exponent (like ^).",
        example="Power(1 + [Rate], 12)",
    ),
    function(
        "Sqrt",
        "math",
        "number: number",
        t.NUMBER,
        _guarded("SQRT", _negative),
        evaluate=lambda v: math.sqrt(v) if v >= 0 else None,
        summary="The square root; Null for a negative number.",
        example="Sqrt([Area])",
    ),
    function(
        "Ln",
        "math",
        "number: number",
        t.NUMBER,
        _guarded("LN", _not_positive),
        evaluate=lambda v: math.log(v) if v > 0 else None,
        summary="The natural logarithm; Null unless the number is positive.",
        example="Ln([Growth])",
    ),
    function(
        "Log",
        "math",
        "number: number, base: number?",
        t.NUMBER,
        _build_log,
        evaluate=_log_py,
        summary="The logarithm in base (default 10); Null unless number and base are "
        "positive and base is not 1.",
        example="Log([Amount], 2)",
    ),
    function(
        "Exp",
        "math",
        "number: number",
        t.NUMBER,
        lambda inv: exp.Exp(this=inv.arg(0)),
        evaluate=math.exp,
        summary="e raised to the number.",
        example="Exp([Rate])",
    ),
    function(
        "Greatest",
        "math",
        "values: any+",
        common(),
        _extreme(exp.Greatest, _SKIP_NULLS),
        evaluate=_extreme_py(max),
        summary="The largest argument; Null when any argument is Null.",
        example="Greatest([Bid], [Ask], 0)",
    ),
    function(
        "Least",
        "math",
        "values: any+",
        common(),
        _extreme(exp.Least, _SKIP_NULLS),
        evaluate=_extreme_py(min),
        summary="The smallest argument; Null when any argument is Null.",
        example="Least([Bid], [Ask])",
    ),
)
