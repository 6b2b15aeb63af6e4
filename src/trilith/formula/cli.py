"""`trilith formula EXPR`: print a formula's SQL and, with --eval, its value.

The command module (trilith/cli.py) calls `formula_command` and prints its text; this
keeps the command's behaviour testable without a terminal.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from trilith.engines import Engine, create_engine
from trilith.errors import TrilithError
from trilith.formula.compiler import DIALECTS, compile_formula
from trilith.formula.errors import FormulaError
from trilith.formula.scope import Scope

__all__ = ["formula_command"]

EMBEDDED = "duckdb:///:memory:"
# --eval over a table prints at most this many values.
MAX_ROWS = 1000


def formula_command(
    expr: str,
    dialect: str | None = None,
    eval_: bool = False,
    table: str | None = None,
    warehouse_url: str | None = None,
) -> tuple[str, int]:
    """The text to print and the exit code (0, or 1 for a bad formula or warehouse error).

    With --eval the value is JSON on the last line: one value without a table or for an
    aggregate, else a list with the value of each row of the table.
    """
    engine: Engine | None = None
    try:
        if eval_ or table:
            engine = create_engine(warehouse_url or EMBEDDED)
        target = dialect or (engine.dialect if engine else "duckdb")
        if target not in DIALECTS:
            return f"error: unknown dialect {target!r}; known: {', '.join(DIALECTS)}", 1
        source = _table(table, engine.dialect) if table and engine else None
        scope = Scope(columns=_columns(engine, source)) if engine and source else Scope()
        compiled = compile_formula(expr, scope, target)
        lines = [compiled.sql()]
        if compiled.params:
            lines.append(f"-- params: {json.dumps(compiled.params, default=_json)}")
        if eval_ and engine is not None:
            value = _evaluate(engine, expr, scope, source)
            lines.append(json.dumps(value, default=_json))
        return "\n".join(lines), 0
    except FormulaError as exc:
        return exc.caret(), 1
    except TrilithError as exc:
        return f"error: {exc.message}", 1
    finally:
        if engine is not None:
            engine.close()


def _table(name: str, dialect: str) -> exp.Table:
    try:
        parsed = sqlglot.parse_one(name, into=exp.Table, dialect=dialect)
    except SqlglotError:
        parsed = None
    if not isinstance(parsed, exp.Table) or not parsed.name:
        raise FormulaError(f"--table {name!r} is not a table name")
    return parsed


def _columns(engine: Engine, source: exp.Table) -> dict[str, str]:
    sample = engine.fetch_arrow(exp.select("*").from_(source.copy()).limit(100))
    return {field.name: _arrow_type(str(field.type)) for field in sample.schema}


_ARROW_TYPES = (
    ("int", "integer"),
    ("uint", "integer"),
    ("double", "number"),
    ("float", "number"),
    ("decimal", "number"),
    ("string", "text"),
    ("large_string", "text"),
    ("bool", "logical"),
    ("date32", "date"),
    ("date64", "date"),
    ("timestamp", "datetime"),
)


def _arrow_type(name: str) -> str:
    return next((ty for prefix, ty in _ARROW_TYPES if name.startswith(prefix)), "variant")


def _evaluate(engine: Engine, expr: str, scope: Scope, source: exp.Table | None) -> Any:
    compiled = compile_formula(expr, scope, engine.dialect)
    query = exp.select(exp.alias_(compiled.expression, "value", quoted=True))
    if source is None:
        return engine.fetch_scalar(query, compiled.params)
    query = query.from_(source.copy())
    if compiled.is_aggregate and not compiled.is_window:
        return engine.fetch_scalar(query, compiled.params)
    rows = engine.fetch_rows(query.limit(MAX_ROWS), compiled.params)
    return [row[0] for row in rows]


def _json(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return str(value)
