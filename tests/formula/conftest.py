"""One engine per kind for the whole session: the formula cases only read, so sharing is
safe, and opening an engine per case (as the repo's `engine` fixture does) would cost most
of the suite's time. The cases parametrise `engine_name` like the repo's fixture, so the
`postgres` marker and the skip-when-unreachable rule apply unchanged."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from trilith.engines import Engine, create_engine

IN_MEMORY = {"duckdb": "duckdb:///:memory:", "sqlite": "sqlite:///:memory:"}


@pytest.fixture(scope="session")
def engine_pool() -> Iterator[dict[str, Engine]]:
    pool: dict[str, Engine] = {}
    yield pool
    for engine in pool.values():
        engine.close()


@pytest.fixture
def shared_engine(
    engine_name: str, engine_pool: dict[str, Engine], request: pytest.FixtureRequest
) -> Engine:
    if engine_name not in engine_pool:
        url = IN_MEMORY.get(engine_name) or str(request.getfixturevalue("postgres_server"))
        engine_pool[engine_name] = create_engine(url)
    return engine_pool[engine_name]
