from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

pytestmark = pytest.mark.redis


def test_health_checks_a_configured_redis(
    make_client: Callable[..., TestClient], redis_url: str
) -> None:
    body = make_client(redis_url=redis_url).get("/health").json()
    assert body["status"] == "healthy"
    assert body["services"]["redis"]["status"] == "up"
