"""The Engine contract, run on every local engine (DuckDB, SQLite, PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import os
import resource
import threading
import time

import psycopg
import pyarrow as pa
import pytest
from sqlglot import exp

from trilith.engines import Engine
from trilith.engines.postgres import PostgresEngine, _lock_id
from trilith.errors import BadRequest, Conflict, WarehouseError
from trilith.sql import param
from trilith.sql.ddl import ColumnSpec, create_schema, create_table, table


@pytest.fixture
def people(engine: Engine, unique_schema: str) -> exp.Table:
    target = table(unique_schema, "people")
    engine.execute(create_schema(unique_schema))
    engine.execute(
        create_table(
            target,
            [
                ColumnSpec("id", "BIGINT", nullable=False),
                ColumnSpec("name", "TEXT"),
                ColumnSpec("score", "DOUBLE"),
                ColumnSpec("active", "BOOLEAN"),
                ColumnSpec("born", "DATE"),
            ],
            primary_key=["id"],
        )
    )
    return target


def insert_person(target: exp.Table) -> exp.Insert:
    return exp.insert(
        exp.select(param("id"), param("name"), param("score"), param("active"), param("born")),
        target,
        columns=["id", "name", "score", "active", "born"],
    )


def row(id_: int, name: str, score: float = 1.5, active: bool = True) -> dict[str, object]:
    return {"id": id_, "name": name, "score": score, "active": active, "born": dt.date(1990, 1, 2)}


def test_expression_with_named_parameters_round_trips_values(
    engine: Engine, people: exp.Table
) -> None:
    hostile = "Robert'); DROP TABLE people; --"
    engine.execute(insert_person(people), row(1, hostile))
    engine.execute(insert_person(people), row(2, "50% off", score=-0.25, active=False))
    query = exp.select("id", "name", "score", "active").from_(people).order_by("id")
    rows = engine.fetch_rows(query)
    assert [(r[0], r[1], r[2], bool(r[3])) for r in rows] == [
        (1, hostile, 1.5, True),
        (2, "50% off", -0.25, False),
    ]


def test_text_sql_accepts_named_and_positional_parameters(
    engine: Engine, people: exp.Table
) -> None:
    engine.execute(insert_person(people), row(1, "a"))
    engine.execute(insert_person(people), row(2, "b"))
    name = people.sql(engine.read_dialect)
    by_name = engine.fetch_dicts(f"SELECT name FROM {name} WHERE id = :id", {"id": 2})
    by_position = engine.fetch_rows(f"SELECT name FROM {name} WHERE id > ? ORDER BY id", [0])
    assert by_name == [{"name": "b"}]
    assert by_position == [("a",), ("b",)]


def test_missing_or_extra_parameters_are_refused(engine: Engine, people: exp.Table) -> None:
    query = exp.select("id").from_(people).where(exp.column("id").eq(param("id")))
    with pytest.raises(BadRequest, match="no value bound for parameter\\(s\\): id"):
        engine.fetch_rows(query, {})
    with pytest.raises(BadRequest, match="1 positional parameter\\(s\\) but 2 value\\(s\\)"):
        engine.fetch_rows(f"SELECT id FROM {people.sql(engine.read_dialect)} WHERE id = ?", [1, 2])


def test_fetch_arrow_gives_typed_columns(engine: Engine, people: exp.Table) -> None:
    for i in range(5):
        engine.execute(insert_person(people), row(i, f"n{i}", score=i / 2))
    result = engine.fetch_arrow(exp.select("id", "name", "score").from_(people).order_by("id"))
    assert isinstance(result, pa.Table)
    assert result.column_names == ["id", "name", "score"]
    assert result.column("id").to_pylist() == [0, 1, 2, 3, 4]
    assert pa.types.is_floating(result.schema.field("score").type)
    empty = engine.fetch_arrow(exp.select("id").from_(people).where(exp.false()))
    assert empty.num_rows == 0


def test_transaction_commits_on_success(engine: Engine, people: exp.Table) -> None:
    with engine.transaction() as session:
        session.execute(insert_person(people), row(1, "a"))
        session.execute(insert_person(people), row(2, "b"))
        assert session.fetch_scalar(exp.select("COUNT(*)").from_(people)) == 2
    assert engine.fetch_scalar(exp.select("COUNT(*)").from_(people)) == 2


def test_transaction_rolls_back_everything_on_error(engine: Engine, people: exp.Table) -> None:
    engine.execute(insert_person(people), row(1, "kept"))

    def write_batch() -> None:
        with engine.transaction() as session:
            session.execute(insert_person(people), row(2, "lost"))
            session.execute(insert_person(people), row(1, "duplicate key"))

    with pytest.raises(Conflict):
        write_batch()
    assert engine.fetch_rows(exp.select("name").from_(people)) == [("kept",)]


def test_rowcount_of_updates(engine: Engine, people: exp.Table) -> None:
    for i in range(3):
        engine.execute(insert_person(people), row(i, "x"))
    update = exp.update(people, {"name": param("name")}, where=exp.column("id").neq(param("id")))
    assert engine.execute(update, {"name": "y", "id": 0}) == 2


def test_concurrent_units_of_work_from_threads(engine: Engine, people: exp.Table) -> None:
    """The server's thread pool: many writers and readers at once, no shared cursor."""
    errors: list[BaseException] = []
    per_thread = 25

    def work(worker: int) -> None:
        try:
            for i in range(per_thread):
                key = worker * 1000 + i
                with engine.transaction() as session:
                    session.execute(insert_person(people), row(key, f"w{worker}"))
                count = engine.fetch_scalar(
                    exp.select("COUNT(*)").from_(people).where(exp.column("name").eq(param("n"))),
                    {"n": f"w{worker}"},
                )
                assert count == i + 1
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert engine.fetch_scalar(exp.select("COUNT(*)").from_(people)) == 6 * per_thread


def test_a_bad_statement_is_a_clear_error(engine: Engine, people: exp.Table) -> None:
    with pytest.raises(BadRequest, match="cannot parse SQL"):
        engine.fetch_rows("SELECT FROM WHERE (")
    with pytest.raises(WarehouseError, match=engine.warehouse_type):
        engine.fetch_rows(exp.select("nope").from_(people))


def test_capabilities_are_flags(engine: Engine) -> None:
    caps = engine.capabilities()
    assert caps["transactions"] is True
    assert set(caps) >= {"merge", "copy", "stored_procedures", "ai_functions", "transactions"}
    assert engine.describe()["dialect"] == engine.dialect


@pytest.mark.parametrize("engine_name", ["postgres"])
def test_a_statement_timeout_is_not_mistaken_for_an_outage(engine: Engine) -> None:
    with engine.session() as session:
        session.execute("SET statement_timeout = 50")
        with pytest.raises(WarehouseError) as info:
            session.execute("SELECT pg_sleep(1)")
        session.execute("SET statement_timeout = 0")
    assert info.value.status_code == 500
    assert "canceling statement" in info.value.message


@pytest.mark.parametrize("engine_name", ["postgres"])
def test_a_pooled_connection_the_server_ended_is_replaced_unseen(engine: Engine) -> None:
    """The pool's check asks a connection only when it has something to read; one the
    server terminated has, so the next statement gets a fresh connection, not an error."""
    with engine.session() as other:
        # A second connection, held while the first goes back to the pool and is ended;
        # its backend is gone (its goodbye sent) once pg_stat_activity no longer lists it.
        with engine.session() as idle:
            first = int(idle.fetch_scalar("SELECT pg_backend_pid()"))
        assert int(other.fetch_scalar("SELECT pg_backend_pid()")) != first
        other.execute(f"SELECT pg_terminate_backend({first})")
        deadline = time.monotonic() + 10
        alive = f"SELECT COUNT(*) FROM pg_stat_activity WHERE pid = {first}"
        while other.fetch_scalar(alive) and time.monotonic() < deadline:
            time.sleep(0.02)
    pids = {engine.fetch_scalar("SELECT pg_backend_pid()") for _ in range(3)}
    assert first not in pids


@pytest.mark.parametrize("engine_name", ["postgres"])
def test_a_failed_locked_transaction_rolls_back_and_frees_its_lock(
    engine: Engine, people: exp.Table
) -> None:
    count = exp.select(exp.func("COUNT", exp.Star())).from_(people)
    with engine.locked_transaction("people") as session:
        session.execute(insert_person(people), row(98, "Amy"))
    with (  # noqa: PT012 - the failure must come after a write in the same transaction
        pytest.raises(WarehouseError),
        engine.locked_transaction("people") as session,
    ):
        session.execute(insert_person(people), row(99, "Zed"))
        session.execute("SELECT nope")
    assert engine.fetch_scalar(count) == 1
    # The advisory lock went with the rollback. Asked from a connection of its own (a
    # pooled one may be the same session, where advisory locks are re-entrant).
    assert isinstance(engine, PostgresEngine)
    with psycopg.connect(engine.conninfo, autocommit=True) as outside:
        held = outside.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s",
            (_lock_id("people"),),
        ).fetchone()
        taken = outside.execute("SELECT pg_try_advisory_lock(%s)", (_lock_id("people"),)).fetchone()
    assert held == (0,)
    assert taken == (True,)


@pytest.mark.parametrize("engine_name", ["postgres"])
def test_the_pool_check_works_past_descriptor_1023(engine: Engine) -> None:
    """A busy server (many event-stream clients) has sockets numbered past 1023, where
    `select.select` refuses to look; the pool's check must still work there."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 1200:
        pytest.skip(f"this process may open only {hard} files")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1200), hard))
    held = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    try:
        with engine.session() as first, engine.session() as second:
            # Two connections at once: the second is opened now, past descriptor 1023.
            assert first.fetch_scalar("SELECT 1") == second.fetch_scalar("SELECT 1") == 1
            high = second.connection.fileno()  # type: ignore[attr-defined]
        assert high > 1023
        # Both idle connections are checked out again, so each is checked.
        with engine.session() as first, engine.session() as second:
            assert first.fetch_scalar("SELECT 2") == second.fetch_scalar("SELECT 2") == 2
    finally:
        for descriptor in held:
            os.close(descriptor)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
