"""Per-app and per-input-table grants, as rows of `sigds.grants`.

A grant gives a principal — a user (by id), a role, or a team — a level on one object:
`view` (read it; for an app, also run its actions) or `edit` (also write an input table's
rows). Grants narrow, they never raise: a user's role stays the ceiling, and admins pass
every grant check. An object with no grants is open to every role; an input table with no
grants of its own follows the grants of the app it belongs to.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

from sqlglot import exp

from trilith.auth.actors import ROLES, Actor
from trilith.engines.base import Engine
from trilith.errors import Conflict, NotFound, ValidationFailed
from trilith.metadata.audit import record
from trilith.metadata.clock import utc_now
from trilith.sql.ddl import table
from trilith.sql.dml import insert_values
from trilith.sql.render import param

__all__ = ["LEVELS", "Grant", "GrantStore", "Level", "ObjectType", "PrincipalType"]

PrincipalType = Literal["user", "role", "team"]
ObjectType = Literal["app", "input_table"]
Level = Literal["view", "edit"]
LEVELS: dict[str, int] = {"view": 0, "edit": 1}


@dataclass(frozen=True, slots=True)
class Grant:
    grant_id: str
    principal_type: str
    principal: str
    object_type: str
    object_id: str
    level: str

    def names(self, actor: Actor) -> bool:
        """Whether the grant is to `actor` (directly, through their role or a team)."""
        if self.principal_type == "user":
            return self.principal == actor.id
        if self.principal_type == "role":
            return self.principal == actor.role
        return self.principal in actor.teams

    def as_dict(self) -> dict[str, Any]:
        return {
            "grant_id": self.grant_id,
            "principal_type": self.principal_type,
            "principal": self.principal,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "level": self.level,
        }


def _grant(row: dict[str, Any]) -> Grant:
    return Grant(
        str(row["grant_id"]),
        str(row["principal_type"]),
        str(row["principal"]),
        str(row["object_type"]),
        str(row["object_id"]),
        str(row["level"]),
    )


_OBJECT_TABLES: dict[str, tuple[str, str]] = {
    "app": ("apps", "id"),
    "input_table": ("input_tables", "id"),
}


class GrantStore:
    def __init__(self, engine: Engine, schema: str) -> None:
        self.engine = engine
        self.schema = schema
        self.table = table(schema, "grants")

    def add(
        self,
        principal_type: str,
        principal: str,
        object_type: str,
        object_id: str,
        level: str,
        actor: str | None,
        request_id: str | None = None,
    ) -> Grant:
        _check_choice("principal_type", principal_type, get_args(PrincipalType))
        _check_choice("object_type", object_type, get_args(ObjectType))
        _check_choice("level", level, get_args(Level))
        principal = principal.strip()
        if not principal:
            raise ValidationFailed("a grant needs a principal", details=[{"field": "principal"}])
        if principal_type == "role":
            _check_choice("principal", principal, ROLES)
        grant = Grant(
            uuid.uuid4().hex[:16], principal_type, principal, object_type, object_id, level
        )
        row: dict[str, Any] = {**grant.as_dict(), "created_at": utc_now(), "created_by": actor}
        with self.engine.transaction() as session:
            if principal_type == "user" and not _exists(
                session, self.schema, "users", "user_id", principal
            ):
                raise NotFound(f"no user '{principal}'; GET /api/users lists them")
            name, key = _OBJECT_TABLES[object_type]
            if not _exists(session, self.schema, name, key, object_id):
                raise NotFound(f"no {object_type.replace('_', ' ')} '{object_id}'")
            same = exp.and_(
                *(
                    exp.column(c).eq(param(c))
                    for c in ("principal_type", "principal", "object_type", "object_id")
                )
            )
            taken = session.fetch_scalar(exp.select("grant_id").from_(self.table).where(same), row)
            if taken is not None:
                raise Conflict(
                    f"{principal_type} '{principal}' already has grant '{taken}' on "
                    f"{object_type} '{object_id}'; revoke it first to change the level"
                )
            session.execute(insert_values(self.table, row), row)
            record(
                session,
                self.schema,
                actor=actor,
                action="grant",
                target_type=object_type,
                target_id=object_id,
                after=grant.as_dict(),
                request_id=request_id,
            )
        return grant

    def revoke(self, grant_id: str, actor: str | None, request_id: str | None = None) -> None:
        where = exp.column("grant_id").eq(param("g"))
        with self.engine.transaction() as session:
            if session.execute(exp.delete(self.table, where=where), {"g": grant_id}) == 0:
                raise NotFound(f"no grant '{grant_id}'")
            record(
                session,
                self.schema,
                actor=actor,
                action="revoke-grant",
                target_type="grant",
                target_id=grant_id,
                request_id=request_id,
            )

    def find(self, object_type: str | None = None, object_id: str | None = None) -> list[Grant]:
        query = exp.select("*").from_(self.table)
        params: dict[str, Any] = {}
        for column, value in (("object_type", object_type), ("object_id", object_id)):
            if value is not None:
                query = query.where(exp.column(column).eq(param(column)))
                params[column] = value
        query = query.order_by("object_type", "object_id", "principal_type", "principal")
        return [_grant(row) for row in self.engine.fetch_dicts(query, params)]

    def governing(self, object_type: str, object_id: str) -> list[Grant]:
        """The grants that decide access to an object: its own, or, for an input table
        without grants, those of its app — read in one query (this runs on every request
        that names a table)."""
        if object_type != "input_table":
            return self.find(object_type, object_id)
        owner = (
            exp.select("app_id")
            .from_(table(self.schema, "input_tables"))
            .where(exp.column("id").eq(param("t")))
        )
        query = (
            exp.select("*")
            .from_(self.table)
            .where(
                exp.or_(
                    exp.and_(
                        exp.column("object_type").eq(exp.Literal.string("input_table")),
                        exp.column("object_id").eq(param("t")),
                    ),
                    exp.and_(
                        exp.column("object_type").eq(exp.Literal.string("app")),
                        exp.column("object_id").isin(query=owner),
                    ),
                )
            )
            .order_by("object_type", "object_id", "principal_type", "principal")
        )
        found = [_grant(row) for row in self.engine.fetch_dicts(query, {"t": object_id})]
        own = [g for g in found if g.object_type == "input_table"]
        return own or found

    def governing_many(
        self,
        object_type: str,
        object_ids: Sequence[str],
        owners: Mapping[str, str | None] | None = None,
    ) -> dict[str, list[Grant]]:
        """`governing` for many objects of one type, in a query or two per
        `_CHUNK` objects (list routes check every object they list). `owners`: the
        input tables' apps, where the caller read them already (`apps_of`)."""
        ids = list(dict.fromkeys(object_ids))
        if object_type != "input_table":
            owners = {}
        elif owners is None or not set(ids) <= set(owners):
            owners = self.apps_of(ids)
        wanted: dict[str, set[str]] = {object_type: set(ids)}
        wanted.setdefault("app", set()).update(a for a in owners.values() if a)
        found: dict[tuple[str, str], list[Grant]] = {}
        for kind, kind_ids in wanted.items():
            for chunk in _chunks(sorted(kind_ids)):
                names = [f"o{i}" for i in range(len(chunk))]
                query = (
                    exp.select("*")
                    .from_(self.table)
                    .where(exp.column("object_type").eq(exp.Literal.string(kind)))
                    .where(exp.column("object_id").isin(*(param(n) for n in names)))
                    .order_by("object_type", "object_id", "principal_type", "principal")
                )
                for row in self.engine.fetch_dicts(query, dict(zip(names, chunk, strict=True))):
                    grant = _grant(row)
                    found.setdefault((grant.object_type, grant.object_id), []).append(grant)
        governing: dict[str, list[Grant]] = {}
        for object_id in ids:
            owner = owners.get(object_id)
            own = found.get((object_type, object_id), [])
            governing[object_id] = own or (found.get(("app", owner), []) if owner else [])
        return governing

    def apps_of(self, table_ids: Sequence[str]) -> dict[str, str | None]:
        """`app_of` for many input tables (None for a table of no app, or no table)."""
        owners: dict[str, str | None] = dict.fromkeys(table_ids)
        for chunk in _chunks(sorted(set(table_ids))):
            names = [f"t{i}" for i in range(len(chunk))]
            query = (
                exp.select("id", "app_id")
                .from_(table(self.schema, "input_tables"))
                .where(exp.column("id").isin(*(param(n) for n in names)))
            )
            for table_id, app_id in self.engine.fetch_rows(
                query, dict(zip(names, chunk, strict=True))
            ):
                owners[str(table_id)] = str(app_id) if app_id else None
        return owners

    def app_of(self, table_id: str) -> str | None:
        """The app an input table belongs to (None for a table made outside any app)."""
        app_id = self.engine.fetch_scalar(
            exp.select("app_id")
            .from_(table(self.schema, "input_tables"))
            .where(exp.column("id").eq(param("t"))),
            {"t": table_id},
        )
        return str(app_id) if app_id else None


_CHUNK = 500  # objects a query names (bound parameters stay well under every limit)


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _exists(session: Any, schema: str, name: str, key: str, value: str) -> bool:
    query = (
        exp.select(exp.column(key)).from_(table(schema, name)).where(exp.column(key).eq(param("v")))
    )
    return session.fetch_scalar(query, {"v": value}) is not None


def _check_choice(field: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ValidationFailed(
            f"{field} must be one of {', '.join(choices)}, not {value!r}",
            details=[{"field": field, "message": f"one of {', '.join(choices)}"}],
        )
