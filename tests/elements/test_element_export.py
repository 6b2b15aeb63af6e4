"""An element's data as a file: the element query unpaged, with controls and row security,
on every local engine; over HTTP; and through the download and export actions."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook

from tests.elements.test_element_queries import ADMIN, VIEWER, queries  # noqa: F401
from trilith.actions.context import RunContext
from trilith.actions.engine import ActionEngine
from trilith.actions.model import ActionSequence
from trilith.actions.runs import RunStore
from trilith.elements.export import ElementExport
from trilith.elements.service import ElementQueries
from trilith.errors import BadRequest, NotFound


def _file(export: ElementExport) -> bytes:
    return b"".join(export.chunks())


def test_csv_holds_every_row_the_controls_let_through(queries: ElementQueries) -> None:  # noqa: F811
    export = ElementExport.parse(
        queries,
        "sales",
        "deals",
        "csv",
        actor=ADMIN,
        controls={"region": ["North", "East"]},
        sort=[("Amount", True)],
    )
    rows = list(csv.DictReader(io.StringIO(_file(export).decode())))
    assert [r["Deal Id"] for r in rows] == ["D-1003", "D-1001", "D-1005", "D-1006"]
    assert export.rows == 4
    assert list(rows[0]) == ["Deal Id", "Account", "Region", "Amount", "Close Date"]
    assert export.filename("Q2 deals") == "Q2 deals.csv"


def test_row_security_holds_in_exports(queries: ElementQueries) -> None:  # noqa: F811
    export = ElementExport.parse(queries, "sales", "deals", "json", actor=VIEWER)
    rows = json.loads(_file(export))
    assert {r["Region"] for r in rows} == {"North"}
    assert len(rows) == 2


def test_parquet_keeps_types_of_aggregates(queries: ElementQueries) -> None:  # noqa: F811
    export = ElementExport.parse(queries, "sales", "by_region", "parquet", actor=ADMIN)
    table = pq.read_table(io.BytesIO(_file(export)))
    assert table.schema.field("Sum([Amount])").type == "double"
    assert dict(zip(*table.to_pydict().values(), strict=True))["North"] == 84500.0


def test_xlsx_opens_with_a_header_row(queries: ElementQueries) -> None:  # noqa: F811
    export = ElementExport.parse(queries, "sales", "deals", "xlsx", actor=ADMIN)
    sheet = load_workbook(io.BytesIO(_file(export))).active
    assert sheet is not None
    values = list(sheet.values)
    assert values[0] == ("Deal Id", "Account", "Region", "Amount", "Close Date")
    assert len(values) == 9


def test_bad_exports_are_named(queries: ElementQueries) -> None:  # noqa: F811
    with pytest.raises(BadRequest, match="unknown export format 'pdf'"):
        ElementExport.parse(queries, "sales", "deals", "pdf", actor=ADMIN)
    with pytest.raises(NotFound, match="no data element 'nope'"):
        ElementExport.parse(queries, "sales", "nope", "csv", actor=ADMIN)
    with pytest.raises(BadRequest, match="cannot sort on 'Nope'"):
        ElementExport.parse(queries, "sales", "deals", "csv", actor=ADMIN, sort=[("Nope", False)])


def _run(queries: ElementQueries, action: dict[str, Any], controls: dict[str, Any]) -> Any:  # noqa: F811
    tables = queries.tables
    runner = ActionEngine(RunStore(tables.engine, tables.schema), tables.events)
    try:
        ctx = RunContext(
            actor=ADMIN,
            engine=tables.engine,
            schema=tables.schema,
            tables=tables,
            app_id="sales",
            controls=controls,
        )
        seq = ActionSequence.model_validate({"id": "dl", "actions": [action]})
        return runner.execute(seq, ctx, wait_s=30)
    finally:
        runner.close()


def test_the_download_action_points_at_the_element_export_with_its_controls(
    queries: ElementQueries,  # noqa: F811
) -> None:
    result = _run(
        queries,
        {"type": "download", "element_id": "deals", "format": "parquet"},
        {"region": ["West"]},
    )
    assert result["status"] == "completed", result
    url = result["effects"][0]["url"]
    assert url.startswith("/api/apps/sales/elements/deals/export?format=parquet&controls=")
    assert "West" in url
