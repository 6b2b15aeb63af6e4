"""Stored procedures and declared statements, on the engines that have them."""

from __future__ import annotations

import pytest

from tests.actions.conftest import make_context, run, sequence
from trilith.actions.engine import ActionEngine
from trilith.engines import Engine
from trilith.input_tables.service import InputTables


@pytest.mark.parametrize("engine_name", ["duckdb"])
def test_a_duckdb_macro_output_becomes_a_variable(
    engine: Engine, action_engine: ActionEngine, tables: InputTables
) -> None:
    engine.execute("CREATE MACRO discount(amount, pct) AS amount * (1 - pct / 100.0)")
    seq = sequence(
        {
            "type": "call_stored_procedure",
            "procedure": "discount",
            "arguments": [200, {"type": "control", "control_id": "pct"}],
        }
    )
    result = run(action_engine, seq, make_context(tables, controls={"pct": 25}))
    assert result["status"] == "completed"
    assert result["output_variables"] == {"discount": 150.0}


@pytest.mark.parametrize("engine_name", ["postgres"])
def test_postgres_functions_and_procedures(
    engine: Engine, action_engine: ActionEngine, tables: InputTables, unique_schema: str
) -> None:
    engine.execute(f"CREATE TABLE {unique_schema}.approvals (id INT, ok BOOLEAN)")
    engine.execute(
        f"CREATE FUNCTION {unique_schema}.double_it(x INT) RETURNS INT LANGUAGE SQL AS 'SELECT x * 2'"
    )
    engine.execute(
        f"CREATE PROCEDURE {unique_schema}.approve(i INT) LANGUAGE SQL AS "
        f"'INSERT INTO {unique_schema}.approvals VALUES (i, TRUE)'"
    )
    seq = sequence(
        {
            "type": "call_stored_procedure",
            "procedure": f"{unique_schema}.double_it",
            "arguments": [21],
        },
        {
            "type": "call_stored_procedure",
            "procedure": f"{unique_schema}.approve",
            "kind": "procedure",
            "arguments": ["=[ActionVar/double_it]"],
        },
    )
    result = run(action_engine, seq, make_context(tables))
    assert result["status"] == "completed", result["error"]
    assert result["output_variables"]["double_it"] == 42
    assert engine.fetch_rows(f"SELECT id, ok FROM {unique_schema}.approvals") == [(42, True)]


def test_a_failing_procedure_stops_the_sequence_even_without_stop_on_error(
    action_engine: ActionEngine, tables: InputTables
) -> None:
    seq = sequence(
        {"type": "call_stored_procedure", "procedure": "no_such_routine", "arguments": [1]},
        {"type": "show_alert", "title": "must not run"},
        stop_on_error=False,
    )
    result = run(action_engine, seq, make_context(tables))
    assert result["status"] == "failed"
    assert "no_such_routine failed" in result["error"]
    assert result["effects"] == []


def test_routine_names_cannot_carry_sql() -> None:
    from pydantic import ValidationError

    from trilith.actions.handlers.warehouse import CallStoredProcedure

    with pytest.raises(ValidationError, match="is not a routine name"):
        CallStoredProcedure.model_validate({"procedure": "x(); DROP TABLE y; --"})


def test_run_sql_runs_only_declared_statements(
    action_engine: ActionEngine, tables: InputTables
) -> None:
    statements = {
        "count_big": "SELECT COUNT(*) AS n FROM (SELECT 5 AS v UNION ALL SELECT 50 AS v) AS t WHERE v > :limit"
    }
    seq = sequence(
        {
            "type": "run_sql",
            "statement": "count_big",
            "values": {"limit": {"type": "control", "control_id": "limit"}},
            "output_variable": "rows",
        }
    )
    result = run(
        action_engine, seq, make_context(tables, controls={"limit": 10}, statements=statements)
    )
    assert result["output_variables"]["rows"] == [{"n": 1}]
    unknown = run(
        action_engine,
        sequence({"type": "run_sql", "statement": "drop_all"}, id="u"),
        make_context(tables, statements=statements),
    )
    assert "no SQL statement 'drop_all' is declared; declared: count_big" in unknown["error"]
