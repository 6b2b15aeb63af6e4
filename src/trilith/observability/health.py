"""Health checks: each service is probed with a timeout in its own thread; a monitor
refreshes them in the background and keeps the last report with per-service timings."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "CHECK_TIMEOUT_S",
    "HealthCheck",
    "HealthMonitor",
    "HealthReport",
    "ServiceStatus",
    "run_checks",
]

log = logging.getLogger("trilith.health")

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


@dataclass(frozen=True)
class HealthReport:
    status: Status
    services: dict[str, ServiceStatus]
    checked_at: float  # time.time() of the check
    duration_ms: float


class HealthMonitor:
    """Runs the checks every `interval_s` seconds in a background thread (seed 004 §7.4)
    and keeps the last report, so `/health` answers at once and load balancers' probes
    never queue behind a slow warehouse. With `interval_s=0` every `report()` checks."""

    def __init__(
        self,
        checks: Callable[[], list[HealthCheck]],
        interval_s: float,
        on_report: Callable[[HealthReport], None] | None = None,
    ) -> None:
        self._checks = checks
        self.interval_s = interval_s
        self._on_report = on_report
        self._last: HealthReport | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def check_now(self) -> HealthReport:
        started = time.perf_counter()
        status, services = run_checks(self._checks())
        report = HealthReport(status, services, time.time(), (time.perf_counter() - started) * 1000)
        with self._lock:
            self._last = report
        if self._on_report is not None:
            self._on_report(report)
        return report

    def report(self) -> HealthReport:
        """The last background report; a fresh check when there is none yet, when the
        monitor is off, or when the last one is older than two intervals."""
        with self._lock:
            last = self._last
        fresh_enough = (
            last is not None
            and self.interval_s > 0
            and time.time() - last.checked_at <= 2 * self.interval_s
        )
        return last if fresh_enough and last is not None else self.check_now()

    def start(self) -> None:
        if self.interval_s <= 0 or self._thread is not None:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="trilith-health", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(CHECK_TIMEOUT_S + 1)
            self._thread = None

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self.check_now()
            except Exception:
                log.exception("health check failed")
            self._stopping.wait(self.interval_s)
