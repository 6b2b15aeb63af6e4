"""CSV uploads over HTTP, on DuckDB and PostgreSQL: creating a table from a file, imports,
limits, encodings, permissions and progress events."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import AUTH, TOKEN, LiveServer
from tests.sse import sse_events
from trilith.api import create_app
from trilith.api.deps import require_actor
from trilith.auth import Actor
from trilith.settings import Settings

BASE = "/api/sigma/input-tables"
ORDERS = (
    "\ufeffid;customer;amount;ordered\r\n"
    '1;"Smith; Jane";12,50;2024-01-05\r\n'
    '2;"two\r\nlines";7;2024-02-29\r\n'
)


@pytest.fixture
def api(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    monkeypatch.setenv("TRILITH_UPLOAD_DIR", str(tmp_path / "uploads"))
    with TestClient(create_app(settings)) as client:
        yield client
    # Spooled files are deleted when their request is done.
    assert list((tmp_path / "uploads").iterdir()) == []


@pytest.fixture
def duck_api(
    make_client: Callable[..., TestClient], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> TestClient:
    monkeypatch.setenv("TRILITH_UPLOAD_DIR", str(tmp_path / "uploads"))
    return make_client()


def upload(
    api: TestClient,
    text: str | bytes,
    path: str = BASE,
    headers: dict[str, str] | None = None,
    **fields: str,
) -> Any:
    data = text.encode() if isinstance(text, str) else text
    return api.post(
        path,
        files={"file": ("data.csv", data, "text/csv")},
        data=fields,
        headers=headers or AUTH,
    )


def rows_of(api: TestClient, table_id: str, sort: str = "id") -> list[dict[str, Any]]:
    response = api.get(f"{BASE}/{table_id}/rows", params={"sort": sort}, headers=AUTH)
    assert response.status_code == 200, response.text
    return list(response.json()["rows"])


def test_a_multipart_post_creates_a_csv_table(api: TestClient) -> None:
    response = upload(api, ORDERS, name="Orders", type="csv", columns='{"amount": "text"}')
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["type"] == "csv"
    assert [(c["name"], c["type"]) for c in body["columns"]] == [
        ("id", "integer"),
        ("customer", "text"),
        ("amount", "text"),
        ("ordered", "date"),
    ]
    assert body["import"]["rows"] == 2
    assert body["import"]["delimiter"] == ";"
    rows = rows_of(api, body["id"])
    assert [(r["customer"], r["amount"]) for r in rows] == [
        ("Smith; Jane", "12,50"),
        ("two\r\nlines", "7"),
    ]
    history = api.get(f"{BASE}/{body['id']}/history", headers=AUTH).json()
    assert history["total"] == 1
    assert [(e["op"], e["source"]) for e in history["entries"]] == [("import", "csv")]
    assert history["entries"][0]["after"]["rows"] == 2
    # JSON still creates a table from a definition.
    json_create = api.post(BASE, json={"name": "Plain", "columns": [{"name": "x"}]}, headers=AUTH)
    assert json_create.status_code == 201, json_create.text
    assert json_create.json()["type"] == "empty"


def test_a_file_is_imported_into_a_table(api: TestClient) -> None:
    table_id = upload(api, "id,name\n1,a\n", name="People").json()["id"]
    appended = upload(api, "id,name\n2,b\n3,c\n", f"{BASE}/{table_id}/csv")
    assert appended.status_code == 200, appended.text
    assert (appended.json()["rows"], appended.json()["mode"]) == (3 - 1, "append")
    assert [r["name"] for r in rows_of(api, table_id)] == ["a", "b", "c"]
    replaced = upload(api, "9\tz\n", f"{BASE}/{table_id}/csv", mode="replace", header="false")
    assert replaced.status_code == 200, replaced.text
    assert (replaced.json()["rows"], replaced.json()["deleted"]) == (1, 3)
    assert [(r["id"], r["name"]) for r in rows_of(api, table_id)] == [(9, "z")]


def test_a_ragged_line_is_a_422_and_creates_nothing(api: TestClient) -> None:
    response = upload(api, 'a,b\n1,"x\ny"\n2\n', name="Broken")
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["message"].startswith("line 4: has 1 fields, expected 2")
    assert error["details"][0]["line"] == 4
    assert api.get(BASE, headers=AUTH).json()["total"] == 0


def test_bad_values_are_a_422_naming_line_and_column(api: TestClient) -> None:
    definition = {
        "name": "Scores",
        "columns": [{"name": "who", "required": True}, {"name": "score", "type": "integer"}],
    }
    table_id = api.post(BASE, json=definition, headers=AUTH).json()["id"]
    response = upload(api, "who,score\nada,1\n,2\nbob,two\n", f"{BASE}/{table_id}/csv")
    assert response.status_code == 422, response.text
    details = response.json()["error"]["details"]
    assert [(d["line"], d["column"], d["rule"]) for d in details] == [
        (3, "who", "required"),
        (4, "score", "type"),
    ]
    assert rows_of(api, table_id, sort="who") == []


def test_a_file_that_is_not_utf8_is_a_415(duck_api: TestClient) -> None:
    response = upload(duck_api, "name\nJosé\n".encode("cp1252"), name="Names")
    assert response.status_code == 415, response.text
    assert "not UTF-8 (byte 0xE9 at line 2" in response.json()["error"]["message"]


def test_uploads_over_the_limit_are_a_413(
    duck_api: TestClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TRILITH_MAX_UPLOAD_MB", "0.01")  # 10 KB
    big = "n\n" + "1\n" * 20_000
    declared = upload(duck_api, big, name="Big")
    assert declared.status_code == 413, declared.text
    assert "limit (TRILITH_MAX_UPLOAD_MB)" in declared.json()["error"]["message"]
    # Without a Content-Length the limit is enforced while the body streams in.
    boundary = "trilithboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\nBig\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="b.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()

    def body() -> Iterator[bytes]:
        yield head
        for _ in range(40):
            yield b"1\n" * 512
        yield f"\r\n--{boundary}--\r\n".encode()

    streamed = duck_api.post(
        BASE,
        content=body(),
        headers={**AUTH, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert streamed.status_code == 413, streamed.text
    assert "larger than the 0.01 MB limit" in streamed.json()["error"]["message"]
    assert duck_api.get(BASE, headers=AUTH).json()["total"] == 0
    assert list((tmp_path / "uploads").iterdir()) == []


def test_malformed_requests_say_what_to_send(duck_api: TestClient) -> None:
    table_id = upload(duck_api, "a\n1\n", name="T").json()["id"]
    raw = duck_api.post(f"{BASE}/{table_id}/csv", content=b"a\n1\n", headers=AUTH)
    assert raw.status_code == 415
    assert "multipart/form-data" in raw.json()["error"]["message"]
    no_file = duck_api.post(f"{BASE}/{table_id}/csv", data={"mode": "append"}, headers=AUTH)
    assert no_file.status_code in (415, 422)
    nameless = upload(duck_api, "a\n1\n")
    assert nameless.status_code == 422
    assert "needs a name" in nameless.json()["error"]["message"]
    unknown = upload(duck_api, "a\n1\n", f"{BASE}/{table_id}/csv", sheet="2")
    assert unknown.status_code == 422
    assert "unknown form field(s): sheet" in unknown.json()["error"]["message"]
    missing = upload(duck_api, "a\n1\n", f"{BASE}/nope/csv")
    assert missing.status_code == 404


def test_permissions_and_drafts(duck_api: TestClient) -> None:
    table_id = upload(duck_api, "a\n1\n", name="T").json()["id"]
    draft = duck_api.post(
        BASE, json={"name": "D", "data_entry": "draft", "columns": [{"name": "a"}]}, headers=AUTH
    ).json()["id"]
    refused = upload(duck_api, "a\n1\n", f"{BASE}/{draft}/csv")
    assert refused.status_code == 409
    assert "publish" in refused.json()["error"]["message"]
    app = duck_api.app
    app.dependency_overrides[require_actor] = lambda: Actor("ed", "Ed", "editor")  # type: ignore[attr-defined]
    try:
        assert upload(duck_api, "a\n2\n", f"{BASE}/{table_id}/csv").status_code == 200
        assert upload(duck_api, "a\n1\n", name="Mine").status_code == 403
        app.dependency_overrides[require_actor] = lambda: Actor("vi", "Vi", "viewer")  # type: ignore[attr-defined]
        assert upload(duck_api, "a\n3\n", f"{BASE}/{table_id}/csv").status_code == 403
    finally:
        app.dependency_overrides.clear()  # type: ignore[attr-defined]


def test_progress_is_streamed_as_events(tmp_path: Path) -> None:
    settings = Settings(warehouse=f"duckdb:///{tmp_path}/w.duckdb", admin_token=TOKEN)
    events: list[dict[str, Any]] = []
    with LiveServer(settings) as server, httpx.Client(base_url=server.url) as client:
        table_id = client.post(
            BASE, files={"file": ("a.csv", b"n\n1\n")}, data={"name": "N"}, headers=AUTH
        ).json()["id"]
        subscribed = threading.Event()

        def listen() -> None:
            with httpx.stream(
                "GET",
                f"{server.url}/api/events",
                params={"table_id": table_id},
                headers=AUTH,
                timeout=20,
            ) as stream:
                for event in sse_events(stream.iter_lines(), subscribed.set):
                    if event["type"] == "import.progress":
                        events.append(event)
                        if event["phase"] in ("done", "failed"):
                            return

        listener = threading.Thread(target=listen, daemon=True)
        listener.start()
        assert subscribed.wait(10)
        response = client.post(
            f"{BASE}/{table_id}/csv",
            params={"import_id": "upload-1"},
            files={"file": ("b.csv", b"n\n" + b"7\n" * 5000)},
            headers=AUTH,
        )
        assert response.status_code == 200, response.text
        listener.join(20)
    phases = [e["phase"] for e in events]
    assert phases[0] == "upload"
    assert phases[-1] == "done"
    assert {"parse", "validate", "write"} <= set(phases)
    assert {e["import_id"] for e in events} == {"upload-1"}
    assert events[-1]["rows"] == 5000
    assert events[0]["total_bytes"] > 10_000
