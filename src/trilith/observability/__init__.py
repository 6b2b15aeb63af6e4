"""Health checks and Prometheus metrics."""

from trilith.observability.health import HealthCheck, ServiceStatus, run_checks
from trilith.observability.metrics import Metrics

__all__ = ["HealthCheck", "Metrics", "ServiceStatus", "run_checks"]
