from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import AUTH
from trilith.api import create_app
from trilith.errors import ConfigurationError
from trilith.settings import Settings

PROTECTED = ["/api/sigma/status", "/api/sigma/capabilities", "/api/database/health", "/api/apps"]


@pytest.mark.parametrize("path", PROTECTED)
def test_data_routes_need_the_token(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 401
    assert client.get(path, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get(path, headers={"Authorization": "Basic abc"}).status_code == 401
    assert client.get(path, headers=AUTH).status_code == 200


def test_the_401_says_how_to_authenticate(client: TestClient) -> None:
    error = client.get("/api/apps").json()["error"]
    assert error["type"] == "authentication_required"
    assert "Authorization: Bearer <token>" in error["message"]


def test_health_and_metrics_are_open(client: TestClient) -> None:
    assert client.get("/health").status_code == 200
    assert client.get("/metrics").status_code == 200


def test_auth_none_serves_without_a_token_on_loopback(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(auth="none", host="127.0.0.1")
    assert client.get("/api/apps").status_code == 200


def test_auth_none_is_refused_off_loopback() -> None:
    with pytest.raises(ConfigurationError, match="TRILITH_AUTH=none is for local development"):
        create_app(Settings(warehouse="duckdb:///:memory:", auth="none", host="0.0.0.0"))


def test_events_take_the_token_as_a_query_parameter_for_event_source(client: TestClient) -> None:
    assert client.get("/api/events").status_code == 401
    assert client.get("/api/events?access_token=wrong").status_code == 401
