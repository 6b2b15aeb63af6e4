"""Dependencies as `Annotated` aliases, so route signatures read like sentences."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request
from starlette.concurrency import run_in_threadpool

from trilith.actions.service import Actions
from trilith.auth import Actor, authenticate
from trilith.auth.users import TOKEN_PREFIX, UserStore
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
    "require_actor",
]


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


async def actor_from(request: Request, authorization: str | None) -> Actor:
    """The actor of a request: the admin token, a user's token (looked up in the
    warehouse), or the local developer when authentication is off."""
    settings: Settings = request.app.state.settings
    warehouse: Warehouse = request.app.state.warehouse

    def users(token: str) -> Actor:
        if not token.startswith(TOKEN_PREFIX):
            raise AuthenticationRequired("the token is not valid")
        warehouse.ensure_ready()
        return UserStore(warehouse.engine, warehouse.schema).actor_for(token)

    return await run_in_threadpool(authenticate, settings, authorization, users)


async def require_actor(
    request: Request, authorization: Annotated[str | None, Header()] = None
) -> Actor:
    return await actor_from(request, authorization)


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


def get_engine(warehouse: WarehouseDep) -> Engine:
    return warehouse.engine


EngineDep = Annotated[Engine, Depends(get_engine)]


def get_app_store(warehouse: WarehouseDep) -> AppStore:
    return AppStore(warehouse.engine, warehouse.schema)


AppStoreDep = Annotated[AppStore, Depends(get_app_store)]


def get_input_tables(request: Request, warehouse: WarehouseDep) -> InputTables:
    return InputTables(warehouse.engine, warehouse.schema, request.app.state.events)


InputTablesDep = Annotated[InputTables, Depends(get_input_tables)]


def get_actions(request: Request, tables: InputTablesDep) -> Actions:
    return Actions(request.app.state.action_engine, tables)


ActionsDep = Annotated[Actions, Depends(get_actions)]
