"""Computed input-table columns: formulas the warehouse evaluates on every read."""

from __future__ import annotations

import pytest

from tests.input_tables.conftest import ALICE
from trilith.errors import ValidationFailed
from trilith.input_tables.definition import InputTableDefinition, InputTableUpdate
from trilith.input_tables.query import Filter, RowQuery
from trilith.input_tables.service import InputTables

LINES = {
    "name": "Lines",
    "columns": [
        {"name": "item", "type": "text"},
        {"name": "price", "type": "number"},
        {"name": "qty", "type": "integer"},
        {"name": "total", "type": "number", "formula": "[price] * [qty]"},
        {"name": "label", "type": "text", "formula": 'Upper([item]) & " x" & Text([qty])'},
    ],
}


@pytest.fixture
def lines(tables: InputTables) -> str:
    return str(tables.create(InputTableDefinition.model_validate(LINES), ALICE)["id"])


def test_computed_columns_are_read_filtered_and_sorted(tables: InputTables, lines: str) -> None:
    _, rows = tables.insert(
        lines,
        [{"item": "pen", "price": 1.5, "qty": 4}, {"item": "ink", "price": 7, "qty": 1}],
        ALICE,
    )
    assert (rows[0]["total"], rows[0]["label"]) == (6.0, "PEN x4")
    found, total = tables.rows(lines).page(
        RowQuery(sort=[("total", True)], filters=[Filter("total", "gt", "5")])
    )
    assert total == 2
    assert [r["item"] for r in found] == ["ink", "pen"]
    _, updated = tables.update(lines, rows[0]["_row_id"], {"qty": 10}, 1, ALICE)
    assert updated[0]["total"] == 15.0


def test_computed_columns_cannot_be_written(tables: InputTables, lines: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        tables.insert(lines, [{"item": "x", "total": 3}], ALICE)
    assert info.value.details[0]["rule"] == "computed"


def test_a_bad_formula_is_refused_with_the_definition(tables: InputTables, lines: str) -> None:
    bad = {
        **LINES,
        "name": "Bad",
        "columns": [
            *LINES["columns"][:3],
            {"name": "oops", "type": "number", "formula": "[price] * [missing]"},
        ],
    }
    with pytest.raises(ValidationFailed, match="missing"):
        tables.create(InputTableDefinition.model_validate(bad), ALICE)
    with pytest.raises(ValidationFailed, match="missing"):
        tables.catalog.update(
            lines, InputTableUpdate.model_validate({"columns": bad["columns"]}), "admin"
        )
    assert [c.name for c in tables.catalog.get(lines).columns][-1] == "label"
