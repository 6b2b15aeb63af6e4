"""The binary COPY encoder against a real PostgreSQL, and the streamed row numbering."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import duckdb
import psycopg
import pyarrow as pa
import pytest
from psycopg import sql

from trilith.input_tables.csv.pg_binary import HEADER, TRAILER, BinaryRows
from trilith.input_tables.csv.reader import numbered_ids

TYPES = {
    "t": "text",
    "i": "int8",
    "small": "int4",
    "d": "float8",
    "b": "bool",
    "day": "date",
    "at": "timestamp",
}
DDL = "t TEXT, i BIGINT, small INTEGER, d DOUBLE PRECISION, b BOOLEAN, day DATE, at TIMESTAMP"

BATCH = pa.record_batch(
    {
        "t": pa.array(["héllo ✓", None, "", 'a,b\n"quoted"\\', "x" * 70_000]),
        "i": pa.array([1, None, -5, 2**62, -(2**63)]),
        "small": pa.array([1, 2, None, 2**31 - 1, -(2**31)], pa.int32()),
        "d": pa.array([1.5, None, -0.0, 1e300, 5e-324]),
        "b": pa.array([True, False, None, True, False]),
        "day": pa.array(
            [
                dt.date(2000, 1, 1),
                dt.date(1969, 12, 31),
                None,
                dt.date(2026, 11, 22),
                dt.date(1, 1, 1),
            ]
        ),
        "at": pa.array(
            [
                dt.datetime(2000, 1, 1),
                dt.datetime(1950, 5, 6, 7, 8, 9, 123456),
                dt.datetime(2026, 11, 22, 10, 0, 0, 1),
                None,
                dt.datetime(9999, 12, 31, 23, 59, 59, 999999),
            ]
        ),
    }
)


@pytest.fixture
def connection(postgres_server: str) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    with psycopg.connect(postgres_server, autocommit=True) as connection:
        connection.execute(f"CREATE TEMP TABLE copied ({DDL})")
        yield connection


def _copy(connection: psycopg.Connection[tuple[object, ...]], *chunks: bytes | pa.Buffer) -> None:
    columns = sql.SQL(", ").join(sql.Identifier(name) for name in TYPES)
    statement = sql.SQL("COPY copied ({}) FROM STDIN (FORMAT binary)").format(columns)
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        for chunk in chunks:
            copy.write(chunk)


def _rows(batch: pa.RecordBatch) -> list[tuple[object, ...]]:
    return [tuple(row.values()) for row in batch.to_pylist()]


def test_every_type_and_null_reads_back_as_sent(
    connection: psycopg.Connection[tuple[object, ...]],
) -> None:
    rows = BinaryRows.for_types(list(TYPES.values()))
    assert rows is not None
    # Two batches, the second a slice (Arrow offsets that do not start at 0).
    _copy(connection, HEADER, rows.encode(BATCH), rows.encode(BATCH.slice(1, 3)), TRAILER)
    copied = connection.execute("SELECT * FROM copied").fetchall()
    assert copied == _rows(BATCH) + _rows(BATCH.slice(1, 3))


def test_source_types_are_cast_to_the_column_types(
    connection: psycopg.Connection[tuple[object, ...]],
) -> None:
    """DuckDB hands over a literal `1` as int32 and text as string views or large
    strings; the fields are encoded as the target column's type."""
    loose = pa.record_batch(
        {
            "t": pa.array(["a", None], pa.large_string()),
            "i": pa.array([7, None], pa.int32()),
            "small": pa.array([3, 4], pa.int64()),
            "d": pa.array([2, None], pa.int64()),
            "b": pa.array([True, None]),
            "day": pa.array([dt.date(2024, 2, 29), None]),
            "at": pa.array([dt.datetime(2024, 2, 29, 12), None], pa.timestamp("ms")),
        }
    )
    rows = BinaryRows.for_types(list(TYPES.values()))
    assert rows is not None
    _copy(connection, HEADER, rows.encode(loose), TRAILER)
    assert connection.execute("SELECT * FROM copied").fetchall() == [
        ("a", 7, 3, 2.0, True, dt.date(2024, 2, 29), dt.datetime(2024, 2, 29, 12)),
        (None, None, 4, None, None, None, None),
    ]


def test_types_without_an_encoder_ask_for_csv() -> None:
    assert BinaryRows.for_types(["text", "numeric"]) is None
    assert BinaryRows.for_types(["timestamptz"]) is None
    assert BinaryRows.for_columns({"a": "text"}, ["a", "b"]) is None
    assert BinaryRows.for_columns({"a": "TEXT", "b": "int8"}, ["b", "a"]) is not None


def test_an_empty_batch_is_no_bytes(connection: psycopg.Connection[tuple[object, ...]]) -> None:
    rows = BinaryRows.for_types(list(TYPES.values()))
    assert rows is not None
    assert rows.encode(BATCH.slice(0, 0)).size == 0
    _copy(connection, HEADER, rows.encode(BATCH.slice(0, 0)), TRAILER)
    assert connection.execute("SELECT count(*) FROM copied").fetchone() == (0,)


def test_a_batch_of_the_wrong_width_is_refused() -> None:
    rows = BinaryRows.for_types(["text"])
    assert rows is not None
    with pytest.raises(ValueError, match="2 columns for 1 encoders"):
        rows.encode(pa.record_batch({"a": ["x"], "b": ["y"]}))


@pytest.mark.parametrize("first", [1, 65_537, 2**40])
def test_streamed_ids_match_the_ones_duckdb_numbers(first: int) -> None:
    """Rows numbered as they stream get the ids the SQL numbering gives the same records."""
    prefix = "0123456789ab"
    expected = duckdb.execute(
        f"SELECT format('{{}}{{:020x}}', '{prefix}', i) FROM range({first}, {first + 300}) t(i)"
    ).fetchall()
    assert numbered_ids(prefix, first, 300).to_pylist() == [row[0] for row in expected]
