"""The scheduler on every engine: due schedules fire once, others do not, and several
schedulers (processes) racing for one due time run it exactly once."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlglot import exp

from tests.actions.conftest import sequence
from tests.api.conftest import AUTH, TOKEN
from trilith.actions.catalog import SequenceCatalog
from trilith.actions.definitions import AppFacts
from trilith.actions.engine import ActionEngine
from trilith.actions.runs import RunStore
from trilith.actions.scheduler import Fire, Scheduler, latest_due
from trilith.engines import Engine, create_engine
from trilith.events import EventBus
from trilith.input_tables.query import RowQuery
from trilith.input_tables.service import InputTables
from trilith.settings import Settings
from trilith.sql.ddl import table
from trilith.warehouse import Warehouse

UTC = ZoneInfo("UTC")
MORNING = dt.datetime(2025, 3, 3, 7, 0, 10, tzinfo=dt.UTC)  # a Monday, 10 s after 07:00


def scheduled(sequence_id: str, cron: str, **extra: Any) -> Any:
    return sequence(
        {
            "type": "insert_rows",
            "target_table": "orders",
            "column_values": {"code": sequence_id, "status": "scheduled"},
        },
        id=sequence_id,
        trigger={"type": "schedule", "cron": cron},
        **extra,
    )


def define(tables: InputTables, *sequences: Any) -> None:
    catalog = SequenceCatalog(tables.engine, tables.schema)
    for item in sequences:
        catalog.put(item, AppFacts(), "admin")


def scheduler(
    tables: InputTables, action_engine: ActionEngine, owner: str = "p1", **kwargs: Any
) -> Scheduler:
    return Scheduler(
        Warehouse(tables.engine, tables.schema), action_engine, tables.events, owner=owner, **kwargs
    )


def wait_for(action_engine: ActionEngine, fires: list[Fire]) -> list[dict[str, Any]]:
    """Each fire's run once it is over: stored, audited and announced."""
    runs = []
    for fire in fires:
        assert fire.run_id is not None
        live = action_engine.live.get(fire.run_id)
        if live is not None:
            assert live.done.wait(30), "the scheduled run did not finish"
        runs.append(action_engine.runs.get(fire.run_id))
    return runs


def codes(tables: InputTables) -> list[str]:
    rows, _ = tables.rows("orders").page(RowQuery(limit=1000, sort=[("code", False)]))
    return [r["code"] for r in rows]


def fire_rows(engine: Engine, schema: str) -> list[tuple[Any, ...]]:
    fires = table(schema, "schedule_fires")
    query = exp.select("sequence_id", "due_at", "owner").from_(fires).order_by("due_at")
    return [  # SQLite hands back times as text
        (name, due if isinstance(due, dt.datetime) else dt.datetime.fromisoformat(due), owner)
        for name, due, owner in engine.fetch_rows(query)
    ]


# --- due times ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cron", "now", "zone", "due"),
    [
        ("0 7 * * *", MORNING, "UTC", dt.datetime(2025, 3, 3, 7, 0, tzinfo=dt.UTC)),
        ("0 7 * * *", MORNING.replace(second=0), "UTC", dt.datetime(2025, 3, 3, 7, tzinfo=dt.UTC)),
        (
            "0 7 * * MON-FRI",
            MORNING - dt.timedelta(days=1),
            "UTC",
            dt.datetime(2025, 2, 28, 7, tzinfo=dt.UTC),
        ),
        ("*/15 * * * *", MORNING, "UTC", dt.datetime(2025, 3, 3, 7, 0, tzinfo=dt.UTC)),
        # 07:00 in New York is 12:00 UTC in winter and 11:00 UTC in summer.
        (
            "0 7 * * *",
            dt.datetime(2025, 1, 6, 12, 0, 5, tzinfo=dt.UTC),
            "America/New_York",
            dt.datetime(2025, 1, 6, 12, tzinfo=dt.UTC),
        ),
        (
            "0 7 * * *",
            dt.datetime(2025, 7, 7, 11, 0, 5, tzinfo=dt.UTC),
            "America/New_York",
            dt.datetime(2025, 7, 7, 11, tzinfo=dt.UTC),
        ),
    ],
)
def test_latest_due(cron: str, now: dt.datetime, zone: str, due: dt.datetime) -> None:
    assert latest_due(cron, now, ZoneInfo(zone)) == due


# --- firing ------------------------------------------------------------------------------


def test_a_due_schedule_fires_once_and_others_do_not(
    tables: InputTables, action_engine: ActionEngine, orders: str, unique_schema: str
) -> None:
    define(
        tables,
        scheduled("daily_seven", "0 7 * * *"),
        scheduled("daily_nine", "0 9 * * *"),  # due yesterday: missed, not caught up
        scheduled("paused_seven", "0 7 * * *", is_paused=True),
        sequence({"type": "show_alert", "title": "hi"}, id="clicked"),
    )
    first = scheduler(tables, action_engine)
    fired = first.tick(MORNING)
    assert [(f.sequence_id, f.due_at) for f in fired] == [
        ("daily_seven", dt.datetime(2025, 3, 3, 7, 0))
    ]
    (run,) = wait_for(action_engine, fired)
    assert (run["status"], run["actor"], run["trigger"]) == ("completed", "scheduler", "schedule")
    assert codes(tables) == ["daily_seven"]

    assert first.tick(MORNING + dt.timedelta(seconds=30)) == []  # already fired here
    other_process = scheduler(tables, action_engine, owner="p2")
    assert other_process.tick(MORNING + dt.timedelta(seconds=40)) == []  # and stored as fired
    assert fire_rows(tables.engine, unique_schema) == [
        ("daily_seven", dt.datetime(2025, 3, 3, 7, 0), "p1")
    ]
    tomorrow = first.tick(MORNING + dt.timedelta(days=1))
    assert [f.sequence_id for f in tomorrow] == ["daily_seven"]
    wait_for(action_engine, tomorrow)
    assert codes(tables) == ["daily_seven", "daily_seven"]


def test_a_paused_schedule_does_not_fire_until_resumed(
    tables: InputTables, action_engine: ActionEngine, orders: str
) -> None:
    every_minute = scheduled("minutely", "* * * * *")
    define(tables, every_minute)
    catalog = SequenceCatalog(tables.engine, tables.schema)
    catalog.set_paused(every_minute, True)
    runner = scheduler(tables, action_engine)
    assert runner.tick(MORNING) == []
    catalog.set_paused(every_minute, False)
    fired = runner.tick(MORNING + dt.timedelta(minutes=1))
    assert [f.due_at for f in fired] == [dt.datetime(2025, 3, 3, 7, 1)]
    wait_for(action_engine, fired)


def test_a_schedule_in_a_time_zone(
    tables: InputTables, action_engine: ActionEngine, orders: str
) -> None:
    define(tables, scheduled("ny_seven", "0 7 * * *"))
    runner = scheduler(tables, action_engine, timezone="America/New_York")
    assert runner.tick(MORNING) == []  # 07:00 UTC is 02:00 in New York
    fired = runner.tick(dt.datetime(2025, 3, 3, 12, 0, 30, tzinfo=dt.UTC))
    assert [f.due_at for f in fired] == [dt.datetime(2025, 3, 3, 12, 0)]
    wait_for(action_engine, fired)


# --- several processes -------------------------------------------------------------------


@pytest.fixture
def second_process(engine: Engine, engine_name: str) -> Iterator[Engine]:
    """Another process's engine on the same database (DuckDB is one process: shared)."""
    if engine_name == "duckdb":
        yield engine
        return
    other = create_engine(engine.url.raw)
    yield other
    other.close()


def test_racing_schedulers_run_a_due_time_once(
    tables: InputTables,
    action_engine: ActionEngine,
    orders: str,
    second_process: Engine,
    unique_schema: str,
) -> None:
    define(tables, scheduled("minutely", "* * * * *"))
    other_engine = ActionEngine(RunStore(second_process, unique_schema), EventBus())
    other_tables = InputTables(second_process, unique_schema, EventBus())
    racers = [
        scheduler(tables, action_engine, owner="p1"),
        scheduler(other_tables, other_engine, owner="p2"),
    ]
    rounds = 4
    try:
        for minute in range(rounds):
            now = MORNING + dt.timedelta(minutes=minute)
            start = threading.Barrier(len(racers))
            results: list[list[Fire]] = [[] for _ in racers]

            def race(
                index: int,
                now: dt.datetime = now,
                start: threading.Barrier = start,
                results: list[list[Fire]] = results,
            ) -> None:
                start.wait()
                results[index] = racers[index].tick(now)

            threads = [threading.Thread(target=race, args=(i,)) for i in range(len(racers))]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
            fired = [fire for found in results for fire in found]
            assert len(fired) == 1, f"minute {minute}: {fired}"
            # The loser settled the due time too: its insert hit the key, it was not busy.
            assert {r._settled[("", "minutely")] for r in racers} == {now.replace(second=0)}
            engines = (action_engine, other_engine)
            winner = next(engines[i] for i, found in enumerate(results) if found)
            wait_for(winner, fired)
    finally:
        other_engine.close()
    assert codes(tables) == ["minutely"] * rounds
    stored = fire_rows(tables.engine, unique_schema)
    assert [row[1] for row in stored] == [
        dt.datetime(2025, 3, 3, 7, minute) for minute in range(rounds)
    ]
    runs, total = action_engine.runs.find(sequence_id="minutely", limit=100)
    assert total == rounds
    assert {r["actor"] for r in runs} == {"scheduler"}


# --- in the server -----------------------------------------------------------------------


def test_the_server_runs_its_scheduler() -> None:
    from trilith.api import create_app

    settings = Settings(warehouse="duckdb:///:memory:", admin_token=TOKEN, scheduler_interval=0.1)
    app = create_app(settings)
    with TestClient(app) as client:
        assert app.state.scheduler.running
        greeting = {
            "id": "every_minute",
            "trigger": {"type": "schedule", "cron": "* * * * *"},
            "actions": [{"type": "set_variable", "variable": "hello", "value": "world"}],
        }
        assert client.post("/api/sigma/actions", json=greeting, headers=AUTH).status_code == 201
        deadline = time.monotonic() + 20
        while True:
            history = client.get("/api/actions/history", headers=AUTH).json()["history"]
            done = [r for r in history if r["status"] == "completed"]
            if done or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert [(r["sequence_id"], r["actor"]) for r in done] == [("every_minute", "scheduler")]
        assert done[0]["output_variables"] == {"hello": "world"}
    assert not app.state.scheduler.running


def test_a_scheduler_interval_of_zero_turns_it_off() -> None:
    from trilith.api import create_app

    app = create_app(
        Settings(warehouse="duckdb:///:memory:", admin_token=TOKEN, scheduler_interval=0)
    )
    with TestClient(app):
        assert not app.state.scheduler.running
