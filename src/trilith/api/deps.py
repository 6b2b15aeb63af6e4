"""Dependencies as `Annotated` aliases, so route signatures read like sentences."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated

from fastapi import Depends, Header, Request
from starlette.concurrency import run_in_threadpool

from trilith.actions.service import Actions
from trilith.auth import Actor
from trilith.auth.grants import Grant, GrantStore
from trilith.auth.permissions import Permissions, Resource, bind
from trilith.auth.sessions import COOKIE, CSRF_HEADER, SessionStore, check_csrf
from trilith.auth.tokens import built_in_actor
from trilith.auth.users import TOKEN_PREFIX, UserStore
from trilith.embed.session import embed_session_actor
from trilith.embed.tokens import SESSION_PREFIX
from trilith.engines.base import Engine
from trilith.errors import AuthenticationRequired
from trilith.input_tables.service import InputTables
from trilith.metadata.apps import AppStore
from trilith.settings import Settings
from trilith.warehouse import Warehouse

__all__ = [
    "ActionsDep",
    "AppStoreDep",
    "CurrentActor",
    "EngineDep",
    "InputTablesDep",
    "SettingsDep",
    "WarehouseDep",
    "actor_from",
    "permissions_for",
    "require_actor",
]


# Dependencies that do no I/O are `async def`: FastAPI runs a plain `def` dependency in
# the thread pool, a hop that costs more than the work.


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


async def actor_from(request: Request, authorization: str | None) -> Actor:
    """The actor of a request: the admin token, a user's token (looked up in the
    warehouse), a browser session's cookie (state-changing requests then need the CSRF
    header), or the local developer when authentication is off."""
    settings: Settings = request.app.state.settings
    warehouse: Warehouse = request.app.state.warehouse
    cookie = request.cookies.get(COOKIE)

    def users(token: str) -> Actor:
        if token.startswith(SESSION_PREFIX):
            return embed_session_actor(warehouse, settings, token, request.url.path)
        if not token.startswith(TOKEN_PREFIX):
            raise AuthenticationRequired("the token is not valid")
        warehouse.ensure_ready()
        return UserStore(warehouse.engine, warehouse.schema).actor_for(token)

    def from_session(session_id: str) -> Actor:
        warehouse.ensure_ready()
        active = SessionStore(warehouse.engine, warehouse.schema).active(session_id)
        check_csrf(request.method, active.csrf_token, request.headers.get(CSRF_HEADER))
        request.state.session = active
        return active.actor

    if settings.auth != "none" and not authorization and cookie:
        actor = await run_in_threadpool(from_session, cookie)
    else:
        # Authentication off and the admin token need no lookup, so no thread either.
        found = built_in_actor(settings, authorization)
        actor = found if isinstance(found, Actor) else await run_in_threadpool(users, found)
    request.state.actor = actor
    return actor


def permissions_for(warehouse: Warehouse, actor: Actor) -> Permissions:
    """`actor`'s permission checks, reading grants from `warehouse` (cached per instance)."""
    return Permissions(actor, _Grants(warehouse))


class _Grants:
    """Grant lookups for one request's permission checks (the warehouse readied lazily)."""

    def __init__(self, warehouse: Warehouse) -> None:
        self.warehouse = warehouse

    def _store(self) -> GrantStore:
        self.warehouse.ensure_ready()
        return GrantStore(self.warehouse.engine, self.warehouse.schema)

    def governing(self, object_type: str, object_id: str) -> list[Grant]:
        return self._store().governing(object_type, object_id)

    def governing_many(
        self,
        object_type: str,
        object_ids: Sequence[str],
        owners: Mapping[str, str | None] | None = None,
    ) -> dict[str, list[Grant]]:
        return self._store().governing_many(object_type, object_ids, owners)

    def app_of(self, table_id: str) -> str | None:
        return self._store().app_of(table_id)

    def apps_of(self, table_ids: Sequence[str]) -> dict[str, str | None]:
        return self._store().apps_of(table_ids)


# Path parameters that name the object a route acts on, by route prefix.
_RESOURCE_PATHS: tuple[tuple[str, str, str], ...] = (
    ("/api/sigma/input-tables/", "table_id", "input_table"),
    ("/api/apps/", "app_id", "app"),
)


def _resource_check(request: Request) -> tuple[str, Resource] | None:
    """The grant check a route's path implies: reads of an input table need `view`, its
    writes `edit`; anything under an app (or naming `?app_id=`) needs `view` of the app."""
    for prefix, name, kind in _RESOURCE_PATHS:
        value = request.path_params.get(name)
        if value and request.url.path.startswith(prefix):
            if kind == "input_table":
                reading = request.method in ("GET", "HEAD")
                action = "view-input-table" if reading else "edit-input-table"
                return action, Resource("input_table", str(value))
            return "view-app", Resource("app", str(value))
    app_id = request.query_params.get("app_id")
    if app_id:
        return "view-app", Resource("app", app_id)
    return None


async def require_actor(
    request: Request, authorization: Annotated[str | None, Header()] = None
) -> Actor:
    """The request's actor, with the request's permission checker bound and the grants
    of the object its path names checked (one cached `require` per request)."""
    actor = await actor_from(request, authorization)
    permissions = permissions_for(request.app.state.warehouse, actor)
    bind(permissions)
    request.state.permissions = permissions
    check = _resource_check(request)
    # Admins pass grants without a lookup (no thread hop); an embed session's app scope
    # binds whatever its role.
    if check is not None and (actor.role != "admin" or actor.app_scope is not None):
        await run_in_threadpool(permissions.require, *check)
    return actor


CurrentActor = Annotated[Actor, Depends(require_actor)]


def get_warehouse_unchecked(request: Request) -> Warehouse:
    warehouse: Warehouse = request.app.state.warehouse
    return warehouse


async def get_ready_warehouse(request: Request) -> Warehouse:
    warehouse = get_warehouse_unchecked(request)
    if not warehouse.ready:
        await run_in_threadpool(warehouse.ensure_ready)
    return warehouse


WarehouseDep = Annotated[Warehouse, Depends(get_ready_warehouse)]


async def get_engine(warehouse: WarehouseDep) -> Engine:
    return warehouse.engine


EngineDep = Annotated[Engine, Depends(get_engine)]


async def get_app_store(warehouse: WarehouseDep) -> AppStore:
    return AppStore(warehouse.engine, warehouse.schema)


AppStoreDep = Annotated[AppStore, Depends(get_app_store)]


async def get_input_tables(
    request: Request, warehouse: WarehouseDep, actor: CurrentActor
) -> InputTables:
    """The request's input tables, narrowed to the caller's rows by row-level security."""
    return InputTables(warehouse.engine, warehouse.schema, request.app.state.events, actor=actor)


InputTablesDep = Annotated[InputTables, Depends(get_input_tables)]


def get_actions(request: Request, tables: InputTablesDep) -> Actions:
    return Actions(request.app.state.action_engine, tables)


ActionsDep = Annotated[Actions, Depends(get_actions)]
