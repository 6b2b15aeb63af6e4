"""The checked formula: references resolved, types known, functions looked up.

The checker turns a syntax tree into these nodes; the compiler turns them into sqlglot
expressions and the evaluator into Python values, so both read one resolved form.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trilith.formula.functions.spec import Function

__all__ = ["IR", "Apply", "Bound", "ColumnRef", "Const"]


@dataclass(slots=True)
class Const:
    value: Any
    type: str
    offset: int


@dataclass(slots=True)
class ColumnRef:
    name: str
    table: str | None
    type: str
    offset: int


@dataclass(slots=True)
class Bound:
    """A value known when the formula is compiled, bound as parameter `key`."""

    key: str
    value: Any
    type: str
    offset: int
    source: str  # the reference as written, for messages


@dataclass(slots=True)
class Apply:
    fn: Function
    args: tuple[IR, ...]
    type: str
    offset: int
    aggregate: bool = False  # an aggregate is applied here or below
    window: bool = False


IR = Const | ColumnRef | Bound | Apply
