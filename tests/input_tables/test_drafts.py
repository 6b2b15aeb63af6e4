"""Draft data entry: staged, counted, published atomically."""

from __future__ import annotations

import pytest

from tests.input_tables.conftest import ALICE, BOB, trial_waits_for_a_writer
from trilith.auth import Actor
from trilith.errors import Conflict, ValidationFailed
from trilith.input_tables.definition import InputTableDefinition, InputTableUpdate
from trilith.input_tables.drafts import DraftStore
from trilith.input_tables.query import RowQuery
from trilith.input_tables.service import InputTables


@pytest.fixture
def plan(tables: InputTables) -> str:
    definition = {
        "name": "Plan",
        "data_entry": "draft",
        "columns": [
            {"name": "item", "type": "text", "required": True},
            {"name": "budget", "type": "number", "validation": {"min": 0}},
        ],
    }
    return str(tables.create(InputTableDefinition.model_validate(definition), ALICE)["id"])


def live(tables: InputTables, table_id: str) -> list[dict[str, object]]:
    return tables.rows(table_id).page(RowQuery(sort=[("item", False)]))[0]


def test_draft_edits_wait_for_publish(tables: InputTables, plan: str) -> None:
    kind, staged = tables.insert(
        plan, [{"item": "laptops", "budget": 10}, {"item": "desks"}], ALICE
    )
    assert kind == "staged"
    assert [s["op"] for s in staged] == ["insert", "insert"]
    assert live(tables, plan) == []
    assert tables.catalog.describe(plan)["pending_edits"] == 2
    changes = tables.publish(plan, BOB)
    assert len(changes) == 2
    assert [r["item"] for r in live(tables, plan)] == ["desks", "laptops"]
    assert tables.catalog.describe(plan)["pending_edits"] == 0
    entries, _ = tables.rows(plan).log.history(plan, _all())
    assert {e["source"] for e in entries} == {"publish"}
    assert {e["actor"] for e in entries} == {"alice"}  # the author, not the publisher


def test_invalid_draft_edits_are_refused_when_made(tables: InputTables, plan: str) -> None:
    with pytest.raises(ValidationFailed, match="row 0, column 'budget'"):
        tables.insert(plan, [{"item": "x", "budget": -1}], ALICE)
    assert tables.catalog.describe(plan)["pending_edits"] == 0


def test_publish_is_all_or_nothing(tables: InputTables, plan: str) -> None:
    tables.catalog.update(plan, InputTableUpdate(data_entry="published"), "admin")
    _, rows = tables.insert(plan, [{"item": "chairs", "budget": 5}], ALICE)
    row_id = rows[0]["_row_id"]
    tables.catalog.update(plan, InputTableUpdate(data_entry="draft"), "admin")
    tables.insert(plan, [{"item": "lamps"}], ALICE)
    tables.update(plan, row_id, {"budget": 6}, 1, ALICE)
    tables.update(plan, row_id, {"budget": 7}, 1, BOB)  # stale once the first is applied
    with pytest.raises(Conflict) as info:
        tables.publish(plan, BOB)
    assert info.value.message.startswith("staged edit 2 (update): row")
    assert "nothing was published" in info.value.message
    assert [(r["item"], r["budget"]) for r in live(tables, plan)] == [("chairs", 5.0)]
    assert len(DraftStore(tables.rows(plan)).pending()) == 3


def _all():  # type: ignore[no-untyped-def]
    from trilith.input_tables.edit_log import HistoryQuery

    return HistoryQuery()


def test_a_staged_edit_is_tried_under_the_tables_lock(tables: InputTables) -> None:
    """Under row security a staged edit is tried by writing it in a transaction that is
    rolled back; it waits for a writer holding the table rather than meet it."""
    if tables.engine.warehouse_type != "duckdb":
        pytest.skip("only DuckDB refuses a second open write of a row; elsewhere it waits")
    definition = {
        "name": "Guarded",
        "data_entry": "draft",
        "columns": [{"name": "item", "type": "text"}, {"name": "budget", "type": "number"}],
        "row_security": [{"predicate": "[budget] < 100", "roles": ["editor"]}],
    }
    table_id = str(tables.create(InputTableDefinition.model_validate(definition), ALICE)["id"])
    tables.insert(table_id, [{"item": "desk", "budget": 5}], ALICE)
    tables.publish(table_id, BOB)
    row_id = live(tables, table_id)[0]["_row_id"]
    store = tables.rows(table_id, actor=Actor("u-ed", "ed", "editor"))
    trial_waits_for_a_writer(store, row_id, {"budget": 7}, {"budget": 9.0})
    assert live(tables, table_id)[0]["budget"] == 7  # the writer's, the trial's rolled back
