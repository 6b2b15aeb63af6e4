from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.api.conftest import AUTH
from trilith.engines import supported_schemes


def test_status_names_mode_warehouse_and_version(client: TestClient) -> None:
    body = client.get("/api/sigma/status", headers=AUTH).json()
    assert body["mode"] == "standalone"
    assert body["warehouse"]["type"] == "duckdb"
    assert body["warehouse"]["dialect"] == "duckdb"
    assert body["warehouse"]["writeback_schema"] == "sigds"
    assert body["version"]
    assert isinstance(body["features"], dict)


def test_status_in_mock_warehouse_mode_reads_snowflake(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(sigma_mode="mock_warehouse")
    body = client.get("/api/sigma/status", headers=AUTH).json()
    assert body["mode"] == "mock_warehouse"
    assert body["warehouse"]["sql_dialect"] == "snowflake"


def test_capabilities_come_from_the_registries(client: TestClient) -> None:
    body = client.get("/api/sigma/capabilities", headers=AUTH).json()
    assert set(body) == {
        "input_table_types",
        "column_types",
        "layout_element_types",
        "action_types",
        "ai_functions",
        "formula_functions",
        "warehouses",
    }
    assert body["warehouses"] == supported_schemes()
    assert {"container", "tabs", "modal", "popover", "chart", "input_table"} <= set(
        body["layout_element_types"]
    )
    assert {"set_control", "open_modal", "insert_rows", "call_stored_procedure"} <= set(
        body["action_types"]
    )


def test_database_health(client: TestClient) -> None:
    body = client.get("/api/database/health", headers=AUTH).json()
    assert body["status"] == "healthy"
    assert body["adapter"] == "duckdb"
    assert body["schema_ready"] is True


def test_apps_list_is_empty_on_a_fresh_warehouse(client: TestClient) -> None:
    assert client.get("/api/apps", headers=AUTH).json() == {"apps": [], "total": 0}
