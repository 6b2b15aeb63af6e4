"""Shared test data: a small table, a scope over it, and value comparison rules."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

from sqlglot import exp

from trilith.formula import ControlValue, Scope, Sort, UserContext
from trilith.formula.functions import trees

D = dt.date
T = dt.datetime

COLUMNS = {
    "Id": "integer",
    "Amount": "number",
    "Stage": "text",
    "Day": "date",
    "Ts": "datetime",
    "Flag": "logical",
    "Qty": "integer",
    "Name": "text",
    "Tag": "text",
}
ROWS: list[tuple[Any, ...]] = [
    (1, 100.5, "won", D(2024, 1, 31), T(2024, 1, 31, 10, 30, 15), True, 3, "alice smith", "a"),
    (2, 2000.0, "lost", D(2024, 2, 29), T(2024, 2, 29, 23, 59, 59), False, None, "BOB", "b"),
    (3, None, "won", D(2023, 12, 31), T(2023, 12, 31), None, 5, "carol", "a"),
    (4, 50.0, "open", D(2024, 5, 17), T(2024, 5, 17, 12), True, 2, None, "c"),
]


def scope() -> Scope:
    return Scope(
        columns=dict(COLUMNS),
        controls={
            "Region": ControlValue("text", "EU"),
            "Limit": ControlValue("number", 1000),
            "Amounts": ControlValue("number", {"min": 10, "max": 200}),
            "Dates": ControlValue("date", {"start": "2024-01-01", "end": "2024-03-31"}),
            "Regions": ControlValue("text", ["EU", "US"]),
        },
        variables={"Threshold": 100, "Label": "x"},
        selections={"Stage": ["won"], "Id": [1, 3]},
        user=UserContext("ann@example.com", frozenset({"Sales"}), {"region": "EU"}),
        order_by=[Sort("Id")],
    )


def _literal(value: Any, type_: str) -> exp.Expr:
    if value is None:
        return trees.cast(exp.Null(), type_)
    if isinstance(value, bool):
        return trees.cast(exp.Boolean(this=value), type_)
    if isinstance(value, dt.datetime):
        return trees.cast(trees.text(value.isoformat(sep=" ")), type_)
    if isinstance(value, dt.date):
        return trees.cast(trees.text(value.isoformat()), type_)
    if isinstance(value, str):
        return trees.cast(trees.text(value), type_)
    return trees.cast(trees.number(value), type_)


def table() -> exp.Expr:
    """The rows as `SELECT … UNION ALL SELECT …`, typed on every engine."""
    selects = [
        exp.select(
            *(
                exp.alias_(_literal(value, type_), name, quoted=True)
                for value, (name, type_) in zip(row, COLUMNS.items(), strict=True)
            )
        )
        for row in ROWS
    ]
    union: exp.Expr = selects[0]
    for select in selects[1:]:
        union = exp.union(union, select, distinct=False)
    return exp.Subquery(this=union, alias=exp.TableAlias(this=exp.to_identifier("t")))


def normalize(value: Any, like: Any) -> Any:
    """An engine's answer in the shape of the expected one (SQLite's 0/1, ISO text …)."""
    if isinstance(like, list) and isinstance(value, list):
        return [normalize(v, e) for v, e in zip(value, like, strict=False)]
    if value is None:
        return None
    if isinstance(like, bool) and isinstance(value, int):
        return bool(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(like, dt.datetime) and isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    if isinstance(like, dt.date) and not isinstance(like, dt.datetime):
        if isinstance(value, str):
            return dt.date.fromisoformat(value[:10])
        if isinstance(value, dt.datetime):
            return value.date()
    return value


def same(value: Any, expected: Any) -> bool:
    if isinstance(expected, list):
        return (
            isinstance(value, list)
            and len(value) == len(expected)
            and all(same(v, e) for v, e in zip(value, expected, strict=True))
        )
    if isinstance(expected, bool) or expected is None or isinstance(value, bool):
        return value is expected or (value == expected and type(value) is type(expected))
    if isinstance(expected, int | float) and isinstance(value, int | float | Decimal):
        return math.isclose(float(value), float(expected), rel_tol=1e-9, abs_tol=1e-9)
    return bool(value == expected)
