"""The warehouse a server runs on: its engine, its write-back schema and readiness.

The server starts even when the warehouse is down. The write-back schema is migrated on
the first request that needs it (or at start when the warehouse answers); until that
succeeds, data routes answer 503 and `/health` reports the reason. A failed attempt is
retried on the next request, so the server recovers by itself.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from trilith.engines.base import Engine
from trilith.errors import TrilithError, WarehouseUnavailable
from trilith.metadata import MigrationReport, migrate

__all__ = ["Warehouse"]

RETRY_AFTER_FAILURE_S = 1.0


@dataclass
class Warehouse:
    engine: Engine
    schema: str

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._ready = False
        self._last_failure: tuple[float, str] | None = None
        self.migration: MigrationReport | None = None

    @property
    def ready(self) -> bool:
        return self._ready

    def ensure_ready(self) -> None:
        """Migrate the write-back schema once; raise WarehouseUnavailable while that fails."""
        if self._ready:
            return
        with self._lock:
            if self._ready:
                return
            failure = self._last_failure
            if failure and time.monotonic() - failure[0] < RETRY_AFTER_FAILURE_S:
                raise WarehouseUnavailable(failure[1])
            try:
                self.migration = migrate(self.engine, self.schema)
            except TrilithError as exc:
                message = f"the warehouse is not ready: {exc.message}"
                self._last_failure = (time.monotonic(), message)
                raise WarehouseUnavailable(message) from exc
            self._ready = True
            self._last_failure = None

    def check(self) -> None:
        """Probe the warehouse and finish its set-up; raises when either fails."""
        self.engine.ping()
        self.ensure_ready()

    def close(self) -> None:
        self.engine.close()
