"""Signed embed URLs over HTTP: the page, its session, every refusal, and the admin API."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import uuid
from typing import Any, cast

import jwt
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.embed.conftest import AUTH, HOST_ORIGIN, JWT_SECRET
from trilith.embed.tokens import sign_embed_jwt


def make_client(api: TestClient, **body: Any) -> dict[str, Any]:
    response = api.post("/api/embed/clients", json={"name": "site", **body}, headers=AUTH)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    assert created["secret"].startswith("tes_")
    return created


def token(client: dict[str, Any], **overrides: Any) -> str:
    values: dict[str, Any] = {
        "ttl": dt.timedelta(hours=1),
        "jti": uuid.uuid4().hex,
        "account_type": "viewer",
        "teams": ["sales"],
        "attributes": {"region": "West"},
    }
    values.update(overrides)
    secret = values.pop("secret", client["secret"])
    return sign_embed_jwt(client["client_id"], secret, "Ann@Example.com", **values)


def session_of(page: str) -> dict[str, Any]:
    match = re.search(r'<meta name="trilith-embed" content="([^"]+)">', page)
    assert match, "the embed page carries its session"
    config: dict[str, Any] = json.loads(html.unescape(match.group(1)))
    return config


def test_a_signed_url_opens_the_app_as_that_user(api: TestClient) -> None:
    client = make_client(api)
    response = api.get("/embed/small", params={"jwt": token(client)})
    assert response.status_code == 200, response.text
    assert response.text.startswith("<!doctype html>")
    assert response.headers["cache-control"] == "no-store"
    csp = response.headers["content-security-policy"]
    assert f"frame-ancestors 'self' https://*.example.com {HOST_ORIGIN}" in csp
    config = session_of(response.text)
    assert config["app_id"] == "small"
    assert config["origins"] == ["https://*.example.com", HOST_ORIGIN]
    bearer = {"Authorization": f"Bearer {config['session']}"}
    app = api.get("/api/apps/small", headers=bearer)
    assert app.status_code == 200
    # The session is a viewer: it may not manage embed clients.
    # The session reaches its app only, and is a viewer.
    for path in ("/api/embed/clients", "/api/apps", "/api/apps/other", "/api/users"):
        refused = api.get(path, headers=bearer)
        assert refused.status_code == 403, path
        assert "embed session of app 'small'" in refused.json()["error"]["message"]
    assert (
        api.post("/api/apps/small/elements/intro/query", json={}, headers=bearer).status_code != 403
    )


def test_the_actor_carries_email_teams_and_attributes(api: TestClient) -> None:
    from trilith.embed.tokens import read_session

    client = make_client(api, max_role="viewer")
    response = api.get("/embed/small", params={"jwt": token(client, account_type="creator")})
    actor, client_id, app_id = read_session(session_of(response.text)["session"], JWT_SECRET)
    assert (client_id, app_id) == (client["client_id"], "small")
    assert actor.email == "ann@example.com"
    assert actor.role == "viewer"  # creator maps to editor, capped by the client's max role
    assert actor.teams == frozenset({"sales"})
    assert dict(actor.attributes) == {"region": "West"}


def refusal(api: TestClient, jwt_text: str | None) -> tuple[str, str]:
    response = api.get("/embed/small", params={"jwt": jwt_text} if jwt_text else {})
    assert response.status_code == 401, response.text
    reason = re.search(r'data-reason="([a-z_]+)"', response.text)
    assert reason
    return reason.group(1), response.text


def test_each_refusal_says_which(api: TestClient) -> None:
    client = make_client(api)
    assert refusal(api, None)[0] == "missing"
    assert refusal(api, "not-a-jwt")[0] == "malformed"
    kind, text = refusal(api, token(client, secret="a-wrong-secret-of-thirty-two-bytes-or-more"))
    assert kind == "bad_signature"
    assert "signature" in text
    past = dt.datetime.now(dt.UTC) - dt.timedelta(hours=3)
    assert refusal(api, token(client, now=past))[0] == "expired"
    assert refusal(api, token(client, ttl=dt.timedelta(days=31)))[0] == "too_long"
    unknown = {**client, "client_id": "emb_nobody"}
    assert refusal(api, token(unknown))[0] == "unknown_client"
    assert refusal(api, token(client, account_type="wizard"))[0] == "bad_claim"
    once = token(client)
    first = api.get("/embed/small", params={"jwt": once})
    assert first.status_code in (200, 503)
    kind, text = refusal(api, once)
    assert kind == "replayed"
    assert "used before" in text
    no_jti = jwt.encode(
        {"sub": "a@b.co", "iss": "x", "iat": 1, "exp": 2},
        client["secret"],
        algorithm="HS256",
        headers={"kid": client["client_id"]},
    )
    assert refusal(api, no_jti)[0] == "missing_claim"
    none_alg = jwt.encode(
        {"sub": "a@b.co"},
        None,  # type: ignore[arg-type]
        algorithm="none",
        headers={"kid": client["client_id"]},
    )
    assert refusal(api, none_alg)[0] == "bad_algorithm"


def test_rotating_or_disabling_a_client(api: TestClient) -> None:
    client = make_client(api)
    old = token(client)
    rotated = api.post(f"/api/embed/clients/{client['client_id']}/rotate", headers=AUTH).json()
    assert rotated["secret"] != client["secret"]
    assert refusal(api, old)[0] == "bad_signature"
    fresh = token({**client, "secret": rotated["secret"]})
    response = api.get("/embed/small", params={"jwt": fresh})
    assert response.status_code in (200, 503)
    disabled = api.patch(
        f"/api/embed/clients/{client['client_id']}", json={"disabled": True}, headers=AUTH
    )
    assert disabled.json()["disabled"] is True
    assert refusal(api, token({**client, "secret": rotated["secret"]}))[0] == "unknown_client"
    if response.status_code == 200:
        bearer = {"Authorization": f"Bearer {session_of(response.text)['session']}"}
        refused = api.get("/api/apps/small", headers=bearer)
        assert refused.status_code == 401
        assert "disabled" in refused.json()["error"]["message"]


def test_the_admin_api(api: TestClient) -> None:
    assert api.get("/api/embed/clients").status_code == 401
    client = make_client(api, max_role="editor")
    listed = api.get("/api/embed/clients", headers=AUTH).json()
    assert listed["total"] == 1
    assert "secret" not in listed["clients"][0]
    assert (
        api.get(f"/api/embed/clients/{client['client_id']}", headers=AUTH).json()["max_role"]
        == "editor"
    )
    assert api.get("/api/embed/clients/emb_missing", headers=AUTH).status_code == 404
    bad = api.post("/api/embed/clients", json={"name": "x", "max_role": "owner"}, headers=AUTH)
    assert bad.status_code == 422
    # Nothing in the warehouse names the secret.
    engine = cast(FastAPI, api.app).state.warehouse.engine
    rows = engine.fetch_dicts("SELECT * FROM sigds.embed_clients")
    assert client["secret"] not in json.dumps(rows, default=str)


def test_embed_clients_need_the_jwt_secret(tmp_path: Any) -> None:
    from trilith.api import create_app
    from trilith.settings import Settings

    settings = Settings(warehouse=f"duckdb:///{tmp_path / 'x.duckdb'}", admin_token="t")
    with TestClient(create_app(settings)) as bare:
        response = bare.post(
            "/api/embed/clients", json={"name": "site"}, headers={"Authorization": "Bearer t"}
        )
        assert response.status_code == 500
        assert "TRILITH_JWT_SECRET" in response.json()["error"]["message"]


@pytest.mark.parametrize("account_type", ["viewer", "admin"])
def test_a_session_reaches_only_its_apps_tables_and_sequences(
    api: TestClient, account_type: str
) -> None:
    """An embed session is bound to its app whatever its role, an admin's included."""

    def app(app_id: str) -> dict[str, Any]:
        return {
            "id": app_id,
            "title": app_id,
            "controls": [{"id": "who", "type": "text"}],
            "input_tables": [
                {
                    "id": f"{app_id}_notes",
                    "name": "Notes",
                    "columns": [{"name": "t", "type": "text"}],
                }
            ],
            "pages": [
                {"id": "home", "elements": [{"id": "intro", "type": "text", "content": "hi"}]}
            ],
            "actions": [
                {"id": f"{app_id}_go", "actions": [{"type": "set_control", "control": "who"}]}
            ],
        }

    for app_id in ("mine", "theirs"):
        assert api.post("/api/apps", json=app(app_id), headers=AUTH).status_code == 201
    loose = {"id": "loose", "name": "Loose", "columns": [{"name": "t", "type": "text"}]}
    assert api.post("/api/sigma/input-tables", json=loose, headers=AUTH).status_code == 201
    client = make_client(api, max_role="admin")
    response = api.get("/embed/mine", params={"jwt": token(client, account_type=account_type)})
    bearer = {"Authorization": f"Bearer {session_of(response.text)['session']}"}
    rows = "/api/sigma/input-tables/{}/rows"
    assert api.get(rows.format("mine_notes"), headers=bearer).status_code == 200
    for table in ("theirs_notes", "loose"):
        refused = api.get(rows.format(table), headers=bearer)
        assert refused.status_code == 403, table
        assert "embed session of app 'mine' may not reach" in refused.json()["error"]["message"]
    own = {"sequence_id": "mine_go", "app_id": "mine", "context": {}}
    assert api.post("/api/actions/execute", json=own, headers=bearer).status_code == 200
    other = {"sequence_id": "theirs_go", "app_id": "theirs", "context": {}}
    assert api.post("/api/actions/execute", json=other, headers=bearer).status_code == 403
    assert (
        api.post("/api/sigma/actions/theirs_go/execute", json={}, headers=bearer).status_code == 403
    )


def test_without_a_web_build_the_page_says_so(
    api: TestClient, tmp_path: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr("trilith.api.routes.embed.STATIC", tmp_path / "no-build")
    response = api.get("/embed/small", params={"jwt": token(make_client(api))})
    assert response.status_code == 503
    assert "no web UI" in response.text
