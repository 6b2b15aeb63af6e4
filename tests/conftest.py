"""Shared fixtures: real engines (DuckDB, SQLite, PostgreSQL) and service gates.

PostgreSQL and Redis tests skip with the reason when their server is unreachable, and
fail instead when TRILITH_REQUIRE_SERVICES=1 (as in CI).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator

import psycopg
import pytest
from psycopg import sql

from trilith.engines import Engine, create_engine
from trilith.sql.ddl import drop_schema

POSTGRES_URL = os.environ.get(
    "TRILITH_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("TRILITH_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
REQUIRE_SERVICES = os.environ.get("TRILITH_REQUIRE_SERVICES") == "1"

ENGINE_NAMES = ("duckdb", "sqlite", "postgres")


def _unavailable(service: str, reason: str) -> None:
    message = f"{service} is not reachable ({reason})"
    if REQUIRE_SERVICES:
        pytest.fail(f"{message}; TRILITH_REQUIRE_SERVICES=1 requires it", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A database of its own on the PostgreSQL server, dropped at the end of the session."""
    try:
        admin = psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=3)
    except Exception as exc:
        _unavailable("PostgreSQL", f"{POSTGRES_URL}: {exc}".strip())
    name = f"trilith_test_{uuid.uuid4().hex[:10]}"
    admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    base = POSTGRES_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
        )
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        admin.close()


@pytest.fixture(scope="session")
def redis_url() -> str:
    try:
        import redis

        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        client.ping()
        client.close()
    except Exception as exc:
        _unavailable("Redis", f"{REDIS_URL}: {exc}")
    return REDIS_URL


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Every test that runs on PostgreSQL (the `engine` parameter) carries the marker.
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec and callspec.params.get("engine_name") == "postgres":
            item.add_marker(pytest.mark.postgres)


@pytest.fixture
def unique_schema() -> str:
    return f"t_{uuid.uuid4().hex[:12]}"


@pytest.fixture
def make_engine_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], str]:
    def make(name: str) -> str:
        if name == "duckdb":
            return f"duckdb:///{tmp_path_factory.mktemp('duck')}/w.duckdb"
        if name == "sqlite":
            return f"sqlite:///{tmp_path_factory.mktemp('lite')}/w.db"
        return str(request.getfixturevalue("postgres_server"))

    return make


@pytest.fixture(params=ENGINE_NAMES)
def engine_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def engine(
    engine_name: str, make_engine_url: Callable[[str], str], unique_schema: str
) -> Iterator[Engine]:
    """A real engine; on PostgreSQL the test's schema is dropped afterwards."""
    eng = create_engine(make_engine_url(engine_name))
    try:
        yield eng
    finally:
        if engine_name == "postgres":
            eng.execute(drop_schema(unique_schema))
        eng.close()


_EXIT_STATUS: list[int] = []


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # Collect cycles holding native objects (DuckDB connections, llama.cpp contexts) while
    # their modules are alive, not during interpreter shutdown.
    import gc

    gc.collect()
    _EXIT_STATUS.append(int(exitstatus))


def pytest_unconfigure(config: pytest.Config) -> None:
    """End the test process once pytest has reported, without the interpreter's final
    teardown: native extensions (DuckDB 2.0's bindings, llama.cpp) have been seen to
    abort in that last garbage collection after every test passed, which would turn a
    green run red. The exit status is pytest's own."""
    if not _EXIT_STATUS or os.environ.get("TRILITH_TEST_FULL_SHUTDOWN") == "1":
        return
    import sys

    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(_EXIT_STATUS[-1])
