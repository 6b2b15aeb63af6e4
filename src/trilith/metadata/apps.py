"""Apps in the write-back schema: the spec document and one row per layout element.

`AppStore.apply` is idempotent: an unchanged spec (same canonical hash) changes nothing,
a changed one bumps the version, rewrites the app's element rows and writes an audit
entry, all in one transaction. The report says which elements were added, removed or
changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from sqlglot import exp

from trilith.engines.base import Engine, Session
from trilith.errors import Conflict, NotFound
from trilith.metadata.audit import record
from trilith.metadata.clock import utc_now
from trilith.spec import App, app_from_data, dump_app
from trilith.spec.edits import flatten_elements
from trilith.sql.ddl import table
from trilith.sql.dml import insert_values
from trilith.sql.render import param

__all__ = ["AppStore", "ApplyReport", "StoredApp"]


@dataclass(frozen=True)
class ApplyReport:
    app_id: str
    version: int
    created: bool
    changed: bool
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    modified: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "app_id": self.app_id,
            "version": self.version,
            "created": self.created,
            "changed": self.changed,
            "elements": {"added": self.added, "removed": self.removed, "modified": self.modified},
        }

    def summary(self) -> str:
        if self.created:
            return f"created app '{self.app_id}' (version {self.version})"
        if not self.changed:
            return f"app '{self.app_id}' is unchanged (version {self.version})"
        parts = [
            f"{len(ids)} {label}: {', '.join(ids)}"
            for label, ids in (
                ("added", self.added),
                ("removed", self.removed),
                ("changed", self.modified),
            )
            if ids
        ]
        detail = "; ".join(parts) if parts else "app settings changed"
        return f"updated app '{self.app_id}' to version {self.version} ({detail})"


@dataclass(frozen=True)
class StoredApp:
    app: App
    version: int
    updated_at: Any
    updated_by: str | None


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def _digest(value: Any) -> str:
    return hashlib.sha256(canonical_json(value).encode()).hexdigest()


ELEMENT_COLUMNS = (
    "app_id",
    "id",
    "type",
    "config",
    "page_id",
    "parent_id",
    "tab_id",
    "nesting_level",
    "position",
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
)


_HASHED_COLUMNS = ("id", "type", "config", "page_id", "parent_id", "tab_id", "position")


def _row_hash(row: dict[str, Any]) -> str:
    return _digest([row[c] for c in _HASHED_COLUMNS])


def _element_rows(app: App, now: dt.datetime, actor: str | None) -> list[dict[str, Any]]:
    return [
        {
            "app_id": app.id,
            "id": placement.id,
            "type": placement.type,
            "config": canonical_json(placement.config),
            "page_id": placement.page_id,
            "parent_id": placement.parent_id,
            "tab_id": placement.tab_id,
            "nesting_level": placement.nesting_level,
            "position": placement.position,
            "created_at": now,
            "created_by": actor,
            "updated_at": now,
            "updated_by": actor,
        }
        for placement in flatten_elements(app)
    ]


def _check_version(app_id: str, existing: dict[str, Any] | None, expected: int | None) -> None:
    if existing is None or expected is None:
        return
    current = int(existing["version"])
    if current != expected:
        raise Conflict(
            f"app '{app_id}' is at version {current}, not {expected}; "
            "reload it and apply your change again",
            body={"current_version": current},
        )


class AppStore:
    def __init__(self, engine: Engine, schema: str) -> None:
        self.engine = engine
        self.schema = schema
        self.apps = table(schema, "apps")
        self.elements = table(schema, "layout_elements")
        self.audit = table(schema, "audit_log")

    # --- reads -----------------------------------------------------------------------

    def summaries(self) -> list[dict[str, Any]]:
        query = (
            exp.select("id", "title", "version", "updated_at", "updated_by")
            .from_(self.apps)
            .order_by("id")
        )
        return self.engine.fetch_dicts(query)

    def get(self, app_id: str) -> StoredApp:
        with self.engine.session() as session:
            row = self._row(session, app_id)
        if row is None:
            raise NotFound(f"no app '{app_id}'; GET /api/apps lists the apps")
        return StoredApp(
            app_from_data(json.loads(row["spec"])),
            int(row["version"]),
            row["updated_at"],
            row["updated_by"],
        )

    def _row(self, session: Session, app_id: str) -> dict[str, Any] | None:
        query = (
            exp.select(
                "id", "spec", "spec_hash", "version", "created_at", "updated_at", "updated_by"
            )
            .from_(self.apps)
            .where(exp.column("id").eq(param("id")))
        )
        return session.fetch_one(query, {"id": app_id})

    def elements_of(
        self,
        *,
        app_id: str | None = None,
        element_id: str | None = None,
        parent_id: str | None = None,
        element_type: str | None = None,
    ) -> list[dict[str, Any]]:
        filters = {"app_id": app_id, "id": element_id, "parent_id": parent_id, "type": element_type}
        query = exp.select(*ELEMENT_COLUMNS).from_(self.elements)
        params: dict[str, Any] = {}
        for column, value in filters.items():
            if value is not None:
                query = query.where(exp.column(column).eq(param(column)))
                params[column] = value
        rows = self.engine.fetch_dicts(
            query.order_by("app_id", "nesting_level", "position", "id"), params
        )
        for row in rows:
            row["config"] = json.loads(row["config"])
        return rows

    def element(self, element_id: str, app_id: str | None = None) -> dict[str, Any]:
        rows = self.elements_of(app_id=app_id, element_id=element_id)
        if not rows:
            where = f" in app '{app_id}'" if app_id else ""
            raise NotFound(f"no layout element '{element_id}'{where}")
        if len(rows) > 1:
            apps = ", ".join(sorted(r["app_id"] for r in rows))
            raise Conflict(
                f"layout element id '{element_id}' exists in apps {apps}; add ?app_id= to choose"
            )
        return rows[0]

    # --- writes ----------------------------------------------------------------------

    def apply(
        self,
        app: App,
        actor: str | None = None,
        request_id: str | None = None,
        expected_version: int | None = None,
    ) -> ApplyReport:
        document = dump_app(app)
        spec_hash = _digest(document)
        now = utc_now()
        rows = _element_rows(app, now, actor)
        with self.engine.transaction() as session:
            existing = self._row(session, app.id)
            _check_version(app.id, existing, expected_version)
            if existing is not None and existing["spec_hash"] == spec_hash:
                return ApplyReport(app.id, int(existing["version"]), created=False, changed=False)
            previous = self._element_rows_of(session, app.id)
            before = {key: _row_hash(row) for key, row in previous.items()}
            for row in rows:
                # An element that was there before keeps who created it and when.
                if row["id"] in previous:
                    row["created_at"] = previous[row["id"]]["created_at"]
                    row["created_by"] = previous[row["id"]]["created_by"]
                    if before[row["id"]] == _row_hash(row):
                        row["updated_at"] = previous[row["id"]]["updated_at"]
                        row["updated_by"] = previous[row["id"]]["updated_by"]
            version = 1 if existing is None else int(existing["version"]) + 1
            self._write_app(session, app, document, spec_hash, version, existing, now, actor)
            self._replace_elements(session, app.id, rows)
            after = {row["id"]: _row_hash(row) for row in rows}
            self._audit(
                session,
                now,
                actor,
                "apply-app",
                app.id,
                {"version": version},
                existing["spec_hash"] if existing else None,
                spec_hash,
                request_id,
            )
        return ApplyReport(
            app.id,
            version,
            created=existing is None,
            changed=True,
            added=sorted(set(after) - set(before)),
            removed=sorted(set(before) - set(after)),
            modified=sorted(k for k in set(after) & set(before) if after[k] != before[k]),
        )

    def delete(self, app_id: str, actor: str | None = None, request_id: str | None = None) -> None:
        with self.engine.transaction() as session:
            existing = self._row(session, app_id)
            if existing is None:
                raise NotFound(f"no app '{app_id}'")
            where = exp.column("app_id").eq(param("id"))
            session.execute(exp.delete(self.elements, where=where), {"id": app_id})
            session.execute(
                exp.delete(self.apps, where=exp.column("id").eq(param("id"))), {"id": app_id}
            )
            self._audit(
                session,
                utc_now(),
                actor,
                "delete-app",
                app_id,
                {},
                existing["spec_hash"],
                None,
                request_id,
            )

    def _element_rows_of(self, session: Session, app_id: str) -> dict[str, dict[str, Any]]:
        query = (
            exp.select(*ELEMENT_COLUMNS)
            .from_(self.elements)
            .where(exp.column("app_id").eq(param("app_id")))
        )
        return {row["id"]: row for row in session.fetch_dicts(query, {"app_id": app_id})}

    def _write_app(
        self,
        session: Session,
        app: App,
        document: dict[str, Any],
        spec_hash: str,
        version: int,
        existing: dict[str, Any] | None,
        now: dt.datetime,
        actor: str | None,
    ) -> None:
        values = {
            "id": app.id,
            "title": app.title,
            "spec": canonical_json(document),
            "spec_hash": spec_hash,
            "version": version,
            "updated_at": now,
            "updated_by": actor,
        }
        if existing is None:
            values |= {"created_at": now, "created_by": actor}
            session.execute(insert_values(self.apps, values), values)
            return
        # Optimistic concurrency: the row changes only if it is still at the version read
        # in this transaction; a concurrent apply that got there first makes this a 409.
        assignments: dict[str, object] = {k: param(k) for k in values if k != "id"}
        where = exp.and_(
            exp.column("id").eq(param("id")), exp.column("version").eq(param("read_version"))
        )
        changed = session.execute(
            exp.update(self.apps, assignments, where=where),
            {**values, "read_version": existing["version"]},
        )
        if changed != 1:
            raise Conflict(
                f"app '{app.id}' was changed by someone else meanwhile; "
                "reload it and apply your change again"
            )

    def _replace_elements(self, session: Session, app_id: str, rows: list[dict[str, Any]]) -> None:
        where = exp.column("app_id").eq(param("app_id"))
        session.execute(exp.delete(self.elements, where=where), {"app_id": app_id})
        insert = exp.insert(
            exp.select(*(param(c) for c in ELEMENT_COLUMNS)),
            self.elements,
            columns=list(ELEMENT_COLUMNS),
        )
        for row in rows:
            session.execute(insert, row)

    def _audit(
        self,
        session: Session,
        now: dt.datetime,
        actor: str | None,
        action: str,
        app_id: str,
        parameters: dict[str, Any],
        before: str | None,
        after: str | None,
        request_id: str | None,
    ) -> None:
        record(
            session,
            self.schema,
            actor=actor,
            action=action,
            target_type="app",
            target_id=app_id,
            parameters=parameters,
            before={"spec_hash": before} if before else None,
            after={"spec_hash": after} if after else None,
            request_id=request_id,
        )
