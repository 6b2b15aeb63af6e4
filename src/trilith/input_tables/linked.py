"""Linked input tables: rows of a warehouse table or view, augmented with editable columns.

The source stays where it is and is read live: every read joins it to the data table,
which holds only the key and the augmentation columns. A row's id is its key as JSON
(`["ACME-1"]`); a row nobody has augmented yet has version 0, and the first write to it
(with `expected_version` 0, or an upsert by key) creates its augmentation.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from sqlglot import exp

from trilith.engines.base import Engine, Session
from trilith.errors import NotFound, ValidationFailed, WarehouseError
from trilith.input_tables.definition import SYSTEM_COLUMNS, InputTableDefinition
from trilith.input_tables.rows import INSERT_CHUNK, RowChange, RowStore, WriteContext, _TrialOver
from trilith.input_tables.types import COLUMN_TYPES, from_storage
from trilith.input_tables.validation import problem, raise_problems
from trilith.metadata.clock import utc_now
from trilith.sql.render import param

__all__ = ["LinkedRowStore", "check_source"]

SOURCE, DATA = "s", "a"


def _source_table(definition: InputTableDefinition) -> exp.Table:
    assert definition.source is not None
    return exp.to_table(definition.source.table)


def check_source(engine: Engine, definition: InputTableDefinition) -> None:
    """The source has the linked columns, and its key is unique and never null."""
    source = _source_table(definition)
    linked = [c.name for c in definition.columns if c.linked]
    probe = exp.select(*(exp.column(c, quoted=True) for c in linked)).from_(source).limit(0)
    try:
        engine.fetch_rows(probe)
    except WarehouseError as exc:
        raise ValidationFailed(
            f"cannot read columns {', '.join(linked)} from source {source.sql()}: {exc.message}"
        ) from None
    keys = [exp.column(k, quoted=True) for k in definition.primary_key]
    nulls = (
        exp.select(exp.func("COUNT", exp.Star()))
        .from_(source)
        .where(exp.or_(*(k.is_(exp.null()) for k in keys)))
    )
    duplicates = exp.select(exp.func("COUNT", exp.Star())).from_(
        exp.select(*keys)
        .from_(source)
        .group_by(*keys)
        .having(exp.func("COUNT", exp.Star()) > 1)
        .subquery("d")
    )
    key_names = ", ".join(definition.primary_key)
    if int(engine.fetch_scalar(nulls)):
        raise ValidationFailed(f"the key ({key_names}) of {source.sql()} has null values")
    if int(engine.fetch_scalar(duplicates)):
        raise ValidationFailed(f"the key ({key_names}) of {source.sql()} is not unique")


class LinkedRowStore(RowStore):
    CHECKS_AS_IT_WRITES = False  # its writes are statements of its own

    def __init__(
        self, engine: Engine, schema: str, definition: InputTableDefinition, **kw: Any
    ) -> None:
        # What `relation` joins, before the base class reads through it.
        self.source = _source_table(definition)
        self.key = list(definition.primary_key)
        self.linked = [c.name for c in definition.columns if c.linked and c.name not in self.key]
        self.default_order = self.key
        super().__init__(engine, schema, definition, **kw)
        self._shown = [*self.key, *self.linked, *self.editable]
        self.returning = ()  # a row is the source joined to its augmentation: read it back

    @property
    def shown(self) -> list[str]:
        return self._shown

    def relation(self, *, secured: bool = True) -> exp.Expr:
        """The source joined to the augmentation; under row-level security only the rows
        the caller's rules let through (rules may name linked and augmentation columns)."""
        joined = self._joined()
        if self.row_filter is None or not secured:
            return joined
        visible = exp.select(exp.Star()).from_(joined).where(self.row_filter.condition.copy())
        return visible.subquery("visible_rows")

    # --- identity --------------------------------------------------------------------

    def row_id(self, row: Mapping[str, Any]) -> str:
        return json.dumps([from_storage(self.types[k], row[k]) for k in self.key])

    def key_values(self, row_id: str) -> list[Any]:
        try:
            raw = json.loads(row_id)
            if not isinstance(raw, list) or len(raw) != len(self.key):
                raise ValueError
            return [
                COLUMN_TYPES[self.types[k]].coerce(v) for k, v in zip(self.key, raw, strict=True)
            ]
        except (ValueError, TypeError):
            raise NotFound(
                f"{row_id!r} is not a row of linked table '{self.table_id}': a row id is its "
                f"key as a JSON list ({', '.join(self.key)})"
            ) from None

    # --- reads -----------------------------------------------------------------------

    def _joined(self) -> exp.Subquery:
        def source_col(name: str) -> exp.Column:
            return exp.column(name, table=SOURCE, quoted=True)

        def data_col(name: str) -> exp.Column:
            return exp.column(name, table=DATA, quoted=True)

        system = [
            exp.func("COALESCE", data_col("_version"), exp.Literal.number(0)).as_(
                "_version", quoted=True
            )
            if name == "_version"
            else data_col(name).as_(name, quoted=True)
            for name in SYSTEM_COLUMNS
        ]
        on = exp.and_(*(source_col(k).eq(data_col(k)) for k in self.key))
        select = (
            exp.select(
                *system,
                *(source_col(n).as_(n, quoted=True) for n in (*self.key, *self.linked)),
                *(data_col(n).as_(n, quoted=True) for n in self.editable),
            )
            .from_(self.source.as_(SOURCE))
            .join(self.table.as_(DATA), on=on, join_type="left")
        )
        return select.subquery("linked_rows")

    def get(
        self, row_id: str, session: Session | None = None, *, secured: bool = True
    ) -> dict[str, Any] | None:
        """The row, or None when the source has no such key or row security hides it."""
        where, params = self._keys_match([row_id])
        query = exp.select(*(exp.column(c, quoted=True) for c in (*SYSTEM_COLUMNS, *self.shown)))
        query = query.from_(self.relation(secured=secured)).where(where)
        if secured:
            params |= self.relation_params
        row = session.fetch_one(query, params) if session else self.engine.fetch_one(query, params)
        return self._public(row) if row else None

    def _keys_match(self, row_ids: Sequence[str]) -> tuple[exp.Expr, dict[str, Any]]:
        """A condition matching the rows `row_ids` name by key, and the values it binds."""
        conditions: list[exp.Expr] = []
        params: dict[str, Any] = {}
        for n, row_id in enumerate(row_ids):
            values = self.key_values(row_id)
            names = [f"k{n}_{i}" for i in range(len(self.key))]
            conditions.append(
                exp.and_(
                    *(
                        exp.column(k, quoted=True).eq(param(name))
                        for k, name in zip(self.key, names, strict=True)
                    )
                )
            )
            params |= dict(zip(names, values, strict=True))
        return exp.or_(*conditions) if len(conditions) > 1 else conditions[0], params

    def _matching(self, row_ids: Sequence[str]) -> Iterator[tuple[exp.Expr, dict[str, Any]]]:
        for start in range(0, len(row_ids), INSERT_CHUNK):
            yield self._keys_match(row_ids[start : start + INSERT_CHUNK])

    def _id_columns(self) -> list[exp.Column]:
        return [exp.column(k, quoted=True) for k in self.key]

    # --- row-level security -------------------------------------------------------------

    def exists_hidden(self, session: Session, row_id: str) -> bool:
        if self.row_filter is None:
            return False
        return self.get(row_id, session, secured=False) is not None

    def check_staged(self, clean: list[dict[str, Any]], row_id: str | None = None) -> None:
        """As `RowStore.check_staged`: the staged upsert, update or delete (which clears
        the augmentation, the row staying) is tried in a transaction that is always
        rolled back."""
        if self.row_filter is None:
            return
        if row_id is not None and self.get(row_id) is None:
            raise NotFound(f"source {self.source.sql()} has no row with key {row_id}")
        try:
            with self.engine.locked_transaction(self.lock_key) as session:
                if row_id is None:
                    self.insert_in(session, clean, WriteContext(None))
                elif clean and clean[0]:
                    self.update_in(session, row_id, clean[0], None, WriteContext(None))
                else:  # a delete clears the augmentation: the source row must stay inside
                    self.delete_in(session, row_id, None, WriteContext(None))
                raise _TrialOver
        except _TrialOver:
            pass

    def _public(self, row: Mapping[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = {
            "_row_id": self.row_id(row),
            "_version": int(row["_version"] or 0),
            "_created_at": from_storage("datetime", row["_created_at"]),
            "_created_by": row["_created_by"],
            "_updated_at": from_storage("datetime", row["_updated_at"]),
            "_updated_by": row["_updated_by"],
        }
        for name in self.shown:
            result[name] = from_storage(self.types[name], row[name])
        return result

    # --- writes: upserts of the augmentation ---------------------------------------------

    def insert_in(
        self, session: Session, clean: list[dict[str, Any]], context: WriteContext
    ) -> RowChange:
        """Upsert by key: each row names its key and the augmentation values to set."""
        raise_problems(
            [
                problem(index, missing, "key", "the key is required to upsert a linked row")
                for index, values in enumerate(clean)
                for missing in self.key
                if values.get(missing) is None
            ]
        )
        changes = [
            self.update_in(
                session,
                self.row_id(values),
                {k: v for k, v in values.items() if k not in self.key},
                None,
                context,
            )
            for values in clean
        ]
        rows = [row for change in changes for row in change.rows]
        numbers = [n for change in changes for n in change.edit_numbers]
        return RowChange(self.table_id, "update", rows, numbers)

    def update_in(
        self,
        session: Session,
        row_id: str,
        clean: dict[str, Any],
        expected_version: int | None,
        context: WriteContext,
    ) -> RowChange:
        current = self._current(session, row_id, expected_version)
        if current["_version"] > 0:
            return super().update_in(session, row_id, clean, current["_version"], context)
        self._check_unique(session, [clean], exclude=row_id)
        now = utc_now()
        keys = dict(zip(self.key, self.key_values(row_id), strict=True))
        stored = self._new_row(row_id, {**clean, **keys}, context, now)
        self._insert_rows(session, [stored])
        self.check_inside(session, [row_id])
        after = self.get(row_id, session)
        assert after is not None
        return self._logged(session, "update", row_id, current, after, [after], context, now)

    def delete_in(
        self, session: Session, row_id: str, expected_version: int | None, context: WriteContext
    ) -> RowChange:
        """Clear the row's augmentation; the source row stays, at version 0."""
        current = self._current(session, row_id, expected_version)
        if current["_version"] > 0:
            where = exp.column("_row_id").eq(param("row_id"))
            session.execute(exp.delete(self.table, where=where), {"row_id": row_id})
            # The source row stays: cleared, it must still be one the caller may see.
            self.check_inside(session, [row_id])
        after = self.get(row_id, session)
        return self._logged(
            session, "update", row_id, current, after, [after or current], context, utc_now()
        )

    def _restore(
        self, session: Session, row_id: str, clean: dict[str, Any], context: WriteContext
    ) -> RowChange:
        return self.update_in(session, row_id, clean, None, context)

    def _current(
        self, session: Session, row_id: str, expected_version: int | None
    ) -> dict[str, Any]:
        current = self.get(row_id, session)
        if current is None:
            raise NotFound(f"source {self.source.sql()} has no row with key {row_id}")
        if expected_version is not None and current["_version"] != expected_version:
            raise self._stale(session, row_id, expected_version, current)
        return current
