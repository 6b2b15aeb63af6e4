"""`GET /api/sigma/input-tables/{id}/export` on DuckDB, SQLite and PostgreSQL: every format
round-trips (read back with pyarrow, json and openpyxl) against the rows route."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterator
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlglot import exp

from tests.api.conftest import AUTH, TOKEN
from tests.auth.helpers import engine_param, server_settings
from trilith.input_tables import export as export_module
from trilith.input_tables.export import FORMATS, TableExport, export_filename
from trilith.input_tables.query import Filter
from trilith.settings import Settings
from trilith.sql import param
from trilith.sql.ddl import ColumnSpec, create_table, table

BASE = "/api/sigma/input-tables"
DEFINITION: dict[str, Any] = {
    "name": "Deals",
    "columns": [
        {"name": "title", "type": "text"},
        {"name": "amount", "type": "number"},
        {"name": "seats", "type": "integer"},
        {"name": "closes", "type": "date"},
        {"name": "seen_at", "type": "datetime"},
        {"name": "won", "type": "checkbox"},
        {"name": "stage", "type": "single_select", "validation": {"options": ["open", "won"]}},
        {"name": "tags", "type": "multi_select", "validation": {"options": ["a", "b", "c"]}},
    ],
}
ROWS: list[dict[str, Any]] = [
    {
        "title": 'Acme, "big" deal\nsecond line',
        "amount": 1500.25,
        "seats": 12,
        "closes": "2025-03-31",
        "seen_at": "2025-01-02T03:04:05.123456",
        "won": True,
        "stage": "won",
        "tags": ["a", "c"],
    },
    {"title": '=HYPERLINK("http://x")', "amount": 0, "seats": -3, "won": False, "stage": "open"},
    {"title": "Zürich ✓", "amount": None, "closes": "2024-12-01", "tags": ["b"]},
]
DATE_COLUMNS = {"closes"}
DATETIME_COLUMNS = {"seen_at", "_created_at", "_updated_at"}


@pytest.fixture(params=["duckdb", "sqlite", "postgres"])
def settings(
    request: pytest.FixtureRequest, make_engine_url: Callable[[str], str], unique_schema: str
) -> Iterator[Settings]:
    engine = engine_param(request)
    with server_settings(
        engine, make_engine_url, unique_schema, admin_token=TOKEN, scheduler_interval=0
    ) as values:
        yield values


@pytest.fixture
def api(settings: Settings) -> Iterator[TestClient]:
    from trilith.api import create_app

    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def deals(api: TestClient) -> str:
    created = api.post(BASE, json=DEFINITION, headers=AUTH)
    assert created.status_code == 201, created.text
    table_id = str(created.json()["id"])
    inserted = api.post(f"{BASE}/{table_id}/rows", json={"rows": ROWS}, headers=AUTH)
    assert inserted.status_code == 201, inserted.text
    return table_id


def listed(api: TestClient, table_id: str, query: str = "") -> list[dict[str, Any]]:
    response = api.get(f"{BASE}/{table_id}/rows?limit=1000{query}", headers=AUTH)
    assert response.status_code == 200, response.text
    return list(response.json()["rows"])


def typed(row: dict[str, Any]) -> dict[str, Any]:
    """A row of the rows route (JSON) with dates and times as Python values."""
    out = dict(row)
    for name in DATE_COLUMNS:
        out[name] = dt.date.fromisoformat(row[name]) if row[name] else None
    for name in DATETIME_COLUMNS:
        out[name] = dt.datetime.fromisoformat(row[name]) if row[name] else None
    return out


def in_insert_order(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows inserted together share `_created_at`, so the export orders them by `_row_id`."""
    titles = [r["title"] for r in ROWS]
    return sorted(rows, key=lambda r: titles.index(r["title"]))


def download(api: TestClient, table_id: str, query: str) -> Any:
    response = api.get(f"{BASE}/{table_id}/export?{query}", headers=AUTH)
    assert response.status_code == 200, response.text
    return response


def test_json_is_the_rows_route_exactly(api: TestClient, deals: str) -> None:
    response = download(api, deals, "format=json")
    assert response.headers["content-type"] == "application/json"
    assert json.loads(response.content) == listed(api, deals)


def test_parquet_round_trips_with_types(api: TestClient, deals: str) -> None:
    response = download(api, deals, "format=parquet")
    assert response.headers["content-type"] == "application/vnd.apache.parquet"
    data = pq.read_table(pa.BufferReader(response.content))
    assert data.schema.field("seats").type == pa.int64()
    assert data.schema.field("closes").type == pa.date32()
    assert data.schema.field("seen_at").type == pa.timestamp("us")
    assert data.schema.field("tags").type == pa.list_(pa.string())
    assert data.schema.names[:6] == [
        "_row_id",
        "_version",
        "_created_at",
        "_created_by",
        "_updated_at",
        "_updated_by",
    ]
    assert data.to_pylist() == [typed(r) for r in listed(api, deals)]


def test_csv_round_trips(api: TestClient, deals: str) -> None:
    response = download(api, deals, "format=csv")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    expected = listed(api, deals)
    assert [r["_row_id"] for r in rows] == [r["_row_id"] for r in expected]
    first, second, third = in_insert_order(rows)
    assert first["title"] == 'Acme, "big" deal\nsecond line'
    assert (first["amount"], first["seats"], first["won"]) == ("1500.25", "12", "true")
    assert first["closes"] == "2025-03-31"
    assert dt.datetime.fromisoformat(first["seen_at"]) == dt.datetime(2025, 1, 2, 3, 4, 5, 123456)
    assert json.loads(first["tags"]) == ["a", "c"]
    assert second["title"] == '=HYPERLINK("http://x")'
    assert (third["title"], third["amount"], third["seats"]) == ("Zürich ✓", "", "")


def test_xlsx_round_trips_and_formulas_stay_text(api: TestClient, deals: str) -> None:
    response = download(api, deals, "format=xlsx")
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    cells = [[c for c in row] for row in sheet.iter_rows()]
    header = [str(c.value) for c in cells[0]]
    assert header[:2] == ["_row_id", "_version"]
    got: list[dict[str, Any]] = [
        dict(zip(header, (c.value for c in row), strict=True)) for row in cells[1:]
    ]
    expected = [typed(r) for r in listed(api, deals)]
    assert [r["_row_id"] for r in got] == [r["_row_id"] for r in expected]
    formula_cell = cells[1 + got.index(in_insert_order(got)[1])][header.index("title")]
    got = in_insert_order(got)
    assert got[0]["closes"] == dt.datetime(2025, 3, 31)  # Excel dates are date-times
    assert got[0]["seen_at"] == dt.datetime(2025, 1, 2, 3, 4, 5, 123000)  # Excel keeps ms
    assert (got[0]["amount"], got[0]["seats"], got[0]["won"]) == (1500.25, 12, True)
    assert json.loads(got[0]["tags"]) == ["a", "c"]
    assert (formula_cell.value, formula_cell.data_type) == ('=HYPERLINK("http://x")', "s")
    assert got[2]["title"] == "Zürich ✓"


def test_filter_and_sort_as_the_rows_route(api: TestClient, deals: str) -> None:
    query = "&filter=amount:ge:0&sort=-amount"
    response = download(api, deals, f"format=json{query}")
    assert [r["title"][:4] for r in json.loads(response.content)] == ["Acme", "=HYP"]
    assert json.loads(response.content) == listed(api, deals, query)


def test_filename_is_sanitised_and_has_the_extension(api: TestClient, deals: str) -> None:
    response = download(api, deals, "format=csv&filename=../../etc/pa%22ss%0D%0Awd")
    assert response.headers["content-disposition"] == (
        "attachment; filename=\"pa_ss_wd.csv\"; filename*=UTF-8''pa_ss_wd.csv"
    )
    default = download(api, deals, "format=parquet").headers["content-disposition"]
    assert f'filename="{deals}.parquet"' in default


def test_an_empty_table_exports_its_header(api: TestClient) -> None:
    table_id = api.post(BASE, json=DEFINITION, headers=AUTH).json()["id"]
    text = download(api, table_id, "format=csv").content.decode()
    assert text.splitlines() == [
        '"_row_id","_version","_created_at","_created_by","_updated_at","_updated_by",'
        '"title","amount","seats","closes","seen_at","won","stage","tags"'
    ]
    assert json.loads(download(api, table_id, "format=json").content) == []
    empty = pq.read_table(pa.BufferReader(download(api, table_id, "format=parquet").content))
    assert empty.num_rows == 0
    assert empty.schema.field("tags").type == pa.list_(pa.string())


def test_errors_come_before_the_file(api: TestClient, deals: str) -> None:
    missing = api.get(f"{BASE}/nope/export", headers=AUTH)
    assert missing.status_code == 404
    assert api.get(f"{BASE}/{deals}/export?format=pdf", headers=AUTH).status_code == 422
    bad_filter = api.get(f"{BASE}/{deals}/export?filter=nope:eq:1", headers=AUTH)
    assert bad_filter.status_code == 400
    assert "unknown column" in bad_filter.json()["error"]["message"]
    assert api.get(f"{BASE}/{deals}/export").status_code == 401


def test_the_download_action_url_serves_the_file(api: TestClient, deals: str) -> None:
    sequence = {
        "id": "get_deals",
        "actions": [{"type": "download", "input_table": deals, "format": "json"}],
    }
    assert api.post("/api/sigma/actions", json=sequence, headers=AUTH).status_code == 201
    ran = api.post("/api/actions/execute", json={"sequence_id": "get_deals"}, headers=AUTH)
    url = ran.json()["effects"][0]["url"]
    assert json.loads(download(api, deals, url.split("?", 1)[1]).content) == listed(api, deals)


# --- the export itself, on every engine --------------------------------------------------


def test_large_tables_are_read_and_sent_in_batches(
    api: TestClient, deals: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export_module, "BATCH_ROWS", 2)
    more = [{"title": f"row {i}", "seats": i} for i in range(7)]
    api.post(f"{BASE}/{deals}/rows", json={"rows": more}, headers=AUTH)
    tables = _tables(api)
    job = TableExport(tables.rows(deals), FORMATS["csv"], sort=[("seats", False)])
    chunks = list(job.chunks())
    assert len(chunks) == 5  # ten rows, two at a time, each batch sent as it is read
    assert job.rows == 10
    lines = b"".join(chunks).decode().count("\n")
    assert lines == 1 + 10 + 1  # the header, the rows, and the one line break in a title
    streamed = download(api, deals, "format=json&sort=seats")
    assert len(json.loads(streamed.content)) == 10


def test_a_linked_table_exports_source_and_augmentation(api: TestClient) -> None:
    tables = _tables(api)
    source = table(tables.schema, "accounts")
    tables.engine.execute(
        create_table(source, [ColumnSpec("code", "TEXT"), ColumnSpec("arr", "DOUBLE")])
    )
    insert = exp.insert(exp.select(param("c"), param("a")), source)
    for code, arr in [("A1", 100.0), ("B2", 250.0)]:
        tables.engine.execute(insert, {"c": code, "a": arr})
    linked = {
        "name": "Plans",
        "type": "linked",
        "source": {"table": f"{tables.schema}.accounts"},
        "primary_key": ["code"],
        "columns": [
            {"name": "code", "type": "text", "linked": True},
            {"name": "arr", "type": "number", "linked": True},
            {"name": "owner", "type": "text"},
        ],
    }
    table_id = api.post(BASE, json=linked, headers=AUTH).json()["id"]
    api.post(
        f"{BASE}/{table_id}/rows", json={"rows": [{"code": "B2", "owner": "ana"}]}, headers=AUTH
    )
    exported = json.loads(download(api, table_id, "format=json").content)
    assert [(r["_row_id"], r["_version"], r["arr"], r["owner"]) for r in exported] == [
        ('["A1"]', 0, 100.0, None),
        ('["B2"]', 1, 250.0, "ana"),
    ]
    assert exported == listed(api, table_id)
    job = TableExport(tables.rows(table_id), FORMATS["csv"], filters=[Filter("owner", "not_null")])
    assert b"".join(job.chunks()).decode().count("\n") == 2


def _tables(api: TestClient) -> Any:
    from trilith.input_tables.service import InputTables

    state = api.app.state  # type: ignore[attr-defined]
    return InputTables(state.warehouse.engine, state.warehouse.schema, state.events)


@pytest.mark.parametrize(
    ("requested", "expected"),
    [
        (None, "orders.csv"),
        ("report", "report.csv"),
        ("report.CSV", "report.csv"),
        ("..\\..\\win.ini", "win.ini.csv"),
        ('a"b;c\r\nd', "a_b_c_d.csv"),
        ("....", "orders.csv"),
        ("x" * 300, "x" * 150 + ".csv"),
    ],
)
def test_export_filename(requested: str | None, expected: str) -> None:
    assert export_filename(requested, "orders", FORMATS["csv"]) == expected
