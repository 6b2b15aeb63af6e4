"""Row writes of one input table, with versions and the edit log (reads: `row_reads`).

Every write runs in one transaction that holds the table's write lock, checks the version
the client read (`_version`), writes the row and its edit-log entries, and commits or
changes nothing. A stale version is a `Conflict` carrying the current row.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from trilith.engines.base import Engine, Session
from trilith.errors import Conflict, NotFound, ValidationFailed
from trilith.input_tables import statements
from trilith.input_tables.catalog import definition_settled
from trilith.input_tables.definition import SYSTEM_COLUMNS, InputTableDefinition
from trilith.input_tables.edit_log import Edit, Operation, Source
from trilith.input_tables.recent import recent_rows
from trilith.input_tables.row_reads import INSERT_CHUNK, RowReader
from trilith.input_tables.validation import RowValidator, raise_problems
from trilith.metadata.clock import utc_now
from trilith.sql.render import param

if TYPE_CHECKING:
    from trilith.auth.row_security import RowFilter

__all__ = ["INSERT_CHUNK", "DefinitionChanged", "RowChange", "RowStore", "WriteContext"]

# Inserted rows are remembered for a quick first edit (`recent`) in batches up to this size.
REMEMBERED_BATCH = 100
# An update from a remembered row compares each stored column in its WHERE; on DuckDB each
# costs ~0.05-0.1 ms, so past ~20 columns that costs more than reading the row (measured
# in-process: 6 user columns 0.5-0.7 ms faster than a read, 12 0.4-1.3 ms, 22 0.2-1 ms slower).
MAX_PROOF_COLUMNS = 16


@dataclass(frozen=True, slots=True)
class WriteContext:
    actor: str | None
    request_id: str | None = None
    source: Source = "api"


@dataclass(frozen=True, slots=True)
class RowChange:
    """What a committed write did: for the response and the event stream."""

    table_id: str
    operation: str
    rows: list[dict[str, Any]]
    edit_numbers: list[int]


class DefinitionChanged(Conflict):
    """The definition a write was validated against is no longer the stored one."""

    def __init__(self, table_id: str) -> None:
        super().__init__(
            f"the definition of input table '{table_id}' changed while the write was being "
            "prepared; send it again"
        )


def _concerns(entry: Mapping[str, Any], row_id: str) -> bool:
    """The edit-log entry is one of the row's, or the import that created it."""
    if entry["op"] == "import":
        return bool(entry["row_id"]) and row_id.startswith(entry["row_id"])
    return bool(entry["row_id"] == row_id)


# Dialects whose UPDATE … FROM returns the joined table's columns.
_RETURNS_JOINED_COLUMNS = frozenset({"postgres"})


def _update_params(
    clean: Mapping[str, Any], row_id: str, version: int, actor: str | None, at: dt.datetime
) -> dict[str, Any]:
    """What `statements.update_row` binds (before any `matching` or definition check)."""
    params: dict[str, Any] = {f"v_{i}": value for i, value in enumerate(clean.values())}
    params |= {"updated_at": at, "updated_by": actor, "row_id": row_id, "version": version}
    return params


class _TrialOver(Exception):
    """Rolls back a trial write (see `RowStore.check_staged`)."""


class RowStore(RowReader):
    # `update_in` and `delete_in` check a cached definition in their write statement
    # (`statements.update_row(checked=True)`), so `update` and `delete` need no query of
    # their own for it.
    CHECKS_AS_IT_WRITES = True

    def __init__(
        self,
        engine: Engine,
        schema: str,
        definition: InputTableDefinition,
        options_loader: Callable[[str, str], set[str]] | None = None,
        row_filter: RowFilter | None = None,
        definition_version: int | None = None,
        definition_generation: int | None = None,
    ) -> None:
        super().__init__(
            engine, schema, definition, row_filter, definition_version, definition_generation
        )
        self.validator = RowValidator(definition, options_loader)
        # An update hands back the row itself where the engine can (one statement fewer).
        self.returning: tuple[str, ...] = (
            (*SYSTEM_COLUMNS, *self.columns)
            if engine.SUPPORTS_RETURNING and not definition.computed_columns
            else ()
        )
        self.recent = recent_rows(engine)

    def check_staged(self, clean: list[dict[str, Any]], row_id: str | None = None) -> None:
        """Draft edits of a caller under row security: the row an update or delete names
        must be visible, and the rows an insert or update would leave must be inside
        (tried under the table's lock, so it meets no open write, in a transaction that is
        always rolled back)."""
        if self.row_filter is None:
            return
        current = None
        if row_id is not None:
            current = self.get(row_id)
            if current is None:
                raise self._missing(row_id)
        try:
            with self.engine.locked_transaction(self.lock_key) as session:
                if current is None:
                    trial = [
                        self._new_row(uuid.uuid4().hex, values, WriteContext(None), utc_now())
                        for values in clean
                    ]
                    self._insert_rows(session, trial)
                    self.check_inside(session, [str(row["_row_id"]) for row in trial])
                elif clean and clean[0]:
                    update = statements.update_row(self.schema, self.table_id, tuple(clean[0]))
                    params = _update_params(
                        clean[0], current["_row_id"], current["_version"], None, utc_now()
                    )
                    session.execute(update, params)
                    self.check_inside(session, [str(row_id)])
                raise _TrialOver
        except _TrialOver:
            pass

    # --- writes ----------------------------------------------------------------------

    def validate_insert(self, rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        if not rows:
            raise ValidationFailed('send at least one row: {"rows": [{column: value}]}')
        return self.validator.insert(rows)

    def insert(self, rows: Sequence[Mapping[str, Any]], context: WriteContext) -> RowChange:
        clean = self.validate_insert(rows)
        with self.engine.locked_transaction(self.lock_key) as session:
            self.check_definition(session)
            return self.insert_in(session, clean, context)

    def insert_in(
        self, session: Session, clean: list[dict[str, Any]], context: WriteContext
    ) -> RowChange:
        self._check_unique(session, clean, exclude=None)
        now = utc_now()
        # Rows of one batch keep their order: each is created a microsecond after the last.
        stored = [
            self._new_row(uuid.uuid4().hex, values, context, now + dt.timedelta(microseconds=index))
            for index, values in enumerate(clean)
        ]
        self._insert_rows(session, stored)
        if len(stored) <= REMEMBERED_BATCH:
            self._remember(stored)
        self.check_inside(session, [str(row["_row_id"]) for row in stored])
        public = (
            self._read_back(session, [str(row["_row_id"]) for row in stored])
            if self.definition.computed_columns
            else [self._public(row) for row in stored]
        )
        edits = [
            Edit(
                self.table_id,
                row["_row_id"],
                "insert",
                None,
                row,
                context.actor,
                now,
                context.request_id,
                context.source,
            )
            for row in public
        ]
        numbers = self.log.append(session, edits)
        return RowChange(self.table_id, "insert", public, numbers)

    def _new_row(
        self, row_id: str, values: Mapping[str, Any], context: WriteContext, at: dt.datetime
    ) -> dict[str, Any]:
        """A row to insert: version 1, stamped, with every stored column."""
        return {
            "_row_id": row_id,
            "_version": 1,
            "_created_at": at,
            "_created_by": context.actor,
            "_updated_at": at,
            "_updated_by": context.actor,
            **{name: values.get(name) for name in self.columns},
        }

    def _insert_rows(self, session: Session, rows: list[dict[str, Any]]) -> None:
        names = (*SYSTEM_COLUMNS, *self.columns)
        for start in range(0, len(rows), INSERT_CHUNK):
            chunk = rows[start : start + INSERT_CHUNK]
            params = {
                f"c{j}_{i}": row[name]
                for i, row in enumerate(chunk)
                for j, name in enumerate(names)
            }
            insert = statements.insert_rows(self.schema, self.table_id, names, len(chunk))
            session.execute(insert, params)

    def validate_update(self, values: Mapping[str, Any]) -> dict[str, Any]:
        if not values:
            raise ValidationFailed('send the values to change: {"values": {column: value}}')
        return self.validator.update(values)

    def update(
        self, row_id: str, values: Mapping[str, Any], expected_version: int, context: WriteContext
    ) -> RowChange:
        clean = self.validate_update(values)
        with self.engine.locked_transaction(self.lock_key) as session:
            if not self.CHECKS_AS_IT_WRITES:
                self.check_definition(session)
            return self.update_in(session, row_id, clean, expected_version, context)

    def update_in(
        self,
        session: Session,
        row_id: str,
        clean: dict[str, Any],
        expected_version: int | None,
        context: WriteContext,
    ) -> RowChange:
        if expected_version is not None and self._reads_as_it_updates:
            merged = self._update_reading_before(session, row_id, clean, expected_version, context)
            if merged is not None:
                return merged
            # Nothing matched: the steps below find out why (or, after a race, write).
        if self._writes_from_before:
            return self._update_from_before(session, row_id, clean, expected_version, context)
        current = self._current(session, row_id, expected_version)
        self._check_unique(session, [clean], exclude=row_id)
        now = utc_now()
        returning = self.returning
        checked = self._checks_definition()
        update = statements.update_row(self.schema, self.table_id, tuple(clean), returning, checked)
        params = _update_params(clean, row_id, current["_version"], context.actor, now)
        params |= self._definition_params(checked)
        if returning:
            updated = session.fetch_dicts(update, params)
            after = self._public(updated[0]) if updated else None
        else:
            changed = session.execute(update, params)
            after = self.get(row_id, session, secured=False) if changed else None
        if after is None:  # the definition changed; else unreachable under the lock
            self.check_definition(session)
            raise self._stale(session, row_id, current["_version"])
        self.check_inside(session, [row_id])
        return self._logged(session, "update", row_id, current, after, [after], context, now)

    @property
    def _reads_as_it_updates(self) -> bool:
        """Whether an update can read the row as it was in its own statement (see
        `_update_reading_before`): PostgreSQL returns joined columns, DuckDB does not;
        row security and computed columns keep the separate steps."""
        return (
            self.engine.dialect in _RETURNS_JOINED_COLUMNS
            and bool(self.returning)
            and self.row_filter is None
        )

    def _update_reading_before(
        self,
        session: Session,
        row_id: str,
        clean: dict[str, Any],
        expected_version: int,
        context: WriteContext,
    ) -> RowChange | None:
        """The update with the row's previous values in one statement (one round trip
        fewer than a read, then an update); None when no row matched."""
        now = utc_now()
        names = tuple(clean)
        checked = self._checks_definition()
        update = statements.update_returning_before(
            self.schema, self.table_id, names, self.returning, checked
        )
        params = _update_params(clean, row_id, expected_version, context.actor, now)
        params |= self._definition_params(checked)
        rows = session.fetch_rows(update, params)
        if not rows:
            return None
        # After the write, so a missing or stale row is reported first, as the separate
        # steps do; a clash raises and the transaction rolls the write back.
        self._check_unique(session, [clean], exclude=row_id)
        count = len(self.returning)
        before = self._public(dict(zip(self.returning, rows[0][:count], strict=True)))
        after = self._public(dict(zip(self.returning, rows[0][count:], strict=True)))
        return self._logged(session, "update", row_id, before, after, [after], context, now)

    @property
    def _writes_from_before(self) -> bool:
        """Whether an update works the row out from the row before it instead of having
        the warehouse return it (`_update_from_before`): DuckDB's `UPDATE … RETURNING`
        costs about as much as one more statement. PostgreSQL reads the row before in the
        update itself; computed columns and row security need the warehouse's read."""
        return (
            bool(self.returning)
            and self.engine.COUNTS_AFFECTED_ROWS
            and self.row_filter is None
            and not self._reads_as_it_updates
        )

    def _update_from_before(
        self,
        session: Session,
        row_id: str,
        clean: dict[str, Any],
        expected_version: int | None,
        context: WriteContext,
    ) -> RowChange:
        """The update, starting from the row as this process last wrote it when it still
        is that (`recent`; the update's WHERE compares every column), else from a read of
        it; the row after is the row before with the new values, version and stamps."""
        now = utc_now()
        before = None if expected_version is None else self._recall(row_id, expected_version)
        if before is None or not self._write_over(session, before, clean, context, now):
            before = self._stored_row(session, row_id, expected_version)
            if not self._write_over(session, before, clean, context, now, proven=False):
                # The definition changed; else unreachable under the lock (the read and
                # the update are one transaction).
                self.check_definition(session)
                raise self._stale(session, row_id, before["_version"])
        self._check_unique(session, [clean], exclude=row_id)  # after it, as above
        after = before | clean
        after |= {"_version": before["_version"] + 1, "_updated_at": now}
        after["_updated_by"] = context.actor
        self._remember([after])
        public = self._public(after)
        return self._logged(
            session, "update", row_id, self._public(before), public, [public], context, now
        )

    def _write_over(
        self,
        session: Session,
        before: Mapping[str, Any],
        clean: Mapping[str, Any],
        context: WriteContext,
        now: dt.datetime,
        *,
        proven: bool = True,
    ) -> bool:
        """Update the row from `before` (its version) to `clean`; with `proven`, only if
        every other stored column still holds `before`'s value too. Whether it did."""
        checked = self._checks_definition()
        matching = self._proof if proven else ()
        update = statements.update_row(
            self.schema, self.table_id, tuple(clean), (), checked, matching
        )
        params = _update_params(clean, before["_row_id"], before["_version"], context.actor, now)
        params |= {f"m_{i}": before[name] for i, name in enumerate(matching)}
        params |= self._definition_params(checked)
        return session.execute(update, params) == 1

    @property
    def _proof(self) -> tuple[str, ...]:
        """The columns a remembered row's update compares besides `_row_id` and
        `_version`: all the others, so that a write that kept the version (SQL run on the
        warehouse, a `run_sql` action) or a remembered write that rolled back is noticed."""
        stored = (*SYSTEM_COLUMNS, *self.columns)
        return tuple(c for c in stored if c not in ("_row_id", "_version"))

    @property
    def _memory_key(self) -> int | None:
        """The definition version remembered rows are filed under, or None where updates
        do not start from them: without a cached definition, or where comparing the row
        in the WHERE costs more than reading it (`MAX_PROOF_COLUMNS`)."""
        if not self._writes_from_before or len(self._proof) > MAX_PROOF_COLUMNS:
            return None
        return self.definition_version

    def _recall(self, row_id: str, version: int) -> dict[str, Any] | None:
        definition_version = self._memory_key
        if definition_version is None:
            return None
        key = (self.schema, self.table_id, row_id)
        return self.recent.recall(key, definition_version, version)

    def _remember(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Rows as this transaction stored them. One that is then rolled back does no
        harm: an update starting from it matches no row that differs from it."""
        definition_version = self._memory_key
        if definition_version is None:
            return
        for row in rows:
            key = (self.schema, self.table_id, str(row["_row_id"]))
            self.recent.remember(key, definition_version, row)

    def delete(self, row_id: str, expected_version: int, context: WriteContext) -> RowChange:
        with self.engine.locked_transaction(self.lock_key) as session:
            if not self.CHECKS_AS_IT_WRITES:
                self.check_definition(session)
            return self.delete_in(session, row_id, expected_version, context)

    def delete_in(
        self, session: Session, row_id: str, expected_version: int | None, context: WriteContext
    ) -> RowChange:
        current = self._current(session, row_id, expected_version)
        checked = self._checks_definition()
        delete = statements.delete_row(self.schema, self.table_id, checked)
        if not session.execute(delete, {"row_id": row_id, **self._definition_params(checked)}):
            self.check_definition(session)
        self.recent.forget((self.schema, self.table_id, row_id))
        return self._logged(session, "delete", row_id, current, None, [current], context, utc_now())

    def revert(
        self, row_id: str, edit_num: int, expected_version: int | None, context: WriteContext
    ) -> RowChange:
        """Put the row back as it was right after edit `edit_num` (a new edit of its own)."""
        context = replace(context, source="revert")
        with self.engine.locked_transaction(self.lock_key) as session:
            self.check_definition(session)
            entry = self.log.entry(session, self.table_id, edit_num)
            missing = NotFound(f"row '{row_id}' of '{self.table_id}' has no edit {edit_num}")
            if entry is None or not _concerns(entry, row_id):
                raise missing
            target = entry["after"]
            current = self.get(row_id, session)
            if entry["op"] == "import":
                # The row as imported: the `before` of its next entry, or the row now.
                later, before = self.log.imported_state(session, self.table_id, row_id, edit_num)
                if not later and current is None:
                    raise missing
                target = before if later else current
            if current is None and self.exists_hidden(session, row_id):
                raise self._missing(row_id)
            if (
                current is not None
                and expected_version is not None
                and current["_version"] != expected_version
            ):
                raise self._stale(session, row_id, expected_version)
            if target is None:
                if current is None:
                    raise Conflict(f"row '{row_id}' is already deleted, as after edit {edit_num}")
                return self.delete_in(session, row_id, None, context)
            values = self.validator.update(
                {name: target.get(name) for name in self.editable}, restoring=True
            )
            if current is None:
                return self._restore(session, row_id, values, context)
            return self.update_in(session, row_id, values, None, context)

    def _restore(
        self, session: Session, row_id: str, clean: dict[str, Any], context: WriteContext
    ) -> RowChange:
        self._check_unique(session, [clean], exclude=None)
        now = utc_now()
        row = self._new_row(row_id, clean, context, now)
        self._insert_rows(session, [row])
        self.check_inside(session, [row_id])
        public = self._public(row)
        return self._logged(session, "insert", row_id, None, public, [public], context, now)

    def _logged(
        self,
        session: Session,
        operation: Operation,
        row_id: str,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
        rows: list[dict[str, Any]],
        context: WriteContext,
        at: dt.datetime,
    ) -> RowChange:
        """The change, with its edit-log entry written in `session`'s transaction."""
        edit = Edit(
            self.table_id,
            row_id,
            operation,
            before,
            after,
            context.actor,
            at,
            context.request_id,
            context.source,
        )
        return RowChange(self.table_id, operation, rows, self.log.append(session, [edit]))

    # --- checks ----------------------------------------------------------------------

    def _checks_definition(self) -> bool:
        """Under the table's lock: whether a write must check the cached definition in
        the warehouse (it need not where this process knows it is the stored one)."""
        return self.definition_version is not None and not definition_settled(
            self.engine, self.schema, self.table_id, self.definition_generation
        )

    def _definition_params(self, checked: bool) -> dict[str, Any]:
        if not checked:
            return {}
        return {"definition_id": self.table_id, "definition_version": self.definition_version}

    def check_definition(self, session: Session) -> None:
        """Under the table's lock (which definition changes take too): the definition this
        store validates with is still the stored one."""
        if not self._checks_definition():
            return
        query = statements.definition_version(self.schema)
        version = session.fetch_scalar(query, {"id": self.table_id})
        if version is None:
            raise NotFound(f"no input table '{self.table_id}'")
        if int(version) != self.definition_version:
            raise DefinitionChanged(self.table_id)

    def _current(
        self, session: Session, row_id: str, expected_version: int | None
    ) -> dict[str, Any]:
        current = self.get(row_id, session)
        if current is None:
            raise self._missing(row_id)
        if expected_version is not None and current["_version"] != expected_version:
            raise self._stale(session, row_id, expected_version, current)
        return current

    def _stored_row(
        self, session: Session, row_id: str, expected_version: int | None
    ) -> dict[str, Any]:
        """`_current` as the driver returns the row rather than as the API shows it (for
        stores without computed columns or row security)."""
        columns = (*SYSTEM_COLUMNS, *self.columns)
        row = session.fetch_one(
            statements.row_by_id(self.schema, self.table_id, columns), {"row_id": row_id}
        )
        if row is None:
            raise self._missing(row_id)
        if expected_version is not None and row["_version"] != expected_version:
            raise self._stale(session, row_id, expected_version, self._public(row))
        return row

    def _stale(
        self,
        session: Session,
        row_id: str,
        expected_version: int,
        current: dict[str, Any] | None = None,
    ) -> Conflict:
        current = current or self.get(row_id, session)
        version = current["_version"] if current else None
        return Conflict(
            f"row '{row_id}' is at version {version}, not {expected_version}: someone changed it "
            "since you read it; the current row is in current_row",
            body={"current_row": current},
        )

    def _check_unique(
        self, session: Session, rows: list[dict[str, Any]], exclude: str | None
    ) -> None:
        problems = []
        for column in self.definition.columns:
            if not column.unique:
                continue
            values = [
                (i, row[column.name])
                for i, row in enumerate(rows)
                if row.get(column.name) is not None
            ]
            if not values:
                continue
            names = [f"u{i}" for i in range(len(values))]
            condition: exp.Expr = exp.column(column.name, quoted=True).isin(
                *(param(n) for n in names)
            )
            params: dict[str, Any] = dict(zip(names, (v for _, v in values), strict=True))
            if exclude is not None:
                condition = exp.and_(condition, exp.column("_row_id").neq(param("exclude")))
                params["exclude"] = exclude
            query = (
                exp.select(exp.column(column.name, quoted=True)).from_(self.table).where(condition)
            )
            taken = {row[0] for row in session.fetch_rows(query, params)}
            for index, value in values:
                if value in taken:
                    problems.append(
                        {
                            "row": index,
                            "column": column.name,
                            "rule": "unique",
                            "message": f"{value!r} is already used by another row",
                        }
                    )
        raise_problems(problems)
