"""Actions over HTTP on DuckDB and PostgreSQL: define, execute, status, control, history."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import AUTH, TOKEN
from trilith.api import create_app
from trilith.engines import create_engine
from trilith.settings import Settings
from trilith.sql.ddl import drop_schema

ADD_ROW: dict[str, Any] = {
    "id": "add_request",
    "name": "Add a request",
    "actions": [
        {
            "type": "insert_rows",
            "parameters": {
                "target_table": "requests",
                "column_values": {"title": {"type": "control", "control_id": "title"}},
            },
            "output_variable": "new_id",
        },
        {"type": "show_alert", "parameters": {"title": '="Added " & [Control/title]'}},
    ],
}


@pytest.fixture(params=["duckdb", "postgres"])
def api(
    request: pytest.FixtureRequest, make_engine_url: Callable[[str], str], unique_schema: str
) -> Iterator[TestClient]:
    if request.param == "postgres":
        request.applymarker(pytest.mark.postgres)
    url = make_engine_url(request.param)
    settings = Settings(
        warehouse=url,
        admin_token=TOKEN,
        writeback_schema=unique_schema,
        action_rate_limit="50/minute",
    )
    with TestClient(create_app(settings)) as client:
        client.post(
            "/api/sigma/input-tables",
            json={
                "id": "requests",
                "name": "Requests",
                "columns": [{"name": "title", "type": "text", "required": True}],
            },
            headers=AUTH,
        )
        yield client
    if request.param == "postgres":
        engine = create_engine(url)
        engine.execute(drop_schema(unique_schema))
        engine.close()


def test_define_list_get_patch_delete(api: TestClient) -> None:
    created = api.post("/api/sigma/actions", json=ADD_ROW, headers=AUTH)
    assert created.status_code == 201, created.text
    assert api.post("/api/sigma/actions", json=ADD_ROW, headers=AUTH).status_code == 409
    assert [a["id"] for a in api.get("/api/sigma/actions", headers=AUTH).json()["actions"]] == [
        "add_request"
    ]
    patched = api.patch(
        "/api/sigma/actions/add_request",
        json={"name": "Add one", "stopOnError": False},
        headers=AUTH,
    )
    assert (patched.json()["name"], patched.json()["stop_on_error"]) == ("Add one", False)
    assert api.get("/api/sigma/actions/add_request", headers=AUTH).json()["name"] == "Add one"
    assert api.delete("/api/sigma/actions/add_request", headers=AUTH).status_code == 204
    assert api.get("/api/sigma/actions/add_request", headers=AUTH).status_code == 404


def test_a_bad_definition_is_422_and_nothing_is_stored(api: TestClient) -> None:
    bad = {
        "id": "bad",
        "actions": [
            {"type": "insert_rows", "parameters": {"target_table": "nope", "column_values": {}}}
        ],
    }
    response = api.post("/api/sigma/actions", json=bad, headers=AUTH)
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "actions[0].parameters.target_table"
    assert api.get("/api/sigma/actions", headers=AUTH).json()["total"] == 0


def test_execute_both_routes_and_read_status(api: TestClient) -> None:
    api.post("/api/sigma/actions", json=ADD_ROW, headers=AUTH)
    first = api.post(
        "/api/sigma/actions/add_request/execute",
        json={"context": {"controls": {"title": "Laptops"}}},
        headers=AUTH,
    )
    assert first.status_code == 200
    body = first.json()
    assert body["success"] is True
    assert body["effects"] == [
        {"type": "show_alert", "title": "Added Laptops", "text": None, "level": "info"}
    ]
    assert body["result"]["data_modified"] is True
    assert len(body["result"]["output_variables"]["new_id"]) == 32
    second = api.post(
        "/api/actions/execute",
        json={"sequenceId": "add_request", "context": {"controls": {"title": "Desks"}}},
        headers=AUTH,
    )
    assert second.json()["status"] == "completed"
    rows = api.get("/api/sigma/input-tables/requests/rows?sort=title", headers=AUTH).json()["rows"]
    assert [r["title"] for r in rows] == ["Desks", "Laptops"]
    status = api.get("/api/actions/sequences/add_request/status", headers=AUTH).json()
    assert (status["status"], status["progress"]["percentage"]) == ("completed", 100)
    run = api.get(
        f"/api/actions/runs/{second.json()['result']['execution_id']}", headers=AUTH
    ).json()
    assert run["steps"][0]["type"] == "insert_rows"


def test_a_failed_run_reports_its_error(api: TestClient) -> None:
    api.post("/api/sigma/actions", json=ADD_ROW, headers=AUTH)
    failed = api.post(
        "/api/actions/execute",
        json={"sequence_id": "add_request", "context": {"controls": {"title": None}}},
        headers=AUTH,
    )
    body = failed.json()
    assert (body["success"], body["status"]) == (False, "failed")
    assert "a value is required" in body["error"]


def test_idempotency_key_returns_the_first_run(api: TestClient) -> None:
    api.post("/api/sigma/actions", json=ADD_ROW, headers=AUTH)
    headers = {**AUTH, "Idempotency-Key": "req-77"}
    payload = {"sequence_id": "add_request", "context": {"controls": {"title": "Once"}}}
    first = api.post("/api/actions/execute", json=payload, headers=headers).json()
    again = api.post("/api/actions/execute", json=payload, headers=headers).json()
    assert first["result"]["execution_id"] == again["result"]["execution_id"]
    assert api.get("/api/sigma/input-tables/requests/rows", headers=AUTH).json()["total"] == 1


def test_pause_and_resume_a_sequence(api: TestClient) -> None:
    api.post("/api/sigma/actions", json=ADD_ROW, headers=AUTH)
    paused = api.post(
        "/api/actions/sequences/add_request/control", json={"action": "pause"}, headers=AUTH
    ).json()
    assert paused["result"]["is_paused"] is True
    refused = api.post("/api/actions/execute", json={"sequence_id": "add_request"}, headers=AUTH)
    assert refused.status_code == 409
    assert "is paused" in refused.json()["error"]["message"]
    api.post("/api/actions/sequences/add_request/control", json={"action": "resume"}, headers=AUTH)
    again = api.post(
        "/api/actions/execute",
        json={"sequence_id": "add_request", "context": {"controls": {"title": "x"}}},
        headers=AUTH,
    )
    assert again.json()["status"] == "completed"
    bad = api.post(
        "/api/actions/sequences/add_request/control", json={"action": "explode"}, headers=AUTH
    )
    assert bad.status_code == 422


def test_history_pages_and_caps_the_limit(api: TestClient) -> None:
    api.post("/api/sigma/actions", json=ADD_ROW, headers=AUTH)
    for n in range(3):
        api.post(
            "/api/actions/execute",
            json={"sequence_id": "add_request", "context": {"controls": {"title": f"t{n}"}}},
            headers=AUTH,
        )
    page = api.get("/api/actions/history?limit=2&page=2", headers=AUTH).json()
    assert page["pagination"] == {
        "current_page": 2,
        "total_pages": 2,
        "total_records": 3,
        "has_next": False,
        "has_previous": True,
    }
    assert len(page["history"]) == 1
    capped = api.get("/api/actions/history?limit=1000", headers=AUTH).json()
    assert capped["pagination"]["total_pages"] == 1
    completed = api.get("/api/actions/history?status=failed", headers=AUTH).json()
    assert completed["pagination"]["total_records"] == 0


def test_execution_is_rate_limited(
    make_engine_url: Callable[[str], str], unique_schema: str
) -> None:
    settings = Settings(
        warehouse=make_engine_url("duckdb"),
        admin_token=TOKEN,
        writeback_schema=unique_schema,
        action_rate_limit="2/minute",
    )
    with TestClient(create_app(settings)) as api:
        api.post(
            "/api/sigma/actions",
            json={"id": "noop", "actions": [{"type": "show_alert", "title": "hi"}]},
            headers=AUTH,
        )
        statuses = [
            api.post("/api/actions/execute", json={"sequence_id": "noop"}, headers=AUTH)
            for _ in range(3)
        ]
        assert [r.status_code for r in statuses] == [200, 200, 429]
        limited = statuses[-1]
        assert int(limited.headers["Retry-After"]) > 0
        assert limited.json()["error"]["type"] == "rate_limited"


def test_metrics_count_actions(api: TestClient) -> None:
    api.post("/api/sigma/actions", json=ADD_ROW, headers=AUTH)
    api.post(
        "/api/actions/execute",
        json={"sequence_id": "add_request", "context": {"controls": {"title": "m"}}},
        headers=AUTH,
    )
    deadline = time.monotonic() + 2
    text = ""
    while (
        time.monotonic() < deadline and 'trilith_action_runs_total{status="completed"}' not in text
    ):
        text = api.get("/metrics").text
    assert 'trilith_action_runs_total{status="completed"} 1.0' in text
    assert 'trilith_actions_total{status="completed",type="insert_rows"} 1.0' in text
