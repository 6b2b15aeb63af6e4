"""The orchestrator on every local engine: order, variables, effects, errors, runs."""

from __future__ import annotations

import threading
import time

import pytest
from sqlglot import exp

from tests.actions.conftest import FLAKY_CALLS, VIEWER, make_context, run, selection, sequence
from trilith.actions.engine import ActionEngine
from trilith.errors import Conflict
from trilith.input_tables.query import RowQuery
from trilith.input_tables.service import InputTables


def test_actions_run_in_order_and_pass_variables(
    action_engine: ActionEngine, tables: InputTables
) -> None:
    seq = sequence(
        {
            "type": "set_variable",
            "variable": "base",
            "value": {"type": "formula", "formula": "[Control/qty] * 2"},
        },
        {"type": "set_control", "target_control": "total", "value": "=[ActionVar/base] + 1"},
        {"type": "open_modal", "modal": "confirm"},
        {"type": "show_alert", "title": '="Total " & Text([Control/total])'},
        {"type": "test_flaky", "key": "out", "value": 42, "output_variable": "answer"},
    )
    ctx = make_context(
        tables, controls={"qty": 5}, control_types={"qty": "number", "total": "number"}
    )
    result = run(action_engine, seq, ctx)
    assert result["status"] == "completed"
    assert result["output_variables"] == {"base": 10, "answer": 42}
    assert result["effects"] == [
        {"type": "set_control", "control_id": "total", "value": 11},
        {"type": "open_modal", "modal_id": "confirm"},
        {"type": "show_alert", "title": "Total 11", "text": None, "level": "info"},
    ]
    assert [s["type"] for s in result["steps"]] == [
        "set_variable",
        "set_control",
        "open_modal",
        "show_alert",
        "test_flaky",
    ]
    assert result["progress"] == {"current": 5, "total": 5, "percentage": 100}


@pytest.mark.parametrize(
    ("mode", "start", "value", "expected"),
    [
        ("replace", ["a"], "b", "b"),
        ("add", ["a"], ["b", "a"], ["a", "b"]),
        ("remove", ["a", "b"], "a", ["b"]),
    ],
)
def test_set_control_modes(
    action_engine: ActionEngine,
    tables: InputTables,
    mode: str,
    start: object,
    value: object,
    expected: object,
) -> None:
    seq = sequence(
        {
            "type": "set_control",
            "target_control": "tags",
            "value": {"type": "static", "value": value},
            "selection_mode": mode,
        }
    )
    result = run(action_engine, seq, make_context(tables, controls={"tags": start}))
    assert result["effects"][0]["value"] == expected


def test_selection_values_and_conditions(action_engine: ActionEngine, tables: InputTables) -> None:
    picked = selection({"Region": "North", "Amount": 5}, {"Region": "South", "Amount": 7})
    seq = sequence(
        {
            "type": "set_variable",
            "variable": "regions",
            "value": {"type": "column", "column_name": "Region"},
        },
        condition={
            "type": "selection_contains",
            "column_name": "Region",
            "expected_value": "South",
        },
    )
    result = run(action_engine, seq, make_context(tables, selection=picked))
    assert result["output_variables"]["regions"] == ["North", "South"]
    skipped = run(
        action_engine,
        seq.model_copy(update={"id": "s2"}),
        make_context(tables, selection=selection({"Region": "East"})),
    )
    assert skipped["status"] == "completed"
    assert skipped["steps"] == []
    assert skipped["effects"] == [{"type": "condition_not_met", "sequence_id": "s2"}]


def test_the_first_true_branch_runs(action_engine: ActionEngine, tables: InputTables) -> None:
    seq = sequence(
        branches=[
            {
                "condition": {"type": "custom_formula", "formula": "[Control/amount] > 100"},
                "actions": [{"type": "show_alert", "title": "big"}],
            },
            {
                "condition": {"type": "custom_formula", "formula": "[Control/amount] > 10"},
                "actions": [{"type": "show_alert", "title": "medium"}],
            },
            {"actions": [{"type": "show_alert", "title": "small"}]},
        ]
    )
    for amount, title in ((500, "big"), (50, "medium"), (5, "small")):
        ctx = make_context(tables, controls={"amount": amount}, control_types={"amount": "number"})
        result = run(action_engine, seq.model_copy(update={"id": f"b{amount}"}), ctx)
        assert [e["title"] for e in result["effects"]] == [title]


def test_stop_on_error_and_continue(action_engine: ActionEngine, tables: InputTables) -> None:
    failing = {"type": "test_flaky", "key": "f", "failures": 99}
    after = {"type": "show_alert", "title": "after"}
    stopped = run(action_engine, sequence(failing, after, id="a"), make_context(tables))
    assert stopped["status"] == "failed"
    assert "action 0 (test_flaky) failed: transient failure 1" in stopped["error"]
    assert stopped["effects"] == []
    carried_on = run(
        action_engine, sequence(failing, after, id="b", stop_on_error=False), make_context(tables)
    )
    assert carried_on["status"] == "completed"
    assert [s["status"] for s in carried_on["steps"]] == ["failed", "completed"]
    tolerated = run(
        action_engine,
        sequence({**failing, "error_handling": "continue", "output_variable": "x"}, after, id="c"),
        make_context(tables),
    )
    assert tolerated["status"] == "completed"
    assert tolerated["steps"][0]["status"] == "continued"
    assert tolerated["output_variables"] == {"x": None}


def test_retry_with_backoff(action_engine: ActionEngine, tables: InputTables) -> None:
    seq = sequence(
        {
            "type": "test_flaky",
            "key": "r",
            "failures": 2,
            "value": "ok",
            "error_handling": "retry",
            "retries": 3,
            "output_variable": "v",
        }
    )
    started = time.monotonic()
    result = run(action_engine, seq, make_context(tables))
    assert result["status"] == "completed"
    assert FLAKY_CALLS["r"] == 3
    assert result["output_variables"] == {"v": "ok"}
    assert time.monotonic() - started >= 0.2 + 0.4  # backed off twice


def test_timeout(action_engine: ActionEngine, tables: InputTables) -> None:
    seq = sequence(
        {"type": "test_flaky", "key": "slow", "sleep_ms": 300},
        {"type": "show_alert", "title": "never"},
        timeout_ms=200,
    )
    result = run(action_engine, seq, make_context(tables))
    assert result["status"] == "failed"
    assert result["error"] == "timed out after 200 ms"


def test_input_table_writes_and_atomic_runs(
    action_engine: ActionEngine, tables: InputTables, orders: str
) -> None:
    insert = {
        "type": "insert_rows",
        "target_table": orders,
        "column_values": {"code": "A-1", "amount": 5},
    }
    bad = {
        "type": "insert_rows",
        "target_table": orders,
        "column_values": {"code": "A-2", "amount": -1},
    }
    partial = run(action_engine, sequence(insert, bad, id="plain"), make_context(tables))
    assert partial["status"] == "failed"
    assert "must be at least 0" in partial["error"]
    assert [r["code"] for r in tables.rows(orders).page(RowQuery())[0]] == ["A-1"]
    atomic = run(
        action_engine,
        sequence({**insert, "column_values": {"code": "B-1"}}, bad, id="all", atomic=True),
        make_context(tables),
    )
    assert atomic["status"] == "failed"
    assert [r["code"] for r in tables.rows(orders).page(RowQuery())[0]] == [
        "A-1"
    ]  # B-1 rolled back
    entries, _ = tables.rows(orders).log.history(orders, _history())
    assert [e["source"] for e in entries] == ["action"]


def test_rows_chosen_by_identifier_formula_or_criteria(
    action_engine: ActionEngine, tables: InputTables, orders: str
) -> None:
    for code, amount in (("A", 1), ("B", 2), ("C", 3), ("C", 4)):
        run(
            action_engine,
            sequence(
                {
                    "type": "insert_rows",
                    "target_table": orders,
                    "column_values": {"code": code, "amount": amount},
                },
                id=f"i{code}{amount}",
            ),
            make_context(tables),
        )
    by_key = sequence(
        {
            "type": "update_rows",
            "target_table": orders,
            "row_identifier": "A",
            "key_column": "code",
            "column_values": {"status": "done"},
        },
        id="u1",
    )
    assert run(action_engine, by_key, make_context(tables))["steps"][0]["result"] == 1
    ambiguous = by_key.model_copy(
        update={
            "id": "u2",
            "actions": [
                by_key.actions[0].model_copy(
                    update={"parameters": {**by_key.actions[0].parameters, "row_identifier": "C"}}
                )
            ],
        }
    )
    refused = run(action_engine, ambiguous, make_context(tables))
    assert "matches 2 rows" in refused["error"]
    by_formula = sequence(
        {
            "type": "update_rows",
            "target_table": orders,
            "formula": "[amount] >= [Control/min]",
            "column_values": {"status": "big"},
        },
        id="u3",
    )
    ctx = make_context(tables, controls={"min": 3}, control_types={"min": "number"})
    assert run(action_engine, by_formula, ctx)["steps"][0]["result"] == 2
    by_where = sequence(
        {"type": "delete_rows", "target_table": orders, "where": {"status": "big"}}, id="d1"
    )
    assert run(action_engine, by_where, make_context(tables))["steps"][0]["result"] == 2
    upsert = sequence(
        {
            "type": "upsert_rows",
            "target_table": orders,
            "key_columns": ["code"],
            "column_values": {"code": "B", "amount": 20},
        },
        id="up",
    )
    run(action_engine, upsert, make_context(tables))
    rows = {r["code"]: r for r in tables.rows(orders).page(RowQuery())[0]}
    assert (sorted(rows), rows["B"]["amount"], rows["A"]["status"]) == (["A", "B"], 20.0, "done")


def test_an_action_cannot_write_where_its_caller_may_not(
    action_engine: ActionEngine, tables: InputTables, orders: str
) -> None:
    result = run(
        action_engine,
        sequence({"type": "insert_rows", "target_table": orders, "column_values": {"code": "V"}}),
        make_context(tables, actor=VIEWER),
    )
    assert result["status"] == "failed"
    assert "(viewer) may not edit input table" in result["error"]
    assert tables.rows(orders).page(RowQuery())[1] == 0


def test_pause_resume_and_stop(action_engine: ActionEngine, tables: InputTables) -> None:
    slow = [{"type": "test_flaky", "key": f"p{i}", "sleep_ms": 150} for i in range(4)]
    live = action_engine.start(sequence(*slow, id="long"), make_context(tables))
    time.sleep(0.05)
    action_engine.control([live.run_id], "pause")
    deadline = time.monotonic() + 5
    while action_engine.status(live.run_id)["status"] != "paused" and time.monotonic() < deadline:
        time.sleep(0.02)
    assert action_engine.status(live.run_id)["status"] == "paused"
    assert action_engine.runs.get(live.run_id)["status"] == "paused"  # stored too
    progress = action_engine.status(live.run_id)["progress"]["current"]
    time.sleep(0.4)
    assert action_engine.status(live.run_id)["progress"]["current"] == progress  # nothing ran
    action_engine.control([live.run_id], "resume")
    assert live.done.wait(5)
    assert action_engine.runs.get(live.run_id)["status"] == "completed"
    stopped = action_engine.start(sequence(*slow, id="stop-me"), make_context(tables))
    action_engine.control([stopped.run_id], "stop")
    assert stopped.done.wait(5)
    record = action_engine.runs.get(stopped.run_id)
    assert (record["status"], record["error"]) == ("stopped", "stopped on request")
    assert len(record["steps"]) < 4


def test_one_run_per_actor_and_idempotency(
    action_engine: ActionEngine, tables: InputTables
) -> None:
    seq = sequence({"type": "test_flaky", "key": "once", "sleep_ms": 300, "value": 1}, id="single")
    first = action_engine.start(seq, make_context(tables), idempotency_key="k-1")
    with pytest.raises(Conflict, match="already running for you"):
        action_engine.start(seq, make_context(tables))
    assert first.done.wait(5)
    again = action_engine.execute(seq, make_context(tables), idempotency_key="k-1", wait_s=5)
    assert again["run_id"] == first.run_id
    assert FLAKY_CALLS["once"] == 1


def test_runs_left_running_by_a_dead_process_are_failed(
    action_engine: ActionEngine, tables: InputTables
) -> None:
    from trilith.actions.runs import LiveRun

    orphan = LiveRun("orphan", "seq", None, "ed", "click", None, None, 3)
    action_engine.runs.insert(orphan)
    action_engine.runs.engine.execute(
        exp.update(
            action_engine.runs.table,
            {"heartbeat_at": exp.Literal.string("2000-01-01 00:00:00")},
            where=exp.column("run_id").eq("orphan"),
        )
    )
    assert action_engine.runs.recover(60) == 1
    record = action_engine.runs.get("orphan")
    assert (record["status"], record["error"]) == (
        "failed",
        "the server running this sequence stopped before it finished",
    )


def test_runs_are_audited(action_engine: ActionEngine, tables: InputTables) -> None:
    run(
        action_engine,
        sequence({"type": "test_flaky", "key": "z", "failures": 9}, id="aud"),
        make_context(tables, request_id="req-9"),
    )
    from trilith.sql.ddl import table

    rows = tables.engine.fetch_rows(
        exp.select("action")
        .from_(table(tables.schema, "audit_log"))
        .where(exp.column("request_id").eq("req-9"))
        .order_by("at", "action")
    )
    assert {r[0] for r in rows} == {"sequence-started", "action-failed", "sequence-failed"}


def test_concurrent_sequences_from_different_actors(
    action_engine: ActionEngine, tables: InputTables
) -> None:
    from trilith.auth import Actor

    seq = sequence({"type": "test_flaky", "key": "c", "sleep_ms": 100, "value": 1}, id="shared")
    results: list[str] = []

    def go(n: int) -> None:
        actor = Actor(f"u{n}", f"u{n}", "editor")
        results.append(
            action_engine.execute(seq, make_context(tables, actor=actor), wait_s=10)["status"]
        )

    threads = [threading.Thread(target=go, args=(n,)) for n in range(5)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["completed"] * 5
    assert time.monotonic() - started < 0.5 * 5  # they ran side by side, not one after another


def _history():  # type: ignore[no-untyped-def]
    from trilith.input_tables.edit_log import HistoryQuery

    return HistoryQuery()


def test_a_form_or_selected_element_is_read_by_name(
    action_engine: ActionEngine, tables: InputTables
) -> None:
    seq = sequence(
        {"type": "set_control", "target_control": "picked", "value": "=[deals_table/Deal Id]"}
    )
    ctx = make_context(tables, selection=selection({"Deal Id": "D-1"}, element_id="deals_table"))
    assert run(action_engine, seq, ctx)["effects"] == [
        {"type": "set_control", "control_id": "picked", "value": "D-1"}
    ]


def test_another_elements_column_is_read_with_an_element_query(
    action_engine: ActionEngine, tables: InputTables, orders: str
) -> None:
    from trilith.apply import apply_app
    from trilith.spec import load_app_text

    spec = """
id: shop
title: Shop
controls:
  - {id: min, type: number, operator: ">=", targets: [{element: big_orders, column: amount}]}
pages:
  - id: home
    elements:
      - {id: big_orders, type: table, source: orders, columns: [code, amount]}
"""
    apply_app(tables.engine, tables.schema, load_app_text(spec, "shop.yaml"), "setup")
    for code, amount in (("A", 5), ("B", 50), ("C", 500)):
        run(
            action_engine,
            sequence(
                {
                    "type": "insert_rows",
                    "target_table": orders,
                    "column_values": {"code": code, "amount": amount},
                },
                id=f"i{code}",
            ),
            make_context(tables),
        )
    seq = sequence(
        {"type": "set_variable", "variable": "codes", "value": "=[big_orders/code]"}, id="read"
    )
    ctx = make_context(tables, app_id="shop", controls={"min": 50}, control_types={"min": "number"})
    assert sorted(run(action_engine, seq, ctx)["output_variables"]["codes"]) == ["B", "C"]
