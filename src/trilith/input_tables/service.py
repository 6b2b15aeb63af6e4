"""Input tables as the API sees them: definitions, rows in published or draft mode, and
an event for every committed change.

Events go out after the transaction commits and before the response, so any client that
hears of a change can read it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlglot import exp

from trilith.auth.actors import Actor
from trilith.auth.row_security import RowFilter, check_row_rules, row_filter
from trilith.engines.base import Engine
from trilith.errors import NotFound, ValidationFailed, WarehouseError
from trilith.events import EventBus
from trilith.input_tables import csv as csv_import
from trilith.input_tables.catalog import InputTableCatalog
from trilith.input_tables.computed import check_computed
from trilith.input_tables.definition import MAX_OPTIONS, InputTableDefinition
from trilith.input_tables.drafts import DraftStore
from trilith.input_tables.linked import LinkedRowStore, check_source
from trilith.input_tables.rows import DefinitionChanged, RowChange, RowStore, WriteContext

__all__ = ["InputTables", "WriteOutcome"]

WriteOutcome = tuple[str, list[dict[str, Any]]]  # ("live", rows) or ("staged", pending)
P = ParamSpec("P")
R = TypeVar("R")


def _again_if_changed(
    write: Callable[Concatenate[InputTables, str, P], R],
) -> Callable[Concatenate[InputTables, str, P], R]:
    """Row writes validate with the cached definition; when their transaction finds it
    outdated, the write runs once more with the stored one."""

    def run(tables: InputTables, table_id: str, /, *args: P.args, **kwargs: P.kwargs) -> R:
        known = tables.catalog.cached(table_id)
        try:
            return write(tables, table_id, *args, **kwargs)
        except DefinitionChanged:
            pass
        except WarehouseError:
            # A statement built from a cached definition can fail before anything checks
            # it (a column another process dropped): retry only if the definition moved.
            if known is None or _stored_version(tables, table_id) == known[0]:
                raise
        tables.catalog.forget(table_id)
        return write(tables, table_id, *args, **kwargs)

    functools.update_wrapper(run, write)
    return run


def _stored_version(tables: InputTables, table_id: str) -> int | None:
    try:
        return tables.catalog.get_versioned(table_id)[0]
    except NotFound:
        return None


class InputTables:
    """`actor` is the caller whose row-level security narrows every read and write; None
    (the CLI, apply, the scheduler's own bookkeeping) reads and writes every row."""

    def __init__(
        self, engine: Engine, schema: str, events: EventBus, actor: Actor | None = None
    ) -> None:
        self.engine = engine
        self.schema = schema
        self.events = events
        self.actor = actor
        self.catalog = InputTableCatalog(engine, schema)

    def rows(self, table_id: str, *, cached: bool = False, actor: Actor | None = None) -> RowStore:
        """The table's rows. `cached` takes the definition from the process cache without
        a query; the store's writes then check it in their transaction (see
        `_again_if_changed`)."""
        known = self.catalog.cached_entry(table_id) if cached else None
        if known is not None and known[1].data_entry == "draft":
            known = None  # staging takes no transaction to check the definition in
        definition = self.catalog.get(table_id) if known is None else known[1]
        store = LinkedRowStore if definition.type == "linked" else RowStore
        return store(
            self.engine,
            self.schema,
            definition,
            options_loader=self.options_of,
            definition_version=known[0] if known else None,
            definition_generation=known[2] if known else None,
            row_filter=self.row_filter(definition, actor or self.actor),
        )

    def row_filter(self, definition: InputTableDefinition, actor: Actor | None) -> RowFilter | None:
        """`actor`'s row-level security condition on the table (see auth.row_security)."""
        if actor is None:
            return None
        return row_filter(definition, definition.row_security, actor, self.engine.dialect)

    def row_guard(self, definition: InputTableDefinition) -> RowStore | None:
        """A store that checks bulk writes (CSV imports) against the caller's row security;
        None when no rule applies."""
        secured = self.row_filter(definition, self.actor)
        if secured is None:
            return None
        return RowStore(self.engine, self.schema, definition, row_filter=secured)

    def options_of(self, table_name: str, column: str) -> set[str]:
        """The distinct values of a column, for `options_from` rules."""
        query = (
            exp.select(exp.column(column, quoted=True))
            .distinct()
            .from_(exp.to_table(table_name))
            .where(exp.column(column, quoted=True).is_(exp.null()).not_())
            .limit(MAX_OPTIONS + 1)
        )
        values = {str(row[0]) for row in self.engine.fetch_rows(query)}
        if len(values) > MAX_OPTIONS:
            raise ValidationFailed(
                f"{table_name}.{column} has more than {MAX_OPTIONS:,} distinct values; "
                "options must be a shorter list"
            )
        return values

    def create(self, definition: InputTableDefinition, context: WriteContext) -> dict[str, Any]:
        if definition.type == "linked":
            check_source(self.engine, definition)
        check_computed(definition, self.engine.dialect)
        check_row_rules(definition, self.engine.dialect)
        created = self.catalog.create(definition, context.actor, context.request_id)
        assert created.id is not None
        self.events.publish("input_table.created", {"table_id": created.id})
        return self.catalog.describe(created.id)

    @_again_if_changed
    def insert(
        self, table_id: str, rows: Sequence[Mapping[str, Any]], context: WriteContext
    ) -> WriteOutcome:
        store = self.rows(table_id, cached=True)
        if store.definition.data_entry == "draft":
            clean = store.validate_insert(rows)
            store.check_staged(clean)
            return "staged", self._staged(store, "insert", clean, context)
        return "live", self.announce(store.insert(rows, context)).rows

    @_again_if_changed
    def update(
        self,
        table_id: str,
        row_id: str,
        values: Mapping[str, Any],
        expected_version: int,
        context: WriteContext,
    ) -> WriteOutcome:
        store = self.rows(table_id, cached=True)
        if store.definition.data_entry == "draft":
            clean = store.validate_update(values)
            store.check_staged([clean], row_id)
            staged = DraftStore(store).stage("update", [clean], context, row_id, expected_version)
            return "staged", self._staged_event(store, staged)
        return "live", self.announce(store.update(row_id, values, expected_version, context)).rows

    @_again_if_changed
    def delete(
        self, table_id: str, row_id: str, expected_version: int, context: WriteContext
    ) -> WriteOutcome:
        store = self.rows(table_id, cached=True)
        if store.definition.data_entry == "draft":
            store.check_staged([], row_id)
            staged = DraftStore(store).stage("delete", [{}], context, row_id, expected_version)
            return "staged", self._staged_event(store, staged)
        return "live", self.announce(store.delete(row_id, expected_version, context)).rows

    def revert(
        self,
        table_id: str,
        row_id: str,
        edit_num: int,
        expected_version: int | None,
        context: WriteContext,
    ) -> list[dict[str, Any]]:
        store = self.rows(table_id)
        return self.announce(store.revert(row_id, edit_num, expected_version, context)).rows

    def publish(self, table_id: str, context: WriteContext) -> list[RowChange]:
        changes = DraftStore(self.rows(table_id)).publish(context)
        for change in changes:
            self.announce(change)
        self.events.publish("input_table.published", {"table_id": table_id, "edits": len(changes)})
        return changes

    def import_csv(
        self,
        table_id: str,
        path: Path,
        options: csv_import.CsvOptions,
        context: WriteContext,
        *,
        import_id: str | None = None,
        progress: csv_import.ProgressCallback | None = None,
    ) -> csv_import.ImportReport:
        """Import a CSV file into a table (see `input_tables.csv`); progress goes out as
        `import.progress` events as well as to `progress`."""
        report = csv_import.import_csv(
            self,
            table_id,
            path,
            options,
            context,
            import_id=import_id,
            progress=self._import_progress(progress),
        )
        self._imported(report)
        return report

    def create_from_csv(
        self,
        request: csv_import.CsvTableRequest,
        path: Path,
        context: WriteContext,
        *,
        import_id: str | None = None,
        progress: csv_import.ProgressCallback | None = None,
    ) -> tuple[dict[str, Any], csv_import.ImportReport]:
        """Create a CSV table from a file: the definition as `describe` shows it, and the
        import's report."""
        _, report = csv_import.create_csv_table(
            self,
            request,
            path,
            context,
            import_id=import_id,
            progress=self._import_progress(progress),
        )
        self.events.publish("input_table.created", {"table_id": report.table_id})
        self._imported(report)
        return self.catalog.describe(report.table_id), report

    def _import_progress(
        self, progress: csv_import.ProgressCallback | None
    ) -> csv_import.ProgressCallback:
        def publish(state: csv_import.ImportProgress) -> None:
            self.events.publish("import.progress", state.as_event())
            if progress is not None:
                progress(state)

        return csv_import.Throttled(publish)

    def _imported(self, report: csv_import.ImportReport) -> None:
        self.events.publish(
            "input_table.imported",
            {
                "table_id": report.table_id,
                "import_id": report.import_id,
                "rows": report.rows,
                "deleted": report.deleted,
                "mode": report.mode,
            },
        )

    def _staged(
        self, store: RowStore, operation: Any, payloads: list[dict[str, Any]], context: WriteContext
    ) -> list[dict[str, Any]]:
        return self._staged_event(store, DraftStore(store).stage(operation, payloads, context))

    def _staged_event(self, store: RowStore, staged: list[dict[str, Any]]) -> list[dict[str, Any]]:
        self.events.publish(
            "input_table.staged",
            {"table_id": store.table_id, "pending": [s["pending_id"] for s in staged]},
        )
        return staged

    def announce(self, change: RowChange) -> RowChange:
        self.events.publish(
            "rows.changed",
            {
                "table_id": change.table_id,
                "op": change.operation,
                "row_ids": [row["_row_id"] for row in change.rows],
                "versions": [row["_version"] for row in change.rows],
                "edit_nums": change.edit_numbers,
            },
        )
        return change
