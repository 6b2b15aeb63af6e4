"""Two server processes behind one PostgreSQL warehouse and one Redis behave as one
server: events, rate limits, run control, schedules and concurrent edits."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import httpx
import pytest

from tests.ops.conftest import EventListener, ServerProcess, wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

BASE = "/api/sigma/input-tables"
Pair = tuple[ServerProcess, ServerProcess]


def new_table(http: httpx.Client, name: str) -> str:
    response = http.post(
        BASE,
        json={
            "name": name,
            "columns": [
                {"name": "title", "type": "text", "required": True},
                {"name": "amount", "type": "number"},
            ],
        },
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_an_edit_through_one_process_reaches_an_event_client_of_the_other(pair: Pair) -> None:
    first, second = pair
    with first.client() as a:
        table_id = new_table(a, "Shared events")
        with EventListener(second, table_id=table_id) as listener:
            inserted = a.post(f"{BASE}/{table_id}/rows", json={"rows": [{"title": "hello"}]})
            assert inserted.status_code in (200, 201), inserted.text
            row_id = inserted.json()["rows"][0]["_row_id"]
            event = listener.wait_for(lambda e: e["type"] == "rows.changed", seconds=10)
    assert event["table_id"] == table_id
    assert event["row_ids"] == [row_id]
    assert event["op"] == "insert"
    # Delivered once: the relay skips the process's own events, the other gets each once.
    assert sum(1 for e in listener.events if e["type"] == "rows.changed") == 1


def test_rate_limits_are_shared_between_processes(pair: Pair) -> None:
    first, second = pair
    with first.client() as admin:
        user = admin.post(
            "/api/users", json={"name": f"poller-{uuid.uuid4().hex[:6]}", "role": "editor"}
        )
        assert user.status_code == 201, user.text
        token = user.json()["token"]
    url = "/api/actions/sequences/no_such_sequence/status"
    with first.client(token) as a, second.client(token) as b:
        # TRILITH_STATUS_RATE_LIMIT is 12/minute: 6 through each process use it up.
        statuses = [(a if n % 2 else b).get(url).status_code for n in range(12)]
        assert 429 not in statuses, statuses
        for client in (a, b):
            limited = client.get(url)
            assert limited.status_code == 429
            assert 0 < int(limited.headers["Retry-After"]) <= 60


SLOW = {
    "id": "slow_sequence",
    "name": "Slow",
    "stop_on_error": False,
    "actions": [
        {
            "type": "wait_for",
            "parameters": {"condition": "=FALSE", "timeout_ms": 300, "interval_ms": 50},
            "error_handling": "continue",
        }
        for _ in range(40)
    ],
}


def test_pause_and_stop_through_one_process_are_obeyed_by_the_other(pair: Pair) -> None:
    first, second = pair
    with first.client() as a, second.client() as b:
        created = a.post("/api/sigma/actions", json=SLOW)
        assert created.status_code == 201, created.text
        started = a.post(
            "/api/actions/execute", json={"sequence_id": "slow_sequence", "wait_ms": 0}
        )
        assert started.status_code == 202, started.text
        run_id = started.json()["result"]["execution_id"]

        def status(server: httpx.Client) -> dict[str, Any]:
            response = server.get(f"/api/actions/runs/{run_id}")
            assert response.status_code == 200, response.text
            return dict(response.json())

        # Progress lives in the process running the sequence (A); B controls it.
        wait_until(lambda: len(status(a)["steps"]) >= 1, seconds=15)
        paused = b.post("/api/actions/sequences/slow_sequence/control", json={"action": "pause"})
        assert paused.status_code == 200, paused.text
        assert paused.json()["result"]["runs"] == [run_id]
        wait_until(lambda: status(b)["status"] == "paused", seconds=15)
        steps_when_paused = len(status(a)["steps"])
        time.sleep(1.5)
        assert status(a)["status"] == "paused"
        assert len(status(a)["steps"]) == steps_when_paused  # process A holds the run still
        resumed = b.post("/api/actions/sequences/slow_sequence/control", json={"action": "resume"})
        assert resumed.status_code == 200, resumed.text
        wait_until(lambda: len(status(a)["steps"]) > steps_when_paused, seconds=15)
        stopped = b.post("/api/actions/sequences/slow_sequence/control", json={"action": "stop"})
        assert stopped.status_code == 200, stopped.text
        final = wait_until(
            lambda: (s := status(b))["status"] not in ("running", "paused") and s, seconds=15
        )
        assert final["status"] == "stopped"
        assert len(final["steps"]) < len(SLOW["actions"])  # type: ignore[arg-type]


def test_a_scheduled_sequence_fires_once_across_processes(pair: Pair) -> None:
    first, _second = pair
    with first.client() as a:
        table_id = new_table(a, "Scheduled")
        created = a.post(
            "/api/sigma/actions",
            json={
                "id": "every_minute",
                "name": "Every minute",
                "trigger": {"type": "schedule", "cron": "* * * * *"},
                "actions": [
                    {
                        "type": "insert_rows",
                        "parameters": {
                            "target_table": table_id,
                            "column_values": {"title": "tick"},
                        },
                    }
                ],
            },
        )
        assert created.status_code == 201, created.text

        def runs() -> list[dict[str, Any]]:
            history = a.get("/api/actions/history", params={"limit": 100})
            assert history.status_code == 200, history.text
            return [r for r in history.json()["history"] if r["sequence_id"] == "every_minute"]

        wait_until(lambda: [r for r in runs() if r["status"] == "completed"], seconds=20)
        # Both processes tick every 0.5 s: give them several chances to fire it again.
        time.sleep(3)
        fired = runs()
        rows = a.get(f"{BASE}/{table_id}/rows").json()["rows"]
    # One run and one row per due minute (a minute boundary may pass during the test).
    minutes = {r["started_at"][:16] for r in fired}
    assert len(fired) == len(rows) <= 2
    assert len(fired) == len(minutes)
    assert {r["actor"] for r in fired} == {"scheduler"}


def test_concurrent_editors_on_both_processes_lose_no_update(pair: Pair) -> None:
    first, second = pair
    with first.client() as a:
        table_id = new_table(a, "Contended")
        row = a.post(f"{BASE}/{table_id}/rows", json={"rows": [{"title": "t", "amount": 0}]})
        row_id = row.json()["rows"][0]["_row_id"]
    row_url = f"{BASE}/{table_id}/rows/{row_id}"
    results: list[tuple[int, int | None]] = []
    lock = threading.Lock()
    start = threading.Barrier(6)

    def editor(number: int, server: ServerProcess) -> None:
        with server.client() as own:
            for attempt in range(5):
                current = own.get(
                    f"{BASE}/{table_id}/rows", params={"filter": f"_row_id:eq:{row_id}"}
                ).json()["rows"][0]
                if attempt == 0:
                    start.wait()
                response = own.patch(
                    row_url,
                    json={
                        "values": {"amount": number * 100 + attempt},
                        "expected_version": current["_version"],
                    },
                )
                version = response.json()["_version"] if response.status_code == 200 else None
                with lock:
                    results.append((response.status_code, version))

    threads = [
        threading.Thread(target=editor, args=(n, first if n % 2 else second)) for n in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    statuses = [status for status, _ in results]
    assert len(statuses) == 30
    assert set(statuses) <= {200, 409}, statuses
    assert statuses.count(409) >= 5  # the first round's losers at least
    wins = sorted(v for s, v in results if s == 200 and v is not None)
    assert wins == list(range(2, 2 + len(wins)))  # every win made exactly one new version
    with second.client() as b:
        final = b.get(f"{BASE}/{table_id}/rows").json()["rows"][0]
        history = b.get(f"{BASE}/{table_id}/history", params={"limit": 1000}).json()
    assert final["_version"] == 1 + len(wins)
    assert history["total"] == 1 + len(wins)
    last = max(history["entries"], key=lambda e: e["edit_num"])
    assert last["after"] == final
