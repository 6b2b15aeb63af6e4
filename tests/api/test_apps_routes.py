"""Apps and seed 000's layout-element collection over HTTP, on DuckDB and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import AUTH, TOKEN
from trilith.api import create_app
from trilith.apply import run_sql_file
from trilith.engines import create_engine
from trilith.settings import Settings
from trilith.sql.ddl import drop_schema

ROOT = Path(__file__).resolve().parents[2]
SHOWCASE = (ROOT / "examples" / "showcase" / "app.yaml").read_text()
YAML = {**AUTH, "Content-Type": "application/yaml"}

SMALL_APP: dict[str, Any] = {
    "id": "small",
    "title": "Small",
    "pages": [
        {
            "id": "home",
            "elements": [
                {"id": "box", "type": "container", "density": 12, "children": []},
                {"id": "intro", "type": "text", "content": "hello"},
            ],
        }
    ],
}


@pytest.fixture(params=["duckdb", "postgres"])
def api(
    request: pytest.FixtureRequest, make_engine_url: Callable[[str], str], unique_schema: str
) -> Iterator[TestClient]:
    if request.param == "postgres":
        request.applymarker(pytest.mark.postgres)
    url = make_engine_url(request.param)
    settings = Settings(warehouse=url, admin_token=TOKEN, writeback_schema=unique_schema)
    with TestClient(create_app(settings)) as client:
        yield client
    if request.param == "postgres":
        engine = create_engine(url)
        engine.execute(drop_schema(unique_schema))
        engine.execute(drop_schema("analytics"))
        engine.close()


def version_of(api: TestClient, app_id: str) -> int:
    return int(api.get(f"/api/apps/{app_id}", headers=AUTH).json()["version"])


def test_post_yaml_then_json_is_idempotent(api: TestClient) -> None:
    run_sql_file(api.app.state.warehouse.engine, ROOT / "examples" / "showcase" / "seed.sql")  # type: ignore[attr-defined]
    created = api.post("/api/apps", content=SHOWCASE, headers=YAML)
    assert created.status_code == 201
    assert created.json()["created"] is True
    assert created.json()["input_tables"] == {"deal_notes": "created", "region_targets": "created"}
    notes = api.get("/api/sigma/input-tables/deal_notes", headers=AUTH).json()
    assert notes["app_id"] == "showcase"
    resolved = api.get("/api/apps/showcase", headers=AUTH).json()
    again = api.post("/api/apps", json=resolved["app"], headers=AUTH)
    assert again.status_code == 200
    assert again.json()["changed"] is False
    assert set(again.json()["input_tables"].values()) == {"unchanged"}
    listed = api.get("/api/apps", headers=AUTH).json()
    assert [a["id"] for a in listed["apps"]] == ["showcase"]


def test_get_app_returns_the_resolved_spec(api: TestClient) -> None:
    api.post("/api/apps", json=SMALL_APP, headers=AUTH)
    body = api.get("/api/apps/small", headers=AUTH).json()
    container = body["app"]["pages"][0]["elements"][0]
    # Defaults are filled in, so the UI needs no knowledge of them.
    assert container["spacing"] == "medium"
    assert container["visible"] is True
    assert body["version"] == 1


def test_invalid_spec_is_422_with_every_problem_and_nothing_stored(api: TestClient) -> None:
    bad = SHOWCASE.replace("density: 12", "density: 10", 1).replace("width: md", "width: huge", 1)
    response = api.post("/api/apps", content=bad, headers=YAML)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["type"] == "validation_failed"
    assert len(error["details"]) >= 2
    first = error["details"][0]
    assert first["file"] == "request body"
    assert first["line"] > 0
    assert "use one of" in error["message"]
    assert api.get("/api/apps", headers=AUTH).json()["total"] == 0


def test_bad_bodies(api: TestClient) -> None:
    malformed = api.post(
        "/api/apps", content=b"{not json", headers={**AUTH, "Content-Type": "application/json"}
    )
    assert malformed.status_code == 400
    assert malformed.json()["error"]["message"].startswith("malformed JSON body")
    wrong_type = api.post(
        "/api/apps", content=b"id=x", headers={**AUTH, "Content-Type": "text/plain"}
    )
    assert wrong_type.status_code == 415
    assert api.get("/api/apps/nope", headers=AUTH).status_code == 404


def test_layout_element_lifecycle(api: TestClient) -> None:
    api.post("/api/apps", json=SMALL_APP, headers=AUTH)
    created = api.post(
        "/api/sigma/layout-elements",
        json={
            "appId": "small",
            "parentId": "box",
            "id": "note",
            "type": "text",
            "config": {"content": "n"},
        },
        headers=AUTH,
    )
    assert created.status_code == 201
    row = created.json()
    assert (row["parent_id"], row["nesting_level"], row["config"]["content"]) == ("box", 1, "n")
    changed = api.patch("/api/sigma/layout-elements/note", json={"content": "m"}, headers=AUTH)
    assert changed.json()["config"]["content"] == "m"
    listed = api.get("/api/sigma/layout-elements?app_id=small&parent_id=box", headers=AUTH).json()
    assert [r["id"] for r in listed["layout_elements"]] == ["note"]
    assert api.delete("/api/sigma/layout-elements/note", headers=AUTH).status_code == 204
    assert api.get("/api/sigma/layout-elements/note", headers=AUTH).status_code == 404
    assert version_of(api, "small") == 4


@pytest.mark.parametrize(
    ("body", "rule"),
    [
        (
            {"appId": "small", "element": {"id": "intro", "type": "text", "content": "x"}},
            "duplicate id 'intro'",
        ),
        (
            {
                "appId": "small",
                "parentId": "intro",
                "element": {"id": "x", "type": "text", "content": "x"},
            },
            "text 'intro' cannot hold child elements",
        ),
        (
            {
                "appId": "small",
                "parentId": "box",
                "element": {
                    "id": "wide",
                    "type": "text",
                    "content": "w",
                    "position": {"x": 8, "y": 0, "w": 6, "h": 1},
                },
            },
            "12",
        ),
        (
            {"appId": "small", "element": {"id": "pop", "type": "popover", "anchor": "nothing"}},
            "nothing",
        ),
        ({"appId": "small", "element": {"id": "c", "type": "carousel"}}, "carousel"),
    ],
)
def test_an_invalid_element_is_refused_and_nothing_is_stored(
    api: TestClient, body: dict[str, Any], rule: str
) -> None:
    api.post("/api/apps", json=SMALL_APP, headers=AUTH)
    response = api.post("/api/sigma/layout-elements", json=body, headers=AUTH)
    assert response.status_code == 422, response.text
    assert rule in response.json()["error"]["message"]
    assert version_of(api, "small") == 1
    assert api.get("/api/sigma/layout-elements?app_id=small", headers=AUTH).json()["total"] == 2


def test_nesting_deeper_than_four_levels_is_refused(api: TestClient) -> None:
    api.post("/api/apps", json=SMALL_APP, headers=AUTH)
    parent = "box"
    for level in range(1, 4):
        response = api.post(
            "/api/sigma/layout-elements",
            json={
                "appId": "small",
                "parentId": parent,
                "element": {"id": f"c{level}", "type": "container"},
            },
            headers=AUTH,
        )
        assert response.status_code == 201, response.text
        assert response.json()["nesting_level"] == level
        parent = f"c{level}"
    too_deep = api.post(
        "/api/sigma/layout-elements",
        json={"appId": "small", "parentId": parent, "element": {"id": "c4", "type": "container"}},
        headers=AUTH,
    )
    assert too_deep.status_code == 422
    assert "4" in too_deep.json()["error"]["message"]


def test_the_same_element_id_in_two_apps_needs_app_id(api: TestClient) -> None:
    api.post("/api/apps", json=SMALL_APP, headers=AUTH)
    api.post("/api/apps", json={**SMALL_APP, "id": "other"}, headers=AUTH)
    ambiguous = api.get("/api/sigma/layout-elements/intro", headers=AUTH)
    assert ambiguous.status_code == 409
    assert "add ?app_id=" in ambiguous.json()["error"]["message"]
    chosen = api.get("/api/sigma/layout-elements/intro?app_id=other", headers=AUTH)
    assert chosen.json()["app_id"] == "other"


def test_concurrent_element_edits_never_lose_one_silently(api: TestClient) -> None:
    api.post("/api/apps", json=SMALL_APP, headers=AUTH)
    statuses: list[int] = []

    def add(i: int) -> None:
        response = api.post(
            "/api/sigma/layout-elements",
            json={"appId": "small", "element": {"id": f"t{i}", "type": "text", "content": str(i)}},
            headers=AUTH,
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=add, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(statuses) <= {201, 409}
    stored = api.get("/api/sigma/layout-elements?app_id=small&type=text", headers=AUTH).json()
    # Every 201 is in the app, and nothing else was added.
    assert stored["total"] == 1 + statuses.count(201)
    assert version_of(api, "small") == 1 + statuses.count(201)


EXPORTING = """
id: exporting
title: Exporting
controls:
  - {id: region, type: list, default: North, targets: [{element: deals_table, column: Region}]}
pages:
  - id: home
    elements:
      - {id: deals_table, type: table, source: analytics.deals, columns: [Deal Id, Region, Amount]}
"""


def test_an_element_exports_over_http_with_its_controls(api: TestClient) -> None:
    run_sql_file(api.app.state.warehouse.engine, ROOT / "examples" / "showcase" / "seed.sql")  # type: ignore[attr-defined]
    assert api.post("/api/apps", content=EXPORTING, headers=YAML).status_code == 201
    url = "/api/apps/exporting/elements/deals_table/export"
    east = api.get(url, params={"controls": '{"region": "East"}'}, headers=AUTH)
    assert east.status_code == 200, east.text
    assert east.headers["content-disposition"].startswith('attachment; filename="deals_table.csv"')
    lines = east.text.strip().splitlines()
    assert lines[0] == '"Deal Id","Region","Amount"'
    assert len(lines) == 3
    assert all('"East"' in line for line in lines[1:])
    named = api.get(url, params={"format": "json", "filename": "../x"}, headers=AUTH)
    assert named.headers["content-disposition"].startswith('attachment; filename="x.json"')
    assert {row["Region"] for row in named.json()} == {"North"}  # the published default
    bad = api.get(url, params={"controls": "{not json"}, headers=AUTH)
    assert bad.status_code == 400
    assert "controls must be a JSON object" in bad.json()["error"]["message"]
    missing = api.get("/api/apps/exporting/elements/nope/export", headers=AUTH)
    assert missing.status_code == 404
    assert api.get(url).status_code == 401
