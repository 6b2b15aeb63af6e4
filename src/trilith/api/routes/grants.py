"""Grants (admins): who may see an app, and see or edit an input table.

`POST /api/grants` {"principal_type": "user" | "role" | "team", "principal",
"object_type": "app" | "input_table", "object_id", "level": "view" | "edit"};
`GET /api/grants?object_type=&object_id=` lists them; `DELETE /api/grants/{grant_id}`
revokes one. See docs/security.md for how grants combine with roles.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from trilith.api.deps import CurrentActor, WarehouseDep
from trilith.auth.grants import GrantStore
from trilith.auth.permissions import require

router = APIRouter(prefix="/api/grants", tags=["grants"])


class GrantCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    principal_type: Literal["user", "role", "team"] = Field(alias="principalType")
    principal: str = Field(min_length=1, max_length=200)
    object_type: Literal["app", "input_table"] = Field(alias="objectType")
    object_id: str = Field(min_length=1, max_length=200, alias="objectId")
    level: Literal["view", "edit"] = "view"


def _store(warehouse: WarehouseDep) -> GrantStore:
    return GrantStore(warehouse.engine, warehouse.schema)


@router.get("")
async def list_grants(
    warehouse: WarehouseDep,
    actor: CurrentActor,
    object_type: str | None = None,
    object_id: str | None = None,
) -> dict[str, Any]:
    require(actor, "manage-users")
    found = await run_in_threadpool(_store(warehouse).find, object_type, object_id)
    return {"grants": [g.as_dict() for g in found], "total": len(found)}


@router.post("", status_code=201)
async def add_grant(
    body: GrantCreate, request: Request, warehouse: WarehouseDep, actor: CurrentActor
) -> dict[str, Any]:
    require(actor, "manage-users")
    grant = await run_in_threadpool(
        _store(warehouse).add,
        body.principal_type,
        body.principal,
        body.object_type,
        body.object_id,
        body.level,
        actor.id,
        getattr(request.state, "request_id", None),
    )
    return grant.as_dict()


@router.delete("/{grant_id}", status_code=204)
async def revoke_grant(
    grant_id: str, request: Request, warehouse: WarehouseDep, actor: CurrentActor
) -> Response:
    require(actor, "manage-users")
    request_id = getattr(request.state, "request_id", None)
    await run_in_threadpool(_store(warehouse).revoke, grant_id, actor.id, request_id)
    return Response(status_code=204)
