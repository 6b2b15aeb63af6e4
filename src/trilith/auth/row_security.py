"""Row-level security of input tables: the predicate a caller's reads and writes keep.

An input table's rules are its definition's `row_security` (applying an app copies the
app's `row_security` entries whose `source` is one of its input tables into that table's
definition). A rule applies to the roles it names; several rules that apply are ANDed.
Admins are bound only by rules naming `admin`. The predicate compiles with the caller's
user context (`CurrentUserEmail()` …) to a sqlglot condition with bound parameters,
renamed so they never collide with a query's own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlglot import exp

from trilith.auth.actors import Actor, user_context
from trilith.errors import ValidationFailed
from trilith.formula import FormulaError, Scope, compile_formula
from trilith.input_tables.definition import SYSTEM_COLUMNS, InputTableDefinition, RowRule
from trilith.input_tables.query import SYSTEM_TYPES
from trilith.input_tables.types import formula_type

__all__ = ["RowFilter", "check_row_rules", "row_filter"]


@dataclass(frozen=True)
class RowFilter:
    """The condition rows must meet for one caller, and its bound parameters."""

    condition: exp.Expr
    params: dict[str, Any] = field(default_factory=dict)
    rules: tuple[str, ...] = ()

    def describe(self) -> str:
        return " AND ".join(self.rules)


def _scope(definition: InputTableDefinition, actor: Actor | None) -> Scope:
    columns = {c: SYSTEM_TYPES[c] for c in SYSTEM_COLUMNS}
    columns.update({c.name: formula_type(c.type) for c in definition.columns})
    return Scope(columns=columns, user=user_context(actor) if actor else Scope().user)


def check_row_rules(definition: InputTableDefinition, dialect: str) -> None:
    """Every rule compiles against the table's columns and is a condition."""
    for index, rule in enumerate(definition.row_security):
        try:
            compiled = compile_formula(rule.predicate.removeprefix("="), _scope(definition, None))
        except FormulaError as exc:
            raise ValidationFailed(
                f"row_security[{index}]: {exc.message}",
                details=[{"field": f"row_security[{index}].predicate", "message": exc.message}],
            ) from None
        if compiled.type not in ("logical", "variant"):
            raise ValidationFailed(
                f"row_security[{index}]: the predicate must be true or false, "
                f"not a {compiled.type}",
                details=[{"field": f"row_security[{index}].predicate"}],
            )


def row_filter(
    definition: InputTableDefinition, rules: Sequence[RowRule], actor: Actor, dialect: str
) -> RowFilter | None:
    """The condition for `actor`, or None when no rule applies to their role."""
    applying = [rule for rule in rules if actor.role in rule.roles]
    if not applying:
        return None
    scope = _scope(definition, actor)
    conditions: list[exp.Expr] = []
    params: dict[str, Any] = {}
    for index, rule in enumerate(applying):
        compiled = compile_formula(rule.predicate.removeprefix("="), scope, dialect)
        renames = {name: f"rls{index}_{name}" for name in compiled.params}
        condition = compiled.expression.copy()
        for placeholder in condition.find_all(exp.Placeholder):
            if placeholder.this in renames:
                placeholder.set("this", renames[placeholder.this])
        params.update({renames[k]: v for k, v in compiled.params.items()})
        # A predicate that is NULL keeps the row out, as in SQL's WHERE.
        conditions.append(exp.func("COALESCE", exp.paren(condition), exp.false()))
    return RowFilter(exp.and_(*conditions), params, tuple(rule.predicate for rule in applying))
