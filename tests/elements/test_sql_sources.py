"""Elements reading an app's SQL sources, on every local engine: the query runs in the
warehouse as a subquery, control values are bound to its placeholders, and row security,
controls and aggregates apply on top."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from trilith.apply import apply_app, run_sql_file
from trilith.auth import Actor
from trilith.elements.query import QueryRequest
from trilith.elements.service import ElementQueries, rows_of
from trilith.engines import Engine
from trilith.errors import ValidationFailed
from trilith.events import EventBus
from trilith.input_tables.service import InputTables
from trilith.metadata import migrate
from trilith.spec import load_app_text
from trilith.sql.ddl import drop_schema

ROOT = Path(__file__).resolve().parents[2]
ADMIN = Actor("admin", "admin", "admin")
VIEWER = Actor("v", "ana@north.example", "viewer")

SPEC = """
id: sqlapp
title: SQL sources
controls:
  - {id: floor, type: number, default: 0}
  - {id: region, type: list, targets: [{element: big, column: Region}]}
  - {id: tags, type: list, multiple: true}
sources:
  - id: big_deals
    sql: |
      SELECT d."Deal Id" AS deal, d."Region", d."Amount" * 2 AS doubled
      FROM analytics.deals AS d
      WHERE d."Amount" >= :floor
  - id: by_tags
    sql: SELECT * FROM analytics.deals WHERE "Region" = :tags
row_security:
  - {source: big_deals, predicate: '[Region] = "North"', roles: [viewer]}
pages:
  - id: home
    elements:
      - {id: big, type: table, source: big_deals}
      - {id: totals, type: chart, chart_type: bar, source: big_deals, x: Region, y: ["Sum([doubled])"]}
      - {id: tagged, type: table, source: by_tags}
"""


@pytest.fixture
def queries(engine: Engine, unique_schema: str) -> Any:
    migrate(engine, unique_schema)
    run_sql_file(engine, ROOT / "examples" / "showcase" / "seed.sql")
    tables = InputTables(engine, unique_schema, EventBus())
    apply_app(engine, unique_schema, load_app_text(SPEC, "sql.yaml"), "admin")
    yield ElementQueries(tables)
    if engine.warehouse_type == "postgresql":
        engine.execute(drop_schema("analytics"))


def rows(queries: ElementQueries, element: str, actor: Actor = ADMIN, **kw: Any) -> list[Any]:
    return rows_of(queries.query("sqlapp", element, QueryRequest(**kw), actor))


def test_the_query_takes_control_values_as_parameters(queries: ElementQueries) -> None:
    everything = rows(queries, "big", sort=[("deal", False)])
    assert len(everything) == 8
    assert everything[0].keys() == {"deal", "Region", "doubled"}
    over_60k = rows(queries, "big", controls={"floor": 60000})
    assert sorted(r["deal"] for r in over_60k) == ["D-1003", "D-1007"]
    assert {r["doubled"] for r in over_60k} == {182000.0, 134000.0}


def test_controls_and_aggregates_apply_on_top(queries: ElementQueries) -> None:
    north = rows(queries, "big", controls={"region": "North"})
    assert {r["Region"] for r in north} == {"North"}
    totals = rows(queries, "totals", controls={"floor": 40000}, sort=[("Region", False)])
    assert totals[0]["Region"] == "East"
    data = queries.query("sqlapp", "totals", QueryRequest(), ADMIN)
    assert dict(data.columns)["Sum([doubled])"] == "number"


def test_row_security_applies_to_sql_sources(queries: ElementQueries) -> None:
    assert {r["Region"] for r in rows(queries, "big", actor=VIEWER)} == {"North"}


def test_a_list_value_for_a_placeholder_is_refused(queries: ElementQueries) -> None:
    with pytest.raises(ValidationFailed, match="takes one value for :tags"):
        rows(queries, "tagged", controls={"tags": ["North", "East"]})
    assert {r["Region"] for r in rows(queries, "tagged", controls={"tags": "East"})} == {"East"}
