"""Applying an app spec: its input tables first (created, or migrated to the spec), then
the app document and its layout elements.

Input tables declared in a spec are the same definitions as `POST
/api/sigma/input-tables` makes; a spec column takes the keys of the API's column
(`required`, `default`, `unique`, `protected`, `validation`, `linked`) and `boolean` is
read as `checkbox`. A linked table's `source` names the warehouse table and `key` its key.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlglot
from pydantic import ValidationError
from sqlglot.errors import ParseError

from trilith.actions.catalog import SequenceCatalog, facts_of, sequence_from_spec
from trilith.actions.definitions import check_sequence
from trilith.engines.base import Engine
from trilith.errors import NotFound, ValidationFailed
from trilith.events import EventBus
from trilith.input_tables.definition import InputTableDefinition, InputTableUpdate
from trilith.input_tables.linked import check_source
from trilith.input_tables.rows import WriteContext
from trilith.input_tables.service import InputTables
from trilith.metadata.apps import ApplyReport, AppStore
from trilith.spec import App
from trilith.spec.app import InputTable, RowSecurity

__all__ = ["AppApplyReport", "apply_app", "definition_from_spec", "run_sql_file"]

_TYPE_ALIASES = {"boolean": "checkbox"}


@dataclass(frozen=True)
class AppApplyReport:
    app: ApplyReport
    input_tables: dict[str, str] = field(default_factory=dict)  # id → created|updated|unchanged

    def as_dict(self) -> dict[str, Any]:
        return {**self.app.as_dict(), "input_tables": self.input_tables}

    def summary(self) -> str:
        changed = [
            f"{name} {what}" for name, what in self.input_tables.items() if what != "unchanged"
        ]
        tables = f"; input tables: {', '.join(changed)}" if changed else ""
        return self.app.summary() + tables


def definition_from_spec(
    table: InputTable, app_id: str, row_security: Sequence[RowSecurity] = ()
) -> InputTableDefinition:
    """The definition of an app's input table; the app's `row_security` entries whose
    source is the table become the table's own rules, so they bind every path (managed
    and linked tables alike; element queries apply them once, see `elements.service`)."""
    columns = []
    for column in table.columns:
        data: dict[str, Any] = {
            "name": column.name,
            "type": _TYPE_ALIASES.get(column.type, column.type),
        }
        data.update({k: v for k, v in (column.model_extra or {}).items() if k != "label"})
        if column.required:
            data["required"] = True
        if table.kind == "linked" and column.name == table.key:
            data["linked"] = True
            data.pop("required", None)
        columns.append(data)
    extra = {k: v for k, v in (table.model_extra or {}).items()}
    document: dict[str, Any] = {
        "id": table.id,
        "name": table.name,
        "type": table.kind,
        "columns": columns,
        "app_id": app_id,
        **extra,
    }
    rules = [
        {"predicate": rule.predicate, "roles": list(rule.roles)}
        for rule in row_security
        if rule.source == table.id
    ]
    if rules:
        document["row_security"] = [*document.get("row_security", []), *rules]
    if table.kind == "linked":
        document["source"] = {"table": table.source}
        document["primary_key"] = [table.key] if table.key else []
    try:
        return InputTableDefinition.model_validate(document)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ValidationFailed(f"input table '{table.id}': {first['msg']}") from None


def apply_app(
    engine: Engine,
    schema: str,
    app: App,
    actor: str | None,
    request_id: str | None = None,
    events: EventBus | None = None,
) -> AppApplyReport:
    tables = InputTables(engine, schema, events or EventBus())
    context = WriteContext(actor, request_id)
    definitions = [definition_from_spec(t, app.id, app.row_security) for t in app.input_tables]
    # Check every linked source before anything is written, so a bad one changes nothing.
    for definition in definitions:
        if definition.type == "linked":
            check_source(engine, definition)
    outcomes: dict[str, str] = {}
    for definition in definitions:
        assert definition.id is not None
        try:
            current = tables.catalog.get(definition.id)
        except NotFound:
            tables.create(definition, context)
            outcomes[definition.id] = "created"
            continue
        if _same(current, definition):
            outcomes[definition.id] = "unchanged"
            continue
        change = InputTableUpdate(
            name=definition.name, columns=definition.columns, row_security=definition.row_security
        )
        tables.catalog.update(definition.id, change, actor, request_id)
        outcomes[definition.id] = "updated"
    known = {t["id"] for t in tables.catalog.summaries()}
    # Checked before the app is stored: a bad sequence changes nothing of the app.
    for sequence in app.actions:
        check_sequence(sequence_from_spec(sequence, app.id), facts_of(app, known))
    report = AppStore(engine, schema).apply(app, actor, request_id)
    SequenceCatalog(engine, schema).replace_app(app, actor, known)
    return AppApplyReport(report, outcomes)


def _same(current: InputTableDefinition, wanted: InputTableDefinition) -> bool:
    keys = ("name", "columns", "type", "source", "primary_key", "row_security")
    return all(getattr(current, k) == getattr(wanted, k) for k in keys)


def run_sql_file(engine: Engine, path: str | os.PathLike[str]) -> int:
    """Run a file of portable SQL statements (read as DuckDB SQL, rendered for `engine`)
    in one transaction; return how many ran."""
    text = Path(path).read_text(encoding="utf-8")
    try:
        statements = [s for s in sqlglot.parse(text, read="duckdb") if s is not None]
    except ParseError as exc:
        raise ValidationFailed(f"{path}: cannot parse SQL: {exc}") from None
    with engine.transaction() as session:
        for statement in statements:
            session.execute(statement)
    return len(statements)
