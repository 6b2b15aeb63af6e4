"""What a CSV cell reads as, per column type, and what a column is guessed to be: the
golden table of `input_tables.csv.cells`, evaluated by DuckDB."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import duckdb
import pytest
from sqlglot import exp

from trilith.input_tables.csv import cells


@pytest.fixture(scope="module")
def duck() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    yield connection
    connection.close()


def read(duck: duckdb.DuckDBPyConnection, type_name: str, text: str | None) -> Any:
    query = exp.select(cells.read(type_name, exp.column("v"))).from_("cell")
    return duck.execute(f"WITH cell AS (SELECT ? AS v) {query.sql('duckdb')}", [text]).fetchall()[
        0
    ][0]


def guessed(duck: duckdb.DuckDBPyConnection, text: str) -> str:
    for type_name in cells.GUESS_ORDER:
        query = exp.select(cells.guess(type_name, exp.column("v"))).from_("cell")
        sql = f"WITH cell AS (SELECT ? AS v) {query.sql('duckdb')}"
        if duck.execute(sql, [text]).fetchall()[0][0]:
            return type_name
    return "text"


READS: list[tuple[str, str | None, Any]] = [
    ("integer", "42", 42),
    ("integer", " -7 ", -7),
    ("integer", "1,234", 1234),
    ("integer", "3.0", 3),
    ("integer", "007", 7),
    ("integer", "1.5", None),
    ("integer", "1e3", None),
    ("integer", "0x10", None),
    ("integer", "9223372036854775808", None),
    ("integer", "", None),
    ("number", "2.5", 2.5),
    ("number", "-.5", -0.5),
    ("number", "1e3", 1000.0),
    ("number", "1,234.5", 1234.5),
    ("number", "1,5", None),
    ("number", "inf", None),
    ("number", "1e999", None),
    ("number", "12 apples", None),
    ("date", "2024-02-29", dt.date(2024, 2, 29)),
    ("date", "2024-01-05T10:00:00", dt.date(2024, 1, 5)),
    ("date", "2023-02-29", None),
    ("date", "05/01/2024", None),
    ("datetime", "2024-01-05 10:30", dt.datetime(2024, 1, 5, 10, 30)),
    ("datetime", "2024-01-05T10:30:15.25", dt.datetime(2024, 1, 5, 10, 30, 15, 250000)),
    ("datetime", "2024-01-05T10:00:00+02:00", dt.datetime(2024, 1, 5, 8, 0)),
    ("datetime", "2024-01-05T10:00:00Z", dt.datetime(2024, 1, 5, 10, 0)),
    ("datetime", "2024-01-05", dt.datetime(2024, 1, 5)),
    ("datetime", "yesterday", None),
    ("checkbox", "Yes", True),
    ("checkbox", "off", False),
    ("checkbox", "1", True),
    ("checkbox", "perhaps", None),
    ("multi_select", "a, b ,,c", '["a","b","c"]'),
    ("multi_select", '["x", "y"]', '["x","y"]'),
    ("multi_select", "[broken", None),
    ("text", "  spaced  ", "  spaced  "),
    ("text", "   ", None),
    ("text", None, None),
]


@pytest.mark.parametrize(("type_name", "text", "expected"), READS)
def test_a_cell_reads_as_its_column_type(
    duck: duckdb.DuckDBPyConnection, type_name: str, text: str | None, expected: Any
) -> None:
    assert read(duck, type_name, text) == expected


GUESSES = [
    ("12", "integer"),
    ("-3", "integer"),
    ("1,234", "integer"),
    ("007", "text"),
    ("0", "integer"),
    ("12.5", "number"),
    ("0.5", "number"),
    ("00.5", "text"),
    ("1e3", "number"),
    ("2024-01-05", "date"),
    ("2024-01-05 10:00", "datetime"),
    ("2024-01-05T10:00:00Z", "datetime"),
    ("true", "checkbox"),
    ("No", "checkbox"),
    ("yes please", "text"),
    ("1", "integer"),
    ("N/A", "text"),
]


@pytest.mark.parametrize(("text", "expected"), GUESSES)
def test_a_cell_is_guessed_as_the_narrowest_type(
    duck: duckdb.DuckDBPyConnection, text: str, expected: str
) -> None:
    assert guessed(duck, text) == expected


def test_each_guess_reads_back(duck: duckdb.DuckDBPyConnection) -> None:
    # A guessed type must read every cell it was guessed from.
    for text, type_name in GUESSES:
        if type_name != "text":
            assert read(duck, type_name, text) is not None, (text, type_name)


def sampled(duck: duckdb.DuckDBPyConnection, type_name: str, text: str | None) -> Any:
    query = exp.select(cells.read_sampled(type_name, exp.column("v"))).from_("cell")
    return duck.execute(f"WITH cell AS (SELECT ? AS v) {query.sql('duckdb')}", [text]).fetchall()[
        0
    ][0]


def fits(duck: duckdb.DuckDBPyConnection, type_name: str, text: str) -> bool:
    query = exp.select(cells.guess(type_name, exp.column("v"))).from_("cell")
    return bool(
        duck.execute(f"WITH cell AS (SELECT ? AS v) {query.sql('duckdb')}", [text]).fetchall()[0][0]
    )


SAMPLED_CELLS = [
    *(text for _, text, _ in READS if text is not None),
    *(text for text, _ in GUESSES),
    "0", "-0", "+5", "00", "123456789012345678", "1234567890123456789", "1,234,567",
    " 12", "12 ", "\t12\r\n", "12.50", "-0.25", "0.", ".5", "1.0e5", "99999999999999999999.5",
    "2024-01-31", " 2024-01-31", "2024-1-31", "2024-01-31 10:30:15", "2024-01-31 10:30:15.123",
    "2024-01-31T10:30:15", "2024-01-31 10:30:15+02", "12345-01-01 00:00:00",
    "TRUE", "false", " no", "True ", "\u00a0x", "x\u00a0", "\u0600 ", "", " ", "\t", "\r\n",
]  # fmt: skip


@pytest.mark.parametrize("text", SAMPLED_CELLS)
def test_a_sampled_read_is_the_guessed_read_or_an_error(
    duck: duckdb.DuckDBPyConnection, text: str
) -> None:
    # One-pass creates read columns typed from their first rows with `read_sampled`: a
    # cell fitting the guess reads as the reader reads it, a blank one is NULL, and any
    # other ends the query.
    assert sampled(duck, "text", text) == read(duck, "text", text)
    blank = not text.strip(cells.WHITESPACE)
    for type_name in cells.GUESS_ORDER:
        if blank or fits(duck, type_name, text.strip(cells.WHITESPACE)):
            assert sampled(duck, type_name, text) == read(duck, type_name, text), type_name
        else:
            with pytest.raises(duckdb.Error, match=cells.MISFIT):
                sampled(duck, type_name, text)
