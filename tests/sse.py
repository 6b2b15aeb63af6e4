"""Reading `/api/events` streams in tests."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any


def sse_events(
    lines: Iterable[str], on_connected: Callable[[], None] | None = None
) -> Iterator[dict[str, Any]]:
    """The events of a stream's lines, each its data with `type` (the event's name);
    `on_connected` is called at the server's `: connected` comment."""
    kind = None
    for line in lines:
        if line.startswith(": connected"):
            if on_connected is not None:
                on_connected()
        elif line.startswith("event: "):
            kind = line.removeprefix("event: ")
        elif line.startswith("data: "):
            yield {"type": kind, **json.loads(line.removeprefix("data: "))}
