"""Per-app and per-input-table grants over HTTP on DuckDB and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.auth.helpers import ADMIN, Api, engine_param, served

APP: dict[str, Any] = {
    "id": "crm",
    "title": "CRM",
    "pages": [{"id": "home", "elements": [{"id": "intro", "type": "text", "content": "hi"}]}],
}
OTHER_APP: dict[str, Any] = {**APP, "id": "ops", "title": "Ops"}
NOTES = {
    "id": "notes",
    "name": "Notes",
    "columns": [{"name": "text", "type": "text", "required": True}],
}
ROWS = "/api/sigma/input-tables/notes/rows"
ADD_NOTE: dict[str, Any] = {
    "id": "add_note",
    "name": "Add a note",
    "actions": [
        {
            "type": "insert_rows",
            "parameters": {"target_table": "notes", "column_values": {"text": "from an action"}},
        }
    ],
}


@pytest.fixture(params=["duckdb", "postgres"])
def api(
    request: pytest.FixtureRequest, make_engine_url: Callable[[str], str], unique_schema: str
) -> Iterator[Api]:
    with served(engine_param(request), make_engine_url, unique_schema) as api:
        for app in (APP, OTHER_APP):
            assert api.client.post("/api/apps", json=app, headers=ADMIN).status_code == 201
        api.table(NOTES)
        yield api


def _grant(api: Api, **body: str) -> dict[str, Any]:
    made = api.client.post("/api/grants", json=body, headers=ADMIN)
    assert made.status_code == 201, made.text
    result: dict[str, Any] = made.json()
    return result


def test_an_app_without_grants_is_open_and_grants_narrow_it(api: Api) -> None:
    viewer, _ = api.user("vera", "viewer")
    _, other = api.user("otto", "viewer")
    assert api.client.get("/api/apps/crm", headers=viewer).status_code == 200

    _grant(
        api, principal_type="user", principal=other["user_id"], object_type="app", object_id="crm"
    )
    refused = api.client.get("/api/apps/crm", headers=viewer)
    assert refused.status_code == 403
    assert "grant" in refused.json()["error"]["message"]
    listed = api.client.get("/api/apps", headers=viewer).json()["apps"]
    assert [a["id"] for a in listed] == ["ops"]  # crm is hidden, ops has no grants
    assert api.client.get("/api/apps/crm", headers=ADMIN).status_code == 200  # admins pass

    role = _grant(
        api, principal_type="role", principal="viewer", object_type="app", object_id="crm"
    )
    assert api.client.get("/api/apps/crm", headers=viewer).status_code == 200
    assert {a["id"] for a in api.client.get("/api/apps", headers=viewer).json()["apps"]} == {
        "crm",
        "ops",
    }
    assert api.client.delete(f"/api/grants/{role['grant_id']}", headers=ADMIN).status_code == 204
    assert api.client.get("/api/apps/crm", headers=viewer).status_code == 403


def test_table_grants_separate_view_from_edit(api: Api) -> None:
    editor, made = api.user("eve", "editor")
    _, other = api.user("olga", "editor")
    assert (
        api.client.post(ROWS, json={"rows": [{"text": "open"}]}, headers=editor).status_code == 201
    )

    _grant(
        api,
        principal_type="user",
        principal=other["user_id"],
        object_type="input_table",
        object_id="notes",
        level="edit",
    )
    assert api.client.get(ROWS, headers=editor).status_code == 403
    assert api.client.post(ROWS, json={"rows": [{"text": "no"}]}, headers=editor).status_code == 403

    _grant(
        api,
        principal_type="user",
        principal=made["user_id"],
        object_type="input_table",
        object_id="notes",
        level="view",
    )
    assert api.client.get(ROWS, headers=editor).status_code == 200
    refused = api.client.post(ROWS, json={"rows": [{"text": "no"}]}, headers=editor)
    assert refused.status_code == 403
    assert "edit grant" in refused.json()["error"]["message"]
    assert api.client.get(ROWS, headers=ADMIN).json()["total"] == 1

    # A grant never lifts a role: a viewer with an edit grant still only reads.
    viewer, seen = api.user("val", "viewer")
    _grant(
        api,
        principal_type="user",
        principal=seen["user_id"],
        object_type="input_table",
        object_id="notes",
        level="edit",
    )
    assert api.client.get(ROWS, headers=viewer).status_code == 200
    assert api.client.post(ROWS, json={"rows": [{"text": "no"}]}, headers=viewer).status_code == 403


def test_an_action_cannot_write_where_its_caller_may_not(api: Api) -> None:
    assert api.client.post("/api/sigma/actions", json=ADD_NOTE, headers=ADMIN).status_code == 201
    editor, _ = api.user("ada", "editor")
    _, other = api.user("bob", "editor")
    ran = api.client.post("/api/sigma/actions/add_note/execute", json={}, headers=editor)
    assert ran.json()["success"] is True, ran.text
    _grant(
        api,
        principal_type="user",
        principal=other["user_id"],
        object_type="input_table",
        object_id="notes",
        level="edit",
    )
    refused = api.client.post("/api/sigma/actions/add_note/execute", json={}, headers=editor)
    assert refused.json()["success"] is False
    assert "edit grant" in refused.text
    assert api.client.get(ROWS, headers=ADMIN).json()["total"] == 1


def test_grant_routes_validate_and_are_for_admins(api: Api) -> None:
    editor, made = api.user("ivy", "editor")
    body = {
        "principal_type": "user",
        "principal": made["user_id"],
        "object_type": "app",
        "object_id": "crm",
    }
    assert api.client.post("/api/grants", json=body, headers=editor).status_code == 403
    assert api.client.get("/api/grants", headers=editor).status_code == 403
    missing_user = {**body, "principal": "nobody"}
    assert api.client.post("/api/grants", json=missing_user, headers=ADMIN).status_code == 404
    missing_app = {**body, "object_id": "nope"}
    assert api.client.post("/api/grants", json=missing_app, headers=ADMIN).status_code == 404
    bad_level = {**body, "level": "own"}
    assert api.client.post("/api/grants", json=bad_level, headers=ADMIN).status_code == 422
    bad_role = {**body, "principal_type": "role", "principal": "root"}
    assert api.client.post("/api/grants", json=bad_role, headers=ADMIN).status_code == 422
    first = _grant(api, **body)
    assert api.client.post("/api/grants", json=body, headers=ADMIN).status_code == 409
    listed = api.client.get("/api/grants?object_type=app&object_id=crm", headers=ADMIN).json()
    assert [g["grant_id"] for g in listed["grants"]] == [first["grant_id"]]
    assert api.client.delete("/api/grants/nope", headers=ADMIN).status_code == 404


def test_an_app_table_without_grants_follows_its_app(api: Api) -> None:
    app = {
        **APP,
        "id": "sales",
        "input_tables": [
            {"id": "leads", "name": "Leads", "columns": [{"name": "who", "type": "text"}]}
        ],
    }
    assert api.client.post("/api/apps", json=app, headers=ADMIN).status_code == 201
    viewer, _ = api.user("lee", "viewer")
    _, other = api.user("max", "viewer")
    leads = "/api/sigma/input-tables/leads/rows"
    assert api.client.get(leads, headers=viewer).status_code == 200
    _grant(
        api, principal_type="user", principal=other["user_id"], object_type="app", object_id="sales"
    )
    assert api.client.get(leads, headers=viewer).status_code == 403
    listed = api.client.get("/api/sigma/input-tables", headers=viewer).json()["input_tables"]
    assert "leads" not in [t["id"] for t in listed]  # hidden with its app
    assert "notes" in [t["id"] for t in listed]  # no grants: open

    # A grant on the table itself decides for the table, whatever its app's grants say.
    _, lee = api.user("lee2", "viewer")
    _grant(
        api,
        principal_type="user",
        principal=lee["user_id"],
        object_type="input_table",
        object_id="leads",
    )
    assert api.client.get(leads, headers=viewer).status_code == 403  # not named by it
    _grant(
        api, principal_type="role", principal="viewer", object_type="input_table", object_id="leads"
    )
    assert api.client.get(leads, headers=viewer).status_code == 200


def test_running_an_apps_sequence_needs_a_view_of_the_app(api: Api) -> None:
    app = {
        **APP,
        "id": "desk",
        "controls": [{"id": "who", "type": "text"}],
        "actions": [
            {
                "id": "greet",
                "actions": [{"type": "set_control", "control": "who", "value": "hi"}],
            }
        ],
    }
    assert api.client.post("/api/apps", json=app, headers=ADMIN).status_code == 201
    viewer, _ = api.user("nia", "viewer")
    _, other = api.user("oli", "viewer")
    body = {"sequence_id": "greet", "app_id": "desk", "context": {}}
    ran = api.client.post("/api/actions/execute", json=body, headers=viewer)
    assert ran.status_code == 200, ran.text
    assert ran.json()["success"] is True
    _grant(
        api, principal_type="user", principal=other["user_id"], object_type="app", object_id="desk"
    )
    refused = api.client.post("/api/actions/execute", json=body, headers=viewer)
    assert refused.status_code == 403
    assert "no view grant on app 'desk'" in refused.json()["error"]["message"]
