"""Server-sent events: row changes, run progress, import progress.

Writers publish from worker threads after their transaction commits; each subscriber
(one `GET /api/events` stream) has a bounded queue on the server's event loop. A client
that falls behind loses the oldest events and is told so with a `gap` event.

With `TRILITH_REDIS_URL` every event is also published on a Redis channel, and a relay
thread delivers the events of the other server processes to this one's subscribers, so
an edit made through one process reaches the browsers connected to any other. Local
subscribers get their own process's events directly (never twice, never through Redis).
Listeners (metrics) see only this process's events.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["CHANNEL", "Event", "EventBus", "Subscription"]

QUEUE_SIZE = 1000
CHANNEL = "trilith:events"

log = logging.getLogger("trilith.events")

Listener = Callable[[str, dict[str, Any]], None]


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
    def __init__(self, redis_url: str | None = None, channel: str = CHANNEL) -> None:
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._by_key: dict[int, _Subscriber] = {}
        self._keys = itertools.count(1)
        self._listeners: list[Listener] = []
        self.origin = uuid.uuid4().hex
        self._relay = _RedisRelay(self, redis_url, channel) if redis_url else None

    def publish(self, event_type: str, data: dict[str, Any]) -> Event:
        event = self._deliver(event_type, data)
        for listener in self._listeners:
            try:
                listener(event_type, data)
            except Exception:
                log.exception("event listener failed on %s", event_type)
        if self._relay is not None:
            self._relay.send(event_type, data)
        return event

    def listen(self, listener: Listener) -> None:
        """Call `listener(type, data)` for every event this process publishes."""
        self._listeners.append(listener)

    def start(self) -> None:
        """Start receiving other processes' events (a no-op without Redis)."""
        if self._relay is not None:
            self._relay.start()

    def stop(self) -> None:
        if self._relay is not None:
            self._relay.stop()

    def _deliver(self, event_type: str, data: dict[str, Any]) -> Event:
        event = Event(next(self._ids), event_type, data)
        with self._lock:
            subscribers = list(self._by_key.values())
        for subscriber in subscribers:
            try:
                subscriber.loop.call_soon_threadsafe(_offer, subscriber, event)
            except RuntimeError:  # the subscriber's loop has closed
                continue
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


class _RedisRelay:
    """Publishes this process's events on a Redis channel and delivers the others'."""

    RETRY_S = 1.0

    def __init__(self, bus: EventBus, url: str, channel: str) -> None:
        import redis

        self._bus = bus
        self._url = url
        self._channel = channel
        self._client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.ready = threading.Event()

    def send(self, event_type: str, data: dict[str, Any]) -> None:
        message = json.dumps(
            {"origin": self._bus.origin, "type": event_type, "data": data}, default=str
        )
        try:
            self._client.publish(self._channel, message)
        except Exception as exc:
            # The write is committed; only other processes' clients miss this event.
            log.warning("could not publish %s to Redis: %s", event_type, exc)

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="trilith-events", daemon=True)
        self._thread.start()
        self.ready.wait(3)

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None
        self._client.close()

    def _run(self) -> None:
        import redis

        failing = False
        while not self._stopping.is_set():
            client = redis.Redis.from_url(self._url, socket_connect_timeout=2)
            pubsub = client.pubsub(ignore_subscribe_messages=True)  # type: ignore[no-untyped-call]
            try:
                pubsub.subscribe(self._channel)
                if failing:
                    log.warning("Redis event relay reconnected")
                failing = False
                self.ready.set()
                while not self._stopping.is_set():
                    message = pubsub.get_message(timeout=0.5)
                    if message is not None:
                        self._receive(message["data"])
            except Exception as exc:
                if not failing:  # once per outage, not once per retry
                    log.warning("Redis event relay interrupted (%s); reconnecting", exc)
                failing = True
                self.ready.set()  # start() does not wait for a Redis that is down
                self._stopping.wait(self.RETRY_S)
            finally:
                pubsub.close()
                client.close()

    def _receive(self, raw: bytes | str) -> None:
        try:
            message = json.loads(raw)
            if message["origin"] == self._bus.origin:
                return
            self._bus._deliver(str(message["type"]), dict(message["data"]))
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("ignored a malformed event from Redis: %s", exc)
