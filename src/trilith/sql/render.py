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

__all__ = ["CompiledSQL", "ParamStyle", "Params", "RenderedSQL", "compile_sql", "param", "render"]

Params = Mapping[str, Any] | Sequence[Any] | None


class ParamStyle(Enum):
    QMARK = "qmark"  # ?            duckdb, sqlite, snowflake (qmark), redshift (qmark)
    DOLLAR = "dollar"  # $1, $2      psycopg RawCursor
    NAMED_COLON = "named_colon"  # :name    databricks
    NAMED_AT = "named_at"  # @name       bigquery
    DOLLAR_NAMED = "dollar_named"  # $name duckdb


@dataclass(frozen=True, slots=True)
class RenderedSQL:
    sql: str
    # A list for positional styles, a dict for named styles.
    params: list[Any] | dict[str, Any]


def param(name: str) -> exp.Placeholder:
    """A named placeholder bound at render time."""
    return exp.Placeholder(this=name)


_NAMED_MARKERS = {
    ParamStyle.NAMED_COLON: ":{}",
    ParamStyle.NAMED_AT: "@{}",
    ParamStyle.DOLLAR_NAMED: "${}",
}
# Named markers survive a generator that repeats a sub-expression (sqlglot's DuckDB
# GREATEST, for one): every copy names the same value. Positional `?` would not.
NAMED_STYLES = frozenset(_NAMED_MARKERS)


def _marker(style: ParamStyle, position: int, name: str) -> str:
    if style is ParamStyle.QMARK:
        return "?"
    if style is ParamStyle.DOLLAR:
        return f"${position}"
    return _NAMED_MARKERS[style].format(name)


@dataclass(frozen=True, slots=True)
class CompiledSQL:
    """A statement rendered once: SQL text with the driver's markers, and for each marker
    the parameter it takes (a name, or the index of a positional `?`)."""

    sql: str
    slots: tuple[str | int, ...]
    style: ParamStyle

    def bind(self, params: Params) -> RenderedSQL:
        positional = (
            list(params) if isinstance(params, Sequence) and not isinstance(params, str) else None
        )
        named: Mapping[str, Any] = params if isinstance(params, Mapping) else {}
        wanted_positional = sum(1 for slot in self.slots if isinstance(slot, int))
        missing = [
            slot if isinstance(slot, str) else f"?{slot + 1}"
            for slot in self.slots
            if (isinstance(slot, str) and slot not in named)
            or (isinstance(slot, int) and (positional is None or slot >= len(positional)))
        ]
        if missing:
            raise BadRequest(f"no value bound for parameter(s): {', '.join(sorted(set(missing)))}")
        if positional is not None and wanted_positional != len(positional):
            raise BadRequest(
                f"statement has {wanted_positional} positional parameter(s) but "
                f"{len(positional)} value(s) were given"
            )
        values = [
            named[slot] if isinstance(slot, str) else positional[slot]  # type: ignore[index]
            for slot in self.slots
        ]
        if self.style in NAMED_STYLES:
            return RenderedSQL(self.sql, dict(zip(self._names(), values, strict=True)))
        return RenderedSQL(self.sql, values)

    def _names(self) -> list[str]:
        return [slot if isinstance(slot, str) else f"p{slot + 1}" for slot in self.slots]


def compile_sql(
    expression: exp.Expr, dialect: str | type[Dialect], style: ParamStyle
) -> CompiledSQL:
    """Render `expression` with the driver's parameter markers (no values involved)."""
    slots: list[str | int] = []
    positional = 0

    def swap(node: exp.Expr) -> exp.Expr:
        nonlocal positional
        if not isinstance(node, exp.Placeholder):
            return node
        name = node.args.get("this")
        if name:
            slot: str | int = str(name)
            marker_name = str(name)
        else:
            slot = positional
            positional += 1
            marker_name = f"p{positional}"
        slots.append(slot)
        return exp.Var(this=_marker(style, len(slots), marker_name))

    has_placeholders = any(True for _ in expression.find_all(exp.Placeholder))
    tree = expression.transform(swap, copy=True) if has_placeholders else expression
    return CompiledSQL(tree.sql(dialect=dialect), tuple(slots), style)


def render(
    expression: exp.Expr, dialect: str | type[Dialect], style: ParamStyle, params: Params
) -> RenderedSQL:
    return compile_sql(expression, dialect, style).bind(params)
