"""The evaluator: a formula over controls, variables, selections and the user, computed
in Python with the same meaning as its SQL (see tests/formula/test_evaluator_property.py).
Columns, aggregates, windows and pass-through calls exist only in the warehouse.
"""

from __future__ import annotations

from typing import Any

from trilith.formula.checker import check
from trilith.formula.errors import FormulaError
from trilith.formula.ir import IR, Apply, Bound, ColumnRef, Const
from trilith.formula.parser import parse
from trilith.formula.scope import Scope

__all__ = ["evaluate"]


def evaluate(text: str, scope: Scope | None = None) -> Any:
    """The value of a formula; dates are `datetime.date`, datetimes `datetime.datetime`."""
    try:
        return _value(check(parse(text), scope if scope is not None else Scope()))
    except FormulaError as exc:
        raise exc.located(text) from None


def _value(ir: IR) -> Any:
    if isinstance(ir, Const | Bound):
        return ir.value
    if isinstance(ir, ColumnRef):
        name = f"[{ir.name}]" if ir.table is None else f"[{ir.table}/{ir.name}]"
        raise FormulaError(
            f"{name} is a column: only the warehouse can evaluate column references",
            offset=ir.offset,
        )
    return _apply(ir)


def _apply(ir: Apply) -> Any:
    fn = ir.fn
    if fn.evaluate is None or fn.kind != "scalar":
        what = {"aggregate": "an aggregate", "window": "a window function"}.get(
            fn.kind, "a warehouse function"
        )
        raise FormulaError(
            f"{fn.label} is {what}: only the warehouse can evaluate it", offset=ir.offset
        )
    values = [_value(arg) for arg in ir.args]
    if fn.strict and any(v is None for v in values):
        return None
    try:
        if fn.wants_types:
            return fn.evaluate([arg.type for arg in ir.args], *values)
        return fn.evaluate(*values)
    except (ArithmeticError, ValueError) as exc:
        raise FormulaError(f"{fn.label} cannot be evaluated: {exc}", offset=ir.offset) from None
