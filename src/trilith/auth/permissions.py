"""Permissions as data: each action names the least role that may take it, and the grant
level it needs on the object it touches.

`require(actor, action, resource)` is the one check a request makes. Roles are ordered
viewer < editor < admin and are the ceiling; on a `Resource` (an app or an input table) the
object's grants narrow further (see `auth.grants`): a non-admin needs a grant naming them
at the action's level, unless the object has no grants at all. The API binds one
`Permissions` per request (`bind`), which caches every answer and every grant lookup for
that request.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from trilith.auth.actors import ROLE_RANK, Actor, Role
from trilith.auth.grants import LEVELS, Grant
from trilith.errors import PermissionDenied

__all__ = [
    "ACTIONS",
    "GrantLookup",
    "Permissions",
    "Resource",
    "allowed",
    "bind",
    "current",
    "require",
    "unbind",
    "visible_apps",
    "visible_tables",
]

ACTIONS: dict[str, Role] = {
    "view-app": "viewer",
    "manage-app": "admin",
    "view-input-table": "viewer",
    "edit-input-table": "editor",
    "manage-input-table": "admin",
    "execute-action": "viewer",
    "manage-action": "admin",
    "manage-users": "admin",
    # Which models a role may use is governed further by TRILITH_AI_MODEL_ACCESS.
    "run-ai": "viewer",
    "view-ai-usage": "admin",
}
# The grant level an action needs on its object; every other action needs `view`.
GRANT_LEVELS: dict[str, str] = {"edit-input-table": "edit"}


@dataclass(frozen=True, slots=True)
class Resource:
    type: Literal["app", "input_table"]
    id: str

    def describe(self) -> str:
        return f"{self.type.replace('_', ' ')} '{self.id}'"


class GrantLookup(Protocol):
    def governing(self, object_type: str, object_id: str) -> list[Grant]: ...

    def governing_many(
        self,
        object_type: str,
        object_ids: Sequence[str],
        owners: Mapping[str, str | None] | None = None,
    ) -> dict[str, list[Grant]]: ...

    def app_of(self, table_id: str) -> str | None: ...

    def apps_of(self, table_ids: Sequence[str]) -> dict[str, str | None]: ...


@dataclass
class Permissions:
    """One request's checks for one actor, cached (grants are read once per object)."""

    actor: Actor
    grants: GrantLookup | None = None
    _answers: dict[tuple[str, Resource | None], str | None] = field(default_factory=dict)
    _grants: dict[Resource, list[Grant]] = field(default_factory=dict)
    _owners: dict[str, str | None] = field(default_factory=dict)  # input table -> app

    def prefetch(self, resources: Sequence[Resource]) -> None:
        """Read what checking each of `resources` needs in a few queries rather than one
        or two per object: list routes check every object they list."""
        if self.grants is None:
            return
        admin = self.actor.role == "admin"
        if admin and self.actor.app_scope is None:
            return
        # Input tables' apps: the embed scope check and the grants both need them.
        tables = [r.id for r in resources if r.type == "input_table"]
        missing = [t for t in tables if t not in self._owners]
        if missing:
            self._owners |= self.grants.apps_of(missing)
        if admin:
            return
        for kind in ("app", "input_table"):
            ids = [r.id for r in resources if r.type == kind and r not in self._grants]
            if ids:
                found = self.grants.governing_many(kind, ids, self._owners)
                for object_id, grants in found.items():
                    self._grants[Resource(kind, object_id)] = grants

    def allowed(self, action: str, resource: Resource | None = None) -> bool:
        return self._refusal(action, resource) is None

    def require(self, action: str, resource: Resource | None = None) -> None:
        refusal = self._refusal(action, resource)
        if refusal is not None:
            raise PermissionDenied(refusal)

    def _refusal(self, action: str, resource: Resource | None) -> str | None:
        key = (action, resource)
        if key not in self._answers:
            self._answers[key] = self._decide(action, resource)
        return self._answers[key]

    def _decide(self, action: str, resource: Resource | None) -> str | None:
        needed = _needed(action)
        actor = self.actor
        if ROLE_RANK[actor.role] < ROLE_RANK[needed]:
            return (
                f"{actor.name} ({actor.role}) may not {action.replace('-', ' ')}; "
                f"that needs the {needed} role"
            )
        if resource is not None and actor.app_scope is not None:
            outside = self._outside_scope(actor.app_scope, resource)
            if outside is not None:
                return outside
        if resource is None or actor.role == "admin" or self.grants is None:
            return None
        if resource not in self._grants:
            self._grants[resource] = self.grants.governing(resource.type, resource.id)
        grants = self._grants[resource]
        if not grants:
            return None  # an object without grants is open to every role
        level = GRANT_LEVELS.get(action, "view")
        best = max((LEVELS[g.level] for g in grants if g.names(actor)), default=-1)
        if best >= LEVELS[level]:
            return None
        return (
            f"{actor.name} ({actor.role}) has no {level} grant on {resource.describe()}; "
            "an admin grants access with POST /api/grants"
        )

    def _outside_scope(self, scope: str, resource: Resource) -> str | None:
        """Why an embed session of app `scope` may not reach `resource`, if it may not:
        other apps, and input tables of other apps or of none, are outside it."""
        if resource.type == "app":
            owner: str | None = resource.id
        elif self.grants is None:
            return None
        elif resource.id in self._owners:
            owner = self._owners[resource.id]
        else:
            owner = self._owners[resource.id] = self.grants.app_of(resource.id)
        if owner == scope:
            return None
        return f"an embed session of app '{scope}' may not reach {resource.describe()}"


def _needed(action: str) -> Role:
    try:
        return ACTIONS[action]
    except KeyError:
        raise KeyError(f"unknown action {action!r}; known: {', '.join(sorted(ACTIONS))}") from None


_current: ContextVar[Permissions | None] = ContextVar("trilith_permissions", default=None)


def bind(permissions: Permissions) -> Token[Permissions | None]:
    """Make `permissions` the checker of the current context: the API binds a new one at
    the start of every authenticated request (each request runs in a context of its own,
    and worker threads it starts copy it). `unbind(token)` restores the previous one."""
    return _current.set(permissions)


def unbind(token: Token[Permissions | None]) -> None:
    _current.reset(token)


def current(actor: Actor, grants: GrantLookup | None = None) -> Permissions:
    """The bound checker when it is `actor`'s, else a new one reading `grants`."""
    bound = _current.get()
    if bound is not None and bound.actor == actor:
        return bound
    return Permissions(actor, grants)


def visible_apps(actor: Actor, apps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The apps (summaries with an `id`) the actor may view: grants narrow the list."""
    checker = current(actor)
    resources = [Resource("app", str(a["id"])) for a in apps]
    checker.prefetch(resources)
    return [a for a, r in zip(apps, resources, strict=True) if checker.allowed("view-app", r)]


def visible_tables(actor: Actor, tables: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The input tables (summaries with an `id`) the actor may view."""
    checker = current(actor)
    resources = [Resource("input_table", str(t["id"])) for t in tables]
    checker.prefetch(resources)
    return [
        t for t, r in zip(tables, resources, strict=True) if checker.allowed("view-input-table", r)
    ]


def allowed(actor: Actor, action: str, resource: Resource | None = None) -> bool:
    return current(actor).allowed(action, resource)


def require(actor: Actor, action: str, resource: Resource | None = None) -> None:
    """Refuse with 403 unless `actor` may take `action` (on `resource`, when given)."""
    current(actor).require(action, resource)
