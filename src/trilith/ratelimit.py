"""Rate limits per actor and route class, counted by the `limits` library.

In one process the counts live in memory; with `TRILITH_REDIS_URL` they live in Redis,
so every server process shares them. The window is a moving one: `30/minute` allows
30 hits in any 60 seconds. A refused hit raises `RateLimited` with the seconds until
the next one is allowed (the `Retry-After` of the 429). When Redis cannot be reached the
hit is let through with a warning: `/health` then reports the server degraded.

Route classes and their settings:

=========  ==============================  ==========
class      setting                         default
=========  ==============================  ==========
execute    `TRILITH_ACTION_RATE_LIMIT`     30/minute
status     `TRILITH_STATUS_RATE_LIMIT`     100/minute
=========  ==============================  ==========
"""

from __future__ import annotations

import logging
import math
import time
from typing import TYPE_CHECKING

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter

from trilith.errors import RateLimited

if TYPE_CHECKING:
    from trilith.settings import Settings

__all__ = ["ROUTE_CLASSES", "RateLimiter", "parse_rate"]

log = logging.getLogger("trilith.ratelimit")

_UNITS = {"second": 1, "minute": 60, "hour": 3600}

# Route class → the settings field holding its rate.
ROUTE_CLASSES = {"execute": "action_rate_limit", "status": "status_rate_limit"}


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


class RateLimiter:
    """Moving-window limits in memory (`redis_url=None`) or in Redis."""

    def __init__(self, redis_url: str | None = None) -> None:
        self.storage: Storage = (
            RedisStorage(redis_url, socket_timeout=2, socket_connect_timeout=2)
            if redis_url
            else MemoryStorage()
        )
        self.backend = "redis" if redis_url else "memory"
        self._strategy = MovingWindowRateLimiter(self.storage)

    def hit(self, key: str, limit: int, window_s: int) -> None:
        item: RateLimitItem = RateLimitItemPerSecond(limit, window_s, namespace="trilith")
        try:
            if self._strategy.hit(item, key):
                return
            reset_at, _remaining = self._strategy.get_window_stats(item, key)
        except Exception as exc:
            # Redis unreachable: the server is degraded (see /health), not down, so the
            # request goes through uncounted rather than failing.
            log.warning("rate limit of %s not counted: %s", key, exc)
            return
        retry = max(1, math.ceil(reset_at - time.time()))
        raise RateLimited(
            f"rate limit of {limit} per {window_s} s reached; retry in {retry} s",
            retry_after=retry,
        )

    def check(self, settings: Settings, route_class: str, actor_id: str) -> None:
        """Count one request of `route_class` by `actor_id` against its configured rate."""
        limit, window = parse_rate(getattr(settings, ROUTE_CLASSES[route_class]))
        self.hit(f"{route_class}:{actor_id}", limit, window)

    def reset(self) -> None:
        self.storage.reset()
