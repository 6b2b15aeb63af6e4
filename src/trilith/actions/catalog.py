"""Action sequences in `sigds.action_sequences`, from specs and from the API.

Sequences of an app are replaced as a whole when the app is applied; sequences made
through `POST /api/sigma/actions` without an app live under the app id "" (none). Every
sequence is checked (`definitions.check_sequence`) before it is stored.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError
from sqlglot import exp

from trilith.actions.definitions import AppFacts, check_sequence
from trilith.actions.model import ActionSequence
from trilith.engines.base import Engine, Session
from trilith.errors import Conflict, NotFound, ValidationFailed
from trilith.metadata.audit import record
from trilith.metadata.clock import utc_now
from trilith.spec import App
from trilith.spec.actions import ActionSequence as SpecSequence
from trilith.spec.edits import flatten_elements
from trilith.sql.ddl import table
from trilith.sql.dml import insert_values
from trilith.sql.render import param

__all__ = ["SequenceCatalog", "facts_of", "sequence_from_spec"]

NO_APP = ""
# The spec's trigger names, read as the engine's.
_TRIGGERS = {
    "primary_click": "modal_primary",
    "secondary_click": "modal_secondary",
    "close": "modal_close",
}
_COLUMNS = ("app_id", "id", "name", "element_id", "trigger", "definition", "is_paused")


def facts_of(app: App, input_tables: set[str] | None = None) -> AppFacts:
    elements = {p.id: p.type for p in flatten_elements(app)}
    tables = {t.id for t in app.input_tables} | (input_tables or set())
    return AppFacts(
        controls=frozenset(c.id for c in app.controls),
        elements=elements,
        input_tables=frozenset(tables),
        pages=frozenset(p.id for p in app.pages),
    )


def sequence_from_spec(spec: SpecSequence, app_id: str) -> ActionSequence:
    data = spec.model_dump(mode="json", exclude_none=True)
    element = data.pop("element", None)
    trigger = dict(data.pop("trigger", {}) or {})
    trigger["type"] = _TRIGGERS.get(trigger.get("type", "click"), trigger.get("type", "click"))
    if element:
        trigger.setdefault("element_id", element)
    data.update(app_id=app_id, element_id=element, trigger=trigger)
    data.setdefault("name", spec.name or spec.id)
    try:
        return ActionSequence.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ValidationFailed(f"action sequence '{spec.id}': {where}: {first['msg']}") from None


class SequenceCatalog:
    def __init__(self, engine: Engine, schema: str) -> None:
        self.engine = engine
        self.schema = schema
        self.table = table(schema, "action_sequences")

    # --- reads -----------------------------------------------------------------------

    def _rows(self, session: Session | None = None, **filters: Any) -> list[dict[str, Any]]:
        query = exp.select(*_COLUMNS, "updated_at", "updated_by").from_(self.table)
        params: dict[str, Any] = {}
        for column, value in filters.items():
            if value is not None:
                query = query.where(exp.column(column).eq(param(column)))
                params[column] = value
        query = query.order_by("app_id", "id")
        return (
            session.fetch_dicts(query, params)
            if session
            else self.engine.fetch_dicts(query, params)
        )

    def get(self, sequence_id: str, app_id: str | None = None) -> ActionSequence:
        rows = self._rows(id=sequence_id, app_id=app_id)
        if not rows:
            where = f" in app '{app_id}'" if app_id else ""
            raise NotFound(f"no action sequence '{sequence_id}'{where}")
        if len(rows) > 1:
            apps = ", ".join(sorted(r["app_id"] or "(none)" for r in rows))
            raise Conflict(f"action sequence '{sequence_id}' exists in apps {apps}; add ?app_id=")
        return self._sequence(rows[0])

    def _sequence(self, row: dict[str, Any]) -> ActionSequence:
        sequence = ActionSequence.model_validate_json(row["definition"])
        return sequence.model_copy(update={"is_paused": bool(row["is_paused"])})

    def summaries(self, app_id: str | None = None) -> list[dict[str, Any]]:
        return [
            {
                **self._sequence(row).model_dump(mode="json"),
                "app_id": row["app_id"] or None,
                "updated_at": row["updated_at"],
                "updated_by": row["updated_by"],
            }
            for row in self._rows(app_id=app_id)
        ]

    def all(self) -> list[ActionSequence]:
        return [self._sequence(row) for row in self._rows()]

    # --- writes ----------------------------------------------------------------------

    def put(
        self,
        sequence: ActionSequence,
        facts: AppFacts,
        actor: str | None,
        request_id: str | None = None,
        *,
        replace: bool = False,
    ) -> ActionSequence:
        check_sequence(sequence, facts)
        app_id = sequence.app_id or NO_APP
        with self.engine.transaction() as session:
            exists = self._rows(session, id=sequence.id, app_id=app_id)
            if exists and not replace:
                raise Conflict(f"action sequence '{sequence.id}' exists; PATCH it to change it")
            if exists:
                self._delete(session, app_id, sequence.id)
            self._insert(session, app_id, sequence, actor)
            record(
                session,
                self.schema,
                actor=actor,
                action="update-action-sequence" if exists else "create-action-sequence",
                target_type="action_sequence",
                target_id=sequence.id,
                after=sequence.model_dump(mode="json"),
                request_id=request_id,
            )
        return sequence

    def replace_app(self, app: App, actor: str | None, input_tables: set[str]) -> list[str]:
        """Store the app's sequences, replacing the ones it had; keep their pause state."""
        facts = facts_of(app, input_tables)
        sequences = [sequence_from_spec(s, app.id) for s in app.actions]
        for sequence in sequences:
            check_sequence(sequence, facts)
        with self.engine.transaction() as session:
            paused = {r["id"] for r in self._rows(session, app_id=app.id) if r["is_paused"]}
            session.execute(
                exp.delete(self.table, where=exp.column("app_id").eq(param("a"))), {"a": app.id}
            )
            for sequence in sequences:
                kept = sequence.model_copy(update={"is_paused": sequence.id in paused})
                self._insert(session, app.id, kept, actor)
        return [s.id for s in sequences]

    def delete(
        self, sequence_id: str, app_id: str | None, actor: str | None, request_id: str | None
    ) -> None:
        sequence = self.get(sequence_id, app_id)
        with self.engine.transaction() as session:
            self._delete(session, sequence.app_id or NO_APP, sequence_id)
            record(
                session,
                self.schema,
                actor=actor,
                action="delete-action-sequence",
                target_type="action_sequence",
                target_id=sequence_id,
                before=sequence.model_dump(mode="json"),
                request_id=request_id,
            )

    def set_paused(self, sequence: ActionSequence, paused: bool) -> None:
        update = exp.update(
            self.table,
            {"is_paused": param("p")},
            where=exp.and_(exp.column("app_id").eq(param("a")), exp.column("id").eq(param("i"))),
        )
        self.engine.execute(update, {"p": paused, "a": sequence.app_id or NO_APP, "i": sequence.id})

    def _insert(
        self, session: Session, app_id: str, sequence: ActionSequence, actor: str | None
    ) -> None:
        now = utc_now()
        values = {
            "app_id": app_id,
            "id": sequence.id,
            "name": sequence.name or sequence.id,
            "element_id": sequence.element_id,
            "trigger": json.dumps(sequence.trigger.model_dump(mode="json")),
            "definition": sequence.model_dump_json(),
            "is_paused": sequence.is_paused,
            "created_at": now,
            "created_by": actor,
            "updated_at": now,
            "updated_by": actor,
        }
        session.execute(insert_values(self.table, values), values)

    def _delete(self, session: Session, app_id: str, sequence_id: str) -> None:
        where = exp.and_(exp.column("app_id").eq(param("a")), exp.column("id").eq(param("i")))
        session.execute(exp.delete(self.table, where=where), {"a": app_id, "i": sequence_id})
