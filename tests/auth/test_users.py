"""Users and API tokens over HTTP, on DuckDB and PostgreSQL: roles decide what a token may do."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlglot import exp

from tests.api.conftest import AUTH, TOKEN
from trilith.api import create_app
from trilith.auth.users import hash_token
from trilith.engines import create_engine
from trilith.settings import Settings
from trilith.sql.ddl import drop_schema, table

TABLE = {"id": "asks", "name": "Asks", "columns": [{"name": "title", "type": "text"}]}


@pytest.fixture(params=["duckdb", "postgres"])
def api(
    request: pytest.FixtureRequest, make_engine_url: Callable[[str], str], unique_schema: str
) -> Iterator[TestClient]:
    if request.param == "postgres":
        request.applymarker(pytest.mark.postgres)
    url = make_engine_url(request.param)
    with TestClient(
        create_app(Settings(warehouse=url, admin_token=TOKEN, writeback_schema=unique_schema))
    ) as client:
        client.post("/api/sigma/input-tables", json=TABLE, headers=AUTH)
        yield client
    if request.param == "postgres":
        engine = create_engine(url)
        engine.execute(drop_schema(unique_schema))
        engine.close()


def user(api: TestClient, name: str, role: str, **extra: object) -> dict[str, str]:
    response = api.post("/api/users", json={"name": name, "role": role, **extra}, headers=AUTH)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["token"].startswith("trl_")
    return {"Authorization": f"Bearer {body['token']}", "token_id": body["token_id"]}


def bearer(headers: dict[str, str]) -> dict[str, str]:
    return {"Authorization": headers["Authorization"]}


def test_roles_decide_over_http(api: TestClient) -> None:
    viewer, editor = user(api, "Vera", "viewer"), user(api, "Ed", "editor")
    rows = "/api/sigma/input-tables/asks/rows"
    assert api.get(rows, headers=bearer(viewer)).status_code == 200
    refused = api.post(rows, json={"rows": [{"title": "x"}]}, headers=bearer(viewer))
    assert refused.status_code == 403
    assert "Vera (viewer) may not edit input table" in refused.json()["error"]["message"]
    written = api.post(rows, json={"rows": [{"title": "x"}]}, headers=bearer(editor))
    assert written.status_code == 201
    assert (
        written.json()["rows"][0]["_created_by"]
        == api.get("/api/users", headers=AUTH).json()["users"][0]["user_id"]
    )
    assert (
        api.patch(
            "/api/sigma/input-tables/asks", json={"name": "n"}, headers=bearer(editor)
        ).status_code
        == 403
    )
    assert (
        api.post(
            "/api/users", json={"name": "x", "role": "admin"}, headers=bearer(editor)
        ).status_code
        == 403
    )


def test_revoked_and_expired_tokens_are_refused(api: TestClient, unique_schema: str) -> None:
    editor = user(api, "Ed", "editor")
    assert api.get("/api/apps", headers=bearer(editor)).status_code == 200
    assert api.delete(f"/api/users/tokens/{editor['token_id']}", headers=AUTH).status_code == 204
    assert api.get("/api/apps", headers=bearer(editor)).status_code == 401
    assert api.delete(f"/api/users/tokens/{editor['token_id']}", headers=AUTH).status_code == 404
    short = user(api, "Tim", "viewer", expires_in_days=1)
    engine = api.app.state.warehouse.engine  # type: ignore[attr-defined]
    engine.execute(
        exp.update(
            table(unique_schema, "api_tokens"),
            {"expires_at": exp.Literal.string("2000-01-01 00:00:00")},
            where=exp.column("token_id").eq(short["token_id"]),
        )
    )
    expired = api.get("/api/apps", headers=bearer(short))
    assert expired.status_code == 401
    assert "expired" in expired.json()["error"]["message"]
    assert api.get("/api/apps", headers={"Authorization": "Bearer trl_made_up"}).status_code == 401


def test_tokens_are_stored_hashed(api: TestClient, unique_schema: str) -> None:
    editor = user(api, "Ed", "editor")
    token = editor["Authorization"].removeprefix("Bearer ")
    engine = api.app.state.warehouse.engine  # type: ignore[attr-defined]
    stored = engine.fetch_rows(exp.select("token_hash").from_(table(unique_schema, "api_tokens")))
    assert stored == [(hash_token(token),)]
    assert token not in str(stored)


def test_bad_user_requests(api: TestClient) -> None:
    user(api, "Ed", "editor")
    assert (
        api.post("/api/users", json={"name": "Ed", "role": "editor"}, headers=AUTH).status_code
        == 409
    )
    assert (
        api.post("/api/users", json={"name": "Zed", "role": "owner"}, headers=AUTH).status_code
        == 422
    )
    assert (
        api.post("/api/users", json={"name": "", "role": "viewer"}, headers=AUTH).status_code == 422
    )
