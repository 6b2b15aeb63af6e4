"""Prometheus instruments, one registry per application instance.

Under `trilith serve --workers N` every worker writes its values to files in
`PROMETHEUS_MULTIPROC_DIR` (prometheus_client's multiprocess mode) and `/metrics`
aggregates all workers, so a scrape sees the server, not whichever worker answered.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

if TYPE_CHECKING:
    from trilith.ai.governance import Usage

__all__ = ["Metrics"]

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


@dataclass
class Metrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        self.requests = Counter(
            "trilith_http_requests",
            "HTTP requests by route template, method and status.",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "trilith_http_request_duration_seconds",
            "HTTP request latency by route template and method.",
            ("method", "route"),
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.in_flight = Gauge(
            "trilith_http_requests_in_flight",
            "Requests being served.",
            registry=self.registry,
            multiprocess_mode="livesum",
        )
        self.warehouse_up = Gauge(
            "trilith_warehouse_up",
            "1 when the last warehouse check passed.",
            registry=self.registry,
            multiprocess_mode="livemin",
        )

        self.action_runs = Counter(
            "trilith_action_runs",
            "Action sequence runs by final status.",
            ("status",),
            registry=self.registry,
        )
        self.run_duration = Histogram(
            "trilith_action_run_duration_seconds",
            "Action sequence run time.",
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.actions = Counter(
            "trilith_actions",
            "Actions run, by type and outcome.",
            ("type", "status"),
            registry=self.registry,
        )
        self.action_duration = Histogram(
            "trilith_action_duration_seconds",
            "Time of one action, by type.",
            ("type",),
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )

        self.writebacks = Counter(
            "trilith_writebacks",
            "Input-table write-backs (committed row changes) by operation.",
            ("operation",),
            registry=self.registry,
        )
        self.writeback_rows = Counter(
            "trilith_writeback_rows",
            "Rows written back to input tables, by operation.",
            ("operation",),
            registry=self.registry,
        )
        self.csv_imports = Counter(
            "trilith_csv_imports",
            "CSV imports by outcome (imported, failed).",
            ("status",),
            registry=self.registry,
        )
        self.csv_import_rows = Counter(
            "trilith_csv_import_rows", "Rows loaded by CSV imports.", registry=self.registry
        )
        self.ai_calls = Counter(
            "trilith_ai_calls",
            "AI calls by provider, function and outcome (ok, or the error type).",
            ("provider", "function", "status"),
            registry=self.registry,
        )
        self.ai_tokens = Counter(
            "trilith_ai_tokens",
            "AI tokens by direction (input, output), provider and model.",
            ("direction", "provider", "model"),
            registry=self.registry,
        )
        self.ai_cost = Counter(
            "trilith_ai_cost",
            "AI cost (credits or dollars, as the provider bills) by provider and model.",
            ("provider", "model"),
            registry=self.registry,
        )
        self.warehouse_queries = Histogram(
            "trilith_warehouse_query_duration_seconds",
            "Warehouse statement latency by engine and outcome.",
            ("engine", "outcome"),
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.service_up = Gauge(
            "trilith_service_up",
            "1 when the service passed the last health check.",
            ("service",),
            registry=self.registry,
            multiprocess_mode="livemin",
        )
        self.service_latency = Gauge(
            "trilith_service_check_seconds",
            "Response time of the service in the last health check.",
            ("service",),
            registry=self.registry,
            multiprocess_mode="livemax",
        )

    def on_event(self, event_type: str, data: dict[str, Any]) -> None:
        """An EventBus listener: write-backs and CSV imports as they are announced."""
        if event_type == "rows.changed":
            operation = str(data.get("op", "unknown"))
            self.writebacks.labels(operation).inc()
            self.writeback_rows.labels(operation).inc(len(data.get("row_ids") or ()))
        elif event_type == "input_table.imported":
            self.csv_imports.labels("imported").inc()
            self.csv_import_rows.inc(int(data.get("rows") or 0))
        elif event_type == "import.progress" and data.get("phase") == "failed":
            self.csv_imports.labels("failed").inc()

    def observe_usage(self, usage: Usage) -> None:
        """An AI call as governance records it (`AIConfig.on_usage`): routes, actions and
        document analysis alike."""
        model = usage.model or ""
        self.ai_calls.labels(usage.provider, usage.function, usage.status).inc()
        self.ai_tokens.labels("input", usage.provider, model).inc(usage.tokens_in)
        self.ai_tokens.labels("output", usage.provider, model).inc(usage.tokens_out)
        self.ai_cost.labels(usage.provider, model).inc(usage.cost)

    def observe_query(self, engine: str, ok: bool, seconds: float) -> None:
        self.warehouse_queries.labels(engine, "ok" if ok else "error").observe(seconds)

    def observe_health(self, services: dict[str, Any]) -> None:
        """Gauges from a health report's `ServiceStatus` values."""
        for name, result in services.items():
            self.service_up.labels(name).set(1 if result.ok else 0)
            self.service_latency.labels(name).set(result.latency_ms / 1000)
        if "warehouse" in services:
            self.warehouse_up.set(1 if services["warehouse"].ok else 0)

    def observe_action(self, action_type: str, status: str, seconds: float) -> None:
        self.actions.labels(action_type, status).inc()
        self.action_duration.labels(action_type).observe(seconds)

    def observe_run(self, status: str, seconds: float) -> None:
        self.action_runs.labels(status).inc()
        self.run_duration.observe(seconds)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)

    def render(self) -> bytes:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            combined = CollectorRegistry()
            MultiProcessCollector(combined)  # type: ignore[no-untyped-call]
            return generate_latest(combined)
        return generate_latest(self.registry)
