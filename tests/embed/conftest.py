from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from trilith.api import create_app
from trilith.settings import Settings

TOKEN = "embed-admin-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
JWT_SECRET = "embed-test-master-secret-0123456789"
HOST_ORIGIN = "https://host.example.com"

SMALL_APP: dict[str, Any] = {
    "id": "small",
    "title": "Small",
    "pages": [{"id": "home", "elements": [{"id": "intro", "type": "text", "content": "hi"}]}],
}


SHELL = "<!doctype html><html><head><title>Trilith</title></head><body></body></html>"


@pytest.fixture
def api(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    # The embed page is the built UI's shell; these tests give it one of their own, so
    # they do not depend on (or skip without) a web build.
    static = tmp_path / "static"
    static.mkdir()
    (static / "index.html").write_text(SHELL, encoding="utf-8")
    monkeypatch.setattr("trilith.api.routes.embed.STATIC", static)
    settings = Settings(
        warehouse=f"duckdb:///{tmp_path / 'embed.duckdb'}",
        admin_token=TOKEN,
        jwt_secret=JWT_SECRET,
        trusted_origins=f"https://*.example.com,{HOST_ORIGIN}",
    )
    with TestClient(create_app(settings)) as client:
        assert client.post("/api/apps", json=SMALL_APP, headers=AUTH).status_code in (200, 201)
        yield client
