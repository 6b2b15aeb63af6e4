"""Controls as filters: each control type turns its value into a condition on the
columns it targets, by a table of builders. An empty value filters nothing.

Values are bound parameters; a text pattern is matched with LIKE on an escaped pattern
(or the engine's regular expressions for `regexp`), so a value is never SQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlglot import exp

from trilith.errors import ValidationFailed
from trilith.spec.app import Control
from trilith.sql.render import param

__all__ = ["ControlFilter", "Filtering", "condition_for"]


@dataclass
class Filtering:
    """Conditions collected for one query, with the values they bind."""

    conditions: list[exp.Expr] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)

    def bind(self, value: Any) -> exp.Placeholder:
        name = f"ctl_{len(self.params)}"
        self.params[name] = value
        return param(name)


ControlFilter = Callable[[Control, exp.Expr, Any, Filtering], exp.Expr | None]


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _list(control: Control, column: exp.Expr, value: Any, f: Filtering) -> exp.Expr | None:
    values = value if isinstance(value, list) else [value]
    values = [v for v in values if v is not None]
    if not values:
        return None
    condition = column.isin(*(f.bind(v) for v in values))
    return exp.Not(this=condition) if control.exclude else condition


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


_PATTERNS: dict[str, Callable[[str], str]] = {
    "equals": lambda v: _escape(v),
    "contains": lambda v: f"%{_escape(v)}%",
    "starts_with": lambda v: f"{_escape(v)}%",
    "ends_with": lambda v: f"%{_escape(v)}",
    "like": lambda v: v,
}


def _text(control: Control, column: exp.Expr, value: Any, f: Filtering) -> exp.Expr | None:
    operator = str(control.operator or "contains")
    negated = operator.startswith("not_")
    base = operator.removeprefix("not_")
    if base == "regexp":
        condition: exp.Expr = exp.RegexpLike(this=column, expression=f.bind(str(value)))
    elif base in _PATTERNS:
        escape = exp.Literal.string("\\") if base != "like" else None
        pattern = f.bind(_PATTERNS[base](str(value)))
        condition = exp.Like(this=column, expression=pattern, escape=escape)
    else:
        raise ValidationFailed(f"control '{control.id}': {operator!r} is not a text operator")
    return exp.Not(this=condition) if negated else condition


_COMPARE: dict[str, Callable[[exp.Expr, exp.Expr], exp.Expr]] = {
    "<=": lambda c, v: exp.LTE(this=c, expression=v),
    "=": lambda c, v: exp.EQ(this=c, expression=v),
    ">=": lambda c, v: exp.GTE(this=c, expression=v),
}


def _number(control: Control, column: exp.Expr, value: Any, f: Filtering) -> exp.Expr | None:
    operator = str(control.operator or "=")
    if operator not in _COMPARE:
        raise ValidationFailed(f"control '{control.id}': {operator!r} is not a number operator")
    return _COMPARE[operator](column, f.bind(value))


def _bounds(low_key: str, high_key: str) -> ControlFilter:
    def build(control: Control, column: exp.Expr, value: Any, f: Filtering) -> exp.Expr | None:
        if not isinstance(value, dict):
            raise ValidationFailed(
                f"control '{control.id}' takes {{{low_key!r}: …, {high_key!r}: …}}, not {value!r}"
            )
        parts: list[exp.Expr] = []
        if not _empty(value.get(low_key)):
            parts.append(exp.GTE(this=column, expression=f.bind(_date_or(value[low_key]))))
        if not _empty(value.get(high_key)):
            parts.append(exp.LTE(this=column, expression=f.bind(_date_or(value[high_key]))))
        return exp.and_(*parts) if parts else None

    return build


def _date_or(value: Any) -> Any:
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _date(control: Control, column: exp.Expr, value: Any, f: Filtering) -> exp.Expr | None:
    return exp.EQ(this=column, expression=f.bind(_date_or(value)))


def _switch(control: Control, column: exp.Expr, value: Any, f: Filtering) -> exp.Expr | None:
    on = bool(value)
    if not on and control.switch_mode == "true_all":
        return None
    return exp.EQ(this=column, expression=f.bind(on))


def _equals(control: Control, column: exp.Expr, value: Any, f: Filtering) -> exp.Expr | None:
    return exp.EQ(this=column, expression=f.bind(value))


FILTERS: dict[str, ControlFilter] = {
    "list": _list,
    "text": _text,
    "text_area": _text,
    "number": _number,
    "slider": _number,
    "range": _bounds("min", "max"),
    "range_slider": _bounds("min", "max"),
    "date": _date,
    "date_range": _bounds("start", "end"),
    "switch": _switch,
    "checkbox": _switch,
    "segmented": _equals,
}


def condition_for(control: Control, column: exp.Expr, value: Any, filtering: Filtering) -> None:
    """Add the control's condition on `column` (top-N controls are applied separately)."""
    if _empty(value) or control.type == "top_n":
        return
    condition = FILTERS[control.type](control, column, value, filtering)
    if condition is not None:
        filtering.conditions.append(condition)
