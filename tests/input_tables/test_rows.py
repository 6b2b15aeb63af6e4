"""Row writes on every local engine: validation, versions, the edit log."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.input_tables.conftest import ALICE, BOB
from trilith.errors import Conflict, NotFound, ValidationFailed
from trilith.input_tables.query import Filter, RowQuery
from trilith.input_tables.service import InputTables


def good(code: str = "ABC-1", **values: object) -> dict[str, object]:
    row: dict[str, object] = {
        "title": "Acme renewal",
        "amount": "1,250.50",
        "stage": "open",
        "tags": ["a", "c"],
        "closes": "2025-03-31",
        "seen_at": "2025-03-01T10:00:00+02:00",
        "hot": "yes",
        "code": code,
    }
    row.update(values)
    return row


def test_insert_coerces_values_and_fills_system_columns(tables: InputTables, deals: str) -> None:
    _, rows = tables.insert(deals, [good()], ALICE)
    row = rows[0]
    assert row["_version"] == 1
    assert row["_created_by"] == row["_updated_by"] == "alice"
    assert len(row["_row_id"]) == 32
    assert row["amount"] == 1250.5
    assert row["seats"] == 1  # default
    assert row["owner"] == "sales"  # protected, from its default
    assert row["tags"] == ["a", "c"]
    assert row["closes"] == "2025-03-31"
    assert row["seen_at"] == "2025-03-01T08:00:00"  # stored as UTC
    assert row["hot"] is True
    stored, total = tables.rows(deals).page(RowQuery())
    assert total == 1
    assert stored == rows


def test_a_bad_batch_names_row_column_and_rule_and_writes_nothing(
    tables: InputTables, deals: str
) -> None:
    batch = [
        good("ABC-1"),
        good("ABC-2", amount=-5),
        good("bad code", stage="maybe"),
        {"amount": 3},
        good("ABC-1"),
        good("ABC-9", owner="me", _version=7),
    ]
    with pytest.raises(ValidationFailed) as info:
        tables.insert(deals, batch, ALICE)
    problems = {(d["row"], d["column"], d["rule"]) for d in info.value.details}
    assert problems >= {
        (1, "amount", "min"),
        (2, "code", "regex"),
        (2, "stage", "options"),
        (3, "title", "required"),
        (4, "code", "unique"),
        (5, "owner", "protected"),
        (5, "_version", "system_column"),
    }
    assert info.value.message.startswith("row 1, column 'amount': must be at least 0")
    assert "nothing was written" in info.value.message
    assert tables.rows(deals).page(RowQuery())[1] == 0


def test_types_are_checked(tables: InputTables, deals: str) -> None:
    bad = good(amount="lots", seats=1.5, closes="31/03/2025", hot="perhaps", tags="z")
    with pytest.raises(ValidationFailed) as info:
        tables.insert(deals, [bad], ALICE)
    rules = {(d["column"], d["rule"]) for d in info.value.details}
    assert rules == {
        ("amount", "type"),
        ("seats", "type"),
        ("closes", "type"),
        ("hot", "type"),
        ("tags", "options"),
    }


def test_unique_is_checked_against_stored_rows(tables: InputTables, deals: str) -> None:
    tables.insert(deals, [good("ABC-1")], ALICE)
    with pytest.raises(ValidationFailed, match="'ABC-1' is already used by another row"):
        tables.insert(deals, [good("ABC-1")], BOB)
    _, rows = tables.insert(deals, [good("ABC-2")], BOB)
    with pytest.raises(ValidationFailed, match="already used"):
        tables.update(deals, rows[0]["_row_id"], {"code": "ABC-1"}, 1, BOB)
    # Writing a row's own value back is not a clash.
    tables.update(deals, rows[0]["_row_id"], {"code": "ABC-2", "title": "x"}, 1, BOB)


def test_update_checks_the_version_and_returns_the_current_row(
    tables: InputTables, deals: str
) -> None:
    _, rows = tables.insert(deals, [good()], ALICE)
    row_id = rows[0]["_row_id"]
    _, updated = tables.update(deals, row_id, {"amount": 99}, 1, BOB)
    assert (updated[0]["_version"], updated[0]["amount"], updated[0]["_updated_by"]) == (
        2,
        99.0,
        "bob",
    )
    with pytest.raises(Conflict) as info:
        tables.update(deals, row_id, {"amount": 5}, 1, ALICE)
    assert info.value.body["current_row"]["_version"] == 2
    assert info.value.body["current_row"]["amount"] == 99.0
    with pytest.raises(NotFound):
        tables.update(deals, "nope", {"amount": 5}, 1, ALICE)


def test_delete_checks_the_version(tables: InputTables, deals: str) -> None:
    _, rows = tables.insert(deals, [good()], ALICE)
    row_id = rows[0]["_row_id"]
    with pytest.raises(Conflict):
        tables.delete(deals, row_id, 3, ALICE)
    tables.delete(deals, row_id, 1, ALICE)
    assert tables.rows(deals).page(RowQuery())[1] == 0


def test_listing_filters_sorts_and_pages_in_the_warehouse(tables: InputTables, deals: str) -> None:
    tables.insert(
        deals,
        [
            good(f"ABC-{i}", amount=i * 10, stage="won" if i % 2 else "open", title=f"deal {i}")
            for i in range(25)
        ],
        ALICE,
    )
    store = tables.rows(deals)
    won, total = store.page(
        RowQuery(limit=5, sort=[("amount", True)], filters=[Filter("stage", "eq", "won")])
    )
    assert total == 12
    assert [r["amount"] for r in won] == [230.0, 210.0, 190.0, 170.0, 150.0]
    second, _ = store.page(
        RowQuery(limit=5, offset=5, sort=[("amount", True)], filters=[Filter("stage", "eq", "won")])
    )
    assert [r["amount"] for r in second] == [130.0, 110.0, 90.0, 70.0, 50.0]
    like, n = store.page(
        RowQuery(filters=[Filter("title", "contains", "1"), Filter("amount", "ge", "100")])
    )
    assert n == len(like) == 11  # deal 10..19 and deal 21
    _, n = store.page(RowQuery(filters=[Filter("title", "contains", "%")]))
    assert n == 0  # % is matched literally
    _, n = store.page(RowQuery(filters=[Filter("code", "in", "ABC-1|ABC-2|ZZZ-9")]))
    assert n == 2


def test_the_edit_log_replays_to_the_table(tables: InputTables, deals: str) -> None:
    _, rows = tables.insert(deals, [good("ABC-1"), good("ABC-2")], ALICE)
    a, b = (r["_row_id"] for r in rows)
    tables.update(deals, a, {"amount": 1}, 1, BOB)
    tables.update(deals, a, {"amount": 2}, 2, ALICE)
    tables.delete(deals, b, 1, BOB)
    store = tables.rows(deals)
    live = {r["_row_id"]: r for r in store.page(RowQuery())[0]}
    assert store.log.replay(deals) == live
    entries, total = store.log.history(deals, _history())
    assert total == 5
    assert [e["op"] for e in entries] == ["delete", "update", "update", "insert", "insert"]
    assert entries[1]["before"]["amount"] == 1.0
    assert entries[1]["after"]["amount"] == 2.0
    assert entries[0]["source"] == "api"
    assert entries[0]["request_id"] == "req-2"


def test_history_filters(tables: InputTables, deals: str) -> None:
    _, rows = tables.insert(deals, [good("ABC-1"), good("ABC-2")], ALICE)
    a = rows[0]["_row_id"]
    tables.update(deals, a, {"amount": 1}, 1, BOB)
    log = tables.rows(deals).log
    assert log.history(deals, _history(row_id=a))[1] == 2
    assert log.history(deals, _history(actor="bob"))[1] == 1
    future = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(hours=1)
    assert log.history(deals, _history(since=future))[1] == 0
    page, total = log.history(deals, _history(limit=1, offset=1))
    assert total == 3
    assert len(page) == 1


def test_revert_to_an_earlier_edit_is_a_new_edit(tables: InputTables, deals: str) -> None:
    _, rows = tables.insert(deals, [good("ABC-1", amount=10)], ALICE)
    row_id = rows[0]["_row_id"]
    tables.update(deals, row_id, {"amount": 20}, 1, BOB)
    first_edit = tables.rows(deals).log.history(deals, _history(row_id=row_id))[0][-1]["edit_num"]
    reverted = tables.revert(deals, row_id, first_edit, 2, ALICE)
    assert (reverted[0]["amount"], reverted[0]["_version"]) == (10.0, 3)
    entries, _ = tables.rows(deals).log.history(deals, _history(row_id=row_id))
    assert entries[0]["source"] == "revert"
    # A deleted row comes back with its id.
    tables.delete(deals, row_id, 3, BOB)
    restored = tables.revert(deals, row_id, first_edit, None, ALICE)
    assert restored[0]["_row_id"] == row_id
    with pytest.raises(NotFound):
        tables.revert(deals, row_id, 999_999, None, ALICE)


def _history(**kwargs: object):  # type: ignore[no-untyped-def]
    from trilith.input_tables.edit_log import HistoryQuery

    return HistoryQuery(**kwargs)  # type: ignore[arg-type]
