"""Rendering a sqlglot tree into one statement for one driver.

Values never enter SQL text. A statement carries named placeholders (`:name`, built with
`param("name")`) or positional ones (`?`); `render` swaps each for the driver's own
marker and lists the bound values in the order the driver expects.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect

from trilith.errors import BadRequest

__all__ = ["ParamStyle", "Params", "RenderedSQL", "param", "render"]

Params = Mapping[str, Any] | Sequence[Any] | None


class ParamStyle(Enum):
    QMARK = "qmark"  # ?            duckdb, sqlite, snowflake (qmark), redshift (qmark)
    DOLLAR = "dollar"  # $1, $2      psycopg RawCursor
    NAMED_COLON = "named_colon"  # :name    databricks
    NAMED_AT = "named_at"  # @name       bigquery


@dataclass(frozen=True, slots=True)
class RenderedSQL:
    sql: str
    # A list for positional styles, a dict for named styles.
    params: list[Any] | dict[str, Any]


def param(name: str) -> exp.Placeholder:
    """A named placeholder bound at render time."""
    return exp.Placeholder(this=name)


def _marker(style: ParamStyle, position: int, name: str) -> str:
    if style is ParamStyle.QMARK:
        return "?"
    if style is ParamStyle.DOLLAR:
        return f"${position}"
    if style is ParamStyle.NAMED_COLON:
        return f":{name}"
    return f"@{name}"


def render(
    expression: exp.Expr, dialect: str | type[Dialect], style: ParamStyle, params: Params
) -> RenderedSQL:
    positional = (
        list(params) if isinstance(params, Sequence) and not isinstance(params, str) else None
    )
    named: Mapping[str, Any] = params if isinstance(params, Mapping) else {}
    ordered: list[Any] = []
    by_name: dict[str, Any] = {}
    seen_positional = 0
    missing: list[str] = []

    def swap(node: exp.Expr) -> exp.Expr:
        nonlocal seen_positional
        if not isinstance(node, exp.Placeholder):
            return node
        name = node.args.get("this")
        if name:
            if name not in named:
                missing.append(name)
                return node
            value = named[name]
            name = str(name)
        else:
            if positional is None or seen_positional >= len(positional):
                missing.append(f"?{seen_positional + 1}")
                return node
            value = positional[seen_positional]
            seen_positional += 1
            name = f"p{seen_positional}"
        ordered.append(value)
        by_name[name] = value
        return exp.Var(this=_marker(style, len(ordered), name))

    has_placeholders = any(True for _ in expression.find_all(exp.Placeholder))
    tree = expression.transform(swap, copy=True) if has_placeholders else expression
    if missing:
        raise BadRequest(f"no value bound for parameter(s): {', '.join(sorted(set(missing)))}")
    if positional is not None and seen_positional != len(positional):
        raise BadRequest(
            f"statement has {seen_positional} positional parameter(s) but {len(positional)} "
            "value(s) were given"
        )
    sql = tree.sql(dialect=dialect)
    if style in (ParamStyle.NAMED_COLON, ParamStyle.NAMED_AT):
        return RenderedSQL(sql, by_name)
    return RenderedSQL(sql, ordered)
