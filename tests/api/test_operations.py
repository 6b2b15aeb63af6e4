"""Health, metrics, request ids and the error shape over HTTP."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.api.conftest import AUTH

ERROR_KEYS = {"type", "message", "details", "error_id", "request_id"}


def test_health_reports_each_service(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "healthy"
    assert body["services"]["warehouse"]["status"] == "up"
    assert "redis" not in body["services"]
    assert body["version"]
    assert body["uptime_s"] >= 0


def test_health_is_degraded_when_redis_is_configured_but_down(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(redis_url="redis://127.0.0.1:1/0")
    body = client.get("/health").json()
    assert body["status"] == "degraded"
    assert body["services"]["redis"]["status"] == "down"
    assert body["services"]["redis"]["error"]


def test_request_ids_are_echoed_or_generated(client: TestClient) -> None:
    echoed = client.get("/health", headers={"X-Request-ID": "req-123"})
    assert echoed.headers["x-request-id"] == "req-123"
    generated = client.get("/health")
    assert re.fullmatch(r"[0-9a-f]{32}", generated.headers["x-request-id"])
    unsafe = client.get("/health", headers={"X-Request-ID": "bad id\twith spaces"})
    assert unsafe.headers["x-request-id"] != "bad id\twith spaces"


def test_errors_have_one_shape_and_carry_the_request_id(client: TestClient) -> None:
    missing = client.get("/api/nothing-here", headers={**AUTH, "X-Request-ID": "r-404"})
    assert missing.status_code == 404
    error = missing.json()["error"]
    assert set(error) == ERROR_KEYS
    assert error["type"] == "not_found"
    assert error["request_id"] == "r-404"
    assert "Traceback" not in missing.text


def test_wrong_method_is_405_in_the_same_shape(client: TestClient) -> None:
    response = client.delete("/health")
    assert response.status_code == 405
    assert response.json()["error"]["type"] == "method_not_allowed"


def test_metrics_count_requests_by_route_template_and_status(client: TestClient) -> None:
    client.get("/health")
    client.get("/api/apps")  # 401
    client.get("/api/apps", headers=AUTH)
    client.get("/no/such/route/123")
    text = client.get("/metrics").text
    assert 'trilith_http_requests_total{method="GET",route="/health",status="200"} 1.0' in text
    assert 'trilith_http_requests_total{method="GET",route="/api/apps",status="401"} 1.0' in text
    assert 'trilith_http_requests_total{method="GET",route="/api/apps",status="200"} 1.0' in text
    assert 'route="<unmatched>",status="404"' in text
    assert "trilith_http_request_duration_seconds_bucket" in text


def test_openapi_is_served(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert "/api/sigma/status" in schema["paths"]
    assert "/health" in schema["paths"]


def test_root_page_points_to_the_api_when_no_ui_is_built(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert 'href="/docs"' in response.text


def test_every_response_carries_security_headers(client: TestClient) -> None:
    for path in ("/health", "/", "/api/nothing"):
        headers = client.get(path).headers
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert "frame-ancestors 'self'" in headers["content-security-policy"]
        assert "script-src 'self'" in headers["content-security-policy"]


def test_a_huge_json_body_is_413_before_it_is_read(client: TestClient) -> None:
    from trilith.api.security import MAX_JSON_BYTES

    response = client.post(
        "/api/apps",
        content=b"{}",
        headers={
            **AUTH,
            "Content-Type": "application/json",
            "Content-Length": str(MAX_JSON_BYTES + 1),
        },
    )
    assert response.status_code == 413
    assert response.json()["error"]["type"] == "payload_too_large"
