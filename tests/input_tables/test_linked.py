"""Linked input tables: a live source, augmentation stored by key."""

from __future__ import annotations

from typing import Any

import pytest
from sqlglot import exp

from tests.input_tables.conftest import ALICE, BOB, trial_waits_for_a_writer
from trilith.auth import Actor
from trilith.engines import Engine
from trilith.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from trilith.input_tables.definition import InputTableDefinition
from trilith.input_tables.edit_log import HistoryQuery
from trilith.input_tables.query import Filter, RowQuery
from trilith.input_tables.service import InputTables
from trilith.sql import param
from trilith.sql.ddl import ColumnSpec, create_table, table


@pytest.fixture
def accounts(engine: Engine, unique_schema: str, tables: InputTables) -> exp.Table:
    source = table(unique_schema, "accounts")
    engine.execute(
        create_table(
            source,
            [ColumnSpec("code", "TEXT"), ColumnSpec("name", "TEXT"), ColumnSpec("arr", "DOUBLE")],
        )
    )
    insert = exp.insert(exp.select(param("c"), param("n"), param("a")), source)
    for code, name, arr in [("A1", "Acme", 100.0), ("B2", "Bolt", 250.0), ("C3", "Cirrus", 50.0)]:
        engine.execute(insert, {"c": code, "n": name, "a": arr})
    return source


def definition(schema: str, **extra: Any) -> InputTableDefinition:
    return InputTableDefinition.model_validate(
        {
            "name": "Account plans",
            "type": "linked",
            "source": {"table": f"{schema}.accounts"},
            "primary_key": ["code"],
            "columns": [
                {"name": "code", "type": "text", "linked": True},
                {"name": "name", "type": "text", "linked": True},
                {"name": "arr", "type": "number", "linked": True},
                {"name": "owner", "type": "text"},
                {"name": "target", "type": "number", "validation": {"min": 0}},
            ],
            **extra,
        }
    )


def test_rows_are_the_source_joined_live(
    tables: InputTables, accounts: exp.Table, unique_schema: str, engine: Engine
) -> None:
    table_id = tables.create(definition(unique_schema), ALICE)["id"]
    rows, total = tables.rows(table_id).page(RowQuery())
    assert total == 3
    assert [(r["_row_id"], r["name"], r["owner"], r["_version"]) for r in rows] == [
        ('["A1"]', "Acme", None, 0),
        ('["B2"]', "Bolt", None, 0),
        ('["C3"]', "Cirrus", None, 0),
    ]
    engine.execute(
        exp.insert(exp.select(param("c"), param("n"), param("a")), accounts),
        {"c": "D4", "n": "Dune", "a": 1.0},
    )
    assert tables.rows(table_id).page(RowQuery())[1] == 4  # always live


def test_augmentation_is_versioned_and_upserts_by_key(
    tables: InputTables, accounts: exp.Table, unique_schema: str
) -> None:
    table_id = tables.create(definition(unique_schema), ALICE)["id"]
    _, first = tables.update(table_id, '["B2"]', {"owner": "ana", "target": 300}, 0, ALICE)
    assert (first[0]["_version"], first[0]["owner"], first[0]["name"]) == (1, "ana", "Bolt")
    with pytest.raises(Conflict):
        tables.update(table_id, '["B2"]', {"owner": "bo"}, 0, BOB)
    _, upserted = tables.insert(
        table_id, [{"code": "B2", "target": 310}, {"code": "C3", "owner": "cy"}], BOB
    )
    assert [(r["_row_id"], r["_version"], r["owner"], r["target"]) for r in upserted] == [
        ('["B2"]', 2, "ana", 310.0),
        ('["C3"]', 1, "cy", None),
    ]
    owned, total = tables.rows(table_id).page(
        RowQuery(filters=[Filter("owner", "not_null")], sort=[("arr", True)])
    )
    assert (total, [r["code"] for r in owned]) == (2, ["B2", "C3"])
    log = tables.rows(table_id).log
    assert log.history(table_id, _history(row_id='["B2"]'))[1] == 2


def test_linked_columns_cannot_be_edited(
    tables: InputTables, accounts: exp.Table, unique_schema: str
) -> None:
    table_id = tables.create(definition(unique_schema), ALICE)["id"]
    with pytest.raises(ValidationFailed) as info:
        tables.update(table_id, '["A1"]', {"name": "Renamed"}, 0, ALICE)
    assert info.value.details[0]["rule"] == "linked"
    with pytest.raises(ValidationFailed, match="rule: key"):
        tables.insert(table_id, [{"owner": "x"}], ALICE)
    with pytest.raises(NotFound, match="has no row with key"):
        tables.update(table_id, '["ZZ"]', {"owner": "x"}, 0, ALICE)
    with pytest.raises(NotFound, match="key as a JSON list"):
        tables.update(table_id, "A1", {"owner": "x"}, 0, ALICE)


def test_clearing_and_reverting_augmentation(
    tables: InputTables, accounts: exp.Table, unique_schema: str
) -> None:
    table_id = tables.create(definition(unique_schema), ALICE)["id"]
    tables.update(table_id, '["A1"]', {"owner": "ana"}, 0, ALICE)
    _, cleared = tables.delete(table_id, '["A1"]', 1, BOB)
    assert tables.rows(table_id).get('["A1"]') == {
        **cleared[0],
        "owner": None,
        "_version": 0,
        **_unstamped(),
    }
    entries, _ = tables.rows(table_id).log.history(table_id, _history(row_id='["A1"]'))
    tables.revert(table_id, '["A1"]', entries[-1]["edit_num"], 0, ALICE)
    assert tables.rows(table_id).get('["A1"]')["owner"] == "ana"  # type: ignore[index]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("A1", "x"), ("A1", "y")], "is not unique"),
        ([("A1", "x"), (None, "y")], "has null values"),
    ],
)
def test_the_source_key_must_be_unique_and_not_null(
    tables: InputTables,
    engine: Engine,
    unique_schema: str,
    rows: list[tuple[str | None, str]],
    message: str,
) -> None:
    source = table(unique_schema, "accounts")
    engine.execute(
        create_table(
            source,
            [ColumnSpec("code", "TEXT"), ColumnSpec("name", "TEXT"), ColumnSpec("arr", "DOUBLE")],
        )
    )
    for code, name in rows:
        engine.execute(
            exp.insert(exp.select(param("c"), param("n"), exp.null()), source),
            {"c": code, "n": name},
        )
    with pytest.raises(ValidationFailed, match=message):
        tables.create(definition(unique_schema), ALICE)
    assert tables.catalog.summaries() == []


def test_a_missing_source_column_is_named(
    tables: InputTables, accounts: exp.Table, unique_schema: str
) -> None:
    bad = definition(unique_schema).model_dump()
    bad["columns"].append({"name": "region", "type": "text", "linked": True})
    with pytest.raises(ValidationFailed, match="cannot read columns code, name, arr, region"):
        tables.create(InputTableDefinition.model_validate(bad), ALICE)


def _unstamped() -> dict[str, Any]:
    return {"_created_at": None, "_created_by": None, "_updated_at": None, "_updated_by": None}


def _history(**kwargs: object):  # type: ignore[no-untyped-def]
    return HistoryQuery(**kwargs)  # type: ignore[arg-type]


RULE = {"predicate": '[arr] >= 100 AND Coalesce([owner], "") <> "blocked"'}
ADA = Actor("u-ada", "ada", "admin")
EDDIE = Actor("u-eddie", "eddie", "editor")


def test_row_security_holds_on_linked_tables(
    tables: InputTables, accounts: exp.Table, unique_schema: str
) -> None:
    """A rule may name linked and augmentation columns: reads see only the rows it lets
    through, writes reach none of the others, and no write moves a row outside."""
    table_id = tables.create(definition(unique_schema, row_security=[RULE]), ALICE)["id"]
    hidden = '["C3"]'  # arr 50
    admin = tables.rows(table_id, actor=ADA)
    assert admin.page(RowQuery())[1] == 3  # rules bind viewers and editors by default
    tables.actor = EDDIE
    store = tables.rows(table_id)
    rows, total = store.page(RowQuery())
    assert (total, [r["_row_id"] for r in rows]) == (2, ['["A1"]', '["B2"]'])
    assert store.get(hidden) is None
    assert store.visible(['["A1"]', hidden, '["Z9"]']) == {'["A1"]'}
    with pytest.raises(NotFound):
        tables.update(table_id, hidden, {"owner": "eddie"}, 0, ALICE)
    with pytest.raises(NotFound):
        tables.insert(table_id, [{"code": "C3", "owner": "eddie"}], ALICE)

    # The first augmentation of a row, and a later update, may not move it outside.
    with pytest.raises(PermissionDenied, match="would fall outside"):
        tables.update(table_id, '["A1"]', {"owner": "blocked"}, 0, ALICE)
    _, written = tables.update(table_id, '["B2"]', {"owner": "ana", "target": 5}, 0, ALICE)
    assert written[0]["_version"] == 1
    with pytest.raises(PermissionDenied, match="would fall outside"):
        tables.update(table_id, '["B2"]', {"owner": "blocked"}, 1, ALICE)
    with pytest.raises(PermissionDenied, match="would fall outside"):
        tables.insert(table_id, [{"code": "A1", "owner": "blocked"}], ALICE)
    plain = tables.rows(table_id, actor=ADA)
    assert [(r["_row_id"], r["owner"], r["_version"]) for r in plain.page(RowQuery())[0]] == [
        ('["A1"]', None, 0),
        ('["B2"]', "ana", 1),
        ('["C3"]', None, 0),
    ]

    # History shows the rows the caller can see.
    tables.actor = ADA
    tables.update(table_id, hidden, {"owner": "ada"}, 0, ALICE)
    assert {e["row_id"] for e in plain.log.history(table_id, HistoryQuery())[0]} == {
        '["B2"]',
        hidden,
    }
    secured = tables.rows(table_id, actor=EDDIE)
    assert {e["row_id"] for e in secured.log.history(table_id, HistoryQuery())[0]} == {'["B2"]'}


def test_draft_edits_of_linked_rows_are_checked_when_staged(
    tables: InputTables, accounts: exp.Table, unique_schema: str
) -> None:
    table_id = tables.create(
        definition(unique_schema, row_security=[RULE], data_entry="draft"), ALICE
    )["id"]
    tables.actor = EDDIE
    with pytest.raises(PermissionDenied, match="would fall outside"):
        tables.update(table_id, '["A1"]', {"owner": "blocked"}, 0, ALICE)
    with pytest.raises(NotFound):
        tables.update(table_id, '["C3"]', {"owner": "x"}, 0, ALICE)
    kind, _ = tables.update(table_id, '["A1"]', {"owner": "ana"}, 0, ALICE)
    assert kind == "staged"
    row = tables.rows(table_id, actor=ADA).get('["A1"]')
    assert row is not None
    assert (row["owner"], row["_version"]) == (None, 0)  # the trial wrote nothing


def test_a_staged_linked_edit_is_tried_under_the_tables_lock(
    tables: InputTables, accounts: exp.Table, unique_schema: str
) -> None:
    if tables.engine.warehouse_type != "duckdb":
        pytest.skip("only DuckDB refuses a second open write of a row; elsewhere it waits")
    table_id = tables.create(
        definition(unique_schema, row_security=[RULE], data_entry="draft"), ALICE
    )["id"]
    # An augmented row (staged by the admin, who no rule binds, then published).
    tables.actor = ADA
    tables.update(table_id, '["A1"]', {"target": 1}, 0, ALICE)
    tables.publish(table_id, ALICE)
    store = tables.rows(table_id, actor=EDDIE)
    trial_waits_for_a_writer(store, '["A1"]', {"target": 7}, {"target": 9.0})
    assert tables.rows(table_id, actor=ADA).get('["A1"]')["target"] == 7  # type: ignore[index]


def test_a_staged_clear_that_would_leave_a_linked_row_outside_is_refused(
    tables: InputTables, accounts: exp.Table, unique_schema: str
) -> None:
    """A delete on a linked table clears the augmentation and the row stays: staged, it is
    checked as the live delete is."""
    mine = {"predicate": 'Coalesce([owner], "") = "eddie"'}
    table_id = tables.create(
        definition(unique_schema, row_security=[mine], data_entry="draft"), ALICE
    )["id"]
    tables.actor = ADA
    tables.update(table_id, '["A1"]', {"owner": "eddie"}, 0, ALICE)
    tables.publish(table_id, ALICE)
    tables.actor = EDDIE
    with pytest.raises(PermissionDenied, match="would fall outside"):
        tables.delete(table_id, '["A1"]', 1, ALICE)
