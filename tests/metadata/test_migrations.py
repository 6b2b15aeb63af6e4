"""The write-back schema on every local engine: idempotent, upgradable, race-free."""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable

import pytest
from sqlglot import exp

from trilith.engines import Engine, create_engine
from trilith.metadata import LATEST_VERSION, current_version, migrate
from trilith.metadata.tables import BASE_TABLES
from trilith.sql.ddl import table


def version_rows(engine: Engine, schema: str) -> list[tuple[int, str]]:
    query = exp.select("version", "description").from_(table(schema, "schema_version"))
    return sorted((int(v), d) for v, d in engine.fetch_rows(query.order_by("version")))


def test_fresh_database_gets_every_table(engine: Engine, unique_schema: str) -> None:
    report = migrate(engine, unique_schema)
    assert report.from_version == 0
    assert report.to_version == LATEST_VERSION
    for name in (n for n in BASE_TABLES if n != "counters"):  # counters start seeded
        assert engine.fetch_rows(exp.select("COUNT(*)").from_(table(unique_schema, name))) == [(0,)]


def test_starting_twice_is_harmless(engine: Engine, unique_schema: str) -> None:
    migrate(engine, unique_schema)
    again = migrate(engine, unique_schema)
    assert again.applied == ()
    assert [v for v, _ in version_rows(engine, unique_schema)] == list(range(1, LATEST_VERSION + 1))


def test_an_older_schema_is_upgraded(engine: Engine, unique_schema: str) -> None:
    migrate(engine, unique_schema, target=1)
    assert current_version(engine, unique_schema) == 1
    report = migrate(engine, unique_schema)
    assert report.from_version == 1
    assert report.applied == tuple(range(2, LATEST_VERSION + 1))
    assert current_version(engine, unique_schema) == LATEST_VERSION


def test_an_unmigrated_schema_has_version_zero(engine: Engine, unique_schema: str) -> None:
    assert current_version(engine, unique_schema) == 0


def test_threads_starting_at_once_apply_each_migration_once(
    engine: Engine, unique_schema: str
) -> None:
    errors: list[BaseException] = []

    def start() -> None:
        try:
            migrate(engine, unique_schema)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert [v for v, _ in version_rows(engine, unique_schema)] == list(range(1, LATEST_VERSION + 1))


def _migrate_in_process(
    url: str, schema: str, barrier: multiprocessing.synchronize.Barrier
) -> None:
    engine = create_engine(url)
    barrier.wait()
    migrate(engine, schema)
    engine.close()


@pytest.mark.parametrize("engine_name", ["sqlite", "postgres"])
def test_processes_starting_at_once_do_not_corrupt_the_schema(
    engine_name: str, make_engine_url: Callable[[str], str], unique_schema: str
) -> None:
    # DuckDB is absent on purpose: a DuckDB file is opened by one process at a time.
    if engine_name == "postgres":
        pytest.importorskip("psycopg")
    url = make_engine_url(engine_name)
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(4)
    processes = [
        context.Process(target=_migrate_in_process, args=(url, unique_schema, barrier))
        for _ in range(4)
    ]
    for p in processes:
        p.start()
    for p in processes:
        p.join(60)
    assert [p.exitcode for p in processes] == [0, 0, 0, 0]
    engine = create_engine(url)
    try:
        assert [v for v, _ in version_rows(engine, unique_schema)] == list(
            range(1, LATEST_VERSION + 1)
        )
    finally:
        if engine_name == "postgres":
            from trilith.sql.ddl import drop_schema

            engine.execute(drop_schema(unique_schema))
        engine.close()
