"""Row writes and reads of one input table, with versions and the edit log.

Every write runs in one transaction that holds the table's write lock, checks the version
the client read (`_version`), writes the row and its edit-log entries, and commits or
changes nothing. A stale version is a `Conflict` carrying the current row. Reads filter,
sort, page and count in the warehouse.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from trilith.engines.base import Engine, Session
from trilith.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from trilith.input_tables import statements
from trilith.input_tables.catalog import definition_settled
from trilith.input_tables.definition import SYSTEM_COLUMNS, InputTableDefinition
from trilith.input_tables.edit_log import Edit, EditLog, Operation, Source
from trilith.input_tables.query import RowQuery, count_query, page_query
from trilith.input_tables.recent import recent_rows
from trilith.input_tables.storage import data_table
from trilith.input_tables.types import from_storage
from trilith.input_tables.validation import RowValidator, raise_problems
from trilith.metadata.clock import utc_now
from trilith.sql.ddl import table
from trilith.sql.render import param

if TYPE_CHECKING:
    from trilith.auth.row_security import RowFilter

__all__ = ["DefinitionChanged", "RowChange", "RowStore", "WriteContext"]

INSERT_CHUNK = 200
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


@lru_cache(maxsize=1024)
def _update_returning_before(
    schema: str, table_id: str, names: tuple[str, ...], returning: tuple[str, ...], checked: bool
) -> exp.Update:
    """`statements.update_row` joined to the row as it was (`before`), returning its
    `returning` columns before, then after. Its `before._version = target._version`
    makes sure both are the same row version even if a writer slipped in."""
    target, before = "new_row", "old_row"

    def at(name: str, alias: str) -> exp.Column:
        return exp.column(name, alias, quoted=True)

    data = data_table(schema, table_id)
    assignments: dict[str, object] = {name: param(f"v_{i}") for i, name in enumerate(names)}
    assignments |= {
        "_version": at("_version", target) + 1,
        "_updated_at": param("updated_at"),
        "_updated_by": param("updated_by"),
    }
    previous = (
        exp.select(*(exp.column(c, quoted=True) for c in returning))
        .from_(data.copy())
        .where(exp.column("_row_id").eq(param("row_id")))
        .subquery(exp.to_identifier(before, quoted=True))
    )
    conditions: list[exp.Expr] = [
        at("_row_id", target).eq(at("_row_id", before)),
        at("_version", target).eq(param("version")),
        at("_version", before).eq(at("_version", target)),
    ]
    if checked:
        stored = (
            exp.select("version")
            .from_(table(schema, "input_tables"))
            .where(exp.column("id").eq(param("definition_id")))
            .subquery()
        )
        conditions.append(exp.EQ(this=stored, expression=param("definition_version")))
    aliased = data.copy()
    aliased.set("alias", exp.TableAlias(this=exp.to_identifier(target, quoted=True)))
    update = exp.update(aliased, assignments, where=exp.and_(*conditions))
    update.set("from_", exp.From(this=previous))
    columns = [at(c, before) for c in returning] + [at(c, target) for c in returning]
    update.set("returning", exp.Returning(expressions=columns))
    return update


def _update_params(
    clean: Mapping[str, Any], row_id: str, version: int, actor: str | None, at: dt.datetime
) -> dict[str, Any]:
    """What `statements.update_row` binds (before any `matching` or definition check)."""
    params: dict[str, Any] = {f"v_{i}": value for i, value in enumerate(clean.values())}
    params |= {"updated_at": at, "updated_by": actor, "row_id": row_id, "version": version}
    return params


def _id_chunks(row_ids: Sequence[str]) -> Iterator[tuple[exp.Expr, dict[str, str]]]:
    """`row_ids` a chunk at a time, each as `_row_id IN (:r0, …)` with the values it binds."""
    for start in range(0, len(row_ids), INSERT_CHUNK):
        chunk = row_ids[start : start + INSERT_CHUNK]
        names = [f"r{i}" for i in range(len(chunk))]
        among = exp.column("_row_id").isin(*(param(n) for n in names))
        yield among, dict(zip(names, chunk, strict=True))


class _TrialOver(Exception):
    """Rolls back a trial write (see `RowStore.check_staged`)."""


class RowStore:
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
        assert definition.id is not None
        self.engine = engine
        # Set when the definition came from the process cache: writes then check, in
        # their transaction, that it is still the stored one (in memory where they can,
        # see `catalog.definition_settled`).
        self.definition_version = definition_version
        self.definition_generation = definition_generation
        # Row-level security of the caller: reads see, and writes reach, only these rows.
        self.row_filter = row_filter
        self.schema = schema
        self.definition = definition
        self.table_id = definition.id
        self.table = data_table(schema, definition.id)
        self.log = EditLog(engine, schema)
        self.log.imported_rows = self.imported_rows
        self.validator = RowValidator(definition, options_loader)
        # Columns of the data table, and the ones a user may set.
        self.columns = [c.name for c in definition.stored_columns]
        self.editable = [c.name for c in definition.editable_columns]
        # An update hands back the row itself where the engine can (one statement fewer).
        self.returning: tuple[str, ...] = (
            (*SYSTEM_COLUMNS, *self.columns)
            if engine.SUPPORTS_RETURNING and not definition.computed_columns
            else ()
        )
        self.types = {c.name: c.type for c in definition.columns}
        self.recent = recent_rows(engine)
        if row_filter is not None:
            visible = exp.select(exp.column("_row_id", quoted=True)).from_(self.relation())
            self.log.visible_rows = (visible, self.relation_params)

    @property
    def shown(self) -> list[str]:
        """The user columns a read returns: stored, then computed."""
        return [*self.columns, *(c.name for c in self.definition.computed_columns)]

    def relation(self, *, secured: bool = True) -> exp.Expr:
        """What reads select from: the data table, with computed columns when it has any,
        narrowed to the caller's rows under row-level security (bind `relation_params`)."""
        computed = self.definition.computed_columns
        base: exp.Expr = (
            self._with_computed(self.table, self.columns).subquery("computed_rows")
            if computed
            else self.table
        )
        if self.row_filter is None or not secured:
            return base
        visible = exp.select(exp.Star()).from_(base).where(self.row_filter.condition.copy())
        return visible.subquery("visible_rows")

    @property
    def relation_params(self) -> dict[str, Any]:
        return dict(self.row_filter.params) if self.row_filter else {}

    def _with_computed(self, relation: exp.Expr, stored: list[str]) -> exp.Select:
        from trilith.input_tables.computed import computed_projections

        projections = computed_projections(self.definition, stored, self.engine.dialect)
        return exp.select(exp.Star(), *projections).from_(relation)

    @property
    def lock_key(self) -> str:
        return f"input-table:{self.table_id}"

    # --- reads -----------------------------------------------------------------------

    def page(self, query: RowQuery) -> tuple[list[dict[str, Any]], int]:
        selected = [*SYSTEM_COLUMNS, *self.shown]
        relation = self.relation()
        page, params = page_query(relation, selected, self.types, query)
        count, count_params = count_query(relation, self.types, query)
        secured = self.relation_params
        with self.engine.session() as session:
            rows = session.fetch_dicts(page, params | secured)
            total = int(session.fetch_scalar(count, count_params | secured))
        return [self._public(row) for row in rows], total

    def get(
        self, row_id: str, session: Session | None = None, *, secured: bool = True
    ) -> dict[str, Any] | None:
        """The row, or None when it is absent or outside the caller's row security."""
        secured = secured and self.row_filter is not None
        if self.definition.computed_columns or secured:
            query = (
                exp.select(*(exp.column(c, quoted=True) for c in (*SYSTEM_COLUMNS, *self.shown)))
                .from_(self.relation(secured=secured))
                .where(exp.column("_row_id").eq(param("row_id")))
            )
        else:
            query = statements.row_by_id(
                self.schema, self.table_id, (*SYSTEM_COLUMNS, *self.columns)
            )
        params = {"row_id": row_id, **(self.relation_params if secured else {})}
        if session is None:
            row = self.engine.fetch_one(query, params)
        else:
            row = session.fetch_one(query, params)
        return self._public(row) if row else None

    def check_inside(self, session: Session, row_ids: Sequence[str]) -> None:
        """Refuse (rolling the transaction back) when a written row falls outside the
        caller's row security: nobody writes a row they could not read."""
        if self.row_filter is None or not row_ids:
            return
        outside = exp.Not(this=exp.paren(self.row_filter.condition.copy()))
        for among, ids in self._matching(row_ids):
            query = (
                exp.select(exp.func("COUNT", exp.Star()))
                .from_(self.relation(secured=False))
                .where(exp.and_(exp.paren(among), outside))
            )
            if int(session.fetch_scalar(query, ids | self.relation_params) or 0):
                raise self._outside()

    def _outside(self) -> PermissionDenied:
        rule = self.row_filter.describe() if self.row_filter is not None else ""
        return PermissionDenied(
            f"row-level security of '{self.table_id}': the row would fall outside "
            f"the rows you may write ({rule}); nothing was written",
            details=[{"rule": rule}],
        )

    def visible(self, row_ids: Sequence[str]) -> set[str]:
        """Those of `row_ids` whose rows exist and the caller's row security shows."""
        found: set[str] = set()
        for among, ids in self._matching(row_ids):
            query = exp.select(*self._id_columns()).from_(self.relation()).where(among)
            rows = self.engine.fetch_dicts(query, ids | self.relation_params)
            found.update(self.row_id(row) for row in rows)
        return found

    # How a store names its rows: by `_row_id` here, by key on linked tables.

    def _matching(self, row_ids: Sequence[str]) -> Iterator[tuple[exp.Expr, dict[str, Any]]]:
        """`row_ids` a chunk at a time, as a condition matching their rows."""
        return _id_chunks(row_ids)

    def _id_columns(self) -> list[exp.Column]:
        return [exp.column("_row_id", quoted=True)]

    def row_id(self, row: Mapping[str, Any]) -> str:
        return str(row["_row_id"])

    def exists_hidden(self, session: Session, row_id: str) -> bool:
        """Whether the row exists but row security hides it from the caller."""
        if self.row_filter is None:
            return False
        query = statements.row_by_id(self.schema, self.table_id, ("_row_id",))
        return session.fetch_one(query, {"row_id": row_id}) is not None

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

    def count_outside(self, session: Session) -> int:
        """How many rows row security hides from the caller (bulk writes compare it before
        and after: a CSV import may add no row the caller could not read)."""
        if self.row_filter is None:
            return 0
        outside = exp.Not(this=exp.paren(self.row_filter.condition.copy()))
        query = exp.select(exp.func("COUNT", exp.Star())).from_(self.relation(secured=False))
        return int(session.fetch_scalar(query.where(outside), self.relation_params) or 0)

    def check_replace(self, outside: int) -> None:
        """Before a replace writes anything: refuse it when it would delete rows outside
        the caller's row security (`outside`, from `count_outside`)."""
        if self.row_filter is None or not outside:
            return
        rule = self.row_filter.describe()
        raise PermissionDenied(
            f"row-level security of '{self.table_id}': replace would delete "
            f"{outside} rows outside the rows you may write ({rule}); nothing was written",
            details=[{"rule": rule}],
        )

    def check_bulk(self, session: Session, outside_before: int) -> None:
        """After a bulk write in `session`: refuse it when it added rows outside the
        caller's row security."""
        if self.row_filter is None:
            return
        rule = self.row_filter.describe()
        added = self.count_outside(session) - outside_before
        if added > 0:
            raise PermissionDenied(
                f"row-level security of '{self.table_id}': {added} imported rows fall outside "
                f"the rows you may write ({rule}); nothing was written",
                details=[{"rule": rule, "rows_outside": added}],
            )

    def imported_rows(self, prefix: str) -> dict[str, dict[str, Any]]:
        """The rows now in the table whose ids start with `prefix` (one CSV import's)."""
        columns = [exp.column(c, quoted=True) for c in (*SYSTEM_COLUMNS, *self.shown)]
        starts = exp.Substring(
            this=exp.column("_row_id"),
            start=exp.Literal.number(1),
            length=exp.Literal.number(len(prefix)),
        )
        query = exp.select(*columns).from_(self.relation()).where(starts.eq(param("prefix")))
        rows = self.engine.fetch_dicts(query, {"prefix": prefix, **self.relation_params})
        return {row["_row_id"]: self._public(row) for row in rows}

    def _read_back(self, session: Session, row_ids: list[str]) -> list[dict[str, Any]]:
        """Rows as stored and computed (a computed column's value comes from a read)."""
        found: dict[str, dict[str, Any]] = {}
        columns = [exp.column(c, quoted=True) for c in (*SYSTEM_COLUMNS, *self.shown)]
        for among, ids in _id_chunks(row_ids):
            query = exp.select(*columns).from_(self.relation(secured=False)).where(among)
            for row in session.fetch_dicts(query, ids):
                found[row["_row_id"]] = self._public(row)
        return [found[row_id] for row_id in row_ids]

    def _public(self, row: Mapping[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = {
            "_row_id": row["_row_id"],
            "_version": int(row["_version"]),
            "_created_at": from_storage("datetime", row["_created_at"]),
            "_created_by": row["_created_by"],
            "_updated_at": from_storage("datetime", row["_updated_at"]),
            "_updated_by": row["_updated_by"],
        }
        for name in self.shown:
            result[name] = from_storage(self.types[name], row.get(name))
        return result

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
        update = _update_returning_before(
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

    def _missing(self, row_id: str) -> NotFound:
        return NotFound(f"input table '{self.table_id}' has no row '{row_id}'")

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
