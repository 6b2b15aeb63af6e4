"""How the server serves the built UI: the app shell, hashed assets, and what stays API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from trilith.api import create_app
from trilith.api.routes import ui
from trilith.settings import Settings

SHELL = '<!doctype html><div id="root"></div><script src="/assets/index-abc123.js"></script>'
SCRIPT = "console.log('trilith');\n" * 200


@pytest.fixture
def build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(SHELL)
    (tmp_path / "assets" / "index-abc123.js").write_text(SCRIPT)
    (tmp_path / "secret.txt").write_text("not an asset")
    monkeypatch.setattr(ui, "STATIC", tmp_path)
    return tmp_path


@pytest.fixture
def client() -> Iterator[TestClient]:
    settings = Settings(warehouse="duckdb:///:memory:", auth="none")
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_the_app_list_and_apps_get_the_shell_never_cached(build: Path, client: TestClient) -> None:
    for path in ("/", "/apps/showcase", "/apps/showcase?page=about"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.text == SHELL
        assert response.headers["cache-control"] == "no-cache"
        assert response.headers["content-type"].startswith("text/html")
    assert client.head("/apps/showcase").status_code == 200


def test_hashed_assets_are_cached_for_a_year_and_gzipped(build: Path, client: TestClient) -> None:
    plain = client.get("/assets/index-abc123.js", headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200
    assert plain.text == SCRIPT
    assert plain.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "javascript" in plain.headers["content-type"]
    packed = client.get("/assets/index-abc123.js", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["content-encoding"] == "gzip"
    # CORS adds Origin to Vary; the encoding must be there for caches either way.
    assert "Accept-Encoding" in [v.strip() for v in packed.headers["vary"].split(",")]
    assert int(packed.headers["content-length"]) < len(SCRIPT) / 10
    assert packed.text == SCRIPT  # decoded by the client


def test_only_files_inside_the_assets_folder_are_served(build: Path, client: TestClient) -> None:
    assert client.get("/assets/missing.js").status_code == 404
    assert client.get("/assets/%2e%2e/secret.txt").status_code == 404
    assert client.get("/assets/..%2Fsecret.txt").status_code == 404


def test_other_paths_stay_the_apis(build: Path, client: TestClient) -> None:
    missing = client.get("/no/such/page")
    assert missing.status_code == 404
    assert missing.json()["error"]["type"] == "not_found"
    assert client.get("/api/nothing-here").status_code == 404
    assert client.get("/health").status_code == 200


def test_without_a_build_the_root_page_points_to_the_api(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, client: TestClient
) -> None:
    monkeypatch.setattr(ui, "STATIC", tmp_path / "not-built")
    response = client.get("/")
    assert response.status_code == 200
    assert 'href="/docs"' in response.text
    assert client.get("/assets/index-abc123.js").status_code == 404
