"""docs/formulas.md documents every function, its gaps, and examples that compile."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from trilith.formula import FUNCTIONS, ControlValue, Function, Scope, Sort, compile_formula

DOCS = (Path(__file__).resolve().parents[2] / "docs" / "formulas.md").read_text()
# The columns the examples name, typed.
EXAMPLE_COLUMNS = {
    "Amount": "number",
    "Change": "number",
    "Price": "number",
    "Hours": "number",
    "Rate": "number",
    "Area": "number",
    "Growth": "number",
    "Bid": "number",
    "Ask": "number",
    "Discount": "number",
    "Id": "integer",
    "Order Id": "integer",
    "Stage": "text",
    "First": "text",
    "Last": "text",
    "SKU": "text",
    "Email": "text",
    "Phone": "text",
    "Name": "text",
    "Code": "text",
    "Nickname": "text",
    "Customer": "text",
    "Tag": "text",
    "Region": "text",
    "Order Date": "date",
    "Ship Date": "date",
    "Closed Date": "date",
    "Created At": "datetime",
}


def _row(fn: Function) -> str:
    rows = [line for line in DOCS.splitlines() if line.startswith(f"| `{fn.signature}` |")]
    assert len(rows) == 1, f"docs/formulas.md has no row for {fn.signature}"
    return rows[0]


@pytest.mark.parametrize("fn", FUNCTIONS.values(), ids=list(FUNCTIONS))
def test_every_function_is_documented_with_its_gaps(fn: Function) -> None:
    row = _row(fn)
    assert f"`{fn.example}`" in row
    for dialect, reason in fn.unsupported.items():
        assert f"{dialect}: {reason}" in row


@pytest.mark.parametrize("fn", FUNCTIONS.values(), ids=list(FUNCTIONS))
def test_every_example_compiles(fn: Function) -> None:
    scope = Scope(
        columns=dict(EXAMPLE_COLUMNS),
        controls={"Regions": ControlValue("text", ["EU", "US"])},
        order_by=[Sort("Order Date")],
    )
    assert fn.example.startswith(f"{fn.name}(")
    compile_formula(fn.example, scope, "duckdb")


def test_every_documented_function_exists() -> None:
    documented = set(re.findall(r"^\| `(\w+)\(", DOCS, flags=re.MULTILINE))
    assert documented == set(FUNCTIONS)
