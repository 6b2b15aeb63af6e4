"""Users and API tokens (admins): `POST /api/users` answers the new user's token, once."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from trilith.api.deps import CurrentActor, WarehouseDep
from trilith.auth.permissions import require
from trilith.auth.users import UserStore

router = APIRouter(prefix="/api/users", tags=["users"])


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: str = Field(min_length=1, max_length=200)
    role: Literal["viewer", "editor", "admin"]
    email: str | None = None
    expires_in_days: int | None = Field(None, ge=1, le=3650, alias="expiresInDays")
    scopes: list[Literal["read", "write", "admin", "api"]] | None = None


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    expires_in_days: int | None = Field(None, ge=1, le=3650, alias="expiresInDays")
    scopes: list[Literal["read", "write", "admin", "api"]] | None = None


def _store(warehouse: WarehouseDep) -> UserStore:
    return UserStore(warehouse.engine, warehouse.schema)


@router.get("")
async def list_users(warehouse: WarehouseDep, actor: CurrentActor) -> dict[str, Any]:
    require(actor, "manage-users")
    found = await run_in_threadpool(_store(warehouse).summaries)
    return {"users": found, "total": len(found)}


@router.post("", status_code=201)
async def create_user(
    body: UserCreate, request: Request, warehouse: WarehouseDep, actor: CurrentActor
) -> dict[str, Any]:
    require(actor, "manage-users")
    user, issued = await run_in_threadpool(
        lambda: _store(warehouse).create(
            body.name,
            body.role,
            actor.id,
            email=body.email,
            expires_in_days=body.expires_in_days,
            request_id=getattr(request.state, "request_id", None),
            scopes=list(body.scopes) if body.scopes else None,
        )
    )
    return {
        **user,
        "token": issued.token,
        "token_id": issued.token_id,
        "expires_at": issued.expires_at.isoformat() if issued.expires_at else None,
    }


@router.post("/{user_id}/tokens", status_code=201)
async def create_token(
    user_id: str, warehouse: WarehouseDep, actor: CurrentActor, body: TokenCreate | None = None
) -> dict[str, Any]:
    require(actor, "manage-users")
    days = body.expires_in_days if body else None
    scopes: list[str] | None = list(body.scopes) if body and body.scopes else None
    issued = await run_in_threadpool(_store(warehouse).issue_token, user_id, days, scopes)
    expires = issued.expires_at.isoformat() if issued.expires_at else None
    return {"token": issued.token, "token_id": issued.token_id, "expires_at": expires}


@router.get("/{user_id}/tokens")
async def list_tokens(user_id: str, warehouse: WarehouseDep, actor: CurrentActor) -> dict[str, Any]:
    """A user's tokens: ids, scopes, expiry and revocation (never the tokens)."""
    require(actor, "manage-users")
    found = await run_in_threadpool(_store(warehouse).tokens_of, user_id)
    return {"tokens": found, "total": len(found)}


@router.delete("/tokens/{token_id}", status_code=204)
async def revoke_token(
    token_id: str, request: Request, warehouse: WarehouseDep, actor: CurrentActor
) -> Response:
    require(actor, "manage-users")
    request_id = getattr(request.state, "request_id", None)
    await run_in_threadpool(_store(warehouse).revoke, token_id, actor.id, request_id)
    return Response(status_code=204)
