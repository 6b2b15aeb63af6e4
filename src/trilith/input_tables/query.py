"""Row listing: filters, sorts and paging as one warehouse query.

Query strings: `sort=amount,-_updated_at` (a leading `-` sorts descending) and repeated
`filter=column:op:value` with op one of eq, ne, lt, le, gt, ge, contains, starts_with,
ends_with, in (values separated by `|`), is_null, not_null. The order always ends with
`_row_id`, so pages are stable.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlglot import exp

from trilith.errors import BadRequest
from trilith.input_tables.types import COLUMN_TYPES
from trilith.sql.render import param

__all__ = [
    "MAX_LIMIT",
    "Filter",
    "RowQuery",
    "count_query",
    "page_query",
    "parse_filter",
    "parse_sort",
]

MAX_LIMIT = 10_000
SYSTEM_TYPES = {
    "_row_id": "text",
    "_version": "integer",
    "_created_at": "datetime",
    "_created_by": "text",
    "_updated_at": "datetime",
    "_updated_by": "text",
}


@dataclass(frozen=True, slots=True)
class Filter:
    column: str
    op: str
    value: str | None = None


@dataclass(frozen=True)
class RowQuery:
    limit: int = 100
    offset: int = 0
    sort: Sequence[tuple[str, bool]] = ()  # (column, descending)
    filters: Sequence[Filter] = field(default_factory=tuple)


def parse_sort(text: str | None) -> list[tuple[str, bool]]:
    if not text:
        return []
    keys = []
    for part in text.split(","):
        part = part.strip()
        if part:
            keys.append((part.lstrip("-"), part.startswith("-")))
    return keys


def parse_filter(text: str) -> Filter:
    column, sep, rest = text.partition(":")
    if not sep or not column:
        raise BadRequest(f"filter {text!r} must look like column:op:value, e.g. amount:gt:100")
    op, _, value = rest.partition(":")
    return Filter(column, op, value if op not in ("is_null", "not_null") else None)


Condition = Callable[[exp.Expr, Any], exp.Expr]

_COMPARISONS: dict[str, Condition] = {
    "eq": lambda c, v: c.eq(v),
    "ne": lambda c, v: c.neq(v),
    "lt": lambda c, v: exp.LT(this=c, expression=v),
    "le": lambda c, v: exp.LTE(this=c, expression=v),
    "gt": lambda c, v: exp.GT(this=c, expression=v),
    "ge": lambda c, v: exp.GTE(this=c, expression=v),
}
# Text matching is done with LIKE on an escaped pattern, the same on every engine.
_PATTERNS: dict[str, Callable[[str], str]] = {
    "contains": lambda v: f"%{v}%",
    "starts_with": lambda v: f"{v}%",
    "ends_with": lambda v: f"%{v}",
}


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _conditions(
    types: Mapping[str, str], filters: Sequence[Filter]
) -> tuple[list[exp.Expr], dict[str, Any]]:
    known = {**SYSTEM_TYPES, **types}
    conditions: list[exp.Expr] = []
    params: dict[str, Any] = {}
    for index, item in enumerate(filters):
        if item.column not in known:
            raise BadRequest(
                f"cannot filter on unknown column {item.column!r}; columns: {', '.join(known)}"
            )
        column = exp.column(item.column, quoted=True)
        name = f"f{index}"
        if item.op == "is_null":
            conditions.append(column.is_(exp.null()))
        elif item.op == "not_null":
            conditions.append(column.is_(exp.null()).not_())
        elif item.op in _COMPARISONS:
            params[name] = _typed(known[item.column], item)
            conditions.append(_COMPARISONS[item.op](column, param(name)))
        elif item.op in _PATTERNS:
            params[name] = _PATTERNS[item.op](_escape_like(item.value or ""))
            conditions.append(
                exp.Like(this=column, expression=param(name), escape=exp.Literal.string("\\"))
            )
        elif item.op == "in":
            values = (item.value or "").split("|")
            names = [f"{name}_{i}" for i in range(len(values))]
            params.update(
                {
                    n: _typed(known[item.column], Filter(item.column, "in", v))
                    for n, v in zip(names, values, strict=True)
                }
            )
            conditions.append(column.isin(*(param(n) for n in names)))
        else:
            ops = ", ".join([*_COMPARISONS, *_PATTERNS, "in", "is_null", "not_null"])
            raise BadRequest(f"unknown filter operator {item.op!r}; use one of: {ops}")
    return conditions, params


def _typed(type_name: str, item: Filter) -> Any:
    try:
        return COLUMN_TYPES[type_name].coerce(item.value)
    except ValueError as exc:
        raise BadRequest(f"filter on {item.column!r}: {exc}") from None


def _where(select: exp.Select, conditions: list[exp.Expr]) -> exp.Select:
    return select.where(exp.and_(*conditions)) if conditions else select


def page_query(
    target: exp.Expr,
    columns: Sequence[str],
    types: Mapping[str, str],
    query: RowQuery,
    default_order: Sequence[str] = ("_created_at", "_row_id"),
) -> tuple[exp.Select, dict[str, Any]]:
    """A page of `target` (a table or a subquery); the order always ends with the last
    `default_order` column, a unique one, so pages are stable."""
    if not 0 < query.limit <= MAX_LIMIT:
        raise BadRequest(f"limit must be between 1 and {MAX_LIMIT}")
    if query.offset < 0:
        raise BadRequest("offset must be 0 or more")
    known = {**SYSTEM_TYPES, **types}
    order: list[exp.Ordered] = []
    for name, descending in query.sort:
        if name not in known:
            raise BadRequest(f"cannot sort on unknown column {name!r}; columns: {', '.join(known)}")
        order.append(
            exp.Ordered(this=exp.column(name, quoted=True), desc=descending, nulls_first=False)
        )
    unique = default_order[-1]
    if not any(name == unique for name, _ in query.sort):
        leading = default_order if not query.sort else default_order[-1:]
        order.extend(exp.Ordered(this=exp.column(name, quoted=True)) for name in leading)
    conditions, params = _conditions(types, query.filters)
    select = exp.select(*(exp.column(c, quoted=True) for c in columns)).from_(target)
    select = (
        _where(select, conditions).order_by(*order).limit(param("limit")).offset(param("offset"))
    )
    return select, {**params, "limit": query.limit, "offset": query.offset}


def count_query(
    target: exp.Expr, types: Mapping[str, str], query: RowQuery
) -> tuple[exp.Select, dict[str, Any]]:
    conditions, params = _conditions(types, query.filters)
    return _where(exp.select(exp.func("COUNT", exp.Star())).from_(target), conditions), params
