"""Health checks: each service is probed with a timeout in its own thread."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["CHECK_TIMEOUT_S", "HealthCheck", "ServiceStatus", "run_checks"]

CHECK_TIMEOUT_S = 2.0

Status = Literal["healthy", "degraded", "unhealthy"]


@dataclass(frozen=True)
class HealthCheck:
    name: str
    probe: Callable[[], None]
    # A critical service down makes the server unhealthy; any other makes it degraded.
    critical: bool


@dataclass(frozen=True)
class ServiceStatus:
    name: str
    ok: bool
    latency_ms: float
    error: str | None

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "status": "up" if self.ok else "down",
            "latency_ms": round(self.latency_ms, 2),
        }
        if self.error:
            body["error"] = self.error
        return body


_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="trilith-health")


def _timed(check: HealthCheck) -> ServiceStatus:
    started = time.perf_counter()
    try:
        check.probe()
    except Exception as exc:
        message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        return ServiceStatus(check.name, False, (time.perf_counter() - started) * 1000, message)
    return ServiceStatus(check.name, True, (time.perf_counter() - started) * 1000, None)


def run_checks(
    checks: list[HealthCheck], timeout_s: float = CHECK_TIMEOUT_S
) -> tuple[Status, dict[str, ServiceStatus]]:
    futures = {check.name: (check, _pool.submit(_timed, check)) for check in checks}
    results: dict[str, ServiceStatus] = {}
    deadline = time.monotonic() + timeout_s
    for name, (_check, future) in futures.items():
        try:
            results[name] = future.result(timeout=max(0.0, deadline - time.monotonic()))
        except FutureTimeout:
            results[name] = ServiceStatus(
                name, False, timeout_s * 1000, f"no answer within {timeout_s:g} s"
            )
    status: Status = "healthy"
    for name, (check, _future) in futures.items():
        if not results[name].ok:
            if check.critical:
                return "unhealthy", results
            status = "degraded"
    return status, results
