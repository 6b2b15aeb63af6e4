"""The rules a file column is checked against, as DuckDB predicates over its cells.

A `Target` is one file column and the table column it fills. Each of its rules becomes a
`Check`: a predicate that is TRUE for a cell breaking the rule, plus the values it binds.
Messages are the ones row writes give (see `validation`), so a rule reads the same
whether a value came from the API or from a file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlglot import exp

from trilith.input_tables.csv import cells
from trilith.input_tables.definition import ColumnDefinition
from trilith.input_tables.types import COLUMN_TYPES
from trilith.sql.render import param

__all__ = ["Check", "Target", "checks_for", "message"]

OptionsOf = Callable[[ColumnDefinition], set[str] | None]


@dataclass(frozen=True, slots=True)
class Target:
    """File column `position` (1-based) filling table column `column`."""

    position: int
    header: str
    column: ColumnDefinition
    # The type was inferred from this file, so every cell fits its guess (see `cells`).
    guessed: bool = False
    # ... from its first rows only: each cell is checked as it is read (`cells.read_checked`).
    sampled: bool = False

    @property
    def cell(self) -> exp.Column:
        return exp.column(f"c_{self.position}")

    @property
    def value(self) -> exp.Expr:
        return cells.read(self.column.type, self.cell)

    def value_of(self, trimmed: exp.Expr) -> exp.Expr:
        """`value`, given the cell's trimmed text computed elsewhere."""
        if self.sampled:
            return cells.read_checked(self.column.type, self.cell, trimmed)
        read = cells.read_guessed if self.guessed else cells.read
        return read(self.column.type, self.cell, trimmed)


@dataclass(frozen=True, slots=True)
class Check:
    target: Target
    rule: str
    predicate: exp.Expr
    params: dict[str, Any] = field(default_factory=dict)
    detail: str = ""


def _bound(column: ColumnDefinition, bound: float | str) -> Any:
    return COLUMN_TYPES[column.type].coerce(bound)


def checks_for(target: Target, index: int, options_of: OptionsOf) -> list[Check]:
    """The checks of one target; `index` keeps parameter names apart."""
    column = target.column
    value = target.value
    checks: list[Check] = []
    if column.type not in ("text", "single_select"):
        fits = exp.and_(exp.not_(cells.blank(target.cell)), value.is_(exp.null()))
        checks.append(Check(target, "type", fits))
    if column.required:
        checks.append(Check(target, "required", value.is_(exp.null())))
    rules = column.validation
    if rules is not None:
        if rules.min is not None:
            name = f"min_{index}"
            predicate: exp.Expr = exp.LT(this=value, expression=param(name))
            checks.append(
                Check(target, "min", predicate, {name: _bound(column, rules.min)}, str(rules.min))
            )
        if rules.max is not None:
            name = f"max_{index}"
            predicate = exp.GT(this=value, expression=param(name))
            checks.append(
                Check(target, "max", predicate, {name: _bound(column, rules.max)}, str(rules.max))
            )
        if rules.regex:
            name = f"regex_{index}"
            matches = exp.Anonymous(this="regexp_full_match", expressions=[value, param(name)])
            checks.append(
                Check(target, "regex", exp.not_(matches), {name: rules.regex}, rules.regex)
            )
        if rules.max_length:
            name = f"max_length_{index}"
            longer = exp.GT(this=exp.Length(this=value), expression=param(name))
            checks.append(
                Check(target, "max_length", longer, {name: rules.max_length}, str(rules.max_length))
            )
    allowed = options_of(column)
    if allowed is not None:
        name = f"options_{index}"
        options = exp.cast(param(name), "VARCHAR[]")
        if column.type == "multi_select":
            inside: exp.Expr = exp.Anonymous(
                this="list_has_all", expressions=[options, cells.multi_list(target.cell)]
            )
        else:
            inside = exp.Anonymous(
                this="list_contains", expressions=[options, exp.cast(value, "VARCHAR")]
            )
        checks.append(
            Check(target, "options", exp.not_(inside), {name: sorted(allowed)}, _shown(allowed))
        )
    return checks


def _shown(allowed: set[str]) -> str:
    return ", ".join(sorted(allowed)[:10]) + (" …" if len(allowed) > 10 else "")


_MESSAGES: dict[str, Callable[[Check, str | None], str]] = {
    "type": lambda c, v: cells.TYPE_MESSAGES[c.target.column.type].format(value=v),
    "required": lambda c, v: "a value is required",
    "min": lambda c, v: f"must be at least {c.detail} (got {v!r})",
    "max": lambda c, v: f"must be at most {c.detail} (got {v!r})",
    "regex": lambda c, v: f"{v!r} must match the pattern {c.detail}",
    "max_length": lambda c, v: f"must be at most {c.detail} characters (got {len(v or '')})",
    "options": lambda c, v: f"{v!r} is not one of the options: {c.detail}",
}


def message(check: Check, raw: str | None) -> str:
    return _MESSAGES[check.rule](check, raw)
