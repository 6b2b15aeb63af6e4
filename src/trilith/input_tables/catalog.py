"""Input-table definitions in `sigds.input_tables`, and the data tables that follow them.

Creating a definition creates its data table; changing one migrates it in the same
transaction (add, rename, retype, drop a column), and every change is audited. A retype
whose existing values do not fit, or a drop of a column that holds values without
`confirm_drop`, is refused with the offending values named and nothing changed.
"""

from __future__ import annotations

import json
import threading
import uuid
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlglot import exp

from trilith.engines.base import Engine, Session
from trilith.errors import Conflict, NotFound, ValidationFailed
from trilith.input_tables import statements
from trilith.input_tables.computed import check_computed
from trilith.input_tables.definition import (
    ColumnDefinition,
    InputTableDefinition,
    InputTableUpdate,
)
from trilith.input_tables.storage import (
    add_column,
    create_data_table,
    data_table,
    drop_column,
    drop_table,
    rename_column,
)
from trilith.input_tables.types import COLUMN_TYPES
from trilith.metadata.audit import record
from trilith.metadata.clock import utc_now
from trilith.sql.ddl import table
from trilith.sql.dml import insert_values
from trilith.sql.render import param

__all__ = ["InputTableCatalog"]

MAX_REPORTED = 20

# Definitions parsed once per process, keyed by engine and (schema, table id), each with
# the `version` it was read at. Every change of a definition bumps `version` in the same
# transaction, so an entry is good exactly while the stored version equals its own: reads
# check that with one small query, writes inside their transaction (see `RowStore`). That
# holds across processes, which share nothing but the warehouse.
Cached = tuple[int, InputTableDefinition]
# With the generation it was read at (see `_GENERATIONS`).
_Entry = tuple[int, InputTableDefinition, int]
_DEFINITIONS: weakref.WeakKeyDictionary[Engine, dict[tuple[str, str], _Entry]] = (
    weakref.WeakKeyDictionary()
)
_DEFINITIONS_LOCK = threading.Lock()

# A counter per definition, moved by every change of it made in this process once the
# change has committed or rolled back, still under the table's lock. Where this process
# is the warehouse's only writer (`Engine.SUPPORTS_MULTIPLE_PROCESSES` False), a
# definition read while the counter had the value it has now is the stored one: a write
# holding the table's lock (so no change is under way) knows that without asking the
# warehouse (`definition_settled`). A read during a change, or before it, saw the counter
# before it moved, and never matches again.
_GENERATIONS: weakref.WeakKeyDictionary[Engine, dict[tuple[str, str], int]] = (
    weakref.WeakKeyDictionary()
)


def _generation(engine: Engine, schema: str, table_id: str) -> int:
    with _DEFINITIONS_LOCK:
        return _GENERATIONS.get(engine, {}).get((schema, table_id), 0)


def _advance(engine: Engine, schema: str, table_id: str) -> None:
    with _DEFINITIONS_LOCK:
        counters = _GENERATIONS.setdefault(engine, {})
        counters[(schema, table_id)] = counters.get((schema, table_id), 0) + 1


def definition_settled(engine: Engine, schema: str, table_id: str, generation: int | None) -> bool:
    """Whether a definition read at `generation` is still the stored one, known without a
    query: only in a warehouse this process alone writes, and only under the table's lock
    (no change can be under way then)."""
    return (
        generation is not None
        and not engine.SUPPORTS_MULTIPLE_PROCESSES
        and _generation(engine, schema, table_id) == generation
    )


def _document(definition: InputTableDefinition) -> str:
    return json.dumps(definition.model_dump(mode="json"), sort_keys=True)


class InputTableCatalog:
    def __init__(self, engine: Engine, schema: str) -> None:
        self.engine = engine
        self.schema = schema
        self.table = table(schema, "input_tables")
        self.audit = table(schema, "audit_log")
        self.pending = table(schema, "input_table_pending")

    # --- reads -----------------------------------------------------------------------

    def get(self, table_id: str, session: Session | None = None) -> InputTableDefinition:
        return self.get_versioned(table_id, session)[1]

    def get_versioned(self, table_id: str, session: Session | None = None) -> Cached:
        """The definition and its version, current as of this read. The stored document
        is sent and parsed only when the version differs from the cached one."""
        known = self.cached(table_id)
        generation = _generation(self.engine, self.schema, table_id)
        query = statements.definition_if_changed(self.schema)
        params = {"id": table_id, "known": known[0] if known else -1}
        if session is None:
            row = self.engine.fetch_one(query, params)
        else:
            row = session.fetch_one(query, params)
        if row is None:
            self.forget(table_id)
            raise NotFound(f"no input table '{table_id}'; GET /api/sigma/input-tables lists them")
        version = int(row["version"])
        if known is not None and known[0] == version:
            definition = known[1]
        else:
            definition = InputTableDefinition.model_validate_json(row["metadata"])
        with _DEFINITIONS_LOCK:
            _DEFINITIONS.setdefault(self.engine, {})[(self.schema, table_id)] = (
                version,
                definition,
                generation,
            )
        return version, definition

    def cached(self, table_id: str) -> Cached | None:
        """The definition as last read in this process, unchecked: a writer checks its
        version inside the write's transaction."""
        entry = self.cached_entry(table_id)
        return None if entry is None else entry[:2]

    def cached_entry(self, table_id: str) -> _Entry | None:
        """`cached`, with the generation it was read at (see `definition_settled`)."""
        with _DEFINITIONS_LOCK:
            return _DEFINITIONS.get(self.engine, {}).get((self.schema, table_id))

    @contextmanager
    def _changing(self, table_id: str) -> Iterator[Session]:
        """A change of a definition: a transaction holding the table's lock, with the
        definition's generation moved once it has ended, before the lock is let go."""
        key = f"input-table:{table_id}"
        with self.engine.key_lock(key):
            try:
                with self.engine.transaction() as session:
                    self.engine.lock_in_transaction(session, key)
                    yield session
            finally:
                _advance(self.engine, self.schema, table_id)

    def forget(self, table_id: str) -> None:
        with _DEFINITIONS_LOCK:
            _DEFINITIONS.get(self.engine, {}).pop((self.schema, table_id), None)

    def describe(self, table_id: str) -> dict[str, Any]:
        """The definition as the API shows it: with its version and pending draft edits."""
        query = (
            exp.select(
                "metadata", "version", "created_at", "created_by", "updated_at", "updated_by"
            )
            .from_(self.table)
            .where(exp.column("id").eq(param("id")))
        )
        pending = (
            exp.select(exp.func("COUNT", exp.Star()))
            .from_(self.pending)
            .where(exp.column("table_id").eq(param("id")))
        )
        with self.engine.session() as session:
            row = session.fetch_one(query, {"id": table_id})
            if row is None:
                raise NotFound(
                    f"no input table '{table_id}'; GET /api/sigma/input-tables lists them"
                )
            count = int(session.fetch_scalar(pending, {"id": table_id}))
        return _public(row, count)

    def summaries(self) -> list[dict[str, Any]]:
        query = (
            exp.select(
                "metadata", "version", "created_at", "created_by", "updated_at", "updated_by"
            )
            .from_(self.table)
            .order_by("id")
        )
        counts = (
            exp.select("table_id", exp.func("COUNT", exp.Star()).as_("n"))
            .from_(self.pending)
            .group_by("table_id")
        )
        with self.engine.session() as session:
            rows = session.fetch_dicts(query)
            pending = dict(session.fetch_rows(counts))
        return [
            _public(row, int(pending.get(json.loads(row["metadata"])["id"], 0))) for row in rows
        ]

    # --- writes ----------------------------------------------------------------------

    def create(
        self, definition: InputTableDefinition, actor: str | None, request_id: str | None = None
    ) -> InputTableDefinition:
        definition = definition.with_id()
        assert definition.id is not None
        with self.engine.locked_transaction(f"input-table:{definition.id}") as session:
            self.create_in(session, definition, actor, request_id)
        return definition

    def create_in(
        self,
        session: Session,
        definition: InputTableDefinition,
        actor: str | None,
        request_id: str | None = None,
        *,
        keyed: bool = True,
    ) -> None:
        """Create the definition and its data table in `session`'s transaction (`keyed`:
        see `storage.create_data_table`)."""
        assert definition.id is not None
        exists = session.fetch_scalar(
            exp.select("id").from_(self.table).where(exp.column("id").eq(param("id"))),
            {"id": definition.id},
        )
        if exists is not None:
            raise Conflict(f"an input table with id '{definition.id}' exists; pick another id")
        now = utc_now()
        values = {
            "id": definition.id,
            "app_id": definition.app_id,
            "name": definition.name,
            "type": definition.type,
            "columns": json.dumps([c.model_dump(mode="json") for c in definition.columns]),
            "metadata": _document(definition),
            "status": "active",
            "version": 1,
            "created_at": now,
            "created_by": actor,
            "updated_at": now,
            "updated_by": actor,
        }
        session.execute(insert_values(self.table, values), values)
        session.execute(create_data_table(self.schema, definition, keyed=keyed))
        self._audit(
            session, actor, "create-input-table", definition.id, None, definition, request_id
        )

    def update(
        self,
        table_id: str,
        change: InputTableUpdate,
        actor: str | None,
        request_id: str | None = None,
        confirm_drop: frozenset[str] = frozenset(),
    ) -> InputTableDefinition:
        with self._changing(table_id) as session:
            current = self.get(table_id, session)
            updated = self._migrate(session, current, change, confirm_drop)
            check_computed(updated, self.engine.dialect)
            from trilith.auth.row_security import check_row_rules

            check_row_rules(updated, self.engine.dialect)
            assignments: dict[str, object] = {
                "name": param("name"),
                "columns": param("columns"),
                "metadata": param("metadata"),
                "version": exp.column("version") + 1,
                "updated_at": param("updated_at"),
                "updated_by": param("updated_by"),
            }
            session.execute(
                exp.update(self.table, assignments, where=exp.column("id").eq(param("id"))),
                {
                    "id": table_id,
                    "name": updated.name,
                    "columns": json.dumps([c.model_dump(mode="json") for c in updated.columns]),
                    "metadata": _document(updated),
                    "updated_at": utc_now(),
                    "updated_by": actor,
                },
            )
            self._audit(
                session, actor, "update-input-table", table_id, current, updated, request_id
            )
        self.forget(table_id)
        return updated

    def delete(self, table_id: str, actor: str | None, request_id: str | None = None) -> None:
        with self._changing(table_id) as session:
            current = self.get(table_id, session)
            where = exp.column("id").eq(param("id"))
            session.execute(exp.delete(self.table, where=where), {"id": table_id})
            session.execute(
                exp.delete(self.pending, where=exp.column("table_id").eq(param("id"))),
                {"id": table_id},
            )
            session.execute(drop_table(data_table(self.schema, table_id)))
            self._audit(session, actor, "delete-input-table", table_id, current, None, request_id)
        self.forget(table_id)

    # --- migration of the data table ---------------------------------------------------

    def _migrate(
        self,
        session: Session,
        current: InputTableDefinition,
        change: InputTableUpdate,
        confirm_drop: frozenset[str],
    ) -> InputTableDefinition:
        target = data_table(self.schema, current.id or "")
        columns = change.columns if change.columns is not None else current.columns
        renames = dict(change.renames)
        unknown = [old for old in renames if current.column(old) is None]
        if unknown:
            raise ValidationFailed(f"renames name unknown columns: {', '.join(unknown)}")
        for old, new in renames.items():
            session.execute(rename_column(target, old, new))
        before = {renames.get(c.name, c.name): c for c in current.editable_columns}
        after = {c.name: c for c in columns if not c.linked}
        for name in before:
            if name not in after:
                self._drop(session, target, name, confirm_drop)
        for name, column in after.items():
            previous = before.get(name)
            if previous is None:
                session.execute(add_column(target, column))
            elif previous.type != column.type:
                # The data column already carries its new name if it was renamed.
                self._retype(session, target, previous.model_copy(update={"name": name}), column)
        updates: dict[str, Any] = {"columns": columns}
        if change.name is not None:
            updates["name"] = change.name
        if change.data_entry is not None:
            updates["data_entry"] = change.data_entry
        if change.row_security is not None:
            updates["row_security"] = change.row_security
        try:
            return InputTableDefinition.model_validate({**current.model_dump(), **updates})
        except ValueError as exc:
            raise ValidationFailed(f"the changed definition is invalid: {exc}") from None

    def _drop(
        self, session: Session, target: exp.Table, name: str, confirm: frozenset[str]
    ) -> None:
        held = session.fetch_scalar(
            exp.select(exp.func("COUNT", exp.column(name, quoted=True))).from_(target)
        )
        if held and name not in confirm:
            raise ValidationFailed(
                f"column '{name}' holds {held} values; to drop them, repeat the request with "
                f"confirm_drop={name}",
                details=[{"column": name, "rule": "drop_with_values", "values": int(held)}],
            )
        session.execute(drop_column(target, name))

    def _retype(
        self, session: Session, target: exp.Table, old: ColumnDefinition, new: ColumnDefinition
    ) -> None:
        column = exp.column(old.name, quoted=True)
        query = exp.select("_row_id", column).from_(target).where(column.is_(exp.null()).not_())
        coerce = COLUMN_TYPES[new.type].coerce
        misfits: list[dict[str, Any]] = []
        converted: list[tuple[str, Any]] = []
        for row_id, value in session.fetch_rows(query):
            try:
                converted.append((row_id, coerce(value)))
            except ValueError as exc:
                misfits.append(
                    {"row_id": row_id, "column": old.name, "value": value, "message": str(exc)}
                )
        if misfits:
            shown = ", ".join(repr(m["value"]) for m in misfits[:5])
            raise ValidationFailed(
                f"{len(misfits)} values of column '{old.name}' do not fit type {new.type} "
                f"({shown}); fix or clear them first — nothing was changed",
                details=misfits[:MAX_REPORTED],
            )
        scratch = f"_retype_{uuid.uuid4().hex[:8]}"
        session.execute(add_column(target, new.model_copy(update={"name": scratch})))
        update = exp.update(
            target, {scratch: param("v")}, where=exp.column("_row_id").eq(param("id"))
        )
        for row_id, value in converted:
            session.execute(update, {"v": value, "id": row_id})
        session.execute(drop_column(target, old.name))
        session.execute(rename_column(target, scratch, old.name))

    def _audit(
        self,
        session: Session,
        actor: str | None,
        action: str,
        table_id: str,
        before: InputTableDefinition | None,
        after: InputTableDefinition | None,
        request_id: str | None,
    ) -> None:
        record(
            session,
            self.schema,
            actor=actor,
            action=action,
            target_type="input_table",
            target_id=table_id,
            before=before.model_dump(mode="json") if before else None,
            after=after.model_dump(mode="json") if after else None,
            request_id=request_id,
        )


def _public(row: dict[str, Any], pending: int) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(row["metadata"])
    body.update(
        {
            "version": int(row["version"]),
            "pending_edits": pending,
            "created_at": row["created_at"],
            "created_by": row["created_by"],
            "updated_at": row["updated_at"],
            "updated_by": row["updated_by"],
        }
    )
    return body
