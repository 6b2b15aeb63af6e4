"""Reliability on real processes: a server killed during a CSV import, and a soak of
concurrent editors and action runs on two processes. (A warehouse that drops its
connections mid-session is tests/api/test_warehouse_outage.py.)"""

from __future__ import annotations

import random
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from tests.ops.conftest import EventListener, ServerProcess, wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

BASE = "/api/sigma/input-tables"
CSV_ROWS = 400_000


def schema_tables(postgres_server: str, schema: str) -> set[str]:
    with psycopg.connect(postgres_server, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            (schema,),
        ).fetchall()
    return {str(row[0]) for row in rows}


@pytest.fixture
def big_csv(tmp_path: Path) -> Path:
    path = tmp_path / "orders.csv"
    rng = random.Random(7)
    with path.open("w") as out:
        out.write("order_id,customer,amount,region\n")
        for n in range(CSV_ROWS):
            out.write(f"{n},customer {n % 977},{rng.randint(1, 99_999) / 100},r{n % 7}\n")
    return path


@pytest.fixture
def solo(
    server_env: dict[str, str], tmp_path: Path, postgres_server: str
) -> Iterator[ServerProcess]:
    schema = f"kill_{uuid.uuid4().hex[:8]}"
    server = ServerProcess({**server_env, "TRILITH_WRITEBACK_SCHEMA": schema}, tmp_path / "s.log")
    server.start()
    yield server
    server.stop()
    with psycopg.connect(postgres_server, autocommit=True) as connection:
        connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def test_a_server_killed_during_a_csv_import_leaves_no_partial_table(
    solo: ServerProcess, big_csv: Path, postgres_server: str
) -> None:
    schema = solo.env["TRILITH_WRITEBACK_SCHEMA"]
    before = schema_tables(postgres_server, schema)
    outcome: dict[str, Any] = {}

    def upload() -> None:
        try:
            with solo.client() as http, big_csv.open("rb") as handle:
                outcome["response"] = http.post(
                    BASE,
                    files={"file": ("orders.csv", handle, "text/csv")},
                    data={"name": "Orders", "id": "orders"},
                )
        except httpx.TransportError as exc:
            outcome["error"] = exc

    with EventListener(solo) as listener:
        uploader = threading.Thread(target=upload)
        uploader.start()
        writing = listener.wait_for(
            lambda e: e["type"] == "import.progress" and e["phase"] in ("write", "done"),
            seconds=90,
        )
        solo.kill()
    uploader.join(30)
    assert writing["phase"] == "write", "the import finished before the kill; grow CSV_ROWS"
    assert "error" in outcome  # the client saw the connection drop, not an answer

    solo.start()  # the same warehouse, schema and port: it must come up cleanly
    with solo.client() as http:
        assert http.get("/health").json()["status"] == "healthy"
        listed = http.get(BASE).json()
        ids = {t["id"] for t in (listed["input_tables"] if isinstance(listed, dict) else listed)}
        assert "orders" not in ids
        assert http.get(f"{BASE}/orders").status_code == 404
        assert schema_tables(postgres_server, schema) == before
        # The server works: the same import, small, succeeds and lands whole.
        again = http.post(
            BASE,
            files={"file": ("orders.csv", b"order_id,customer\n1,ada\n2,alan\n", "text/csv")},
            data={"name": "Orders", "id": "orders"},
        )
        assert again.status_code == 201, again.text
        assert http.get(f"{BASE}/orders/rows").json()["total"] == 2


ADD_ROW = {
    "id": "soak_insert",
    "name": "Soak insert",
    "actions": [
        {
            "type": "insert_rows",
            "parameters": {
                "target_table": "soak",
                "column_values": {"title": {"type": "control", "control_id": "title"}},
            },
        }
    ],
}


def test_a_soak_of_editors_and_runs_on_two_processes_stays_consistent(
    pair: tuple[ServerProcess, ServerProcess],
) -> None:
    first, second = pair
    with first.client() as a:
        created = a.post(
            BASE,
            json={
                "id": "soak",
                "name": "Soak",
                "columns": [
                    {"name": "title", "type": "text", "required": True},
                    {"name": "amount", "type": "number"},
                ],
            },
        )
        assert created.status_code == 201, created.text
        seeded = a.post(
            f"{BASE}/soak/rows", json={"rows": [{"title": f"r{n}", "amount": 0} for n in range(8)]}
        ).json()["rows"]
        assert a.post("/api/sigma/actions", json=ADD_ROW).status_code == 201
        # One run of a sequence at a time per actor: each runner is a user of its own.
        tokens = [
            a.post("/api/users", json={"name": f"runner {n}", "role": "editor"}).json()["token"]
            for n in range(2)
        ]
    row_ids = [row["_row_id"] for row in seeded]
    updates: Counter[str] = Counter()
    runs: list[dict[str, Any]] = []
    failures: list[str] = []
    lock = threading.Lock()

    def editor(number: int) -> None:
        rng = random.Random(number)
        server = first if number % 2 else second
        with server.client() as http:
            for step in range(20):
                row_id = rng.choice(row_ids)
                current = http.get(
                    f"{BASE}/soak/rows", params={"filter": f"_row_id:eq:{row_id}"}
                ).json()["rows"][0]
                response = http.patch(
                    f"{BASE}/soak/rows/{row_id}",
                    json={
                        "values": {"amount": number * 1000 + step},
                        "expected_version": current["_version"],
                    },
                )
                with lock:
                    if response.status_code == 200:
                        updates[row_id] += 1
                    elif response.status_code != 409:
                        failures.append(f"PATCH {response.status_code}: {response.text[:200]}")

    def runner(number: int) -> None:
        server = second if number % 2 else first
        with server.client(tokens[number]) as http:
            for step in range(10):
                response = http.post(
                    "/api/actions/execute",
                    json={
                        "sequence_id": "soak_insert",
                        "context": {"controls": {"title": f"run {number}-{step}"}},
                    },
                )
                with lock:
                    if response.status_code == 200:
                        runs.append(response.json())
                    else:
                        failures.append(f"execute {response.status_code}: {response.text[:200]}")

    threads = [threading.Thread(target=editor, args=(n,)) for n in range(4)]
    threads += [threading.Thread(target=runner, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(150)
    assert not failures, failures[:5]
    assert len(runs) == 20
    assert all(run["status"] == "completed" for run in runs)

    with second.client() as b:
        rows = b.get(f"{BASE}/soak/rows", params={"limit": 1000}).json()
        history = b.get(f"{BASE}/soak/history", params={"limit": 1000}).json()
        run_ids = {run["result"]["execution_id"] for run in runs}
        stored = wait_until(
            lambda: [
                r
                for r in b.get("/api/actions/history", params={"limit": 100}).json()["history"]
                if r["run_id"] in run_ids
            ],
            seconds=10,
        )
    by_id = {row["_row_id"]: row for row in rows["rows"]}
    # Data: the seeded rows plus one row per run, each run's title present once.
    assert rows["total"] == 8 + 20
    titles = Counter(row["title"] for row in rows["rows"])
    assert all(titles[f"run {n}-{s}"] == 1 for n in range(2) for s in range(10))
    # Every accepted update made exactly one version; nothing else changed the rows.
    for row_id in row_ids:
        assert by_id[row_id]["_version"] == 1 + updates[row_id]
    # The edit log: one entry per insert and per accepted update, replaying to the data.
    assert history["total"] == 8 + 20 + sum(updates.values())
    last: dict[str, dict[str, Any]] = {}
    for entry in sorted(history["entries"], key=lambda e: e["edit_num"]):
        last[entry["row_id"]] = entry["after"]
    assert last == by_id
    # The run records: every run stored once, completed.
    assert len(stored) == 20
    assert {r["status"] for r in stored} == {"completed"}
