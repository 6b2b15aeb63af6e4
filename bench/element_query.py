"""An aggregate element over a generated table with three active controls, through the
API, against the same SQL run directly on the engine in the same run.

    python bench/element_query.py [--rows 10000000] [--repeat 7] [--engine duckdb|postgres|both]

Target: the API's median time at most 1.2 times the direct SQL's median.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from row_edits import TOKEN, drop_postgres, fresh_postgres, serve

from trilith.apply import apply_app
from trilith.auth import ADMIN
from trilith.elements.query import QueryRequest
from trilith.elements.service import ElementQueries
from trilith.engines import create_engine
from trilith.events import EventBus
from trilith.input_tables.service import InputTables
from trilith.metadata import migrate
from trilith.spec import load_app_text
from trilith.sql.render import RenderedSQL

SPEC = """
id: bench
title: Bench
controls:
  - {id: region, type: list, multiple: true, targets: [{element: by_region, column: region}]}
  - {id: amount, type: range, targets: [{element: by_region, column: amount}]}
  - {id: day, type: date_range, targets: [{element: by_region, column: day}]}
pages:
  - id: home
    elements:
      - {id: by_region, type: chart, chart_type: bar, source: gen.sales, x: region,
         y: ["Sum([amount])", "Count()"]}
"""
CONTROLS = {
    "region": ["r1", "r3", "r5", "r7"],
    "amount": {"min": 100, "max": 900},
    "day": {"start": "2024-02-01", "end": "2024-11-30"},
}
GENERATE = {
    "duckdb": (
        "CREATE TABLE gen.sales AS SELECT 'r' || (i % 10)::VARCHAR AS region, "
        "(i * 7919 % 1000)::DOUBLE AS amount, DATE '2024-01-01' + (i % 366)::INTEGER AS day "
        "FROM range({rows}) t(i)"
    ),
    "postgres": (
        "CREATE TABLE gen.sales AS SELECT 'r' || (i % 10) AS region, "
        "(i::BIGINT * 7919 % 1000)::DOUBLE PRECISION AS amount, "
        "DATE '2024-01-01' + (i % 366) AS day FROM generate_series(0, {rows} - 1) AS t(i)"
    ),
}


def prepare(url: str, kind: str, rows: int) -> tuple[str, list[object] | dict[str, object]]:
    """Generate the table, apply the app, and return the element's SQL for this engine."""
    engine = create_engine(url)
    migrate(engine, "sigds")
    with engine.session() as session:
        session.execute("CREATE SCHEMA IF NOT EXISTS gen")
        session.execute("DROP TABLE IF EXISTS gen.sales")
        session.execute(GENERATE[kind].format(rows=rows))
    apply_app(engine, "sigds", load_app_text(SPEC, "bench.yaml"), "bench")
    queries = ElementQueries(InputTables(engine, "sigds", EventBus()))
    app = queries.apps.get("bench").app
    shaped = queries.compile(app, "by_region", QueryRequest(CONTROLS), ADMIN)
    select, params = shaped.page(QueryRequest(CONTROLS, limit=1000))
    rendered = engine.render(select, params)
    engine.close()
    return rendered.sql, rendered.params


def direct(url: str, sql: str, params: list[object] | dict[str, object], repeat: int) -> float:
    engine = create_engine(url)
    times = []
    with engine.session() as session:
        for _ in range(repeat + 1):
            started = time.perf_counter()
            session.execute_rendered(RenderedSQL(sql, params)).fetchall()
            times.append(time.perf_counter() - started)
    engine.close()
    return statistics.median(times[1:])


def through_api(url: str, repeat: int) -> float:
    process, base = serve(url)
    try:
        with httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=120
        ) as http:
            times = []
            for _ in range(repeat + 1):
                started = time.perf_counter()
                response = http.post(
                    "/api/apps/bench/elements/by_region/query", json={"controls": CONTROLS}
                )
                response.raise_for_status()
                times.append(time.perf_counter() - started)
            assert json.loads(response.text)["total"] == 4
            return statistics.median(times[1:])
    finally:
        process.terminate()
        process.wait(30)


def run(kind: str, url: str, rows: int, repeat: int) -> None:
    sql, params = prepare(url, kind, rows)
    reference = direct(url, sql, params, repeat)
    api = through_api(url, repeat)
    print(
        f"{kind:9s} {rows:,} rows, 3 controls: API {api * 1000:.1f} ms | direct SQL "
        f"{reference * 1000:.1f} ms | ratio {api / reference:.2f} (target <= 1.2)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--engine", choices=["duckdb", "postgres", "both"], default="both")
    args = parser.parse_args()
    if args.engine in ("duckdb", "both"):
        with tempfile.TemporaryDirectory() as folder:
            run("duckdb", f"duckdb:///{folder}/bench.duckdb", args.rows, args.repeat)
    if args.engine in ("postgres", "both"):
        url, database = fresh_postgres()
        try:
            run("postgres", url, args.rows, args.repeat)
        finally:
            drop_postgres(database)


if __name__ == "__main__":
    main()
