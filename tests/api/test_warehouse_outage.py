"""A PostgreSQL warehouse that is down at start or goes down later.

The database is made unreachable for real: connections are refused
(`ALLOW_CONNECTIONS false`) and existing backends are terminated.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import psycopg
import pytest
from fastapi.testclient import TestClient
from psycopg import sql

from tests.api.conftest import AUTH, TOKEN
from tests.conftest import POSTGRES_URL
from trilith.api import create_app
from trilith.settings import Settings

pytestmark = pytest.mark.postgres


@pytest.fixture
def outage(postgres_server: str) -> Iterator[Callable[[bool], None]]:
    database = postgres_server.rsplit("/", 1)[1]
    admin = psycopg.connect(POSTGRES_URL, autocommit=True)

    def set_down(down: bool) -> None:
        admin.execute(
            sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS {}").format(
                sql.Identifier(database), sql.SQL("false" if down else "true")
            )
        )
        if down:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (database,),
            )

    yield set_down
    set_down(False)
    admin.close()


def make_app(url: str, schema: str) -> TestClient:
    settings = Settings(
        warehouse=f"{url}?pool_timeout=1&connect_timeout=1",
        admin_token=TOKEN,
        writeback_schema=schema,
        health_interval=0,  # /health checks on every request, not in the background
    )
    return TestClient(create_app(settings))


def wait_for(predicate: Callable[[], bool], seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return False


def test_down_later_then_back(
    postgres_server: str, outage: Callable[[bool], None], unique_schema: str
) -> None:
    with make_app(postgres_server, unique_schema) as client:
        assert client.get("/api/apps", headers=AUTH).status_code == 200
        outage(True)
        health = client.get("/health")
        assert health.status_code == 503
        assert health.json()["status"] == "unhealthy"
        assert health.json()["services"]["warehouse"]["error"]
        down = client.get("/api/database/health", headers=AUTH)
        assert down.status_code == 503
        apps = client.get("/api/apps", headers=AUTH)
        assert apps.status_code == 503
        assert apps.json()["error"]["type"] == "warehouse_unavailable"
        outage(False)
        assert wait_for(lambda: client.get("/api/apps", headers=AUTH).status_code == 200)
        assert client.get("/health").json()["status"] == "healthy"


def test_down_at_start_then_back(
    postgres_server: str, outage: Callable[[bool], None], unique_schema: str
) -> None:
    outage(True)
    with make_app(postgres_server, unique_schema) as client:
        assert client.get("/health").json()["status"] == "unhealthy"
        assert client.get("/api/apps", headers=AUTH).status_code == 503
        status = client.get("/api/sigma/status", headers=AUTH)
        assert status.status_code == 200
        assert status.json()["warehouse"]["ready"] is False
        outage(False)
        assert wait_for(lambda: client.get("/api/apps", headers=AUTH).status_code == 200)
        assert client.get("/api/sigma/status", headers=AUTH).json()["warehouse"]["ready"] is True
    cleanup = psycopg.connect(postgres_server, autocommit=True)
    cleanup.execute(
        sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(unique_schema))
    )
    cleanup.close()
