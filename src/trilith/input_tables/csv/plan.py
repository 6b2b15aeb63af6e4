"""Which file column fills which table column.

For an existing table, header values are matched to column names (exactly, then ignoring
case, spaces and punctuation); without a header the file's columns fill the table's
editable columns in order. For a new table, header values become column names and the
types are inferred unless the request overrides them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from trilith.errors import Conflict, ValidationFailed
from trilith.input_tables.csv.layout import FileLayout, column_name
from trilith.input_tables.csv.options import ColumnOverrides, CsvTableRequest
from trilith.input_tables.csv.rules import Target
from trilith.input_tables.definition import (
    SYSTEM_COLUMNS,
    ColumnDefinition,
    InputTableDefinition,
)

__all__ = ["NewTable", "check_importable", "new_table", "targets_for_table"]

# file positions to infer → (row count, type per position)
Infer = Callable[[list[int]], tuple[int, dict[int, str]]]


def check_importable(definition: InputTableDefinition) -> None:
    if definition.type == "linked":
        raise Conflict(
            f"input table '{definition.id}' is linked: its rows come from "
            f"{definition.source.table if definition.source else 'its source'}, so a file "
            "cannot be imported into it"
        )
    if definition.data_entry == "draft":
        raise Conflict(
            f"input table '{definition.id}' takes draft edits, and a CSV import writes live "
            "rows: publish its pending edits or switch it to published first "
            '(PATCH {"data_entry": "published"})'
        )


def _loose(name: str) -> str:
    return column_name(name, 0).lower()


def targets_for_table(definition: InputTableDefinition, layout: FileLayout) -> list[Target]:
    editable = [c for c in definition.editable_columns if not c.protected]
    if not layout.header:
        if layout.width != len(editable):
            raise ValidationFailed(
                f"the file has {layout.width} columns but the table has {len(editable)} "
                f"editable columns ({', '.join(c.name for c in editable)}); add a header row "
                "naming the columns to import only some of them"
            )
        return [Target(i, layout.names[i - 1], c) for i, c in enumerate(editable, 1)]
    exact = {c.name: c for c in definition.editable_columns}
    loose = {_loose(c.name): c for c in definition.editable_columns}
    targets: list[Target] = []
    problems: list[dict[str, Any]] = []
    taken: dict[str, str] = {}
    for position, header in enumerate(layout.names, 1):
        column = exact.get(header.strip()) or loose.get(_loose(header))
        problem = None
        if column is None:
            problem = (
                "system columns are set by the server; remove this column from the file"
                if header.strip() in SYSTEM_COLUMNS
                else "no such column in the table; columns: " + ", ".join(c.name for c in editable)
            )
        elif column.protected:
            problem = f"column '{column.name}' is read-only"
        elif column.name in taken:
            problem = (
                f"column '{column.name}' is already filled by file column {taken[column.name]!r}"
            )
        if problem:
            problems.append({"line": 1, "column": header, "rule": "header", "message": problem})
            continue
        assert column is not None
        taken[column.name] = header
        targets.append(Target(position, header, column))
    for column in editable:
        if column.required and column.default is None and column.name not in taken:
            problems.append(
                {
                    "line": 1,
                    "column": column.name,
                    "rule": "required",
                    "message": (
                        f"column '{column.name}' is required but the file has no such column"
                    ),
                }
            )
    if problems:
        first = problems[0]
        raise ValidationFailed(
            f"header row, column {first['column']!r}: {first['message']}; nothing was imported",
            details=problems,
        )
    return targets


# --- new tables --------------------------------------------------------------------------


class NewTable:
    """A definition for a new CSV table, with the targets that fill it."""

    def __init__(self, definition: InputTableDefinition, targets: list[Target], rows: int):
        self.definition = definition
        self.targets = targets
        self.rows = rows
        # Columns whose type or rules the request chose: their cells must be checked.
        self.checked: list[Target] = []


def _names(layout: FileLayout) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    for position, header in enumerate(layout.names, 1):
        base = column_name(header, position)
        name, suffix = base, 2
        while name.lower() in seen:
            name, suffix = f"{base[:60]}_{suffix}", suffix + 1
        seen.add(name.lower())
        names.append(name)
    return names


def _entries(layout: FileLayout, overrides: ColumnOverrides) -> list[dict[str, Any]]:
    """One column entry per file column: {name, …}, with a type only where chosen."""
    names = _names(layout)
    if overrides.columns is not None:
        if len(overrides.columns) != layout.width:
            raise ValidationFailed(
                f"columns lists {len(overrides.columns)} columns but the file has "
                f"{layout.width}; list one entry per file column, in order, or send an "
                'object like {"amount": "integer"} to override some types'
            )
        return [{"name": n, **entry} for n, entry in zip(names, overrides.columns, strict=True)]
    entries: list[dict[str, Any]] = [{"name": n} for n in names]
    by_key = {key: i for i, n in enumerate(names) for key in (n, layout.names[i])}
    unknown = [k for k in overrides.types if k not in by_key]
    if unknown:
        raise ValidationFailed(
            f"columns names {', '.join(map(repr, unknown))}, not in the file; its columns: "
            f"{', '.join(names)}"
        )
    for key, type_name in overrides.types.items():
        entries[by_key[key]]["type"] = type_name
    return entries


def new_table(
    request: CsvTableRequest,
    table_id: str,
    layout: FileLayout,
    infer: Infer,
    *,
    sampled: bool = False,
) -> NewTable:
    """`sampled`: `infer` guessed the types from the first rows only (its row count
    means nothing), so the inferred columns' cells are checked as they are written."""
    entries = _entries(layout, request.overrides)
    unset = [i for i, e in enumerate(entries, 1) if "type" not in e]
    rows, inferred = infer(unset)
    chosen = [i for i, e in enumerate(entries, 1) if set(e) - {"name"}]
    columns = []
    for position, entry in enumerate(entries, 1):
        try:
            columns.append(
                ColumnDefinition.model_validate({"type": inferred.get(position, "text"), **entry})
            )
        except ValidationError as exc:
            raise _invalid(f"column {position} ({entry['name']!r})", exc) from None
    try:
        definition = InputTableDefinition.model_validate(
            {
                "id": table_id,
                "name": request.name,
                "type": "csv",
                "data_entry": request.data_entry,
                "columns": columns,
                "app_id": request.app_id,
            }
        )
    except ValidationError as exc:
        raise _invalid("the table definition", exc) from None
    # Inferred types were checked against every cell (`reader.infer`), or will be.
    guessed = {i for i in inferred if i not in chosen}
    targets = [
        Target(i, layout.names[i - 1], c, guessed=i in guessed, sampled=sampled and i in guessed)
        for i, c in enumerate(columns, 1)
    ]
    table = NewTable(definition, targets, rows)
    table.checked = [targets[i - 1] for i in chosen]
    return table


def _invalid(where: str, exc: ValidationError) -> ValidationFailed:
    details = [
        {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()
    ]
    first = details[0]
    field = f"{first['field']}: " if first["field"] else ""
    return ValidationFailed(f"{where} is invalid: {field}{first['message']}", details=details)
