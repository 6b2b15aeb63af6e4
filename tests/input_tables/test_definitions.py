"""Definitions: validation of the contract, data-table migrations, audit."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from pydantic import ValidationError
from sqlglot import exp

from tests.input_tables.conftest import ALICE, DEALS
from trilith.engines import Engine
from trilith.errors import Conflict, NotFound, ValidationFailed
from trilith.input_tables.definition import InputTableDefinition, InputTableUpdate
from trilith.input_tables.query import RowQuery
from trilith.input_tables.rows import DefinitionChanged
from trilith.input_tables.service import InputTables
from trilith.sql.ddl import table


def columns(*names_and_types: tuple[str, str]) -> list[dict[str, Any]]:
    return [{"name": n, "type": t} for n, t in names_and_types]


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        ({"name": "x", "columns": []}, "at least 1 item"),
        ({"name": "x", "columns": [{"name": "_row_id"}]}, "system columns"),
        ({"name": "x", "columns": [{"name": "a b"}]}, "must start with a letter"),
        ({"name": "x", "columns": [{"name": "a"}, {"name": "A"}]}, "repeated: a"),
        ({"name": "x", "columns": [{"name": "a", "type": "money"}]}, "'text', 'number'"),
        (
            {"name": "x", "columns": [{"name": "a", "type": "single_select"}]},
            "needs validation.options",
        ),
        (
            {"name": "x", "columns": [{"name": "a", "type": "text", "validation": {"min": 1}}]},
            "min/max apply to numbers and dates",
        ),
        (
            {"name": "x", "columns": [{"name": "a", "validation": {"regex": "("}}]},
            "does not compile",
        ),
        ({"name": "x", "type": "linked", "columns": [{"name": "a"}]}, "needs source"),
        (
            {"name": "x", "type": "linked", "source": {"table": "s.t"}, "columns": [{"name": "a"}]},
            "needs primary_key",
        ),
        (
            {
                "name": "x",
                "columns": [
                    {
                        "name": "a",
                        "validation": {"options_from": {"table": "x;drop", "column": "c"}},
                    }
                ],
            },
            "is not a table name",
        ),
    ],
)
def test_bad_definitions_say_what_is_wrong(definition: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        InputTableDefinition.model_validate(definition)


def test_camel_case_aliases_are_accepted() -> None:
    parsed = InputTableDefinition.model_validate(
        {
            "name": "x",
            "dataEntry": "draft",
            "columns": [{"name": "a", "validation": {"maxLength": 3}}],
        }
    )
    assert parsed.data_entry == "draft"
    assert parsed.columns[0].validation is not None
    assert parsed.columns[0].validation.max_length == 3


def test_create_makes_the_data_table_and_audits(
    tables: InputTables, deals: str, engine: Engine, unique_schema: str
) -> None:
    described = tables.catalog.describe(deals)
    assert described["version"] == 1
    assert described["pending_edits"] == 0
    assert [c["name"] for c in described["columns"]][:2] == ["title", "amount"]
    data = engine.fetch_rows(exp.select("COUNT(*)").from_(table(unique_schema, f"sigds_{deals}")))
    assert data == [(0,)]
    audit = engine.fetch_dicts(
        exp.select("action", "actor", "target_id").from_(table(unique_schema, "audit_log"))
    )
    assert audit == [{"action": "create-input-table", "actor": "alice", "target_id": deals}]
    with pytest.raises(Conflict):
        tables.create(InputTableDefinition.model_validate({**DEALS, "id": deals}), ALICE)


def test_add_rename_and_retype_columns_keep_the_data(tables: InputTables) -> None:
    created = tables.create(
        InputTableDefinition.model_validate(
            {"name": "T", "columns": columns(("a", "text"), ("n", "text"))}
        ),
        ALICE,
    )
    table_id = created["id"]
    tables.insert(table_id, [{"a": "x", "n": "12"}, {"a": "y", "n": None}], ALICE)
    change = InputTableUpdate.model_validate(
        {
            "renames": {"a": "label"},
            "columns": columns(("label", "text"), ("n", "integer"), ("extra", "checkbox")),
        }
    )
    updated = tables.catalog.update(table_id, change, "admin")
    assert [c.name for c in updated.columns] == ["label", "n", "extra"]
    rows, _ = tables.rows(table_id).page(RowQuery(sort=[("label", False)]))
    assert [(r["label"], r["n"], r["extra"]) for r in rows] == [("x", 12, None), ("y", None, None)]
    assert tables.catalog.describe(table_id)["version"] == 2


def test_values_that_do_not_fit_a_new_type_are_reported_and_nothing_changes(
    tables: InputTables,
) -> None:
    created = tables.create(
        InputTableDefinition.model_validate({"name": "T", "columns": columns(("n", "text"))}), ALICE
    )
    table_id = created["id"]
    tables.insert(table_id, [{"n": "7"}, {"n": "seven"}], ALICE)
    with pytest.raises(ValidationFailed) as info:
        tables.catalog.update(
            table_id,
            InputTableUpdate.model_validate({"columns": columns(("n", "number"))}),
            "admin",
        )
    assert "1 values of column 'n' do not fit type number ('seven')" in info.value.message
    assert info.value.details[0]["value"] == "seven"
    assert tables.catalog.get(table_id).columns[0].type == "text"
    rows, _ = tables.rows(table_id).page(RowQuery())
    assert sorted(r["n"] for r in rows) == ["7", "seven"]


def test_dropping_a_column_with_values_needs_confirmation(tables: InputTables) -> None:
    created = tables.create(
        InputTableDefinition.model_validate(
            {"name": "T", "columns": columns(("a", "text"), ("b", "text"))}
        ),
        ALICE,
    )
    table_id = created["id"]
    tables.insert(table_id, [{"a": "x", "b": "keep me"}], ALICE)
    drop_b = InputTableUpdate.model_validate({"columns": columns(("a", "text"))})
    with pytest.raises(ValidationFailed, match=r"column 'b' holds 1 values; .* confirm_drop=b"):
        tables.catalog.update(table_id, drop_b, "admin")
    assert tables.rows(table_id).page(RowQuery())[0][0]["b"] == "keep me"
    tables.catalog.update(table_id, drop_b, "admin", confirm_drop=frozenset({"b"}))
    assert "b" not in tables.rows(table_id).page(RowQuery())[0][0]


def test_delete_removes_the_definition_and_the_data(
    tables: InputTables, deals: str, engine: Engine, unique_schema: str
) -> None:
    tables.catalog.delete(deals, "admin")
    with pytest.raises(NotFound):
        tables.catalog.get(deals)
    actions = [
        r[0]
        for r in engine.fetch_rows(exp.select("action").from_(table(unique_schema, "audit_log")))
    ]
    assert sorted(actions) == ["create-input-table", "delete-input-table"]
    before = json.loads(
        engine.fetch_scalar(
            exp.select("before_values")
            .from_(table(unique_schema, "audit_log"))
            .where(exp.column("action").eq("delete-input-table"))
        )
    )
    assert before["name"] == "Deals"


def test_options_from_another_table(
    tables: InputTables, engine: Engine, unique_schema: str
) -> None:
    regions = table(unique_schema, "regions")
    engine.execute(
        exp.Create(
            this=exp.Schema(
                this=regions,
                expressions=[
                    exp.ColumnDef(this=exp.to_identifier("name"), kind=exp.DataType.build("TEXT"))
                ],
            ),
            kind="TABLE",
        )
    )
    for name in ("North", "South"):
        engine.execute(exp.insert(exp.select(exp.Literal.string(name)), regions))
    created = tables.create(
        InputTableDefinition.model_validate(
            {
                "name": "Targets",
                "columns": [
                    {
                        "name": "region",
                        "type": "single_select",
                        "validation": {
                            "options_from": {"table": f"{unique_schema}.regions", "column": "name"}
                        },
                    }
                ],
            }
        ),
        ALICE,
    )
    tables.insert(created["id"], [{"region": "North"}], ALICE)
    with pytest.raises(ValidationFailed, match="'West' is not one of the options: North, South"):
        tables.insert(created["id"], [{"region": "West"}], ALICE)


def _capped(table_id: str, tables: InputTables, cap: int) -> None:
    change = InputTableUpdate.model_validate(
        {
            "columns": [
                {"name": "a", "type": "text"},
                {"name": "n", "type": "integer", "validation": {"max": cap}},
            ]
        }
    )
    tables.catalog.update(table_id, change, "admin")


def _two_columns(tables: InputTables) -> str:
    definition = {"name": "T", "columns": columns(("a", "text"), ("n", "integer"))}
    return str(tables.create(InputTableDefinition.model_validate(definition), ALICE)["id"])


def test_a_write_validated_by_a_cached_definition_that_changed_is_refused(
    tables: InputTables,
) -> None:
    """A store built from the process's cached definition (as the API's writes are) must
    not write by it once the definition changed: on PostgreSQL and SQLite the write's
    statement checks the stored version; on DuckDB, which only this process writes, the
    change's generation in memory tells."""
    table_id = _two_columns(tables)
    row = tables.insert(table_id, [{"a": "x", "n": 1}], ALICE)[1][0]
    stale = tables.rows(table_id, cached=True)
    assert stale.definition_version == 1
    _capped(table_id, tables, 5)
    with pytest.raises(DefinitionChanged):
        stale.update(row["_row_id"], {"n": 50}, row["_version"], ALICE)
    with pytest.raises(DefinitionChanged):
        stale.insert([{"a": "y", "n": 60}], ALICE)
    # The service retries with the stored definition, whose rule now refuses the value.
    with pytest.raises(ValidationFailed, match="n"):
        tables.update(table_id, row["_row_id"], {"n": 50}, row["_version"], ALICE)
    rows, total = tables.rows(table_id).page(RowQuery())
    assert (total, rows[0]["n"]) == (1, 1)


def test_a_definition_read_while_it_changes_is_not_trusted(
    tables: InputTables, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another thread reads the definition while a change of it is under way (it sees
    the old one) and caches it after the change is done: writes by that entry are still
    checked, and refused."""
    table_id = _two_columns(tables)
    row = tables.insert(table_id, [{"a": "x", "n": 1}], ALICE)[1][0]
    migrate = tables.catalog._migrate

    def read_meanwhile(*args: Any, **kwargs: Any) -> Any:
        reader = threading.Thread(target=tables.catalog.get, args=(table_id,))
        reader.start()
        reader.join()
        return migrate(*args, **kwargs)

    monkeypatch.setattr(tables.catalog, "_migrate", read_meanwhile)
    monkeypatch.setattr(tables.catalog, "forget", lambda table_id: None)
    _capped(table_id, tables, 5)
    stale = tables.rows(table_id, cached=True)
    assert stale.definition_version == 1  # the old definition, read mid-change
    with pytest.raises(DefinitionChanged):
        stale.update(row["_row_id"], {"n": 50}, row["_version"], ALICE)
