"""Rows this process wrote last, as stored, so that the next edit of one of them need not
read it first.

Nothing remembered here is trusted. An update that starts from a remembered row requires
every stored column to still hold the remembered value in its own WHERE clause
(`statements.update_row(matching=…)`), so a row that anyone changed since (another
process, a CSV import, a `run_sql` action or SQL run on the warehouse, even one that kept
the row's version) or a remembered write that was rolled back matches nothing, and the
update falls back to reading the row. Entries are also tied to the definition version
they were written under, so a remembered value is never compared with a column of
another type.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from trilith.engines.base import Engine

__all__ = ["CAPACITY", "RecentRows", "recent_rows"]

# Rows remembered per engine: enough for every row a few dozen people are editing, while
# a wide row of long text costs a few kB each.
CAPACITY = 2048

Key = tuple[str, str, str]  # schema, table id, row id


class RecentRows:
    """A bounded, thread-safe map of (schema, table, row) to the row as stored and the
    definition version it was written under; the least recently used goes first."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self.capacity = capacity
        self._rows: OrderedDict[Key, tuple[int, dict[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, key: Key, definition_version: int, row: Mapping[str, Any]) -> None:
        with self._lock:
            self._rows[key] = (definition_version, dict(row))
            self._rows.move_to_end(key)
            while len(self._rows) > self.capacity:
                self._rows.popitem(last=False)

    def recall(self, key: Key, definition_version: int, version: int) -> dict[str, Any] | None:
        """The row as last written at `version` under `definition_version`, if remembered."""
        with self._lock:
            entry = self._rows.get(key)
            if entry is None or entry[0] != definition_version:
                return None
            row = entry[1]
            if row.get("_version") != version:
                return None
            self._rows.move_to_end(key)
            return dict(row)

    def forget(self, key: Key) -> None:
        with self._lock:
            self._rows.pop(key, None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._rows)


_BY_ENGINE: weakref.WeakKeyDictionary[Engine, RecentRows] = weakref.WeakKeyDictionary()
_BY_ENGINE_LOCK = threading.Lock()


def recent_rows(engine: Engine) -> RecentRows:
    with _BY_ENGINE_LOCK:
        memory = _BY_ENGINE.get(engine)
        if memory is None:
            memory = _BY_ENGINE[engine] = RecentRows()
        return memory
