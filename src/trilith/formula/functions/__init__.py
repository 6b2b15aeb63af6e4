"""The function registry: every formula function by name, gathered from the families."""

from __future__ import annotations

from trilith.formula.functions import (
    aggregate,
    conversion,
    date,
    logical,
    math,
    patterns,
    system,
    text,
    window,
)
from trilith.formula.functions.operators import OPERATORS
from trilith.formula.functions.spec import Function

__all__ = ["BY_LOWER_NAME", "FAMILIES", "FUNCTIONS", "OPERATORS", "Function", "lookup"]

_MODULES = (logical, text, patterns, math, date, aggregate, window, conversion, system)


def _gather() -> dict[str, Function]:
    table: dict[str, Function] = {}
    for module in _MODULES:
        for name, fn in module.FUNCTIONS.items():
            if name.lower() in (n.lower() for n in table):
                raise ValueError(f"function {name} is registered by two families")
            table[name] = fn
    return table


FUNCTIONS: dict[str, Function] = _gather()
BY_LOWER_NAME: dict[str, Function] = {name.lower(): fn for name, fn in FUNCTIONS.items()}
FAMILIES: dict[str, list[str]] = {}
for _fn in FUNCTIONS.values():
    FAMILIES.setdefault(_fn.family, []).append(_fn.name)


def lookup(name: str) -> Function | None:
    """Function names are case-insensitive, as in Sigma."""
    return BY_LOWER_NAME.get(name.lower())
