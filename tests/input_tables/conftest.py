from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlglot import exp

from trilith.engines import Engine
from trilith.events import EventBus
from trilith.input_tables.definition import InputTableDefinition
from trilith.input_tables.rows import RowStore, WriteContext
from trilith.input_tables.service import InputTables
from trilith.metadata import migrate

DEALS: dict[str, Any] = {
    "name": "Deals",
    "columns": [
        {"name": "title", "type": "text", "required": True, "validation": {"max_length": 40}},
        {"name": "amount", "type": "number", "validation": {"min": 0, "max": 1_000_000}},
        {"name": "seats", "type": "integer", "default": 1},
        {
            "name": "stage",
            "type": "single_select",
            "validation": {"options": ["open", "won", "lost"]},
        },
        {"name": "tags", "type": "multi_select", "validation": {"options": ["a", "b", "c"]}},
        {"name": "closes", "type": "date", "validation": {"min": "2020-01-01"}},
        {"name": "seen_at", "type": "datetime"},
        {"name": "hot", "type": "checkbox"},
        {
            "name": "code",
            "type": "text",
            "unique": True,
            "validation": {"regex": "[A-Z]{3}-[0-9]+"},
        },
        {"name": "owner", "type": "text", "protected": True, "default": "sales"},
    ],
}

ALICE = WriteContext("alice", "req-1")
BOB = WriteContext("bob", "req-2")


@pytest.fixture
def tables(engine: Engine, unique_schema: str) -> InputTables:
    migrate(engine, unique_schema)
    return InputTables(engine, unique_schema, EventBus())


@pytest.fixture
def deals(tables: InputTables) -> str:
    created = tables.create(InputTableDefinition.model_validate(DEALS), ALICE)
    return str(created["id"])


def trial_waits_for_a_writer(
    store: RowStore, row_id: str, written: dict[str, Any], staged: dict[str, Any]
) -> None:
    """While another transaction holds `store`'s table lock with `written` set on every
    row of its data table, `store.check_staged` of `staged` on `row_id` waits for it, then
    passes."""
    writing, release = threading.Event(), threading.Event()

    def writer() -> None:
        values = {name: exp.Literal.number(value) for name, value in written.items()}
        with store.engine.locked_transaction(store.lock_key) as session:
            session.execute(exp.update(store.table, values))
            writing.set()
            release.wait(10)

    failures: list[BaseException] = []

    def check() -> None:
        try:
            store.check_staged([staged], row_id)
        except BaseException as exc:  # reported below
            failures.append(exc)

    holder = threading.Thread(target=writer)
    holder.start()
    assert writing.wait(10)
    checker = threading.Thread(target=check)
    checker.start()
    checker.join(0.5)
    assert checker.is_alive(), f"the trial did not wait for the writer: {failures}"
    release.set()
    holder.join(10)
    checker.join(10)
    assert failures == []
