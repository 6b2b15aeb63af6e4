"""Rate limits: a fixed number of hits per key in a time window.

In one process the limiter keeps a sliding window in memory; with `TRILITH_REDIS_URL`
the count lives in Redis (a fixed window per key), so several processes share it.
A refused hit raises `RateLimited` with the seconds until the next one is allowed.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from typing import Protocol

from trilith.errors import RateLimited

__all__ = ["MemoryRateLimiter", "RateLimiter", "RedisRateLimiter", "parse_rate"]

_UNITS = {"second": 1, "minute": 60, "hour": 3600}


def parse_rate(text: str) -> tuple[int, int]:
    """`30/minute` → (30, 60)."""
    count, _, unit = text.partition("/")
    try:
        limit = int(count)
        window = _UNITS[unit.strip().rstrip("s")]
    except (ValueError, KeyError):
        raise ValueError(f"a rate is N/second, N/minute or N/hour, not {text!r}") from None
    if limit < 1:
        raise ValueError("a rate allows at least 1 hit")
    return limit, window


class RateLimiter(Protocol):
    def hit(self, key: str, limit: int, window_s: int) -> None: ...


class MemoryRateLimiter:
    def __init__(self) -> None:
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, limit: int, window_s: int) -> None:
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - window_s:
                hits.popleft()
            if len(hits) >= limit:
                retry = max(1, math.ceil(hits[0] + window_s - now))
                raise RateLimited(
                    f"rate limit of {limit} per {window_s} s reached; retry in {retry} s",
                    retry_after=retry,
                )
            hits.append(now)


class RedisRateLimiter:
    def __init__(self, url: str) -> None:
        import redis

        self._client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    def hit(self, key: str, limit: int, window_s: int) -> None:
        window = int(time.time() // window_s)
        name = f"trilith:rate:{key}:{window}"
        pipe = self._client.pipeline()
        pipe.incr(name)
        pipe.expire(name, window_s + 1)
        count = int(pipe.execute()[0])
        if count > limit:
            retry = max(1, math.ceil((window + 1) * window_s - time.time()))
            raise RateLimited(
                f"rate limit of {limit} per {window_s} s reached; retry in {retry} s",
                retry_after=retry,
            )
