"""Schemathesis against `/openapi.json`: generated requests to every operation find no
500 and no response that breaks the operation's documented schema.

Bounded: a few examples per operation, derandomised (the same cases every run), on an
in-memory DuckDB warehouse. Left out: `/api/events` (an endless stream) and `/api/ai/`
(model calls; tests/ai covers them)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from tests.api.conftest import AUTH, TOKEN, LiveServer
from trilith.api import create_app
from trilith.settings import Settings

MAX_EXAMPLES = 4

SETTINGS = dict(
    warehouse="duckdb:///:memory:",
    admin_token=TOKEN,
    jwt_secret="fuzz-secret-" + "x" * 40,
    scheduler_interval=0,
    health_interval=0,
    action_rate_limit="100000/minute",
    status_rate_limit="100000/minute",
)


# The schema is read from an application built here (no server, no request); the cases
# run against a real server that the fixture starts only when these tests run.
schema = (
    schemathesis.openapi.from_dict(create_app(Settings(**SETTINGS)).openapi())  # type: ignore[arg-type]
    .exclude(path_regex=r"^/api/events$")
    .exclude(path_regex=r"^/api/ai/")
)


@pytest.fixture(scope="module")
def live_url() -> Iterator[str]:
    """One real server for every case, with an object the paths can name."""
    with LiveServer(Settings(**SETTINGS)) as server:  # type: ignore[arg-type]
        created = httpx.post(
            f"{server.url}/api/sigma/input-tables",
            json={"id": "notes", "name": "Notes", "columns": [{"name": "title", "type": "text"}]},
            headers=AUTH,
        )
        assert created.status_code == 201, created.text
        yield server.url


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_no_server_error_and_no_schema_break(case: schemathesis.Case, live_url: str) -> None:
    response = case.call(base_url=live_url, headers=AUTH, timeout=30)
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
