"""Computed input-table columns: formulas compiled to SQL and evaluated on every read."""

from __future__ import annotations

from sqlglot import exp

from trilith.formula import Scope, compile_formula
from trilith.input_tables.definition import InputTableDefinition
from trilith.input_tables.types import formula_type

__all__ = ["check_computed", "computed_projections"]


def _scope(definition: InputTableDefinition, stored: list[str]) -> Scope:
    types = {c.name: c.type for c in definition.columns}
    return Scope(columns={name: formula_type(types[name]) for name in stored})


def computed_projections(
    definition: InputTableDefinition, stored: list[str], dialect: str
) -> list[exp.Expr]:
    """`<formula> AS "name"` for each computed column. Formulas over stored columns bind
    no values, so the projections carry no parameters."""
    scope = _scope(definition, stored)
    projections: list[exp.Expr] = []
    for column in definition.computed_columns:
        compiled = compile_formula(column.formula or "", scope, dialect)
        projections.append(exp.alias_(compiled.expression, column.name, quoted=True))
    return projections


def check_computed(definition: InputTableDefinition, dialect: str) -> None:
    """Compile every computed column now, so a bad formula is refused with the definition."""
    computed_projections(definition, [c.name for c in definition.stored_columns], dialect)
