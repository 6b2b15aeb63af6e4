"""`formula_command`, behind `trilith formula EXPR [--dialect D] [--eval] [--table T]`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trilith.engines import create_engine
from trilith.formula import formula_command


@pytest.fixture
def warehouse(tmp_path: Path) -> str:
    url = f"duckdb:///{tmp_path}/w.duckdb"
    engine = create_engine(url)
    engine.execute(
        "CREATE TABLE orders AS SELECT * FROM (VALUES (1, 100.5, 'won', DATE '2024-01-31'), "
        "(2, 20.0, 'lost', DATE '2024-02-29'), (3, NULL, 'won', DATE '2024-03-01')) "
        "AS t(id, amount, stage, day)"
    )
    engine.close()
    return url


def test_prints_the_sql_for_a_dialect() -> None:
    assert formula_command('Left("abc", 2)') == ("LEFT('abc', 2)", 0)
    assert formula_command('Left("abc", 2)', dialect="sqlite") == ("SUBSTRING('abc', 1, 2)", 0)


def test_eval_prints_the_value_as_json_on_the_last_line() -> None:
    text, code = formula_command('5 / 2 & "!"', eval_=True)
    assert code == 0
    assert json.loads(text.splitlines()[-1]) == "2.5!"
    text, _ = formula_command('DateAdd("month", 1, Date("2024-01-31"))', eval_=True)
    assert json.loads(text.splitlines()[-1]) == "2024-02-29"


def test_eval_runs_on_the_engine_of_the_url_while_printing_another_dialect(
    warehouse: str,
) -> None:
    text, code = formula_command(
        "Round(7 / 2)", dialect="postgres", eval_=True, warehouse_url=warehouse
    )
    assert code == 0
    assert text.splitlines()[0] == "ROUND(CAST(CAST(7 AS DOUBLE PRECISION) / 2 AS DECIMAL))"
    assert json.loads(text.splitlines()[-1]) == 4


def test_eval_over_a_table(warehouse: str) -> None:
    text, code = formula_command(
        'Upper([stage]) & "-" & [id]', eval_=True, table="orders", warehouse_url=warehouse
    )
    assert code == 0
    assert json.loads(text.splitlines()[-1]) == ["WON-1", "LOST-2", "WON-3"]
    text, _ = formula_command("Sum([amount])", eval_=True, table="orders", warehouse_url=warehouse)
    assert json.loads(text.splitlines()[-1]) == 120.5


def test_table_columns_are_typed_from_the_warehouse(warehouse: str) -> None:
    text, code = formula_command("[stage] + 1", table="orders", warehouse_url=warehouse)
    assert code == 1
    assert text == (
        "[stage] + 1\n^ operator + expects a number for left, got text (join text with &)"
    )


def test_bad_formulas_print_the_caret_and_exit_1() -> None:
    text, code = formula_command('Lenn("abc")')
    assert code == 1
    assert text == 'Lenn("abc")\n^ unknown function Lenn; did you mean Len or Ln?'
    text, code = formula_command("[amount] * 2", eval_=True)
    assert code == 1
    assert "unknown column or control [amount]" in text


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"dialect": "oracle"}, "error: unknown dialect 'oracle'"),
        ({"table": "nope", "eval_": True}, "error: duckdb error"),
        ({"table": "orders; DROP TABLE orders", "eval_": True}, "is not a table name"),
    ],
)
def test_other_failures_exit_1(warehouse: str, kwargs: dict[str, object], message: str) -> None:
    text, code = formula_command("1", warehouse_url=warehouse, **kwargs)  # type: ignore[arg-type]
    assert code == 1
    assert message in text
