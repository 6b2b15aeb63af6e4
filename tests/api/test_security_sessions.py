"""Browser sessions and CSRF, token scopes, expiry and revocation, over HTTP on DuckDB
and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
from sqlglot import exp

from tests.auth.helpers import ADMIN, Api, engine_param, served
from trilith.sql.ddl import table
from trilith.sql.render import param

NOTES = {
    "id": "notes",
    "name": "Notes",
    "columns": [{"name": "text", "type": "text", "required": True}],
}
ROWS = "/api/sigma/input-tables/notes/rows"


@pytest.fixture(params=["duckdb", "postgres"])
def api(
    request: pytest.FixtureRequest, make_engine_url: Callable[[str], str], unique_schema: str
) -> Iterator[Api]:
    name = engine_param(request)
    # The test client speaks http://, so the cookie is not marked Secure here (see below).
    with served(name, make_engine_url, unique_schema, session_cookie_secure=False) as api:
        api.table(NOTES)
        yield api


def _sign_in(api: Api, token_headers: dict[str, str]) -> str:
    token = token_headers["Authorization"].removeprefix("Bearer ")
    signed = api.client.post("/api/session", json={"token": token})
    assert signed.status_code == 201, signed.text
    csrf = signed.json()["csrf_token"]
    assert isinstance(csrf, str)
    assert len(csrf) > 20
    return csrf


def _count(api: Api) -> int:
    return int(api.client.get(ROWS, headers=ADMIN).json()["total"])


def test_cookie_session_reads_and_needs_csrf_to_write(api: Api) -> None:
    editor, _ = api.user("erin", "editor", email="erin@example.com")
    csrf = _sign_in(api, editor)
    me = api.client.get("/api/session")
    assert me.status_code == 200
    assert me.json()["user"]["name"] == "erin"
    assert me.json()["authenticated_by"] == "session"
    assert me.json()["csrf_token"] == csrf
    assert api.client.get(ROWS).status_code == 200  # a read needs no CSRF token

    missing = api.client.post(ROWS, json={"rows": [{"text": "a"}]})
    assert missing.status_code == 403
    assert "CSRF" in missing.json()["error"]["message"]
    wrong = api.client.post(
        ROWS, json={"rows": [{"text": "a"}]}, headers={"X-CSRF-Token": "x" * 43}
    )
    assert wrong.status_code == 403
    assert "CSRF" in wrong.json()["error"]["message"]
    assert _count(api) == 0

    right = api.client.post(ROWS, json={"rows": [{"text": "a"}]}, headers={"X-CSRF-Token": csrf})
    assert right.status_code == 201, right.text
    assert (
        right.json()["rows"][0]["_created_by"]
        == api.client.get("/api/session").json()["user"]["id"]
    )
    assert _count(api) == 1


def test_bearer_requests_need_no_csrf_even_with_a_cookie(api: Api) -> None:
    editor, _ = api.user("bea", "editor")
    _sign_in(api, editor)
    written = api.client.post(ROWS, json={"rows": [{"text": "b"}]}, headers=editor)
    assert written.status_code == 201
    assert api.client.get("/api/session", headers=editor).json()["authenticated_by"] == "token"


def test_sign_out_ends_the_session_on_the_server(api: Api) -> None:
    viewer, _ = api.user("vic", "viewer")
    csrf = _sign_in(api, viewer)
    cookie = api.client.cookies.get("trilith_session")
    assert cookie
    refused = api.client.delete("/api/session")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["error"]["message"]
    assert api.client.delete("/api/session", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert api.client.cookies.get("trilith_session") is None
    # The old cookie, replayed, no longer works: the session was revoked in the warehouse.
    api.client.cookies.set("trilith_session", cookie)
    replay = api.client.get("/api/session")
    assert replay.status_code == 401


def test_revoking_the_token_ends_its_sessions_and_bearer_use(api: Api) -> None:
    editor, made = api.user("rita", "editor")
    _sign_in(api, editor)
    assert api.client.get("/api/session").status_code == 200
    revoked = api.client.delete(f"/api/users/tokens/{made['token_id']}", headers=ADMIN)
    assert revoked.status_code == 204
    assert api.client.get("/api/session").status_code == 401
    api.client.cookies.clear()
    assert api.client.get(ROWS, headers=editor).status_code == 401
    tokens = api.client.get(f"/api/users/{made['user_id']}/tokens", headers=ADMIN).json()
    assert tokens["tokens"][0]["revoked_at"] is not None
    assert "token" not in tokens["tokens"][0]
    assert "token_hash" not in tokens["tokens"][0]


def test_an_expired_token_neither_authenticates_nor_signs_in(api: Api) -> None:
    editor, made = api.user("ed", "editor", expires_in_days=1)
    assert api.client.get(ROWS, headers=editor).status_code == 200
    past = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=1)
    api.engine.execute(
        exp.update(
            table(api.schema, "api_tokens"),
            {"expires_at": param("at")},
            where=exp.column("token_id").eq(param("t")),
        ),
        {"at": past, "t": made["token_id"]},
    )
    expired = api.client.get(ROWS, headers=editor)
    assert expired.status_code == 401
    assert "expired" in expired.json()["error"]["message"]
    token = editor["Authorization"].removeprefix("Bearer ")
    assert api.client.post("/api/session", json={"token": token}).status_code == 401


def test_a_read_scoped_token_cannot_write(api: Api) -> None:
    _, made = api.user("sam", "editor")
    issued = api.client.post(
        f"/api/users/{made['user_id']}/tokens", json={"scopes": ["read"]}, headers=ADMIN
    )
    assert issued.status_code == 201
    reader = {"Authorization": f"Bearer {issued.json()['token']}"}
    assert api.client.get(ROWS, headers=reader).status_code == 200
    refused = api.client.post(ROWS, json={"rows": [{"text": "x"}]}, headers=reader)
    assert refused.status_code == 403
    assert _count(api) == 0
    bad = api.client.post(
        f"/api/users/{made['user_id']}/tokens", json={"scopes": ["root"]}, headers=ADMIN
    )
    assert bad.status_code == 422


def test_bad_tokens_do_not_sign_in(api: Api) -> None:
    assert api.client.post("/api/session", json={"token": "trl_nope"}).status_code == 401
    assert api.client.post("/api/session", json={"token": "nope"}).status_code == 401
    assert api.client.get("/api/session").status_code == 401


def test_the_admin_token_opens_a_session_too(api: Api) -> None:
    csrf = _sign_in(api, ADMIN)
    assert api.client.get("/api/session").json()["user"]["role"] == "admin"
    made = api.client.post(
        "/api/users", json={"name": "new", "role": "viewer"}, headers={"X-CSRF-Token": csrf}
    )
    assert made.status_code == 201


def test_cookie_flags(make_engine_url: Callable[[str], str], unique_schema: str) -> None:
    with served("duckdb", make_engine_url, unique_schema, session_samesite="strict") as api:
        editor, _ = api.user("flag", "editor")
        token = editor["Authorization"].removeprefix("Bearer ")
        signed = api.client.post("/api/session", json={"token": token})
        cookie = signed.headers["set-cookie"]
        assert cookie.startswith("trilith_session=")
        for flag in ("HttpOnly", "Secure", "SameSite=strict", "Path=/", "Max-Age="):
            assert flag in cookie, cookie
        # The secure cookie is not sent back over http://, so the client is not signed in.
        assert api.client.get("/api/session").status_code == 401


def test_with_auth_off_everything_works_without_tokens_or_csrf(
    make_engine_url: Callable[[str], str], unique_schema: str
) -> None:
    with served("duckdb", make_engine_url, unique_schema, auth="none") as api:
        api.client.cookies.set("trilith_session", "stale")
        me = api.client.get("/api/session")
        assert me.status_code == 200
        assert me.json()["user"]["role"] == "admin"
        assert me.json()["csrf_token"] is None
        assert api.client.post("/api/sigma/input-tables", json=NOTES).status_code == 201
        assert api.client.post(ROWS, json={"rows": [{"text": "z"}]}).status_code == 201
        assert api.client.post("/api/session", json={"token": "x"}).status_code == 400
