"""Who hears what on `GET /api/events`: input-table events reach only subscribers who
may view the table, and under row-level security name only rows they may see. Over real
HTTP (uvicorn, httpx streaming) on DuckDB and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from tests.api.conftest import AUTH as ADMIN
from tests.api.conftest import TOKEN, LiveServer
from tests.sse import sse_events
from trilith.api.routes.events import Audience
from trilith.auth import Actor
from trilith.engines import create_engine
from trilith.events import Event, EventBus
from trilith.settings import Settings
from trilith.warehouse import Warehouse

TABLES = "/api/sigma/input-tables"
DEALS = {
    "id": "deals",
    "name": "Deals",
    "columns": [{"name": "owner", "type": "text"}, {"name": "amount", "type": "number"}],
    "row_security": [{"predicate": "[owner] = CurrentUserEmail()", "roles": ["viewer"]}],
}
SECRET = {"id": "secret", "name": "Secret", "columns": [{"name": "note", "type": "text"}]}


class Listener:
    """A subscriber's stream, read in a thread until an event `until` accepts."""

    def __init__(self, url: str, token: str, until: Callable[[dict[str, Any]], bool]) -> None:
        self.url, self.token, self.until = url, token, until
        self.seen: list[dict[str, Any]] = []
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._listen, daemon=True)

    def _listen(self) -> None:
        params = {"access_token": self.token}
        with httpx.stream("GET", f"{self.url}/api/events", params=params, timeout=30) as stream:
            for event in sse_events(stream.iter_lines(), self.ready.set):
                self.seen.append(event)
                if self.until(event):
                    return

    def __enter__(self) -> Listener:
        self.thread.start()
        assert self.ready.wait(10), "the event stream did not open"
        return self

    def __exit__(self, *exc: object) -> None:
        self.thread.join(15)
        assert not self.thread.is_alive(), (
            f"{self.token[:6]}: the awaited event never came; saw {self.seen}"
        )


def _user(http: httpx.Client, name: str, role: str, email: str) -> tuple[str, str]:
    made = http.post("/api/users", json={"name": name, "role": role, "email": email})
    assert made.status_code == 201, made.text
    return made.json()["token"], made.json()["user_id"]


def _alice_without(http: httpx.Client, object_type: str, object_id: str) -> str:
    """Viewer alice's token, with `object_id` closed to her: a grant to bob alone closes an
    object to every other non-admin."""
    alice, _ = _user(http, "alice", "viewer", "alice@example.com")
    _, bob_id = _user(http, "bob", "viewer", "bob@example.com")
    grant = {
        "principal_type": "user",
        "principal": bob_id,
        "object_type": object_type,
        "object_id": object_id,
    }
    assert http.post("/api/grants", json=grant).status_code == 201
    return alice


def _insert(http: httpx.Client, table: str, row: dict[str, Any]) -> dict[str, Any]:
    answer = http.post(f"{TABLES}/{table}/rows", json={"rows": [row]})
    assert answer.status_code == 201, answer.text
    return dict(answer.json()["rows"][0])


def test_events_reach_only_who_may_see_the_table_and_its_rows(settings: Settings) -> None:
    with (
        LiveServer(settings) as server,
        httpx.Client(base_url=server.url, headers=ADMIN, timeout=30) as http,
    ):
        for definition in (DEALS, SECRET):
            assert http.post(TABLES, json=definition).status_code == 201
        alice = _alice_without(http, "input_table", "secret")

        last = "the end"

        def done(event: dict[str, Any]) -> bool:
            return event["type"] == "input_table.changed" and event["table_id"] == "deals"

        with Listener(server.url, TOKEN, done) as admin, Listener(server.url, alice, done) as she:
            _insert(http, "secret", {"note": "classified"})
            bobs = _insert(http, "deals", {"owner": "bob@example.com", "amount": 1})
            hers = _insert(http, "deals", {"owner": "alice@example.com", "amount": 2})
            edited = http.patch(
                f"{TABLES}/deals/rows/{bobs['_row_id']}",
                json={"values": {"amount": 5}, "expected_version": bobs["_version"]},
            )
            assert edited.status_code == 200
            gone = http.delete(
                f"{TABLES}/deals/rows/{bobs['_row_id']}",
                params={"expected_version": edited.json()["_version"]},
            )
            assert gone.status_code == 204, gone.text
            # Any later event of `deals` ends both streams.
            renamed = http.patch(f"{TABLES}/deals", json={"name": last})
            assert renamed.status_code == 200, renamed.text

    changes = [e for e in admin.seen if e["type"] == "rows.changed"]
    assert [(e["table_id"], e["op"]) for e in changes] == [
        ("secret", "insert"),
        ("deals", "insert"),
        ("deals", "insert"),
        ("deals", "update"),
        ("deals", "delete"),
    ]
    assert changes[-1]["row_ids"] == [bobs["_row_id"]]

    assert all(e.get("table_id") != "secret" for e in she.seen)
    hers_seen = [e for e in she.seen if e["type"] == "rows.changed"]
    # Her own row, then the delete with no ids; bob's insert and update never came.
    assert [(e["op"], e["row_ids"]) for e in hers_seen] == [
        ("insert", [hers["_row_id"]]),
        ("delete", []),
    ]
    assert hers_seen[0]["versions"] == [1]
    assert len(hers_seen[0]["edit_nums"]) == 1
    assert bobs["_row_id"] not in json.dumps(she.seen)


def _desk(app_id: str) -> dict[str, Any]:
    return {
        "id": app_id,
        "title": app_id,
        "pages": [{"id": "home", "elements": [{"id": "intro", "type": "text", "content": "hi"}]}],
        "controls": [{"id": "who", "type": "text"}],
        "actions": [
            {"id": "greet", "actions": [{"type": "set_control", "control": "who", "value": "hi"}]}
        ],
    }


def test_run_events_reach_only_who_may_see_the_app(settings: Settings) -> None:
    with (
        LiveServer(settings) as server,
        httpx.Client(base_url=server.url, headers=ADMIN, timeout=30) as http,
    ):
        for app_id in ("closed", "open"):
            assert http.post("/api/apps", json=_desk(app_id)).status_code == 201
        alice = _alice_without(http, "app", "closed")

        def done(event: dict[str, Any]) -> bool:
            return event["type"] == "run.progress" and event["app_id"] == "open"

        with Listener(server.url, alice, done) as she:
            for app_id in ("closed", "open"):
                body = {"sequence_id": "greet", "app_id": app_id, "context": {}}
                ran = http.post("/api/actions/execute", json=body)
                assert ran.status_code == 200, ran.text

    runs = [e for e in she.seen if e["type"] == "run.progress"]
    assert runs, she.seen
    assert {e["app_id"] for e in runs} == {"open"}


def test_a_decision_the_warehouse_cannot_answer_withholds_the_event(tmp_path: Path) -> None:
    """The stream goes on without the event (failing closed) and asks again next time."""
    engine = create_engine(f"duckdb:///{tmp_path}/w.duckdb")
    warehouse = Warehouse(engine, "sigds")
    warehouse.ensure_ready()
    viewer = Actor(id="u1", name="vic", role="viewer")
    audience = Audience(warehouse, EventBus(), viewer)
    event = Event(1, "rows.changed", {"table_id": "t", "op": "insert", "row_ids": ["r"]})
    unrelated = Event(2, "hello", {"note": "no table, no app"})
    engine.close()
    assert asyncio.run(audience.view(event)) is None
    assert asyncio.run(audience.view(unrelated)) is unrelated
    assert audience._decided == {}  # nothing remembered: the next event asks again
