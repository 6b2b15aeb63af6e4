"""Row validation: every submitted value is coerced to its column type and checked
against the column's rules before anything is written.

Problems are collected for the whole batch and raised together as one 422 whose details
name the row index, the column and the rule.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from trilith.errors import ValidationFailed
from trilith.input_tables.definition import SYSTEM_COLUMNS, ColumnDefinition, InputTableDefinition
from trilith.input_tables.types import COLUMN_TYPES

__all__ = ["Problem", "RowValidator", "problem", "raise_problems"]

Problem = dict[str, Any]
# A rule gets the column and a coerced, non-null value; it returns a message or None.
Rule = Callable[[ColumnDefinition, Any, "RowValidator"], str | None]


def _comparable(column: ColumnDefinition, bound: float | str) -> Any:
    return COLUMN_TYPES[column.type].coerce(bound)


def _min(column: ColumnDefinition, value: Any, _: RowValidator) -> str | None:
    rules = column.validation
    if rules and rules.min is not None and value < _comparable(column, rules.min):
        return f"must be at least {rules.min}"
    return None


def _max(column: ColumnDefinition, value: Any, _: RowValidator) -> str | None:
    rules = column.validation
    if rules and rules.max is not None and value > _comparable(column, rules.max):
        return f"must be at most {rules.max}"
    return None


def _regex(column: ColumnDefinition, value: Any, _: RowValidator) -> str | None:
    rules = column.validation
    if rules and rules.regex and not re.fullmatch(rules.regex, value):
        return f"must match the pattern {rules.regex}"
    return None


def _max_length(column: ColumnDefinition, value: Any, _: RowValidator) -> str | None:
    rules = column.validation
    if rules and rules.max_length and len(value) > rules.max_length:
        return f"must be at most {rules.max_length} characters (got {len(value)})"
    return None


def _options(column: ColumnDefinition, value: Any, validator: RowValidator) -> str | None:
    allowed = validator.options(column)
    if allowed is None:
        return None
    chosen = json.loads(value) if column.type == "multi_select" else [value]
    outside = [v for v in chosen if str(v) not in allowed]
    if outside:
        shown = ", ".join(sorted(allowed)[:10]) + (" …" if len(allowed) > 10 else "")
        return f"{', '.join(map(repr, outside))} is not one of the options: {shown}"
    return None


RULES: dict[str, Rule] = {
    "min": _min,
    "max": _max,
    "regex": _regex,
    "max_length": _max_length,
    "options": _options,
}


class RowValidator:
    """Validates rows of one table; `options_loader` fetches `options_from` values once."""

    def __init__(
        self,
        definition: InputTableDefinition,
        options_loader: Callable[[str, str], set[str]] | None = None,
    ) -> None:
        self.definition = definition
        self.columns = {c.name: c for c in definition.columns}
        self._options_loader = options_loader
        self._options: dict[str, set[str] | None] = {}

    def options(self, column: ColumnDefinition) -> set[str] | None:
        if column.name not in self._options:
            rules = column.validation
            if rules and rules.options is not None:
                self._options[column.name] = {str(o) for o in rules.options}
            elif rules and rules.options_from is not None and self._options_loader:
                source = rules.options_from
                self._options[column.name] = self._options_loader(source.table, source.column)
            else:
                self._options[column.name] = None
        return self._options[column.name]

    def insert(self, rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Complete rows (defaults filled) ready to write, or a 422 naming every problem."""
        problems: list[Problem] = []
        clean: list[dict[str, Any]] = []
        for index, row in enumerate(rows):
            values = self._values(index, row, problems, creating=True)
            for column in self.definition.editable_columns:
                if column.name not in values and column.default is not None:
                    values[column.name] = self._coerce(index, column, column.default, problems)
                if column.formula is None and column.required and values.get(column.name) is None:
                    problems.append(problem(index, column.name, "required", "a value is required"))
            clean.append(values)
        self._unique_within_batch(clean, problems)
        raise_problems(problems)
        return clean

    def update(
        self, values: Mapping[str, Any], row_index: int = 0, *, restoring: bool = False
    ) -> dict[str, Any]:
        """Values to change; `restoring` (a revert) may also set protected columns."""
        problems: list[Problem] = []
        clean = self._values(row_index, values, problems, creating=False, restoring=restoring)
        for name, value in clean.items():
            if self.columns[name].required and value is None:
                problems.append(problem(row_index, name, "required", "a value is required"))
        raise_problems(problems)
        return clean

    def _values(
        self,
        index: int,
        row: Mapping[str, Any],
        problems: list[Problem],
        *,
        creating: bool,
        restoring: bool = False,
    ) -> dict[str, Any]:
        if not isinstance(row, Mapping):
            problems.append(problem(index, None, "shape", "a row is an object of column: value"))
            return {}
        values: dict[str, Any] = {}
        for name, raw in row.items():
            column = self.columns.get(name)
            if column is None:
                rule = "system_column" if name in SYSTEM_COLUMNS else "unknown_column"
                hint = (
                    "system columns are set by the server"
                    if name in SYSTEM_COLUMNS
                    else f"columns: {', '.join(self.columns)}"
                )
                problems.append(problem(index, name, rule, f"no such editable column; {hint}"))
                continue
            if column.formula is not None:
                problems.append(
                    problem(index, name, "computed", "computed columns are read, not written")
                )
                continue
            if column.linked and not (creating and name in self.definition.primary_key):
                problems.append(
                    problem(index, name, "linked", "linked columns are read from the source")
                )
                continue
            if column.protected and not restoring:
                problems.append(problem(index, name, "protected", "the column is read-only"))
                continue
            values[name] = self._coerce(index, column, raw, problems)
        return values

    def _coerce(
        self, index: int, column: ColumnDefinition, raw: Any, problems: list[Problem]
    ) -> Any:
        if raw is None or (isinstance(raw, str) and raw == "" and column.type != "text"):
            return None
        try:
            value = COLUMN_TYPES[column.type].coerce(raw)
        except ValueError as exc:
            problems.append(problem(index, column.name, "type", str(exc)))
            return None
        for rule_name, rule in RULES.items():
            message = rule(column, value, self)
            if message:
                problems.append(problem(index, column.name, rule_name, message))
        return value

    def _unique_within_batch(self, rows: list[dict[str, Any]], problems: list[Problem]) -> None:
        for column in self.definition.columns:
            if not column.unique:
                continue
            seen: dict[Any, int] = {}
            for index, row in enumerate(rows):
                value = row.get(column.name)
                if value is None:
                    continue
                if value in seen:
                    message = f"{value!r} repeats the value of row {seen[value]}"
                    problems.append(problem(index, column.name, "unique", message))
                else:
                    seen[value] = index


def problem(row: int, column: str | None, rule: str, message: str) -> Problem:
    return {"row": row, "column": column, "rule": rule, "message": message}


def raise_problems(problems: list[Problem]) -> None:
    """One 422 for a batch: the first problem in the message, all of them in details."""
    if not problems:
        return
    first = problems[0]
    where = f"row {first['row']}" + (f", column '{first['column']}'" if first["column"] else "")
    more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
    raise ValidationFailed(
        f"{where}: {first['message']} (rule: {first['rule']}){more}; nothing was written",
        details=problems,
    )


def json_ready(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value
