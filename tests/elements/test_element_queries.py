"""Element queries on every local engine: shapes, controls, row security, paging."""

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
from trilith.input_tables.rows import WriteContext
from trilith.input_tables.service import InputTables
from trilith.metadata import migrate
from trilith.spec import load_app_text
from trilith.sql.ddl import drop_schema

ROOT = Path(__file__).resolve().parents[2]
ADMIN = Actor("admin", "admin", "admin")
VIEWER = Actor("v", "ana@north.example", "viewer")

SPEC = """
id: sales
title: Sales
controls:
  - {id: region, type: list, multiple: true, targets: [{element: deals, column: Region}]}
  - {id: not_region, type: list, exclude: true, targets: [{element: deals, column: Region}]}
  - {id: account, type: text, operator: starts_with, targets: [{element: deals, column: Account}]}
  - {id: min_amount, type: number, operator: ">=", targets: [{element: deals, column: Amount}]}
  - {id: amount_range, type: range, targets: [{element: deals, column: Amount}]}
  - {id: closes, type: date_range, targets: [{element: deals, column: Close Date}]}
  - {id: top, type: top_n, top_n: {by: Amount, mode: rank, direction: top}, targets: [{element: deals, column: Amount}]}
  - {id: factor, type: number, default: 2}
row_security:
  - {source: analytics.deals, predicate: '[Region] = "North"', roles: [viewer]}
pages:
  - id: home
    elements:
      - {id: deals, type: table, source: analytics.deals, columns: [Deal Id, Account, Region, Amount, Close Date]}
      - {id: by_region, type: chart, chart_type: bar, source: deals, x: Region, y: ["Sum([Amount])"]}
      - {id: doubled, type: table, source: analytics.deals, columns: [Deal Id, "[Amount] * [Control/factor]"]}
      - {id: mix, type: pivot, source: analytics.deals, rows: [Region], columns: [Stage], values: ["Count()"]}
      - {id: total, type: chart, chart_type: kpi, source: deals, value: "Sum([Amount])"}
      - {id: running, type: chart, chart_type: line, source: analytics.deals, x: "[Close Date]", y: ["CumulativeSum([Amount])"]}
"""


@pytest.fixture
def queries(engine: Engine, unique_schema: str) -> Any:
    migrate(engine, unique_schema)
    run_sql_file(engine, ROOT / "examples" / "showcase" / "seed.sql")
    tables = InputTables(engine, unique_schema, EventBus())
    apply_app(engine, unique_schema, load_app_text(SPEC, "sales.yaml"), "admin")
    yield ElementQueries(tables)
    if engine.warehouse_type == "postgresql":
        engine.execute(drop_schema("analytics"))


def rows(
    queries: ElementQueries, element: str, actor: Actor = ADMIN, **kwargs: Any
) -> list[dict[str, Any]]:
    request = QueryRequest(**kwargs)
    return rows_of(queries.query("sales", element, request, actor))


def ids(found: list[dict[str, Any]]) -> list[str]:
    return sorted(r["Deal Id"] for r in found)


def test_totals_with_pages_of_every_size(queries: ElementQueries) -> None:
    for limit, offset in ((3, 0), (3, 6), (100, 0), (5, 20)):
        data = queries.query("sales", "deals", QueryRequest(limit=limit, offset=offset), ADMIN)
        assert data.total == 8, (limit, offset)


def test_a_table_reads_its_source(queries: ElementQueries) -> None:
    data = queries.query("sales", "deals", QueryRequest(sort=[("Amount", True)], limit=3), ADMIN)
    assert data.total == 8
    assert [r["Amount"] for r in rows_of(data)] == [91000.0, 67000.0, 48000.0]
    assert data.columns[3] == ("Amount", "number")


@pytest.mark.parametrize(
    ("controls", "expected"),
    [
        ({"region": ["North", "East"]}, ["D-1001", "D-1003", "D-1005", "D-1006"]),
        ({"not_region": ["North", "East", "South"]}, ["D-1004", "D-1008"]),
        ({"account": "Ev"}, ["D-1005"]),
        ({"account": "%"}, []),
        ({"min_amount": 60000}, ["D-1003", "D-1007"]),
        ({"amount_range": {"min": 20000, "max": 30000}}, ["D-1004", "D-1008"]),
        ({"closes": {"start": "2026-04-01", "end": "2026-04-30"}}, ["D-1006", "D-1007"]),
        ({"top": 2}, ["D-1003", "D-1007"]),
        (
            {"region": [], "account": ""},
            ["D-1001", "D-1002", "D-1003", "D-1004", "D-1005", "D-1006", "D-1007", "D-1008"],
        ),
    ],
)
def test_controls_filter_their_targets(
    queries: ElementQueries, controls: dict[str, Any], expected: list[str]
) -> None:
    assert ids(rows(queries, "deals", controls=controls)) == expected


def test_an_element_on_an_element_sees_its_filters(queries: ElementQueries) -> None:
    by_region = rows(queries, "by_region", controls={"region": ["North", "South"]})
    assert by_region == [
        {"Region": "North", "Sum([Amount])": 84500.0},
        {"Region": "South", "Sum([Amount])": 79500.0},
    ]
    assert rows(queries, "total", controls={"region": ["West"]}) == [{"Sum([Amount])": 51900.0}]


def test_formula_columns_read_controls_as_parameters(queries: ElementQueries) -> None:
    found = {
        r["Deal Id"]: r["[Amount] * [Control/factor]"]
        for r in rows(queries, "doubled", controls={"factor": 3})
    }
    assert found["D-1001"] == 144000.0
    default = {r["Deal Id"]: r["[Amount] * [Control/factor]"] for r in rows(queries, "doubled")}
    assert default["D-1001"] == 96000.0


def test_pivot_and_window_charts(queries: ElementQueries) -> None:
    mix = {(r["Region"], r["Stage"]): r["Count()"] for r in rows(queries, "mix")}
    assert mix[("North", "Won")] == 1
    assert mix[("North", "Open")] == 1
    running = rows(queries, "running")
    assert [r["CumulativeSum([Amount])"] for r in running][-1] == 322650.0


def test_row_security_applies_to_viewers(queries: ElementQueries) -> None:
    assert {r["Region"] for r in rows(queries, "deals", actor=VIEWER)} == {"North"}
    assert len(rows(queries, "deals", actor=ADMIN)) == 8
    assert rows(queries, "by_region", actor=VIEWER) == [
        {"Region": "North", "Sum([Amount])": 84500.0}
    ]


def test_bad_requests(queries: ElementQueries) -> None:
    from trilith.errors import BadRequest, NotFound

    with pytest.raises(BadRequest, match="cannot sort on 'Nope'"):
        rows(queries, "deals", sort=[("Nope", False)])
    with pytest.raises(NotFound, match="no data element 'ghost'"):
        rows(queries, "ghost")
    with pytest.raises(ValidationFailed, match="takes"):
        rows(queries, "deals", controls={"amount_range": 5})


NOTES_SPEC = """
id: notes_app
title: Notes
input_tables:
  - {id: notes, name: Notes, columns: [{name: owner, type: text}, {name: body, type: text}]}
row_security:
  - {source: notes, predicate: '[owner] = "ana"', roles: [viewer]}
pages:
  - id: home
    elements:
      - {id: mine, type: table, source: notes, columns: [owner, body]}
"""


def test_an_apps_rule_on_its_input_table_is_applied_once(
    engine: Engine, unique_schema: str
) -> None:
    """The app's rule is the table's too (apply copies it): the element reads the table
    with it, and does not add it a second time."""
    migrate(engine, unique_schema)
    tables = InputTables(engine, unique_schema, EventBus())
    app = load_app_text(NOTES_SPEC, "notes.yaml")
    apply_app(engine, unique_schema, app, "admin")
    tables.insert(
        "notes",
        [{"owner": "ana", "body": "a"}, {"owner": "bo", "body": "b"}],
        WriteContext("admin"),
    )
    viewer = Actor("v", "ana", "viewer")
    tables.actor = viewer  # as the API binds the request's actor
    queries = ElementQueries(tables)
    seen = rows_of(queries.query("notes_app", "mine", QueryRequest(), viewer))
    assert [(r["owner"], r["body"]) for r in seen] == [("ana", "a")]
    tables.actor = ADMIN
    assert len(rows_of(queries.query("notes_app", "mine", QueryRequest(), ADMIN))) == 2
    tables.actor = viewer
    shaped = queries.compile(app, "mine", QueryRequest(), viewer)
    select, params = shaped.page(QueryRequest())
    sql = engine.render(select, params).sql
    assert sql.count("'ana'") == 1, sql  # the rule's condition, once
