"""Updates that start from the row as this process last wrote it (`input_tables.recent`)
instead of reading it: what they return and log must be what a read finds, and a
remembered row that is no longer the stored one must never be taken for it."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlglot import exp

from tests.input_tables.conftest import ALICE, BOB, DEALS
from tests.input_tables.test_rows import good
from trilith.engines.base import Session
from trilith.errors import Conflict, NotFound, ValidationFailed
from trilith.input_tables.definition import InputTableDefinition, InputTableUpdate
from trilith.input_tables.edit_log import HistoryQuery
from trilith.input_tables.query import RowQuery
from trilith.input_tables.recent import RecentRows
from trilith.input_tables.rows import MAX_PROOF_COLUMNS
from trilith.input_tables.service import InputTables
from trilith.sql.render import RenderedSQL


class Boom(Exception):
    pass


@contextmanager
def statements_run() -> Iterator[list[str]]:
    """The SQL this thread runs (other tests' servers may still be querying in theirs)."""
    seen: list[str] = []
    original = Session.execute_rendered
    mine = threading.get_ident()

    def spy(self: Session, rendered: RenderedSQL) -> Any:
        if threading.get_ident() == mine:
            seen.append(rendered.sql)
        return original(self, rendered)

    Session.execute_rendered = spy  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        Session.execute_rendered = original  # type: ignore[method-assign]


def _stored(tables: InputTables, table_id: str, row_id: str) -> dict[str, Any]:
    row = tables.rows(table_id).get(row_id)
    assert row is not None
    return row


def _last_entry(tables: InputTables, table_id: str, row_id: str) -> dict[str, Any]:
    entries, _ = tables.rows(table_id).log.history(table_id, HistoryQuery(row_id=row_id))
    return entries[0]


def test_an_update_returns_and_logs_the_row_as_stored(tables: InputTables, deals: str) -> None:
    """Every column type: the row an update answers with, and its log entry's before and
    after, are what a read of the table gives, edit after edit."""
    _, rows = tables.insert(deals, [good()], ALICE)
    row_id, version = rows[0]["_row_id"], rows[0]["_version"]
    edits: list[dict[str, Any]] = [
        {"amount": 99.25, "tags": ["b"]},
        {"closes": "2026-01-02", "seen_at": "2026-01-02T03:04:05.123456Z", "hot": False},
        {"title": "Renamed", "seats": 7, "stage": None, "tags": []},
        {"amount": None, "code": "XYZ-7"},
    ]
    for values in edits:
        before = _stored(tables, deals, row_id)
        _, answered = tables.update(deals, row_id, values, version, BOB)
        after = _stored(tables, deals, row_id)
        assert answered == [after]
        entry = _last_entry(tables, deals, row_id)
        assert (entry["before"], entry["after"]) == (before, after)
        version = after["_version"]
    assert after["seen_at"] == "2026-01-02T03:04:05.123456"
    assert after["amount"] is None
    assert after["tags"] == []
    store = tables.rows(deals)
    assert store.log.replay(deals) == {r["_row_id"]: r for r in store.page(RowQuery())[0]}


def test_a_second_edit_of_a_row_skips_the_read_on_duckdb(tables: InputTables, deals: str) -> None:
    if tables.engine.dialect != "duckdb":
        pytest.skip("PostgreSQL reads the row in its update; SQLite's saving is not counted")
    tables.catalog.get(deals)  # the process caches the definition at its first read
    _, rows = tables.insert(deals, [good()], ALICE)
    row_id = rows[0]["_row_id"]
    with statements_run() as seen:
        tables.update(deals, row_id, {"amount": 5}, 1, BOB)
    assert [sql.split()[0] for sql in seen] == ["UPDATE", "INSERT"]
    with statements_run() as seen:
        tables.update(deals, row_id, {"amount": 6}, 2, BOB)
    assert [sql.split()[0] for sql in seen] == ["UPDATE", "INSERT"]


def test_a_wide_row_is_read_rather_than_compared_on_duckdb(tables: InputTables) -> None:
    """Past `MAX_PROOF_COLUMNS`, comparing every column costs more than a read."""
    if tables.engine.dialect != "duckdb":
        pytest.skip("only DuckDB's statements are counted")
    wide = [{"name": f"c{i}", "type": "text"} for i in range(MAX_PROOF_COLUMNS)]
    table_id = tables.create(
        InputTableDefinition.model_validate({"name": "W", "columns": wide}), ALICE
    )["id"]
    tables.catalog.get(table_id)
    _, rows = tables.insert(table_id, [{"c0": "a"}], ALICE)
    row_id = rows[0]["_row_id"]
    tables.update(table_id, row_id, {"c1": "b"}, 1, BOB)
    with statements_run() as seen:
        _, answered = tables.update(table_id, row_id, {"c2": "c"}, 2, BOB)
    assert [sql.split()[0] for sql in seen] == ["SELECT", "UPDATE", "INSERT"]
    assert answered == [_stored(tables, table_id, row_id)]


def test_a_rolled_back_write_is_not_taken_for_the_row(tables: InputTables, deals: str) -> None:
    """A write this process remembered is rolled back; someone else then writes the same
    version with other values and another stamp. The next edit must log and return what
    is stored."""
    _, rows = tables.insert(deals, [good()], ALICE)
    row_id = rows[0]["_row_id"]
    store = tables.rows(deals, cached=True)

    def write_then_fail() -> None:
        with store.engine.locked_transaction(store.lock_key) as session:
            store.update_in(session, row_id, {"amount": 1.0}, 1, ALICE)
            raise Boom

    with pytest.raises(Boom):
        write_then_fail()
    # Another writer (another process, or SQL run on the warehouse) takes version 2.
    later = dt.datetime(2030, 1, 1, 12, 0, 0)
    bump = exp.update(
        store.table,
        {
            "amount": exp.Literal.number(2),
            "_version": exp.Literal.number(2),
            "_updated_at": exp.cast(exp.Literal.string(later.isoformat(" ")), "TIMESTAMP"),
        },
        where=exp.column("_row_id").eq(exp.Literal.string(row_id)),
    )
    tables.engine.execute(bump)
    _, answered = tables.update(deals, row_id, {"title": "After"}, 2, BOB)
    stored = _stored(tables, deals, row_id)
    assert answered == [stored]
    assert stored["amount"] == 2.0
    assert stored["title"] == "After"
    entry = _last_entry(tables, deals, row_id)
    assert entry["before"]["amount"] == 2.0
    assert entry["before"]["_updated_at"] == "2030-01-01T12:00:00"


def test_a_row_changed_in_sql_keeping_its_version_is_read_again(
    tables: InputTables, deals: str
) -> None:
    """SQL run on the warehouse (or a `run_sql` action) changes a remembered row without
    touching its version or stamps: the next edit must still start from what is stored."""
    tables.catalog.get(deals)
    _, rows = tables.insert(deals, [good()], ALICE)
    row_id = rows[0]["_row_id"]
    tables.update(deals, row_id, {"amount": 5}, 1, BOB)
    store = tables.rows(deals)
    behind = exp.update(
        store.table,
        {"title": exp.Literal.string("Changed in SQL")},
        where=exp.column("_row_id").eq(exp.Literal.string(row_id)),
    )
    tables.engine.execute(behind)
    _, answered = tables.update(deals, row_id, {"amount": 6}, 2, BOB)
    stored = _stored(tables, deals, row_id)
    assert answered == [stored]
    assert stored["title"] == "Changed in SQL"
    entry = _last_entry(tables, deals, row_id)
    assert entry["before"]["title"] == entry["after"]["title"] == "Changed in SQL"
    assert store.log.replay(deals) == {row_id: stored}


def test_a_retyped_column_is_not_compared_with_remembered_values(
    tables: InputTables, deals: str
) -> None:
    tables.catalog.get(deals)
    _, rows = tables.insert(deals, [good(seats=3)], ALICE)
    row_id = rows[0]["_row_id"]
    tables.update(deals, row_id, {"amount": 5}, 1, BOB)
    columns = [
        {**column, "type": "text"} if column["name"] == "seats" else column
        for column in DEALS["columns"]
    ]
    tables.catalog.update(deals, InputTableUpdate.model_validate({"columns": columns}), "admin")
    tables.catalog.get(deals)  # cached again, at the new definition version
    _, answered = tables.update(deals, row_id, {"amount": 6}, 2, BOB)
    stored = _stored(tables, deals, row_id)
    assert answered == [stored]
    assert stored["seats"] == "3"
    assert _last_entry(tables, deals, row_id)["before"]["seats"] == "3"


def test_a_remembered_row_written_since_by_another_path(tables: InputTables, deals: str) -> None:
    """The remembered version is the one the client sends, but the row moved on: the
    answer is the usual 409 with the stored row, or 404 once it is gone."""
    tables.catalog.get(deals)
    _, rows = tables.insert(deals, [good()], ALICE)
    row_id = rows[0]["_row_id"]
    tables.update(deals, row_id, {"amount": 5}, 1, BOB)
    elsewhere = tables.rows(deals)  # no cached definition: it neither recalls nor remembers
    with elsewhere.engine.locked_transaction(elsewhere.lock_key) as session:
        elsewhere.update_in(session, row_id, {"amount": 7.0}, 2, ALICE)
    with pytest.raises(Conflict) as stale:
        tables.update(deals, row_id, {"amount": 6}, 2, BOB)
    assert stale.value.body["current_row"] == _stored(tables, deals, row_id)
    assert stale.value.body["current_row"]["amount"] == 7.0
    with elsewhere.engine.locked_transaction(elsewhere.lock_key) as session:
        elsewhere.delete_in(session, row_id, 3, ALICE)
    with pytest.raises(NotFound):
        tables.update(deals, row_id, {"amount": 6}, 3, BOB)


def test_engines_that_do_not_count_updated_rows_read_the_row_back(
    tables: InputTables, deals: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A driver that answers -1 for every row count (duckdb before 2.0 did)."""
    original = Session.execute

    def uncounted(self: Session, statement: Any, params: Any = None) -> int:
        original(self, statement, params)
        return -1

    monkeypatch.setattr(Session, "execute", uncounted)
    monkeypatch.setattr(tables.engine, "COUNTS_AFFECTED_ROWS", False)
    tables.catalog.get(deals)
    _, rows = tables.insert(deals, [good()], ALICE)
    row_id = rows[0]["_row_id"]
    for version in (1, 2):
        _, answered = tables.update(deals, row_id, {"amount": version * 10}, version, BOB)
        assert answered == [_stored(tables, deals, row_id)]
    assert answered[0]["_version"] == 3


def test_stale_and_missing_rows_are_refused_as_before(tables: InputTables, deals: str) -> None:
    _, rows = tables.insert(deals, [good()], ALICE)
    row_id = rows[0]["_row_id"]
    tables.update(deals, row_id, {"amount": 5}, 1, BOB)
    with pytest.raises(Conflict) as stale:
        tables.update(deals, row_id, {"amount": 6}, 1, ALICE)
    assert stale.value.body["current_row"] == _stored(tables, deals, row_id)
    tables.delete(deals, row_id, 2, BOB)
    with pytest.raises(NotFound):
        tables.update(deals, row_id, {"amount": 7}, 2, ALICE)


def test_a_unique_clash_rolls_the_update_back(tables: InputTables, deals: str) -> None:
    _, rows = tables.insert(deals, [good("ABC-1"), good("ABC-2")], ALICE)
    first = rows[0]["_row_id"]
    with pytest.raises(ValidationFailed):
        tables.update(deals, first, {"code": "ABC-2", "amount": 3}, 1, BOB)
    assert _stored(tables, deals, first) == rows[0]
    _, answered = tables.update(deals, first, {"amount": 4}, 1, BOB)
    assert answered[0]["code"] == "ABC-1"
    assert answered[0]["_version"] == 2


def test_recent_rows_keep_the_latest_within_capacity() -> None:
    recent = RecentRows(capacity=2)
    recent.remember(("s", "t", "a"), 1, {"_version": 1, "x": 1})
    recent.remember(("s", "t", "b"), 1, {"_version": 1, "x": 2})
    assert recent.recall(("s", "t", "a"), 1, 1) == {"_version": 1, "x": 1}  # now most recent
    recent.remember(("s", "t", "c"), 1, {"_version": 1, "x": 3})
    assert recent.recall(("s", "t", "b"), 1, 1) is None  # the least recently used went
    assert len(recent) == 2
    assert recent.recall(("s", "t", "a"), 1, 2) is None  # another version
    assert recent.recall(("s", "t", "a"), 2, 1) is None  # another definition
    recalled = recent.recall(("s", "t", "a"), 1, 1)
    assert recalled is not None
    recalled["x"] = 99  # a copy: the caller cannot change what is remembered
    assert recent.recall(("s", "t", "a"), 1, 1) == {"_version": 1, "x": 1}
    recent.forget(("s", "t", "a"))
    assert recent.recall(("s", "t", "a"), 1, 1) is None
