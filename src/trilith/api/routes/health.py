"""`GET /health` and `GET /metrics` — open to load balancers and scrapers, no token."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.concurrency import run_in_threadpool

from trilith import __version__
from trilith.observability.health import HealthCheck, run_checks
from trilith.warehouse import Warehouse

router = APIRouter(tags=["operations"])


def _redis_probe(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1.5, socket_timeout=1.5)
    try:
        client.ping()
    finally:
        client.close()


def health_checks(request: Request) -> list[HealthCheck]:
    warehouse: Warehouse = request.app.state.warehouse
    checks = [HealthCheck("warehouse", warehouse.check, critical=True)]
    redis_url = request.app.state.settings.redis_url
    if redis_url:
        checks.append(HealthCheck("redis", lambda: _redis_probe(redis_url), critical=False))
    return checks


@router.get("/health")
async def health(request: Request) -> JSONResponse:
    status, services = await run_in_threadpool(run_checks, health_checks(request))
    request.app.state.metrics.warehouse_up.set(1 if services["warehouse"].ok else 0)
    body: dict[str, Any] = {
        "status": status,
        "version": __version__,
        "uptime_s": round(time.monotonic() - request.app.state.started_at, 3),
        "services": {name: result.as_dict() for name, result in services.items()},
    }
    return JSONResponse(body, status_code=503 if status == "unhealthy" else 200)


@router.get("/metrics")
def metrics(request: Request) -> Response:
    return Response(request.app.state.metrics.render(), media_type=CONTENT_TYPE_LATEST)
