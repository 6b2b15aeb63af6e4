"""Draft data entry: edits are validated and staged, then go live together on publish.

Staged edits live in `sigds.input_table_pending` in the order they were made. Publishing
applies all of them in one transaction with the same version and uniqueness checks as
live edits; if any fails, none is applied and the staged edits stay for the author to fix.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from typing import Any, Literal

from sqlglot import exp

from trilith.engines.base import Session
from trilith.errors import NotFound, TrilithError
from trilith.input_tables.rows import RowChange, RowStore, WriteContext
from trilith.input_tables.validation import json_ready
from trilith.metadata.clock import utc_now
from trilith.sql.ddl import table
from trilith.sql.dml import insert_values
from trilith.sql.render import param

__all__ = ["DraftStore"]

Operation = Literal["insert", "update", "delete"]


class DraftStore:
    def __init__(self, rows: RowStore) -> None:
        self.rows = rows
        self.table = table(rows.schema, "input_table_pending")

    def stage(
        self,
        operation: Operation,
        payloads: list[dict[str, Any]],
        context: WriteContext,
        row_id: str | None = None,
        expected_version: int | None = None,
    ) -> list[dict[str, Any]]:
        """Stage validated edits; return them as pending entries."""
        now = utc_now()
        with self.rows.engine.locked_transaction(self.rows.lock_key) as session:
            last = session.fetch_scalar(
                exp.select(exp.func("MAX", exp.column("seq")))
                .from_(self.table)
                .where(exp.column("table_id").eq(param("t"))),
                {"t": self.rows.table_id},
            )
            seq = int(last or 0)
            staged = []
            for payload in payloads:
                seq += 1
                values = {
                    "pending_id": uuid.uuid4().hex,
                    "table_id": self.rows.table_id,
                    "seq": seq,
                    "operation": operation,
                    "row_id": row_id,
                    "payload": json.dumps({k: json_ready(v) for k, v in payload.items()}),
                    "expected_version": expected_version,
                    "actor": context.actor,
                    "at": now,
                    "request_id": context.request_id,
                }
                session.execute(insert_values(self.table, values), values)
                staged.append(_public(values))
        return staged

    def pending(self, staged_by: str | None = None) -> list[dict[str, Any]]:
        """The staged edits in order; with `staged_by`, only that actor's (a caller under
        row-level security sees no one else's, whose values may lie outside its rows)."""
        where: exp.Expr = exp.column("table_id").eq(param("t"))
        if staged_by is not None:
            where = exp.and_(where, exp.column("actor").eq(param("by")))
        query = (
            exp.select(
                "pending_id",
                "table_id",
                "seq",
                "operation",
                "row_id",
                "payload",
                "expected_version",
                "actor",
                "at",
                "request_id",
            )
            .from_(self.table)
            .where(where)
            .order_by("seq")
        )
        params = {"t": self.rows.table_id, "by": staged_by}
        return [_public(row) for row in self.rows.engine.fetch_dicts(query, params)]

    def discard(self, pending_id: str, staged_by: str | None = None) -> None:
        """Drop one staged edit (one that can never publish, say); with `staged_by`, only
        if that actor staged it."""
        where: exp.Expr = exp.and_(
            exp.column("table_id").eq(param("t")), exp.column("pending_id").eq(param("p"))
        )
        if staged_by is not None:
            where = exp.and_(where, exp.column("actor").eq(param("by")))
        removed = self.rows.engine.execute(
            exp.delete(self.table, where=where),
            {"t": self.rows.table_id, "p": pending_id, "by": staged_by},
        )
        if removed == 0:
            raise NotFound(f"input table '{self.rows.table_id}' has no staged edit '{pending_id}'")

    def own_only(self, caller: str | None) -> str | None:
        """Whose staged edits `caller` lists, discards and publishes: under row-level
        security only its own (others' values may lie outside its rows, and it could
        neither see nor drop them); else everyone's (None)."""
        return caller if self.rows.row_filter is not None else None

    def publish(self, context: WriteContext) -> list[RowChange]:
        """Apply the staged edits (`own_only`) atomically, in order; nothing is applied if
        one fails."""
        changes: list[RowChange] = []
        staged_by = self.own_only(context.actor)
        entries = self.pending(staged_by)
        with self.rows.engine.locked_transaction(self.rows.lock_key) as session:
            for position, entry in enumerate(entries):
                actor = WriteContext(entry["actor"], context.request_id, "publish")
                try:
                    changes.append(self._apply(session, entry, actor))
                except TrilithError as exc:
                    where = f"staged edit {position} ({entry['op']})"
                    exc.message = f"{where}: {exc.message}; nothing was published"
                    exc.body = {**exc.body, "pending_id": entry["pending_id"]}
                    raise
            published: exp.Expr = exp.column("table_id").eq(param("t"))
            if staged_by is not None:
                published = exp.and_(published, exp.column("actor").eq(param("by")))
            params = {"t": self.rows.table_id, "by": staged_by}
            session.execute(exp.delete(self.table, where=published), params)
        return changes

    def _apply(self, session: Session, entry: dict[str, Any], context: WriteContext) -> RowChange:
        return _APPLY[entry["op"]](self.rows, session, entry, context)


def _insert(
    rows: RowStore, session: Session, entry: dict[str, Any], context: WriteContext
) -> RowChange:
    return rows.insert_in(session, rows.validate_insert([entry["values"]]), context)


def _update(
    rows: RowStore, session: Session, entry: dict[str, Any], context: WriteContext
) -> RowChange:
    clean = rows.validate_update(entry["values"])
    return rows.update_in(session, entry["row_id"], clean, entry["expected_version"], context)


def _delete(
    rows: RowStore, session: Session, entry: dict[str, Any], context: WriteContext
) -> RowChange:
    return rows.delete_in(session, entry["row_id"], entry["expected_version"], context)


_APPLY: dict[str, Callable[[RowStore, Session, dict[str, Any], WriteContext], RowChange]] = {
    "insert": _insert,
    "update": _update,
    "delete": _delete,
}


def _public(row: dict[str, Any]) -> dict[str, Any]:
    at = row["at"]
    return {
        "pending_id": row["pending_id"],
        "seq": int(row["seq"]),
        "op": row["operation"],
        "row_id": row["row_id"],
        "values": json.loads(row["payload"]) if row["payload"] else {},
        "expected_version": row["expected_version"],
        "actor": row["actor"],
        "at": at.isoformat() if isinstance(at, dt.datetime) else str(at),
    }
