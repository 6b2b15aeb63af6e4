"""Row-level security of input tables on every read and write path, over HTTP on DuckDB
and PostgreSQL: rows, single rows, history, export, updates, deletes, inserts, CSV
imports, actions and element queries."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlglot import exp

from tests.auth.helpers import ADMIN, Api, engine_param, served
from trilith.sql import param
from trilith.sql.ddl import ColumnSpec, create_table, table

DEALS: dict[str, Any] = {
    "id": "deals",
    "name": "Deals",
    "columns": [
        {"name": "owner", "type": "text", "required": True},
        {"name": "amount", "type": "number"},
    ],
    "row_security": [{"predicate": "[owner] = CurrentUserEmail()", "roles": ["viewer", "editor"]}],
}
BASE = "/api/sigma/input-tables/deals"
ROWS = f"{BASE}/rows"


@pytest.fixture(params=["duckdb", "postgres"])
def api(
    request: pytest.FixtureRequest, make_engine_url: Callable[[str], str], unique_schema: str
) -> Iterator[Api]:
    with served(engine_param(request), make_engine_url, unique_schema) as api:
        api.table(DEALS)
        rows = [
            {"owner": "alice@example.com", "amount": 10},
            {"owner": "alice@example.com", "amount": 20},
            {"owner": "bob@example.com", "amount": 99},
        ]
        assert api.client.post(ROWS, json={"rows": rows}, headers=ADMIN).status_code == 201
        yield api


@pytest.fixture
def alice(api: Api) -> dict[str, str]:
    return api.user("alice", "editor", email="alice@example.com")[0]


def _all(api: Api) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = api.client.get(f"{ROWS}?sort=amount", headers=ADMIN).json()["rows"]
    return rows


def _bobs(api: Api) -> dict[str, Any]:
    return next(r for r in _all(api) if r["owner"] == "bob@example.com")


def test_reads_see_only_rows_inside_the_predicate(api: Api, alice: dict[str, str]) -> None:
    page = api.client.get(f"{ROWS}?sort=amount", headers=alice).json()
    assert [r["amount"] for r in page["rows"]] == [10, 20]
    assert page["total"] == 2
    filtered = api.client.get(f"{ROWS}?filter=amount:gt:15", headers=alice).json()
    assert filtered["total"] == 1
    assert len(_all(api)) == 3  # admins are not bound by a rule naming viewer and editor

    history = api.client.get(f"{BASE}/history", headers=alice).json()
    assert history["total"] == 2
    assert all(e["after"]["owner"] == "alice@example.com" for e in history["entries"])
    bob_history = api.client.get(f"{BASE}/history?row_id={_bobs(api)['_row_id']}", headers=alice)
    assert bob_history.json()["total"] == 0

    exported = api.client.get(f"{BASE}/export?format=csv", headers=alice)
    assert exported.status_code == 200
    owners = {r["owner"] for r in csv.DictReader(io.StringIO(exported.text))}
    assert owners == {"alice@example.com"}

    bob, _ = api.user("bob", "viewer", email="bob@example.com")
    assert [r["amount"] for r in api.client.get(ROWS, headers=bob).json()["rows"]] == [99]
    nobody, _ = api.user("nobody", "viewer")  # no email: CurrentUserEmail() is null
    assert api.client.get(ROWS, headers=nobody).json()["total"] == 0


def test_a_row_outside_is_absent_to_updates_and_deletes(api: Api, alice: dict[str, str]) -> None:
    bobs = _bobs(api)
    update = api.client.patch(
        f"{ROWS}/{bobs['_row_id']}",
        json={"values": {"amount": 1}, "expected_version": 1},
        headers=alice,
    )
    assert update.status_code == 404
    delete = api.client.delete(f"{ROWS}/{bobs['_row_id']}?expected_version=1", headers=alice)
    assert delete.status_code == 404
    assert _bobs(api) == bobs


def test_writes_may_not_move_or_put_rows_outside(api: Api, alice: dict[str, str]) -> None:
    mine = api.client.get(f"{ROWS}?sort=amount", headers=alice).json()["rows"][0]
    moved = api.client.patch(
        f"{ROWS}/{mine['_row_id']}",
        json={"values": {"owner": "bob@example.com"}, "expected_version": 1},
        headers=alice,
    )
    assert moved.status_code == 403
    assert "[owner] = CurrentUserEmail()" in moved.json()["error"]["message"]
    inserted = api.client.post(
        ROWS,
        json={"rows": [{"owner": "alice@example.com"}, {"owner": "bob@example.com", "amount": 5}]},
        headers=alice,
    )
    assert inserted.status_code == 403
    assert len(_all(api)) == 3
    assert _all(api)[0]["owner"] == "alice@example.com"  # the move was rolled back

    edited = api.client.patch(
        f"{ROWS}/{mine['_row_id']}",
        json={"values": {"amount": 11}, "expected_version": 1},
        headers=alice,
    )
    assert edited.status_code == 200, edited.text
    own = api.client.post(
        ROWS, json={"rows": [{"owner": "alice@example.com", "amount": 1}]}, headers=alice
    )
    assert own.status_code == 201
    assert len(_all(api)) == 4


def _upload(api: Api, headers: dict[str, str], text: str, mode: str = "append") -> Any:
    return api.client.post(
        f"{BASE}/csv",
        files={"file": ("deals.csv", text.encode(), "text/csv")},
        data={"mode": mode},
        headers=headers,
    )


def test_csv_imports_may_not_add_or_replace_rows_outside(api: Api, alice: dict[str, str]) -> None:
    mixed = _upload(api, alice, "owner,amount\nalice@example.com,1\nbob@example.com,2\n")
    assert mixed.status_code == 403, mixed.text
    assert "1 imported rows fall outside" in mixed.json()["error"]["message"]
    assert len(_all(api)) == 3
    replace = _upload(api, alice, "owner,amount\nalice@example.com,1\n", mode="replace")
    assert replace.status_code == 403
    assert "replace would delete 1 rows" in replace.json()["error"]["message"]
    assert len(_all(api)) == 3
    own = _upload(api, alice, "owner,amount\nalice@example.com,3\nalice@example.com,4\n")
    assert own.status_code in (200, 201), own.text
    assert len(_all(api)) == 5


def test_actions_run_as_their_caller(api: Api, alice: dict[str, str]) -> None:
    raise_all = {
        "id": "raise_all",
        "name": "Raise every deal",
        "actions": [
            {
                "type": "update_rows",
                "parameters": {
                    "target_table": "deals",
                    "formula": "[amount] > 0",
                    "column_values": {"amount": 1000},
                },
            }
        ],
    }
    give_bob = {
        "id": "give_bob",
        "name": "Add a deal for bob",
        "actions": [
            {
                "type": "insert_rows",
                "parameters": {
                    "target_table": "deals",
                    "column_values": {"owner": "bob@example.com", "amount": 1},
                },
            }
        ],
    }
    for sequence in (raise_all, give_bob):
        assert (
            api.client.post("/api/sigma/actions", json=sequence, headers=ADMIN).status_code == 201
        )
    ran = api.client.post("/api/sigma/actions/raise_all/execute", json={}, headers=alice)
    assert ran.json()["success"] is True, ran.text
    assert [r["amount"] for r in _all(api)] == [99, 1000, 1000]  # bob's deal untouched
    refused = api.client.post("/api/sigma/actions/give_bob/execute", json={}, headers=alice)
    assert refused.json()["success"] is False
    assert "row-level security" in refused.text
    assert len(_all(api)) == 3


def test_rules_are_checked_and_can_be_changed(api: Api, alice: dict[str, str]) -> None:
    bad = {**DEALS, "id": "bad", "row_security": [{"predicate": "[nope] = 1"}]}
    refused = api.client.post("/api/sigma/input-tables", json=bad, headers=ADMIN)
    assert refused.status_code == 422
    assert "row_security[0]" in refused.json()["error"]["message"]
    not_logical = {**DEALS, "id": "bad2", "row_security": [{"predicate": "[amount] + 1"}]}
    assert (
        api.client.post("/api/sigma/input-tables", json=not_logical, headers=ADMIN).status_code
        == 422
    )

    widened = api.client.patch(
        BASE, json={"row_security": [{"predicate": "[amount] < 50"}]}, headers=ADMIN
    )
    assert widened.status_code == 200, widened.text
    assert [
        r["amount"] for r in api.client.get(f"{ROWS}?sort=amount", headers=alice).json()["rows"]
    ] == [
        10,
        20,
    ]
    assert api.client.patch(BASE, json={"row_security": []}, headers=ADMIN).status_code == 200
    assert api.client.get(ROWS, headers=alice).json()["total"] == 3


def test_an_apps_row_security_binds_its_input_table_everywhere(api: Api) -> None:
    app = {
        "id": "crm",
        "title": "CRM",
        "input_tables": [
            {"id": "leads", "name": "Leads", "columns": [{"name": "region", "type": "text"}]}
        ],
        "row_security": [
            {"source": "leads", "predicate": '[region] = CurrentUserAttributeText("region")'}
        ],
        "pages": [
            {
                "id": "home",
                "elements": [{"id": "grid", "type": "input_table", "input_table": "leads"}],
            }
        ],
    }
    assert api.client.post("/api/apps", json=app, headers=ADMIN).status_code == 201, (
        api.client.post("/api/apps", json=app, headers=ADMIN).text
    )
    leads = "/api/sigma/input-tables/leads/rows"
    rows = {"rows": [{"region": "west"}, {"region": "east"}]}
    assert api.client.post(leads, json=rows, headers=ADMIN).status_code == 201
    viewer, _ = api.user("vi", "viewer")  # no region attribute: sees nothing
    assert api.client.get(leads, headers=viewer).json()["total"] == 0
    query = api.client.post("/api/apps/crm/elements/grid/query", json={}, headers=viewer)
    assert query.status_code == 200, query.text
    assert (query.json()["total"], query.json()["rows"]) == (0, [])
    everything = api.client.post("/api/apps/crm/elements/grid/query", json={}, headers=ADMIN)
    assert everything.json()["total"] == 2


def test_element_queries_keep_the_tables_own_rules(api: Api, alice: dict[str, str]) -> None:
    app = {
        "id": "board",
        "title": "Board",
        "pages": [
            {
                "id": "home",
                "elements": [{"id": "grid", "type": "table", "source": "deals"}],
            }
        ],
    }
    assert api.client.post("/api/apps", json=app, headers=ADMIN).status_code == 201
    query = api.client.post("/api/apps/board/elements/grid/query", json={}, headers=alice)
    assert query.status_code == 200, query.text
    assert sorted(r["amount"] for r in query.json()["rows"]) == [10, 20]
    assert query.json()["total"] == 2


def test_draft_edits_are_checked_when_staged(api: Api, alice: dict[str, str]) -> None:
    draft = {**DEALS, "id": "drafts", "data_entry": "draft"}
    api.table(draft)
    rows = "/api/sigma/input-tables/drafts/rows"
    assert (
        api.client.post(
            rows, json={"rows": [{"owner": "bob@example.com"}]}, headers=ADMIN
        ).status_code
        == 202
    )
    assert (
        api.client.post("/api/sigma/input-tables/drafts/publish", headers=ADMIN).status_code == 200
    )
    bobs = api.client.get(rows, headers=ADMIN).json()["rows"][0]
    outside = api.client.post(rows, json={"rows": [{"owner": "bob@example.com"}]}, headers=alice)
    assert outside.status_code == 403
    hidden = api.client.patch(
        f"{rows}/{bobs['_row_id']}",
        json={"values": {"amount": 1}, "expected_version": 1},
        headers=alice,
    )
    assert hidden.status_code == 404
    gone = api.client.delete(f"{rows}/{bobs['_row_id']}?expected_version=1", headers=alice)
    assert gone.status_code == 404
    assert (
        api.client.get("/api/sigma/input-tables/drafts/pending", headers=ADMIN).json()["total"] == 0
    )
    own = api.client.post(rows, json={"rows": [{"owner": "alice@example.com"}]}, headers=alice)
    assert own.status_code == 202, own.text
    assert api.client.get(rows, headers=ADMIN).json()["total"] == 1  # staged, not live


def test_under_row_rules_the_pending_list_holds_only_ones_own_staged_edits(
    api: Api, alice: dict[str, str]
) -> None:
    api.table({**DEALS, "id": "drafts", "data_entry": "draft"})
    base = "/api/sigma/input-tables/drafts"
    theirs = api.client.post(
        f"{base}/rows", json={"rows": [{"owner": "bob@example.com", "amount": 7}]}, headers=ADMIN
    )
    assert theirs.status_code == 202, theirs.text
    hers = api.client.post(
        f"{base}/rows", json={"rows": [{"owner": "alice@example.com", "amount": 1}]}, headers=alice
    )
    assert hers.status_code == 202, hers.text
    listed = api.client.get(f"{base}/pending", headers=alice).json()
    assert listed["total"] == 1
    assert "bob@example.com" not in str(listed)
    assert api.client.get(f"{base}/pending", headers=ADMIN).json()["total"] == 2
    # She may not discard what someone else staged; her own she may.
    other = theirs.json()["pending"][0]["pending_id"]
    assert api.client.delete(f"{base}/pending/{other}", headers=alice).status_code == 404
    mine = hers.json()["pending"][0]["pending_id"]
    assert api.client.delete(f"{base}/pending/{mine}", headers=alice).status_code == 204
    assert [
        p["pending_id"] for p in api.client.get(f"{base}/pending", headers=ADMIN).json()["pending"]
    ] == [other]


def test_under_row_rules_each_editor_publishes_their_own_staged_edits(
    api: Api, alice: dict[str, str]
) -> None:
    """Staged edits of another editor lie outside one's rows: publishing them would fail
    on every try, and one can neither see nor drop them. Each publishes their own."""
    api.table({**DEALS, "id": "drafts", "data_entry": "draft"})
    base = "/api/sigma/input-tables/drafts"
    bob = api.user("bob", "editor", email="bob@example.com")[0]
    for who, owner in ((bob, "bob@example.com"), (alice, "alice@example.com")):
        staged = api.client.post(
            f"{base}/rows", json={"rows": [{"owner": owner, "amount": 3}]}, headers=who
        )
        assert staged.status_code == 202, staged.text
    published = api.client.post(f"{base}/publish", headers=alice)
    assert published.status_code == 200, published.text
    assert published.json()["published"] == 1
    left = api.client.get(f"{base}/pending", headers=ADMIN).json()["pending"]
    assert [p["values"]["owner"] for p in left] == ["bob@example.com"]
    assert api.client.post(f"{base}/publish", headers=bob).json()["published"] == 1
    rows = api.client.get(f"{base}/rows", headers=ADMIN).json()["rows"]
    assert sorted(r["owner"] for r in rows) == ["alice@example.com", "bob@example.com"]


def test_linked_tables_hold_their_rules_over_http(api: Api, alice: dict[str, str]) -> None:
    """A linked table's rule narrows reads, single rows, exports and history, and no
    write reaches or leaves the rows it lets through."""
    source = table(api.schema, "accounts")
    api.engine.execute(
        create_table(source, [ColumnSpec("code", "TEXT"), ColumnSpec("rep", "TEXT")])
    )
    for code, rep in (("A1", "alice@example.com"), ("B2", "bob@example.com")):
        api.engine.execute(
            exp.insert(exp.select(param("c"), param("r")), source), {"c": code, "r": rep}
        )
    api.table(
        {
            "id": "plans",
            "name": "Plans",
            "type": "linked",
            "source": {"table": f"{api.schema}.accounts"},
            "primary_key": ["code"],
            "columns": [
                {"name": "code", "type": "text", "linked": True},
                {"name": "rep", "type": "text", "linked": True},
                {"name": "goal", "type": "number"},
            ],
            "row_security": [{"predicate": "[rep] = CurrentUserEmail()"}],
        }
    )
    plans = "/api/sigma/input-tables/plans"
    page = api.client.get(f"{plans}/rows", headers=alice).json()
    assert [(r["_row_id"], r["rep"]) for r in page["rows"]] == [('["A1"]', "alice@example.com")]
    assert api.client.get(f"{plans}/rows", headers=ADMIN).json()["total"] == 2
    hidden = api.client.patch(
        f'{plans}/rows/["B2"]', json={"values": {"goal": 1}, "expected_version": 0}, headers=alice
    )
    assert hidden.status_code == 404, hidden.text
    mine = api.client.patch(
        f'{plans}/rows/["A1"]', json={"values": {"goal": 5}, "expected_version": 0}, headers=alice
    )
    assert mine.status_code == 200, mine.text
    exported = api.client.get(f"{plans}/export?format=csv", headers=alice)
    assert [r["code"] for r in csv.DictReader(io.StringIO(exported.text))] == ["A1"]
    by_admin = api.client.patch(
        f'{plans}/rows/["B2"]', json={"values": {"goal": 9}, "expected_version": 0}, headers=ADMIN
    )
    assert by_admin.status_code == 200, by_admin.text
    history = api.client.get(f"{plans}/history", headers=alice).json()
    assert [e["row_id"] for e in history["entries"]] == ['["A1"]']
