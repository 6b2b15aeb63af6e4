"""Hardening over HTTP: body limits per route, JSON depth, CORS for trusted origins,
structured logs with request id and actor, error ids, metrics, audit attribution and
shared rate limits in Redis."""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlglot import exp

from tests.api.conftest import AUTH
from trilith.api.security import DEFAULT_JSON_BYTES, MAX_JSON_DEPTH, json_depth_exceeds
from trilith.observability.logs import configure_logging
from trilith.sql.ddl import table

JSON = {**AUTH, "Content-Type": "application/json"}
TABLE = {"name": "Notes", "columns": [{"name": "title", "type": "text"}]}


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def test_json_depth_is_measured_without_parsing() -> None:
    assert not json_depth_exceeds(nested(MAX_JSON_DEPTH))
    assert json_depth_exceeds(nested(MAX_JSON_DEPTH + 1))
    # Brackets inside strings (escaped quotes included) are not structure.
    text = json.dumps({"a": "[" * 500 + '\\"{' * 200, "b": [[{"c": "]]]"}]]}).encode()
    assert not json_depth_exceeds(text)
    mixed = (b'{"x":' * 40) + (b"[" * 30) + b"1" + (b"]" * 30) + (b"}" * 40)
    assert json_depth_exceeds(mixed)
    assert not json_depth_exceeds(b'[{"a": [1, 2, {"b": []}]}]' * 1000)


def test_a_deep_json_body_is_422_before_any_parser_recurses(client: TestClient) -> None:
    response = client.post("/api/apps", content=nested(100_000), headers=JSON)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["type"] == "validation_failed"
    assert f"more than {MAX_JSON_DEPTH} levels" in error["message"]
    # Just under the limit, the body reaches the route (and fails there as an app spec).
    shallow = client.post("/api/apps", content=nested(MAX_JSON_DEPTH), headers=JSON)
    assert shallow.status_code in (400, 422)
    assert "levels" not in shallow.json()["error"]["message"]


def test_body_limits_depend_on_the_route(client: TestClient) -> None:
    big = json.dumps({"name": "x" * (2 * DEFAULT_JSON_BYTES)}).encode()
    small_route = client.post("/api/sigma/layout-elements", content=big, headers=JSON)
    assert small_route.status_code == 413
    message = small_route.json()["error"]["message"]
    assert f"{DEFAULT_JSON_BYTES:,} bytes" in message
    # The rows route takes pasted batches up to 25 MiB: this body reaches the route.
    rows_route = client.post(
        "/api/sigma/input-tables/no_such_table/rows", content=big, headers=JSON
    )
    assert rows_route.status_code != 413


def test_a_chunked_body_past_the_limit_is_413(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"name": "'
        for _ in range(40):
            yield b"x" * 65536
        yield b'"}'

    response = client.post("/api/sigma/layout-elements", content=chunks(), headers=JSON)
    assert response.status_code == 413
    assert response.json()["error"]["type"] == "payload_too_large"


def test_cors_answers_trusted_origins_only(make_client: Callable[..., TestClient]) -> None:
    client = make_client(trusted_origins="https://app.example.com,https://*.corp.example")
    preflight = {"Access-Control-Request-Method": "POST"}
    for origin in ("https://app.example.com", "https://bi.eu.corp.example"):
        allowed = client.options("/api/apps", headers={"Origin": origin, **preflight})
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == origin
        assert "Authorization" in allowed.headers["access-control-allow-headers"]
        simple = client.get("/health", headers={"Origin": origin})
        assert simple.headers["access-control-allow-origin"] == origin
    for origin in ("https://evil.example", "https://corp.example", "http://app.example.com"):
        refused = client.options("/api/apps", headers={"Origin": origin, **preflight})
        assert refused.status_code == 400
        assert "access-control-allow-origin" not in refused.headers
        simple = client.get("/health", headers={"Origin": origin})
        assert "access-control-allow-origin" not in simple.headers


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = configure_logging("json")
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    yield stream
    for name in ("trilith", "uvicorn"):
        logger = logging.getLogger(name)
        logger.removeHandler(handler)
        logger.propagate = True
    logging.getLogger("uvicorn.access").disabled = False


def entries(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_every_request_logs_one_json_line_with_request_id_and_actor(
    client: TestClient, json_log: io.StringIO
) -> None:
    client.get("/api/apps", headers={**AUTH, "X-Request-ID": "req-json-1"})
    client.get("/health", headers={"X-Request-ID": "req-json-2"})
    access = [e for e in entries(json_log) if e["logger"] == "trilith.access"]
    first = next(e for e in access if e["request_id"] == "req-json-1")
    assert first["actor"] == "admin"
    assert first["status"] == 200
    assert first["route"] == "/api/apps"
    assert first["method"] == "GET"
    assert first["duration_ms"] >= 0
    assert first["level"] == "info"
    assert first["ts"].endswith("+00:00")
    second = next(e for e in access if e["request_id"] == "req-json-2")
    assert second["actor"] is None


def test_a_500_carries_the_error_id_of_its_log_entry(
    client: TestClient, json_log: io.StringIO
) -> None:
    def boom() -> None:
        raise RuntimeError("secret internal detail")

    client.app.add_api_route("/boom", boom)  # type: ignore[attr-defined]
    response = client.get("/boom", headers={"X-Request-ID": "req-boom"})
    assert response.status_code == 500
    error = response.json()["error"]
    assert error["type"] == "internal_error"
    assert "secret internal detail" not in response.text
    logged = [e for e in entries(json_log) if e.get("error_id") == error["error_id"]]
    assert len(logged) == 1
    assert logged[0]["level"] == "error"
    assert logged[0]["request_id"] == "req-boom"
    assert "secret internal detail" in logged[0]["exc_info"]


def test_health_is_refreshed_in_the_background_with_timings(client: TestClient) -> None:
    monitor = client.app.state.health_monitor  # type: ignore[attr-defined]
    deadline = time.monotonic() + 10
    while monitor._last is None and time.monotonic() < deadline:  # the start-up check
        time.sleep(0.01)
    checks = monitor._checks
    runs: list[int] = []

    def counted() -> Any:
        runs.append(1)
        return checks()

    monitor._checks = counted
    first = client.get("/health").json()
    second = client.get("/health").json()
    # The background report answers both: no request ran a check of its own.
    assert runs == []
    assert first["checked_at"] == second["checked_at"]
    warehouse = first["services"]["warehouse"]
    assert warehouse["status"] == "up"
    assert warehouse["latency_ms"] >= 0
    assert warehouse["last_check"] == first["checked_at"]
    before = monitor.report().checked_at
    monitor.check_now()
    assert len(runs) == 1
    assert monitor.report().checked_at > before
    client.get("/health")
    assert len(runs) == 1
    metrics = client.get("/metrics").text
    assert 'trilith_service_up{service="warehouse"} 1.0' in metrics
    assert 'trilith_service_check_seconds{service="warehouse"}' in metrics


def test_metrics_cover_writebacks_imports_and_warehouse_queries(client: TestClient) -> None:
    table_id = client.post("/api/sigma/input-tables", json=TABLE, headers=AUTH).json()["id"]
    rows = client.post(
        f"/api/sigma/input-tables/{table_id}/rows",
        json={"rows": [{"title": "a"}, {"title": "b"}]},
        headers=AUTH,
    )
    assert rows.status_code in (200, 201), rows.text
    upload = client.post(
        "/api/sigma/input-tables",
        files={"file": ("people.csv", b"name,age\nada,36\nalan,41\n", "text/csv")},
        data={"name": "People"},
        headers=AUTH,
    )
    assert upload.status_code == 201, upload.text
    text = client.get("/metrics").text
    assert 'trilith_writebacks_total{operation="insert"} 1.0' in text
    assert 'trilith_writeback_rows_total{operation="insert"} 2.0' in text
    assert 'trilith_csv_imports_total{status="imported"} 1.0' in text
    assert "trilith_csv_import_rows_total 2.0" in text
    assert 'trilith_warehouse_query_duration_seconds_count{engine="duckdb",outcome="ok"}' in text


def test_every_definition_write_is_attributed_in_the_audit_log(client: TestClient) -> None:
    created = client.post(
        "/api/sigma/input-tables", json=TABLE, headers={**AUTH, "X-Request-ID": "audit-1"}
    )
    table_id = created.json()["id"]
    changed = client.patch(
        f"/api/sigma/input-tables/{table_id}",
        json={"name": "Notes renamed"},
        headers={**AUTH, "X-Request-ID": "audit-2"},
    )
    assert changed.status_code == 200, changed.text
    assert client.delete(f"/api/sigma/input-tables/{table_id}", headers=AUTH).status_code == 204
    warehouse = client.app.state.warehouse  # type: ignore[attr-defined]
    audit = warehouse.engine.fetch_dicts(
        exp.select("actor", "action", "target_id", "before_values", "after_values", "request_id")
        .from_(table(warehouse.schema, "audit_log"))
        .where(exp.column("target_id").eq(exp.Literal.string(table_id)))
    )
    assert len(audit) >= 3
    assert {entry["actor"] for entry in audit} == {"admin"}
    assert {"audit-1", "audit-2"} <= {entry["request_id"] for entry in audit}
    assert any(entry["before_values"] and entry["after_values"] for entry in audit)


@pytest.mark.redis
def test_rate_limits_are_shared_through_redis(
    make_client: Callable[..., TestClient], redis_url: str
) -> None:
    first = make_client(redis_url=redis_url, status_rate_limit="3/minute")
    second = make_client(redis_url=redis_url, status_rate_limit="3/minute")
    assert first.app.state.rate_limiter.backend == "redis"  # type: ignore[attr-defined]
    first.app.state.rate_limiter.reset()  # type: ignore[attr-defined]
    url = "/api/actions/sequences/no_such_sequence/status"
    statuses = [
        first.get(url, headers=AUTH).status_code,
        second.get(url, headers=AUTH).status_code,
        first.get(url, headers=AUTH).status_code,
    ]
    assert 429 not in statuses
    limited = second.get(url, headers=AUTH)
    assert limited.status_code == 429
    assert limited.json()["error"]["type"] == "rate_limited"
    assert 0 < int(limited.headers["Retry-After"]) <= 60
    # Another route class keeps its own count.
    assert (
        first.post(
            "/api/actions/execute", json={"sequence_id": "no_such_sequence"}, headers=AUTH
        ).status_code
        != 429
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"id": 'x"; DROP TABLE y; --', **TABLE}, "id"),
        ({"name": "N", "columns": [{"name": 'a"b', "type": "text"}]}, "columns[0].name"),
        ({"name": "N", "columns": [{"name": "_row_id", "type": "text"}]}, "columns[0].name"),
    ],
)
def test_identifiers_are_validated_and_nothing_is_created(
    client: TestClient, body: dict[str, Any], field: str
) -> None:
    response = client.post("/api/sigma/input-tables", json=body, headers=AUTH)
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == field
    assert client.get("/api/sigma/input-tables", headers=AUTH).json()["total"] == 0
    hostile = client.get('/api/sigma/input-tables/x";drop/rows', headers=AUTH)
    assert hostile.status_code == 404


def test_an_unreachable_redis_degrades_rate_limiting_without_failing_requests(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(redis_url="redis://127.0.0.1:1/0", status_rate_limit="1/minute")
    url = "/api/actions/sequences/no_such_sequence/status"
    statuses = [client.get(url, headers=AUTH).status_code for _ in range(3)]
    assert statuses == [404, 404, 404]  # uncounted, not 500
    assert client.get("/health").json()["status"] == "degraded"
