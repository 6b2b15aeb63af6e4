"""Real server processes (`trilith serve`) on loopback ports, sharing one PostgreSQL
warehouse and one Redis, for the scale-out and reliability tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.conftest import AUTH, TOKEN
from tests.sse import sse_events
from trilith.engines import create_engine
from trilith.sql.ddl import drop_schema

TRILITH = Path(sys.executable).parent / "trilith"
START_TIMEOUT_S = 45.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ServerProcess:
    """`trilith serve` in a process of its own; its output goes to a log file."""

    def __init__(self, env: dict[str, str], log_path: Path, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = env
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> ServerProcess:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [str(TRILITH), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited at start:\n{self.log()}")
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the server did not become healthy:\n{self.log()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, as when a machine loses power."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-6000:]

    def client(self, token: str = TOKEN) -> httpx.Client:
        return httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {token}"}, timeout=60
        )


@pytest.fixture(scope="session")
def ops_schema(postgres_server: str) -> Iterator[str]:
    schema = f"ops_{uuid.uuid4().hex[:10]}"
    yield schema
    engine = create_engine(postgres_server)
    engine.execute(drop_schema(schema))
    engine.close()


@pytest.fixture(scope="session")
def server_env(postgres_server: str, redis_url: str, ops_schema: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("TRILITH_", "SIGMA_"))}
    return {
        **keep,
        "TRILITH_WAREHOUSE": postgres_server,
        "TRILITH_REDIS_URL": redis_url,
        "TRILITH_ADMIN_TOKEN": TOKEN,
        "TRILITH_JWT_SECRET": "ops-test-secret-" + "x" * 32,
        "TRILITH_WRITEBACK_SCHEMA": ops_schema,
        "TRILITH_SCHEDULER_INTERVAL": "0.5",
        "TRILITH_HEALTH_INTERVAL": "2",
        "TRILITH_ACTION_RATE_LIMIT": "2000/minute",
        "TRILITH_STATUS_RATE_LIMIT": "12/minute",
        "TRILITH_LOG_FORMAT": "json",
        "TRILITH_AI_PROVIDER": "local",
    }


@pytest.fixture(scope="session")
def pair(
    server_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    """Two server processes on different ports, one warehouse, one Redis."""
    logs = tmp_path_factory.mktemp("servers")
    first = ServerProcess(server_env, logs / "a.log").start()
    second = ServerProcess(server_env, logs / "b.log")
    try:
        second.start()
        yield first, second
    finally:
        first.stop()
        second.stop()


class EventListener:
    """A client of `GET /api/events` on one server, collecting events in a thread."""

    def __init__(self, server: ServerProcess, **params: str) -> None:
        self.url = f"{server.url}/api/events"
        self.params = {"access_token": TOKEN, **params}
        self.events: list[dict[str, Any]] = []
        self.connected = threading.Event()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._response: httpx.Response | None = None
        self._thread = threading.Thread(target=self._listen, daemon=True)

    def __enter__(self) -> EventListener:
        self._thread.start()
        assert self.connected.wait(15), "the event stream did not open"
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._response is not None:
            self._response.close()
        # A read blocked until the next heartbeat is not waited for (a daemon thread).
        self._thread.join(0.5)

    def _listen(self) -> None:
        try:
            with httpx.stream("GET", self.url, params=self.params, timeout=60) as stream:
                self._response = stream
                for event in sse_events(stream.iter_lines(), self.connected.set):
                    with self._lock:
                        self.events.append(event)
                    if self._stop.is_set():
                        return
        except Exception:
            return  # closed by __exit__, or the server went away (the kill tests)

    def wait_for(
        self, predicate: Callable[[dict[str, Any]], bool], seconds: float = 20
    ) -> dict[str, Any]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with self._lock:
                for event in self.events:
                    if predicate(event):
                        return event
            time.sleep(0.02)
        raise AssertionError(f"no matching event within {seconds} s; saw {self.events[-10:]}")


def wait_until(predicate: Callable[[], Any], seconds: float = 20, every: float = 0.1) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"not true within {seconds} s")


__all__ = ["AUTH", "EventListener", "ServerProcess", "wait_until"]
