"""Progress of one import, as callbacks and as `import.progress` events.

Phases run upload → parse → validate → write → done (or failed at any point). Callbacks
may come from worker threads many times a second; `Throttled` passes every phase change
and at most a few updates a second within a phase.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

__all__ = ["ImportProgress", "Phase", "ProgressCallback", "Throttled", "new_import_id"]

Phase = Literal["upload", "parse", "validate", "write", "done", "failed"]
EVENT = "import.progress"
INTERVAL_S = 0.25


@dataclass(frozen=True, slots=True)
class ImportProgress:
    table_id: str | None
    import_id: str
    phase: Phase
    rows: int = 0
    bytes: int = 0
    total_bytes: int = 0
    message: str | None = None

    def at(self, phase: Phase, **changes: Any) -> ImportProgress:
        return replace(self, phase=phase, **changes)

    def as_event(self) -> dict[str, Any]:
        data = asdict(self)
        if data["message"] is None:
            del data["message"]
        return data


ProgressCallback = Callable[[ImportProgress], None]


def new_import_id() -> str:
    return secrets.token_hex(6)


class Throttled:
    """Forward phase changes at once and other updates at most every `interval` s."""

    def __init__(self, callback: ProgressCallback, interval: float = INTERVAL_S) -> None:
        self.callback = callback
        self.interval = interval
        self._lock = threading.Lock()
        self._phase: Phase | None = None
        self._sent = 0.0

    def __call__(self, progress: ImportProgress) -> None:
        now = time.monotonic()
        with self._lock:
            changed = progress.phase != self._phase
            if not changed and now - self._sent < self.interval:
                return
            self._phase = progress.phase
            self._sent = now
        self.callback(progress)
