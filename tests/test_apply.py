"""Applying a spec creates and migrates its input tables, then stores the app."""

from __future__ import annotations

import pytest

from trilith.apply import apply_app, definition_from_spec
from trilith.engines import Engine
from trilith.errors import ValidationFailed
from trilith.events import EventBus
from trilith.input_tables.rows import WriteContext
from trilith.input_tables.service import InputTables
from trilith.metadata import migrate
from trilith.metadata.apps import AppStore
from trilith.spec import load_app_text
from trilith.sql.ddl import ColumnSpec, create_table, table

SPEC = """
id: budget
title: Budget
input_tables:
  - id: lines
    name: Budget lines
    columns:
      - {name: item, type: text, required: true}
      - {name: amount, type: number, validation: {min: 0}}
      - {name: approved, type: boolean}
pages:
  - id: home
    elements:
      - {id: grid, type: input_table, input_table: lines}
"""


@pytest.fixture
def schema(engine: Engine, unique_schema: str) -> str:
    migrate(engine, unique_schema)
    return unique_schema


def test_spec_columns_become_definitions() -> None:
    app = load_app_text(SPEC, "budget.yaml")
    definition = definition_from_spec(app.input_tables[0], app.id)
    assert [(c.name, c.type) for c in definition.columns] == [
        ("item", "text"),
        ("amount", "number"),
        ("approved", "checkbox"),
    ]
    assert definition.columns[0].required
    assert definition.columns[1].validation is not None
    assert definition.app_id == "budget"


def test_apply_creates_then_migrates_input_tables(engine: Engine, schema: str) -> None:
    first = apply_app(engine, schema, load_app_text(SPEC, "v1"), "dev")
    assert first.input_tables == {"lines": "created"}
    tables = InputTables(engine, schema, EventBus())
    tables.insert("lines", [{"item": "laptops", "amount": 900}], WriteContext("dev"))
    v2 = SPEC.replace(
        "{name: approved, type: boolean}",
        "{name: approved, type: boolean}\n      - {name: owner, type: text}",
    )
    second = apply_app(engine, schema, load_app_text(v2, "v2"), "dev")
    assert second.input_tables == {"lines": "updated"}
    assert [c.name for c in tables.catalog.get("lines").columns][-1] == "owner"
    assert "input tables: lines updated" in second.summary()
    again = apply_app(engine, schema, load_app_text(v2, "v2"), "dev")
    assert again.input_tables == {"lines": "unchanged"}


def test_a_linked_table_without_its_source_changes_nothing(engine: Engine, schema: str) -> None:
    spec = SPEC.replace(
        "input_tables:\n",
        "input_tables:\n  - id: targets\n    name: Targets\n    kind: linked\n    source: nowhere.regions\n"
        "    key: region\n    columns:\n      - {name: region, type: text}\n",
    )
    with pytest.raises(ValidationFailed, match="cannot read columns region from source"):
        apply_app(engine, schema, load_app_text(spec, "linked"), "dev")
    assert InputTables(engine, schema, EventBus()).catalog.summaries() == []
    assert AppStore(engine, schema).summaries() == []


def test_row_rules_bind_the_apps_input_tables(engine: Engine, schema: str) -> None:
    """An app's rule on one of its input tables, managed or linked, becomes the table's
    own (element queries apply it once, see the element tests)."""
    regions = table(schema, "regions")
    engine.execute(create_table(regions, [ColumnSpec("region", "TEXT", nullable=False)]))
    spec = SPEC.replace(
        "input_tables:\n",
        "input_tables:\n  - id: targets\n    name: Targets\n    kind: linked\n"
        f"    source: {schema}.regions\n    key: region\n    columns:\n"
        "      - {name: region, type: text}\n      - {name: goal, type: number}\n",
    ) + (
        "row_security:\n"
        "  - {source: lines, predicate: '[item] = CurrentUserEmail()', roles: [viewer]}\n"
        "  - {source: targets, predicate: '[region] = \"West\"', roles: [viewer]}\n"
    )
    report = apply_app(engine, schema, load_app_text(spec, "rules"), "dev")
    assert report.input_tables == {"targets": "created", "lines": "created"}
    catalog = InputTables(engine, schema, EventBus()).catalog
    assert [r.predicate for r in catalog.get("lines").row_security] == [
        "[item] = CurrentUserEmail()"
    ]
    assert [r.predicate for r in catalog.get("targets").row_security] == ['[region] = "West"']
