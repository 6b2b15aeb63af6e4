from __future__ import annotations

from collections.abc import Iterator

import pytest

from trilith.ai import AIEngine, Governance, ModelAccess, choose_provider
from trilith.auth import Actor
from trilith.engines import Engine, create_engine
from trilith.metadata import migrate

SCHEMA = "sigds"
EDITOR = Actor("ed", "ed@example.com", "editor")
VIEWER = Actor("vi", "vi@example.com", "viewer")


@pytest.fixture
def duck() -> Iterator[Engine]:
    engine = create_engine("duckdb:///:memory:")
    migrate(engine, SCHEMA)
    yield engine
    engine.close()


@pytest.fixture
def mock_warehouse() -> Iterator[Engine]:
    engine = create_engine("duckdb:///:memory:?dialect=snowflake")
    yield engine
    engine.close()


def ai_engine(
    engine: Engine,
    *,
    access: str = "",
    daily_budget: float | None = None,
    provider: str | None = None,
) -> AIEngine:
    governance = Governance(
        engine, SCHEMA, access=ModelAccess.parse(access), daily_budget=daily_budget
    )
    return AIEngine(engine, SCHEMA, choose_provider(engine, provider), governance)
