"""Prometheus instruments, one registry per application instance."""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

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
            "trilith_http_requests_in_flight", "Requests being served.", registry=self.registry
        )
        self.warehouse_up = Gauge(
            "trilith_warehouse_up",
            "1 when the last warehouse check passed.",
            registry=self.registry,
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
        return generate_latest(self.registry)
