"""Server-sent events within one process: row changes, run progress, import progress.

Writers publish from worker threads after their transaction commits; each subscriber
(one `GET /api/events` stream) has a bounded queue on the server's event loop. A client
that falls behind loses the oldest events and is told so with a `gap` event.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
from dataclasses import dataclass
from typing import Any

__all__ = ["Event", "EventBus", "Subscription"]

QUEUE_SIZE = 1000


@dataclass(frozen=True, slots=True)
class Event:
    id: int
    type: str
    data: dict[str, Any]


@dataclass
class _Subscriber:
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[Event]
    dropped: int = 0


class EventBus:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._by_key: dict[int, _Subscriber] = {}
        self._keys = itertools.count(1)

    def publish(self, event_type: str, data: dict[str, Any]) -> Event:
        event = Event(next(self._ids), event_type, data)
        with self._lock:
            subscribers = list(self._by_key.values())
        for subscriber in subscribers:
            subscriber.loop.call_soon_threadsafe(_offer, subscriber, event)
        return event

    def open(self) -> Subscription:
        """A subscription on the running event loop; close it when the client leaves."""
        subscriber = _Subscriber(asyncio.get_running_loop(), asyncio.Queue(QUEUE_SIZE))
        key = next(self._keys)
        with self._lock:
            self._by_key[key] = subscriber
        return Subscription(self, key, subscriber)

    def _close(self, key: int) -> None:
        with self._lock:
            self._by_key.pop(key, None)

    @property
    def subscriber_count(self) -> int:
        with self._lock:
            return len(self._by_key)


class Subscription:
    def __init__(self, bus: EventBus, key: int, subscriber: _Subscriber) -> None:
        self._bus = bus
        self._key = key
        self._subscriber = subscriber

    async def get(self) -> Event:
        """The next event; a `gap` event first when this client missed some."""
        subscriber = self._subscriber
        if subscriber.dropped:
            dropped, subscriber.dropped = subscriber.dropped, 0
            return Event(0, "gap", {"dropped": dropped})
        return await subscriber.queue.get()

    def close(self) -> None:
        self._bus._close(self._key)


def _offer(subscriber: _Subscriber, event: Event) -> None:
    if subscriber.queue.full():
        subscriber.queue.get_nowait()
        subscriber.dropped += 1
    subscriber.queue.put_nowait(event)
