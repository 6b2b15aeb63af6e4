"""Actions as the API sees them: definitions, contexts built from the app, control."""

from __future__ import annotations

import threading
from typing import Any

from trilith.actions.catalog import NO_APP, SequenceCatalog, facts_of
from trilith.actions.context import RunContext, Selection
from trilith.actions.definitions import AppFacts
from trilith.actions.engine import ActionEngine
from trilith.actions.model import ActionSequence
from trilith.auth import Actor
from trilith.auth.permissions import allowed
from trilith.errors import NotFound
from trilith.input_tables.service import InputTables
from trilith.metadata.apps import AppStore
from trilith.metadata.audit import record
from trilith.spec import App

__all__ = ["Actions"]

_recovered: set[int] = set()
_recovery_lock = threading.Lock()


class Actions:
    def __init__(self, engine: ActionEngine, tables: InputTables) -> None:
        self.engine = engine
        self.tables = tables
        self.schema = tables.schema
        self.catalog = SequenceCatalog(tables.engine, tables.schema)
        self.apps = AppStore(tables.engine, tables.schema)
        self._recover_once()

    def _recover_once(self) -> None:
        """Runs left running by a process that died are failed, once per engine."""
        with _recovery_lock:
            if id(self.engine) in _recovered:
                return
            warehouse = self.tables.engine
            stale_after = 60.0 if warehouse.SUPPORTS_MULTIPLE_PROCESSES else 0.0
            self.engine.runs.recover(stale_after)
            _recovered.add(id(self.engine))

    def _app(self, app_id: str | None) -> App | None:
        if not app_id:
            return None
        try:
            return self.apps.get(app_id).app
        except NotFound:
            return None

    def facts(self, app_id: str | None) -> AppFacts:
        tables = {t["id"] for t in self.tables.catalog.summaries()}
        app = self._app(app_id)
        if app is None:
            if app_id:
                raise NotFound(f"no app '{app_id}' to attach the sequence to")
            return AppFacts(input_tables=frozenset(tables))
        return facts_of(app, tables)

    def define(
        self, sequence: ActionSequence, actor: Actor, request_id: str | None, replace: bool
    ) -> ActionSequence:
        return self.catalog.put(
            sequence, self.facts(sequence.app_id), actor.id, request_id, replace=replace
        )

    def context(
        self,
        actor: Actor,
        app_id: str | None,
        *,
        controls: dict[str, Any],
        selection: Selection,
        variables: dict[str, Any],
        element_id: str | None,
        request_id: str | None,
    ) -> RunContext:
        app = self._app(app_id)
        control_types: dict[str, str] = {c.id: c.type for c in app.controls} if app else {}
        defaults = {c.id: c.default for c in app.controls if c.default is not None} if app else {}
        return RunContext(
            actor=actor,
            engine=self.tables.engine,
            schema=self.schema,
            tables=self.tables,
            app_id=app.id if app else None,
            app=app,
            published=defaults,
            control_types=control_types,
            controls={**defaults, **controls},
            selection=selection,
            variables=dict(variables),
            element_id=element_id,
            request_id=request_id,
            statements={s.id: s.sql for s in app.statements} if app else {},
        )

    def _visible_runs(
        self, sequence_id: str, actor: Actor, statuses: tuple[str, ...] = ()
    ) -> list[dict[str, Any]]:
        who = None if allowed(actor, "manage-action") else actor.id
        runs, _ = self.engine.runs.find(
            sequence_id=sequence_id, actor=who, statuses=statuses, limit=100
        )
        return runs

    def sequence_status(self, sequence_id: str, app_id: str | None, actor: Actor) -> dict[str, Any]:
        sequence = self.catalog.get(sequence_id, app_id)
        runs = self._visible_runs(sequence_id, actor)
        latest = self.engine.status(runs[0]["run_id"]) if runs else None
        return {
            "sequence_id": sequence_id,
            "is_paused": sequence.is_paused,
            "status": latest["status"] if latest else "idle",
            "progress": latest["progress"]
            if latest
            else {"current": 0, "total": 0, "percentage": 0},
            "current_action": latest["current_action"] if latest else None,
            "started_at": latest["started_at"] if latest else None,
            "output_variables": latest["output_variables"] if latest else {},
            "run": latest,
        }

    def control_sequence(
        self,
        sequence_id: str,
        app_id: str | None,
        action: str,
        actor: Actor,
        request_id: str | None,
    ) -> dict[str, Any]:
        sequence = self.catalog.get(sequence_id, app_id)
        statuses = (
            ("running",)
            if action == "pause"
            else ("paused",)
            if action == "resume"
            else ("running", "paused")
        )
        runs = [r["run_id"] for r in self._visible_runs(sequence_id, actor, statuses)]
        self.engine.control(runs, action)
        if action in ("pause", "resume") and allowed(actor, "manage-action"):
            self.catalog.set_paused(sequence, action == "pause")
        record(
            self.tables.engine,
            self.schema,
            actor=actor.id,
            action=f"sequence-{action}",
            target_type="action_sequence",
            target_id=sequence_id,
            parameters={"runs": runs, "app_id": sequence.app_id or NO_APP},
            request_id=request_id,
        )
        return {
            "runs": runs,
            "is_paused": action == "pause" if action != "stop" else sequence.is_paused,
        }

    def control_all(self, action: str, actor: Actor, request_id: str | None) -> dict[str, Any]:
        statuses = (
            ("running",)
            if action == "pause"
            else ("paused",)
            if action == "resume"
            else ("running", "paused")
        )
        runs, _ = self.engine.runs.find(statuses=statuses, limit=10_000)
        ids = [r["run_id"] for r in runs]
        self.engine.control(ids, action)
        if action != "stop":
            self.engine.pause_all(action == "pause")
        record(
            self.tables.engine,
            self.schema,
            actor=actor.id,
            action=f"all-sequences-{action}",
            target_type="action_sequence",
            target_id=None,
            parameters={"runs": ids},
            request_id=request_id,
        )
        return {"runs": ids}
