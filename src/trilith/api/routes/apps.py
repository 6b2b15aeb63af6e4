"""Apps stored in the write-back schema."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlglot import exp
from starlette.concurrency import run_in_threadpool

from trilith.api.deps import CurrentActor, WarehouseDep
from trilith.sql.ddl import table

router = APIRouter(tags=["apps"])


@router.get("/api/apps")
async def list_apps(warehouse: WarehouseDep, actor: CurrentActor) -> dict[str, Any]:
    query = (
        exp.select("id", "title", "version", "updated_at")
        .from_(table(warehouse.schema, "apps"))
        .order_by("id")
    )
    rows = await run_in_threadpool(warehouse.engine.fetch_dicts, query)
    return {"apps": rows, "total": len(rows)}
