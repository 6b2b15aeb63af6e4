"""Runs of action sequences, kept in `sigds.action_runs`.

A run is written when it starts and when it ends (and when it pauses or fails); between
actions its progress lives in this process's memory, where the status route reads it,
so a ten-step sequence of in-memory actions costs two warehouse writes, not twelve.
Control requests (pause, resume, stop) are written to the run row and, when the run is
in this process, handed to it at once; a run in another process reads its row's
`control` at its next action boundary (at most once a second). A run whose process died
is marked failed when a server starts (or when its heartbeat is stale).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlglot import exp

from trilith.engines.base import Engine
from trilith.errors import NotFound
from trilith.metadata.clock import utc_now
from trilith.sql.ddl import table
from trilith.sql.render import param

__all__ = ["OWNER", "LiveRun", "RunStore"]

OWNER = f"{uuid.uuid4().hex[:12]}"  # this process
STALE_AFTER_S = 60
ACTIVE = ("running", "paused")
_COLUMNS = (
    "run_id",
    "sequence_id",
    "app_id",
    "status",
    "trigger",
    "context",
    "steps",
    "effects",
    "variables",
    "error",
    "actor",
    "request_id",
    "idempotency_key",
    "current_action",
    "total_actions",
    "control",
    "owner",
    "heartbeat_at",
    "started_at",
    "finished_at",
)


def _json(value: Any) -> str:
    return json.dumps(value, default=str)


@dataclass
class LiveRun:
    """A run as this process holds it while it executes."""

    run_id: str
    sequence_id: str
    app_id: str | None
    actor: str
    trigger: str | None
    request_id: str | None
    idempotency_key: str | None
    total_actions: int
    started_at: dt.datetime = field(default_factory=utc_now)
    status: str = "running"
    current_action: int = 0
    current_type: str | None = None
    steps: list[dict[str, Any]] = field(default_factory=list)
    effects: list[dict[str, Any]] = field(default_factory=list)
    variables: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    finished_at: dt.datetime | None = None
    control: str | None = None
    polled_at: float = 0.0  # when the run last read its row's control
    done: threading.Event = field(default_factory=threading.Event)
    wake: threading.Condition = field(default_factory=threading.Condition)

    def public(self) -> dict[str, Any]:
        total = max(self.total_actions, 1)
        return {
            "run_id": self.run_id,
            "sequence_id": self.sequence_id,
            "app_id": self.app_id,
            "status": self.status,
            "progress": {
                "current": self.current_action,
                "total": self.total_actions,
                "percentage": round(100 * self.current_action / total),
            },
            "current_action": self.current_type,
            "steps": self.steps,
            "effects": self.effects,
            "output_variables": self.variables,
            "error": self.error,
            "actor": self.actor,
            "trigger": self.trigger,
            "request_id": self.request_id,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
        }


class RunStore:
    def __init__(self, engine: Engine, schema: str) -> None:
        self.engine = engine
        self.schema = schema
        self.table = table(schema, "action_runs")

    def _row(self, run: LiveRun) -> dict[str, Any]:
        return {
            "run_id": run.run_id,
            "sequence_id": run.sequence_id,
            "app_id": run.app_id,
            "status": run.status,
            "trigger": run.trigger,
            "context": None,
            "steps": _json(run.steps),
            "effects": _json(run.effects),
            "variables": _json(run.variables),
            "error": run.error,
            "actor": run.actor,
            "request_id": run.request_id,
            "idempotency_key": run.idempotency_key,
            "current_action": run.current_action,
            "total_actions": run.total_actions,
            "control": run.control,
            "owner": OWNER,
            "heartbeat_at": utc_now(),
            "started_at": run.started_at,
            "finished_at": run.finished_at,
        }

    def insert(self, run: LiveRun) -> None:
        self.engine.execute(_insert_run(self.schema), self._row(run))

    def save(self, run: LiveRun) -> None:
        self.engine.execute(_update_run(self.schema), self._row(run))

    def active_run(self, sequence_id: str, actor: str) -> str | None:
        """A run of the sequence that the actor has running or paused, if any."""
        found = self.engine.fetch_scalar(
            _active_run(self.schema), {"s": sequence_id, "a": actor, "r": "running", "p": "paused"}
        )
        return str(found) if found else None

    def request_control(self, run_id: str, control: str) -> None:
        update = exp.update(
            self.table, {"control": param("c")}, where=exp.column("run_id").eq(param("r"))
        )
        self.engine.execute(update, {"c": control, "r": run_id})

    def control_of(self, run_id: str) -> str | None:
        value = self.engine.fetch_scalar(_control_of(self.schema), {"r": run_id})
        return str(value) if value else None

    def get(self, run_id: str) -> dict[str, Any]:
        query = exp.select(*_COLUMNS).from_(self.table).where(exp.column("run_id").eq(param("r")))
        row = self.engine.fetch_one(query, {"r": run_id})
        if row is None:
            raise NotFound(f"no action run '{run_id}'")
        return _public(row)

    def find(
        self,
        *,
        sequence_id: str | None = None,
        actor: str | None = None,
        statuses: tuple[str, ...] = (),
        idempotency_key: str | None = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[dict[str, Any]], int]:
        conditions: list[exp.Expr] = []
        params: dict[str, Any] = {}
        for name, value in (
            ("sequence_id", sequence_id),
            ("actor", actor),
            ("idempotency_key", idempotency_key),
        ):
            if value is not None:
                conditions.append(exp.column(name).eq(param(name)))
                params[name] = value
        if statuses:
            names = [f"s{i}" for i in range(len(statuses))]
            conditions.append(exp.column("status").isin(*(param(n) for n in names)))
            params.update(zip(names, statuses, strict=True))
        if since is not None:
            conditions.append(exp.GTE(this=exp.column("started_at"), expression=param("since")))
            params["since"] = since
        if until is not None:
            conditions.append(exp.LTE(this=exp.column("started_at"), expression=param("until")))
            params["until"] = until
        where = exp.and_(*conditions) if conditions else exp.true()
        count = exp.select(exp.func("COUNT", exp.Star())).from_(self.table).where(where)
        page = (
            exp.select(*_COLUMNS)
            .from_(self.table)
            .where(where)
            .order_by(exp.column("started_at").desc(), "run_id")
            .limit(param("limit"))
            .offset(param("offset"))
        )
        with self.engine.session() as session:
            total = int(session.fetch_scalar(count, params))
            rows = session.fetch_dicts(page, {**params, "limit": limit, "offset": offset})
        return [_public(row) for row in rows], total

    def recover(self, stale_after_s: float = STALE_AFTER_S) -> int:
        """Mark runs left running or paused by a dead process as failed."""
        cutoff = utc_now() - dt.timedelta(seconds=stale_after_s)
        update = exp.update(
            self.table,
            {"status": param("failed"), "error": param("why"), "finished_at": param("now")},
            where=exp.and_(
                exp.column("status").isin(param("running"), param("paused")),
                exp.or_(
                    exp.column("heartbeat_at").is_(exp.null()),
                    exp.LT(this=exp.column("heartbeat_at"), expression=param("cutoff")),
                ),
            ),
        )
        return self.engine.execute(
            update,
            {
                "failed": "failed",
                "why": "the server running this sequence stopped before it finished",
                "now": utc_now(),
                "running": "running",
                "paused": "paused",
                "cutoff": cutoff,
            },
        )


@lru_cache(maxsize=64)
def _insert_run(schema: str) -> exp.Insert:
    return exp.insert(
        exp.select(*(param(c) for c in _COLUMNS)),
        table(schema, "action_runs"),
        columns=list(_COLUMNS),
    )


@lru_cache(maxsize=64)
def _update_run(schema: str) -> exp.Update:
    assignments: dict[str, object] = {c: param(c) for c in _COLUMNS if c != "run_id"}
    where = exp.column("run_id").eq(param("run_id"))
    return exp.update(table(schema, "action_runs"), assignments, where=where)


@lru_cache(maxsize=64)
def _control_of(schema: str) -> exp.Select:
    where = exp.column("run_id").eq(param("r"))
    return exp.select("control").from_(table(schema, "action_runs")).where(where)


@lru_cache(maxsize=64)
def _active_run(schema: str) -> exp.Select:
    return (
        exp.select("run_id")
        .from_(table(schema, "action_runs"))
        .where(
            exp.and_(
                exp.column("sequence_id").eq(param("s")),
                exp.column("actor").eq(param("a")),
                exp.column("status").isin(param("r"), param("p")),
            )
        )
        .limit(1)
    )


def _public(row: dict[str, Any]) -> dict[str, Any]:
    total = int(row["total_actions"])
    current = int(row["current_action"])

    def moment(value: Any) -> str | None:
        if value is None:
            return None
        return value.isoformat() if isinstance(value, dt.datetime) else str(value).replace(" ", "T")

    return {
        "run_id": row["run_id"],
        "sequence_id": row["sequence_id"],
        "app_id": row["app_id"],
        "status": row["status"],
        "progress": {
            "current": current,
            "total": total,
            "percentage": round(100 * current / max(total, 1)),
        },
        "current_action": None,
        "steps": json.loads(row["steps"]) if row["steps"] else [],
        "effects": json.loads(row["effects"]) if row["effects"] else [],
        "output_variables": json.loads(row["variables"]) if row["variables"] else {},
        "error": row["error"],
        "actor": row["actor"],
        "trigger": row["trigger"],
        "request_id": row["request_id"],
        "started_at": moment(row["started_at"]),
        "finished_at": moment(row["finished_at"]),
    }
