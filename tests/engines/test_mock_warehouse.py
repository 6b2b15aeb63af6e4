"""`mock_warehouse`: Snowflake SQL transpiled by sqlglot and run on DuckDB."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from trilith.engines import Engine, create_engine
from trilith.settings import Settings


@pytest.fixture
def snowflake_on_duckdb() -> Iterator[Engine]:
    url = Settings(sigma_mode="mock_warehouse", warehouse="duckdb:///:memory:").warehouse_url()
    engine = create_engine(url)
    engine.execute("CREATE SCHEMA sales")
    engine.execute(
        "CREATE TABLE sales.orders (id INT, region VARCHAR, amount NUMBER(10, 2), placed DATE)"
    )
    rows = [
        (1, "north", 100, "2024-01-05"),
        (2, "north", 250, "2024-02-10"),
        (3, "south", 75, "2024-01-20"),
        (4, "south", None, "2024-03-01"),
    ]
    for r in rows:
        engine.execute(
            "INSERT INTO sales.orders VALUES (:id, :region, :amount, TO_DATE(:placed))",
            dict(zip(["id", "region", "amount", "placed"], r, strict=True)),
        )
    yield engine
    engine.close()


def test_mode_selects_duckdb_reading_snowflake(snowflake_on_duckdb: Engine) -> None:
    assert snowflake_on_duckdb.dialect == "duckdb"
    assert snowflake_on_duckdb.read_dialect == "snowflake"


def test_iff_nvl_and_casts(snowflake_on_duckdb: Engine) -> None:
    rows = snowflake_on_duckdb.fetch_rows(
        "SELECT id, IFF(amount > 90, 'big', 'small'), NVL(amount, 0)::INT, id::VARCHAR "
        "FROM sales.orders ORDER BY id"
    )
    assert rows == [
        (1, "big", 100, "1"),
        (2, "big", 250, "2"),
        (3, "small", 75, "3"),
        (4, "small", 0, "4"),
    ]


def test_dateadd_and_datediff(snowflake_on_duckdb: Engine) -> None:
    rows = snowflake_on_duckdb.fetch_rows(
        "SELECT DATEADD(day, 10, placed), DATEDIFF(day, TO_DATE('2024-01-01'), placed), "
        "DATEADD(month, 1, placed) FROM sales.orders WHERE id = 1"
    )
    plus_ten, days, next_month = rows[0]
    assert _as_date(plus_ten) == dt.date(2024, 1, 15)
    assert days == 4
    assert _as_date(next_month) == dt.date(2024, 2, 5)


def test_qualify_keeps_the_top_order_per_region(snowflake_on_duckdb: Engine) -> None:
    rows = snowflake_on_duckdb.fetch_rows(
        "SELECT region, id FROM sales.orders "
        "QUALIFY ROW_NUMBER() OVER (PARTITION BY region ORDER BY amount DESC NULLS LAST) = 1 "
        "ORDER BY region"
    )
    assert rows == [("north", 2), ("south", 3)]


def test_array_agg_and_to_varchar(snowflake_on_duckdb: Engine) -> None:
    rows = snowflake_on_duckdb.fetch_rows(
        "SELECT region, ARRAY_AGG(id) WITHIN GROUP (ORDER BY id), TO_VARCHAR(SUM(amount)) "
        "FROM sales.orders GROUP BY region ORDER BY region"
    )
    assert [(r[0], list(r[1])) for r in rows] == [("north", [1, 2]), ("south", [3, 4])]
    assert [float(r[2]) for r in rows] == [350.0, 75.0]


def test_bound_values_stay_values(snowflake_on_duckdb: Engine) -> None:
    rows = snowflake_on_duckdb.fetch_rows(
        "SELECT COUNT(*) FROM sales.orders WHERE region = :r", {"r": "north' OR '1'='1"}
    )
    assert rows == [(0,)]


def _as_date(value: object) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value  # type: ignore[return-value]
