"""The edit log `sigds_wal`: one entry per row change, written in the same transaction
as the change, so the log replays to the table's state.

A CSV import that adds rows writes one `import` entry instead of one per row: its
`row_id` is the prefix every row id of the import starts with, and its `after` describes
the import (file checksum, row count, mode). Such a row's values as imported are the
`before` of its first later entry or, if it has none, the row as it is now; `replay` and
`imported_state` rebuild them from that (docs/input-tables.md, "Edit log").

Edit numbers come from a sequence where the engine has one (DuckDB, PostgreSQL) and
from the `counters` table otherwise (SQLite, whose writers are serialised anyway).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlglot import exp

from trilith.engines.base import Engine, Session
from trilith.input_tables import statements
from trilith.input_tables.statements import WAL_COLUMNS
from trilith.metadata.migrations import EDIT_SEQUENCE
from trilith.sql.ddl import table
from trilith.sql.render import param

__all__ = ["Edit", "EditLog", "HistoryQuery"]

Operation = Literal["insert", "update", "delete", "import"]
Source = Literal["api", "action", "csv", "revert", "publish"]
INSERT_CHUNK = 200
# Length of the row-id prefix an `import` entry carries: its rows' ids start with it.
IMPORT_PREFIX = 12


@dataclass(frozen=True, slots=True)
class Edit:
    table_id: str
    row_id: str
    operation: Operation
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    actor: str | None
    at: dt.datetime
    request_id: str | None
    source: Source


@dataclass(frozen=True, slots=True)
class HistoryQuery:
    row_id: str | None = None
    actor: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    limit: int = 100
    offset: int = 0


def _json(value: dict[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value, default=_default, sort_keys=True)


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__} in the edit log")


_COLUMNS = WAL_COLUMNS


class EditLog:
    def __init__(self, engine: Engine, schema: str) -> None:
        self.engine = engine
        self.schema = schema
        self.table = table(schema, "sigds_wal")
        # The rows of an import as they are now, by row-id prefix (set by `RowStore`).
        self.imported_rows: Callable[[str], dict[str, dict[str, Any]]] | None = None
        # Row-level security: history keeps the entries of the rows this query selects.
        self.visible_rows: tuple[exp.Select, dict[str, Any]] | None = None
        self._reserve: Callable[[Session, int], list[int]] = (
            self._from_sequence if engine.SUPPORTS_SEQUENCES else self._from_counter
        )

    def _from_sequence(self, session: Session, count: int) -> list[int]:
        query = statements.reserve_from_sequence(type(self.engine), self.schema)
        return sorted(int(r[0]) for r in session.fetch_rows(query, {"n": count}))

    def _from_counter(self, session: Session, count: int) -> list[int]:
        counters = table(self.schema, "counters")
        where = exp.column("name").eq(param("name"))
        session.execute(
            exp.update(counters, {"value": exp.column("value") + param("n")}, where=where),
            {"name": EDIT_SEQUENCE, "n": count},
        )
        last = int(
            session.fetch_scalar(
                exp.select("value").from_(counters).where(where), {"name": EDIT_SEQUENCE}
            )
        )
        return list(range(last - count + 1, last + 1))

    def append(self, session: Session, edits: Sequence[Edit]) -> list[int]:
        """Write `edits` in `session`'s transaction; return their edit numbers."""
        if not edits:
            return []
        numbered_inline = self.engine.SUPPORTS_SEQUENCES and self.engine.SUPPORTS_RETURNING
        numbers: list[int] = [] if numbered_inline else self._reserve(session, len(edits))
        for start in range(0, len(edits), INSERT_CHUNK):
            chunk = edits[start : start + INSERT_CHUNK]
            params: dict[str, Any] = {}
            for i, edit in enumerate(chunk):
                values = (
                    None if numbered_inline else numbers[start + i],
                    edit.table_id,
                    edit.row_id,
                    edit.operation,
                    _json(edit.before),
                    _json(edit.after),
                    edit.actor,
                    edit.at,
                    edit.request_id,
                    edit.source,
                )
                params.update({f"{c}_{i}": v for c, v in zip(WAL_COLUMNS, values, strict=True)})
            if numbered_inline:
                insert = statements.wal_insert_numbered(type(self.engine), self.schema, len(chunk))
                params = {k: v for k, v in params.items() if not k.startswith("edit_no_")}
                numbers.extend(sorted(int(r[0]) for r in session.fetch_rows(insert, params)))
            else:
                session.execute(statements.wal_insert(self.schema, len(chunk)), params)
        return numbers

    def history(self, table_id: str, query: HistoryQuery) -> tuple[list[dict[str, Any]], int]:
        conditions: list[exp.Expr] = [exp.column("table_id").eq(param("table_id"))]
        params: dict[str, Any] = {"table_id": table_id}
        if query.row_id is not None:
            # The row's own entries, and the import that created it, if one did.
            conditions.append(
                exp.or_(
                    exp.column("row_id").eq(param("row_id")),
                    exp.and_(
                        exp.column("operation").eq(exp.Literal.string("import")),
                        exp.column("row_id").eq(param("row_prefix")),
                    ),
                )
            )
            params |= {"row_id": query.row_id, "row_prefix": query.row_id[:IMPORT_PREFIX]}
        filters = (
            ("actor", query.actor, exp.EQ),
            ("at", query.since, exp.GTE),
            ("at", query.until, exp.LTE),
        )
        for index, (column, value, operator) in enumerate(filters):
            if value is not None:
                name = f"f{index}"
                conditions.append(operator(this=exp.column(column), expression=param(name)))
                params[name] = value
        if self.visible_rows is not None:
            visible, visible_params = self.visible_rows
            conditions.append(exp.column("row_id").isin(query=visible.copy()))
            params |= visible_params
        where = exp.and_(*conditions)
        count = exp.select(exp.func("COUNT", exp.Star())).from_(self.table).where(where)
        page = (
            exp.select(*_COLUMNS)
            .from_(self.table)
            .where(where)
            .order_by(exp.column("edit_no").desc())
            .limit(param("limit"))
            .offset(param("offset"))
        )
        with self.engine.session() as session:
            total = int(session.fetch_scalar(count, params))
            rows = session.fetch_dicts(
                page, {**params, "limit": query.limit, "offset": query.offset}
            )
        return [_entry(row) for row in rows], total

    def entry(self, session: Session, table_id: str, edit_no: int) -> dict[str, Any] | None:
        query = (
            exp.select(*_COLUMNS)
            .from_(self.table)
            .where(
                exp.and_(
                    exp.column("table_id").eq(param("t")), exp.column("edit_no").eq(param("n"))
                )
            )
        )
        row = session.fetch_one(query, {"t": table_id, "n": edit_no})
        return _entry(row) if row else None

    def replay(
        self, table_id: str, current: Callable[[str], dict[str, dict[str, Any]]] | None = None
    ) -> dict[str, dict[str, Any]]:
        """The table's rows rebuilt from the log: row id → values. An `import` entry
        brings in its rows as imported: the `before` of each one's first later entry, or
        its values now (`current(prefix)`, the rows whose ids start with `prefix`)."""
        query = (
            exp.select("edit_no", "row_id", "operation", "before_values", "after_values")
            .from_(self.table)
            .where(exp.column("table_id").eq(param("t")))
            .order_by("edit_no")
        )
        entries = self.engine.fetch_rows(query, {"t": table_id})
        state: dict[str, dict[str, Any]] = {}
        for index, (_, row_id, operation, _, after) in enumerate(entries):
            if operation == "delete":
                state.pop(row_id, None)
            elif operation == "import":
                current = current or self.imported_rows
                imported = dict(current(row_id)) if current else {}
                changed: set[str] = set()
                for _, later_id, later_op, before, _ in entries[index + 1 :]:
                    if later_op == "import" or not str(later_id).startswith(row_id):
                        continue
                    if later_id not in changed and before is not None:
                        imported[later_id] = json.loads(before)
                    changed.add(later_id)
                state |= imported
            else:
                state[row_id] = json.loads(after)
        return state

    def imported_state(
        self, session: Session, table_id: str, row_id: str, edit_no: int
    ) -> tuple[bool, dict[str, Any] | None]:
        """For a row of the import `edit_no`: whether a later entry of the row exists,
        and if so that entry's `before` (the row as imported)."""
        query = (
            exp.select("before_values")
            .from_(self.table)
            .where(
                exp.and_(
                    exp.column("table_id").eq(param("t")),
                    exp.column("row_id").eq(param("r")),
                    exp.column("edit_no") > param("n"),
                )
            )
            .order_by("edit_no")
            .limit(1)
        )
        rows = session.fetch_rows(query, {"t": table_id, "r": row_id, "n": edit_no})
        if not rows:
            return False, None
        return True, json.loads(rows[0][0]) if rows[0][0] else None


def _entry(row: dict[str, Any]) -> dict[str, Any]:
    at = row["at"]
    return {
        "edit_num": int(row["edit_no"]),
        "row_id": row["row_id"],
        "op": row["operation"],
        "before": json.loads(row["before_values"]) if row["before_values"] else None,
        "after": json.loads(row["after_values"]) if row["after_values"] else None,
        "actor": row["actor"],
        "at": at.isoformat() if isinstance(at, dt.datetime) else str(at).replace(" ", "T"),
        "request_id": row["request_id"],
        "source": row["source"],
    }
