"""Small sqlglot tree builders shared by the function families.

sqlglot does not add parentheses by precedence, so every operand that is itself an
operator is wrapped (`wrap`) before it is placed under another operator.
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp
from sqlglot.expressions.datatypes import DType

from trilith.formula import types as t

__all__ = [
    "and_",
    "binary",
    "call",
    "case",
    "cast",
    "coalesce",
    "integer",
    "is_literal_number",
    "is_null",
    "literal_value",
    "null",
    "null_if",
    "nullif",
    "number",
    "or_",
    "text",
    "wrap",
]

# Nodes sqlglot renders as infix or prefix operators; AND/OR count although they are Funcs.
_OPERATORS = (exp.Binary, exp.Not, exp.Neg, exp.Between, exp.In)


def wrap(node: exp.Expr) -> exp.Expr:
    if isinstance(node, exp.Connector) or (
        isinstance(node, _OPERATORS) and not isinstance(node, exp.Func)
    ):
        return exp.Paren(this=node)
    return node


def binary(cls: type[exp.Binary], left: exp.Expr, right: exp.Expr, **args: Any) -> exp.Expr:
    return cls(this=wrap(left), expression=wrap(right), **args)


def and_(*conditions: exp.Expr) -> exp.Expr:
    result = conditions[0]
    for condition in conditions[1:]:
        result = binary(exp.And, result, condition)
    return result


def or_(*conditions: exp.Expr) -> exp.Expr:
    result = conditions[0]
    for condition in conditions[1:]:
        result = binary(exp.Or, result, condition)
    return result


def call(name: str, *args: exp.Expr) -> exp.Expr:
    """A warehouse function sqlglot has no node for, rendered as written."""
    return exp.Anonymous(this=name, expressions=list(args))


def case(*pairs: tuple[exp.Expr, exp.Expr], default: exp.Expr | None = None) -> exp.Case:
    ifs = [exp.If(this=condition, true=value) for condition, value in pairs]
    return exp.Case(ifs=ifs, default=default)


def cast(node: exp.Expr, type_: str | DType) -> exp.Cast:
    if isinstance(type_, str):
        data_type = t.sql_type(type_)
        assert data_type is not None, type_
    else:
        data_type = exp.DataType(this=type_)
    return exp.Cast(this=node, to=data_type)


def coalesce(node: exp.Expr, *rest: exp.Expr) -> exp.Expr:
    return exp.Coalesce(this=node, expressions=list(rest))


def is_null(node: exp.Expr) -> exp.Expr:
    return exp.Is(this=wrap(node), expression=exp.Null())


def null() -> exp.Null:
    return exp.Null()


def null_if(condition: exp.Expr, node: exp.Expr) -> exp.Expr:
    """Null where `condition` holds: the same answer on engines that fail or return NaN."""
    return case((condition, exp.Null()), default=node)


def nullif(node: exp.Expr, value: exp.Expr) -> exp.Expr:
    return exp.Nullif(this=node, expression=value)


def integer(value: int) -> exp.Expr:
    literal = exp.Literal(this=str(abs(value)), is_string=False)
    return exp.Neg(this=literal) if value < 0 else literal


def number(value: float | int) -> exp.Expr:
    literal = exp.Literal(this=repr(abs(value)), is_string=False)
    return exp.Neg(this=literal) if value < 0 else literal


def text(value: str) -> exp.Literal:
    return exp.Literal.string(value)


def literal_value(node: exp.Expr) -> int | float | None:
    """The number a literal (or a negated literal) stands for, else None."""
    if isinstance(node, exp.Neg):
        inner = literal_value(node.this)
        return -inner if inner is not None else None
    if isinstance(node, exp.Literal) and not node.is_string:
        return float(node.this) if "." in node.this or "e" in node.this.lower() else int(node.this)
    return None


def is_literal_number(node: exp.Expr) -> bool:
    return literal_value(node) is not None


def at_least(node: exp.Expr, minimum: int) -> exp.Expr:
    """`node`, raised to `minimum` when below it (folded for literals)."""
    known = literal_value(node)
    if known is not None:
        return integer(max(int(known), minimum))
    below = exp.LT(this=wrap(node), expression=integer(minimum))
    return case((below, integer(minimum)), default=node)
