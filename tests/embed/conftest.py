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


@pytest.fixture
def api(tmp_path: Any) -> Iterator[TestClient]:
    settings = Settings(
        warehouse=f"duckdb:///{tmp_path / 'embed.duckdb'}",
        admin_token=TOKEN,
        jwt_secret=JWT_SECRET,
        trusted_origins=f"https://*.example.com,{HOST_ORIGIN}",
    )
    with TestClient(create_app(settings)) as client:
        assert client.post("/api/apps", json=SMALL_APP, headers=AUTH).status_code in (200, 201)
        yield client
