"""Seed 000's framework routes: status, capabilities and database health."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from trilith import __version__
from trilith.api.deps import CurrentActor, SettingsDep
from trilith.capabilities import collect
from trilith.observability.health import HealthCheck, run_checks
from trilith.warehouse import Warehouse

router = APIRouter(tags=["sigma"])


@router.get("/api/sigma/status")
def status(request: Request, settings: SettingsDep, actor: CurrentActor) -> dict[str, Any]:
    warehouse: Warehouse = request.app.state.warehouse
    engine = warehouse.engine
    capabilities = collect()
    return {
        "version": __version__,
        "mode": settings.sigma_mode,
        "database_mode": settings.resolved_database_mode,
        "warehouse": {
            "type": engine.warehouse_type,
            "dialect": engine.dialect,
            "sql_dialect": engine.read_dialect,
            "writeback_schema": warehouse.schema,
            "ready": warehouse.ready,
        },
        "features": {key: bool(values) for key, values in capabilities.items()},
    }


@router.get("/api/sigma/capabilities")
async def capabilities(actor: CurrentActor) -> dict[str, list[str]]:
    # No I/O: `create_app` has imported the registering modules already.
    return collect()


@router.get("/api/database/health")
async def database_health(request: Request, actor: CurrentActor) -> JSONResponse:
    warehouse: Warehouse = request.app.state.warehouse

    checks = [HealthCheck("warehouse", warehouse.check, critical=True)]
    _, services = await run_in_threadpool(run_checks, checks)
    result = services["warehouse"]
    body = {
        **result.as_dict(),
        "status": "healthy" if result.ok else "unhealthy",
        "adapter": warehouse.engine.warehouse_type,
        "dialect": warehouse.engine.dialect,
        "schema_ready": warehouse.ready,
    }
    return JSONResponse(body, status_code=200 if result.ok else 503)
