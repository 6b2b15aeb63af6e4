"""Reads of one input table's rows, and the row-level security checks writes rely on.

`RowReader` reads, filters, sorts, pages and counts in the warehouse, narrowed to the
caller's rows under row-level security; `RowStore` (rows.py) adds the writes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from trilith.engines.base import Engine, Session
from trilith.errors import NotFound, PermissionDenied
from trilith.input_tables import statements
from trilith.input_tables.definition import SYSTEM_COLUMNS, InputTableDefinition
from trilith.input_tables.edit_log import EditLog
from trilith.input_tables.query import RowQuery, count_query, page_query
from trilith.input_tables.storage import data_table
from trilith.input_tables.types import from_storage
from trilith.sql.render import param

if TYPE_CHECKING:
    from trilith.auth.row_security import RowFilter

__all__ = ["INSERT_CHUNK", "RowReader", "id_chunks"]

INSERT_CHUNK = 200


def id_chunks(row_ids: Sequence[str]) -> Iterator[tuple[exp.Expr, dict[str, str]]]:
    """`row_ids` a chunk at a time, each as `_row_id IN (:r0, …)` with the values it binds."""
    for start in range(0, len(row_ids), INSERT_CHUNK):
        chunk = row_ids[start : start + INSERT_CHUNK]
        names = [f"r{i}" for i in range(len(chunk))]
        among = exp.column("_row_id").isin(*(param(n) for n in names))
        yield among, dict(zip(names, chunk, strict=True))


class RowReader:
    # What pages are ordered by when the request sorts by nothing (its last column unique).
    default_order: Sequence[str] = ("_created_at", "_row_id")

    def __init__(
        self,
        engine: Engine,
        schema: str,
        definition: InputTableDefinition,
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
        # Columns of the data table, and the ones a user may set.
        self.columns = [c.name for c in definition.stored_columns]
        self.editable = [c.name for c in definition.editable_columns]
        self.types = {c.name: c.type for c in definition.columns}
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

    def page(self, query: RowQuery) -> tuple[list[dict[str, Any]], int]:
        selected = [*SYSTEM_COLUMNS, *self.shown]
        relation = self.relation()
        page, params = page_query(relation, selected, self.types, query, self.default_order)
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
        return id_chunks(row_ids)

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
        for among, ids in id_chunks(row_ids):
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

    def _missing(self, row_id: str) -> NotFound:
        return NotFound(f"input table '{self.table_id}' has no row '{row_id}'")
