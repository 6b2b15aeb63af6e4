"""`GET /health` and `GET /metrics` — open to load balancers and scrapers, no token."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.concurrency import run_in_threadpool

from trilith import __version__
from trilith.observability.health import HealthCheck, HealthReport
from trilith.warehouse import Warehouse

router = APIRouter(tags=["operations"])


def _redis_probe(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1.5, socket_timeout=1.5)
    try:
        client.ping()
    finally:
        client.close()


def health_checks(warehouse: Warehouse, redis_url: str | None) -> list[HealthCheck]:
    checks = [HealthCheck("warehouse", warehouse.check, critical=True)]
    if redis_url:
        checks.append(HealthCheck("redis", lambda: _redis_probe(redis_url), critical=False))
    return checks


@router.get("/health")
async def health(request: Request) -> JSONResponse:
    """The last background check (`TRILITH_HEALTH_INTERVAL`) with each service's status
    and response time; 503 when a critical service (the warehouse) is down."""
    report: HealthReport = await run_in_threadpool(request.app.state.health_monitor.report)
    checked = dt.datetime.fromtimestamp(report.checked_at, dt.UTC).isoformat(timespec="seconds")
    body: dict[str, Any] = {
        "status": report.status,
        "version": __version__,
        "uptime_s": round(time.monotonic() - request.app.state.started_at, 3),
        "checked_at": checked,
        "check_ms": round(report.duration_ms, 2),
        "services": {
            name: {**result.as_dict(), "last_check": checked}
            for name, result in report.services.items()
        },
    }
    return JSONResponse(body, status_code=503 if report.status == "unhealthy" else 200)


@router.get("/metrics")
def metrics(request: Request) -> Response:
    return Response(request.app.state.metrics.render(), media_type=CONTENT_TYPE_LATEST)
