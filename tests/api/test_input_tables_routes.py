"""Input tables over HTTP, on DuckDB and PostgreSQL: the contract, conflicts, events."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import AUTH, TOKEN, LiveServer
from tests.sse import sse_events
from trilith.api.deps import require_actor
from trilith.auth import Actor
from trilith.settings import Settings

BASE = "/api/sigma/input-tables"
DEFINITION: dict[str, Any] = {
    "name": "Requests",
    "columns": [
        {"name": "title", "type": "text", "required": True},
        {"name": "amount", "type": "number", "validation": {"min": 0}},
        {
            "name": "status",
            "type": "single_select",
            "validation": {"options": ["open", "approved"]},
        },
    ],
}


@pytest.fixture
def api(settings: Settings) -> Iterator[TestClient]:
    from trilith.api import create_app

    with TestClient(create_app(settings)) as client:
        yield client


def create(api: TestClient, definition: dict[str, Any] | None = None) -> str:
    response = api.post(BASE, json=definition or DEFINITION, headers=AUTH)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_definition_lifecycle(api: TestClient) -> None:
    table_id = create(api)
    listed = api.get(BASE, headers=AUTH).json()
    assert [t["id"] for t in listed["input_tables"]] == [table_id]
    got = api.get(f"{BASE}/{table_id}", headers=AUTH).json()
    assert got["name"] == "Requests"
    assert got["data_entry"] == "published"
    renamed = api.patch(f"{BASE}/{table_id}", json={"name": "Asks"}, headers=AUTH)
    assert renamed.json()["name"] == "Asks"
    assert renamed.json()["version"] == 2
    assert api.delete(f"{BASE}/{table_id}", headers=AUTH).status_code == 204
    assert api.get(f"{BASE}/{table_id}", headers=AUTH).status_code == 404


def test_an_invalid_definition_is_422_naming_the_field(api: TestClient) -> None:
    bad = {**DEFINITION, "columns": [{"name": "x", "type": "money"}]}
    response = api.post(BASE, json=bad, headers=AUTH)
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "columns[0].type"
    assert api.get(BASE, headers=AUTH).json()["total"] == 0


def test_rows_contract(api: TestClient) -> None:
    table_id = create(api)
    inserted = api.post(
        f"{BASE}/{table_id}/rows",
        json={"rows": [{"title": "a", "amount": 3}, {"title": "b", "status": "open"}]},
        headers=AUTH,
    )
    assert inserted.status_code == 201
    rows = inserted.json()["rows"]
    assert {
        "_row_id",
        "_version",
        "_created_at",
        "_created_by",
        "_updated_at",
        "_updated_by",
    } <= set(rows[0])
    row_id = rows[0]["_row_id"]
    updated = api.patch(
        f"{BASE}/{table_id}/rows/{row_id}",
        json={"values": {"amount": 4}, "expected_version": 1},
        headers=AUTH,
    )
    assert (updated.status_code, updated.json()["_version"]) == (200, 2)
    stale = api.patch(
        f"{BASE}/{table_id}/rows/{row_id}",
        json={"values": {"amount": 5}, "expectedVersion": 1},
        headers=AUTH,
    )
    assert stale.status_code == 409
    assert stale.json()["current_row"]["amount"] == 4.0
    assert stale.json()["error"]["type"] == "conflict"
    listed = api.get(
        f"{BASE}/{table_id}/rows?sort=-amount&limit=1&filter=title:ne:zzz", headers=AUTH
    ).json()
    assert (listed["total"], [r["title"] for r in listed["rows"]]) == (2, ["a"])
    history = api.get(f"{BASE}/{table_id}/history?row_id={row_id}", headers=AUTH).json()
    assert [e["op"] for e in history["entries"]] == ["update", "insert"]
    assert set(history["entries"][0]) >= {
        "edit_num",
        "row_id",
        "op",
        "before",
        "after",
        "actor",
        "at",
        "source",
    }
    first = history["entries"][1]["edit_num"]
    reverted = api.post(
        f"{BASE}/{table_id}/rows/{row_id}/revert", json={"edit_num": first}, headers=AUTH
    )
    assert reverted.json()["rows"][0]["amount"] == 3.0
    gone = api.delete(f"{BASE}/{table_id}/rows/{row_id}?expected_version=3", headers=AUTH)
    assert gone.status_code == 204


def test_a_bad_row_is_422_naming_row_column_and_rule(api: TestClient) -> None:
    table_id = create(api)
    response = api.post(
        f"{BASE}/{table_id}/rows",
        json={"rows": [{"title": "ok"}, {"title": "x", "amount": -2}, {"status": "shut"}]},
        headers=AUTH,
    )
    assert response.status_code == 422
    details = response.json()["error"]["details"]
    assert {(d["row"], d["column"], d["rule"]) for d in details} == {
        (1, "amount", "min"),
        (2, "status", "options"),
        (2, "title", "required"),
    }
    assert api.get(f"{BASE}/{table_id}/rows", headers=AUTH).json()["total"] == 0


def test_bad_queries_are_400(api: TestClient) -> None:
    table_id = create(api)
    assert api.get(f"{BASE}/{table_id}/rows?sort=nope", headers=AUTH).status_code == 400
    assert api.get(f"{BASE}/{table_id}/rows?filter=amount:gt:lots", headers=AUTH).status_code == 400
    assert api.get(f"{BASE}/{table_id}/rows?filter=amount", headers=AUTH).status_code == 400
    assert api.get(f"{BASE}/{table_id}/rows?limit=0", headers=AUTH).status_code == 422
    assert api.get(f"{BASE}/missing/rows", headers=AUTH).status_code == 404


def test_bulk_paste_is_one_atomic_request(api: TestClient) -> None:
    table_id = create(api)
    paste = [{"title": f"row {i:04d}", "amount": i} for i in range(2500)]
    paste[2400]["amount"] = -1
    refused = api.post(f"{BASE}/{table_id}/rows", json={"rows": paste}, headers=AUTH)
    assert refused.status_code == 422
    assert refused.json()["error"]["details"][0]["row"] == 2400
    assert api.get(f"{BASE}/{table_id}/rows", headers=AUTH).json()["total"] == 0
    paste[2400]["amount"] = 1
    accepted = api.post(f"{BASE}/{table_id}/rows", json={"rows": paste}, headers=AUTH)
    assert accepted.status_code == 201
    listed = api.get(f"{BASE}/{table_id}/rows?limit=2500", headers=AUTH).json()
    assert listed["total"] == 2500
    assert [r["title"] for r in listed["rows"]] == [f"row {i:04d}" for i in range(2500)]


def test_draft_tables_answer_202_and_publish(api: TestClient) -> None:
    table_id = create(api, {**DEFINITION, "data_entry": "draft"})
    staged = api.post(f"{BASE}/{table_id}/rows", json={"rows": [{"title": "a"}]}, headers=AUTH)
    assert staged.status_code == 202
    assert staged.json()["staged"] is True
    assert api.get(f"{BASE}/{table_id}", headers=AUTH).json()["pending_edits"] == 1
    assert api.get(f"{BASE}/{table_id}/pending", headers=AUTH).json()["total"] == 1
    assert api.get(f"{BASE}/{table_id}/rows", headers=AUTH).json()["total"] == 0
    extra = api.post(f"{BASE}/{table_id}/rows", json={"rows": [{"title": "drop me"}]}, headers=AUTH)
    pending_id = extra.json()["pending"][0]["pending_id"]
    assert api.delete(f"{BASE}/{table_id}/pending/{pending_id}", headers=AUTH).status_code == 204
    assert api.delete(f"{BASE}/{table_id}/pending/{pending_id}", headers=AUTH).status_code == 404
    published = api.post(f"{BASE}/{table_id}/publish", headers=AUTH).json()
    assert published["published"] == 1
    assert api.get(f"{BASE}/{table_id}/rows", headers=AUTH).json()["total"] == 1


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("viewer", {"read"}), ("editor", {"read", "write"}), ("admin", {"read", "write", "manage"})],
)
def test_roles(settings: Settings, role: str, allowed: set[str]) -> None:
    from trilith.api import create_app

    app = create_app(settings)
    with TestClient(app) as admin_client:
        table_id = create(admin_client)
        app.dependency_overrides[require_actor] = lambda: Actor(id=role, name=role, role=role)  # type: ignore[arg-type]
        attempts = {
            "read": admin_client.get(f"{BASE}/{table_id}/rows"),
            "write": admin_client.post(f"{BASE}/{table_id}/rows", json={"rows": [{"title": "x"}]}),
            "manage": admin_client.patch(f"{BASE}/{table_id}", json={"name": "new"}),
        }
    for what, response in attempts.items():
        if what in allowed:
            assert response.status_code < 300, (what, response.text)
        else:
            assert response.status_code == 403, (what, response.text)
            assert f"({role}) may not" in response.json()["error"]["message"]


def test_many_writers_on_one_row_lose_no_update(settings: Settings) -> None:
    """Threads over real HTTP: every success is exactly one new version, every loser a 409,
    and the edit log replays to the final state."""
    with (
        LiveServer(settings) as server,
        httpx.Client(base_url=server.url, headers=AUTH, timeout=30) as http,
    ):
        table_id = http.post(BASE, json=DEFINITION).json()["id"]
        row = http.post(
            f"{BASE}/{table_id}/rows", json={"rows": [{"title": "t", "amount": 0}]}
        ).json()["rows"][0]
        row_url = f"{BASE}/{table_id}/rows/{row['_row_id']}"
        results: list[tuple[int, int, int | None]] = []  # (writer, status, new version)
        lock = threading.Lock()
        # The first round starts together from the same version: exactly one may win it.
        first_round = threading.Barrier(8)

        def writer(number: int) -> None:
            with httpx.Client(base_url=server.url, headers=AUTH, timeout=30) as own:
                for attempt in range(6):
                    current = own.get(
                        f"{BASE}/{table_id}/rows", params={"filter": f"_row_id:eq:{row['_row_id']}"}
                    ).json()["rows"][0]
                    if attempt == 0:
                        first_round.wait()
                    response = own.patch(
                        row_url,
                        json={
                            "values": {"amount": number * 100 + attempt},
                            "expected_version": current["_version"],
                        },
                    )
                    with lock:
                        version = (
                            response.json()["_version"] if response.status_code == 200 else None
                        )
                        results.append((number, response.status_code, version))

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        statuses = [status for _, status, _ in results]
        assert set(statuses) <= {200, 409}
        assert statuses.count(409) >= 7  # at least the first round's losers
        wins = [version for _, status, version in results if status == 200]
        assert sorted(wins) == list(range(2, 2 + len(wins)))  # each win made exactly one version
        final = http.get(f"{BASE}/{table_id}/rows").json()["rows"][0]
        assert final["_version"] == 1 + len(wins)
        history = http.get(f"{BASE}/{table_id}/history", params={"limit": 1000}).json()
        assert history["total"] == 1 + len(wins)
        replayed: dict[str, Any] = {}
        for entry in sorted(history["entries"], key=lambda e: e["edit_num"]):
            replayed = entry["after"]
        assert replayed == final


def test_writes_are_announced_as_server_sent_events(settings: Settings) -> None:
    with (
        LiveServer(settings) as server,
        httpx.Client(base_url=server.url, headers=AUTH, timeout=30) as http,
    ):
        table_id = http.post(BASE, json=DEFINITION).json()["id"]
        seen: list[dict[str, Any]] = []
        ready = threading.Event()

        def listen() -> None:
            with httpx.stream(
                "GET",
                f"{server.url}/api/events",
                params={"table_id": table_id, "access_token": TOKEN},
                timeout=30,
            ) as stream:
                for event in sse_events(stream.iter_lines(), ready.set):
                    seen.append(event)
                    if event["type"] == "rows.changed":
                        return

        listener = threading.Thread(target=listen)
        listener.start()
        assert ready.wait(10)
        inserted = http.post(f"{BASE}/{table_id}/rows", json={"rows": [{"title": "live"}]}).json()
        listener.join(10)
        assert not listener.is_alive()
        changed = seen[-1]
        assert changed["type"] == "rows.changed"
        assert changed["table_id"] == table_id
        assert changed["row_ids"] == [inserted["rows"][0]["_row_id"]]
        assert changed["op"] == "insert"
