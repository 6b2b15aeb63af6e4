"""A served app on a real engine with helpers to make users and read the warehouse."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient

from trilith.api import create_app
from trilith.engines import create_engine
from trilith.engines.base import Engine
from trilith.settings import Settings
from trilith.sql.ddl import drop_schema

TOKEN = "security-admin-token"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}


class Api:
    def __init__(self, client: TestClient, schema: str) -> None:
        self.client = client
        self.schema = schema

    @property
    def engine(self) -> Engine:
        engine: Engine = self.client.app.state.warehouse.engine  # type: ignore[attr-defined]
        return engine

    def user(self, name: str, role: str, **extra: Any) -> tuple[dict[str, str], dict[str, Any]]:
        """A new user: their bearer headers and the creation answer (with token_id)."""
        made = self.client.post(
            "/api/users", json={"name": name, "role": role, **extra}, headers=ADMIN
        )
        assert made.status_code == 201, made.text
        body = made.json()
        return {"Authorization": f"Bearer {body['token']}"}, body

    def table(self, definition: dict[str, Any]) -> None:
        made = self.client.post("/api/sigma/input-tables", json=definition, headers=ADMIN)
        assert made.status_code == 201, made.text


@contextmanager
def server_settings(
    engine_name: str, make_engine_url: Callable[[str], str], schema: str, **settings: Any
) -> Iterator[Settings]:
    """Settings for a server on `engine_name` writing to `schema`, dropped after on
    PostgreSQL (the other engines' databases are the test's own files)."""
    url = make_engine_url(engine_name)
    values: dict[str, Any] = {"warehouse": url, "admin_token": TOKEN, "writeback_schema": schema}
    yield Settings(**(values | settings))
    if engine_name == "postgres":
        engine = create_engine(url)
        engine.execute(drop_schema(schema))
        engine.close()


@contextmanager
def served(
    engine_name: str, make_engine_url: Callable[[str], str], schema: str, **settings: Any
) -> Iterator[Api]:
    with (
        server_settings(engine_name, make_engine_url, schema, **settings) as values,
        TestClient(create_app(values)) as client,
    ):
        yield Api(client, schema)


def engine_param(request: pytest.FixtureRequest) -> str:
    name = str(request.param)
    if name == "postgres":
        request.applymarker(pytest.mark.postgres)
    return name
