"""What an element reads: a warehouse table, an input table, an SQL source of the app,
or another element.

A source is a relation (a table or a subquery) and its columns with their formula
types. A warehouse table's columns are read once (`SELECT * … LIMIT 0`) and cached for
a minute, as are an SQL source's (its query with `LIMIT 0`); an input table's come from
its definition; another element's from compiling it. An SQL source's `:control`
placeholders become parameters named after the source, bound to the control values.
Names that match nothing are reported with what would have matched.
"""

from __future__ import annotations

import functools
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from sqlglot import exp

from trilith.auth.actors import Actor
from trilith.engines.base import Engine
from trilith.errors import NotFound, ValidationFailed, WarehouseError
from trilith.formula import types as t
from trilith.input_tables.definition import SYSTEM_COLUMNS
from trilith.input_tables.query import SYSTEM_TYPES
from trilith.input_tables.service import InputTables
from trilith.input_tables.types import formula_type
from trilith.spec.app import SqlSource
from trilith.sql.queries import parse_query

__all__ = ["Source", "SourceResolver", "arrow_formula_type", "sql_formula_type"]

_TABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*){0,2}$")
SCHEMA_TTL_S = 60.0


@dataclass(frozen=True)
class Source:
    relation: exp.Expr  # a table or an aliased subquery, usable in FROM
    columns: dict[str, str]  # name → formula type, in order
    params: dict[str, object]  # values bound inside the relation (an element's filters)
    name: str
    secured_by: tuple[str, ...] = ()  # row-rule predicates the relation already applies


_ARROW_TYPES: list[tuple[Callable[[pa.DataType], bool], str]] = [
    (pa.types.is_boolean, t.LOGICAL),
    (pa.types.is_integer, t.INTEGER),
    (pa.types.is_floating, t.NUMBER),
    (pa.types.is_decimal, t.NUMBER),
    (pa.types.is_date, t.DATE),
    (pa.types.is_timestamp, t.DATETIME),
    (pa.types.is_string, t.TEXT),
    (pa.types.is_large_string, t.TEXT),
]


def arrow_formula_type(data_type: pa.DataType) -> str:
    return next((kind for test, kind in _ARROW_TYPES if test(data_type)), t.VARIANT)


_SQL_TYPES: list[tuple[set[Any], str]] = [
    (exp.DataType.INTEGER_TYPES, t.INTEGER),
    (exp.DataType.REAL_TYPES, t.NUMBER),
    (exp.DataType.TEXT_TYPES, t.TEXT),
    ({exp.DataType.Type.BOOLEAN}, t.LOGICAL),
    ({exp.DataType.Type.DATE, exp.DataType.Type.DATE32}, t.DATE),
    (exp.DataType.TEMPORAL_TYPES, t.DATETIME),
]


def sql_formula_type(type_name: str, dialect: str) -> str:
    """The formula type of a SQL type name (`DECIMAL(10,2)` → number)."""
    try:
        data_type = exp.DataType.build(type_name, dialect=dialect)
    except Exception:  # a driver's name sqlglot does not know
        return t.VARIANT
    return next((kind for types, kind in _SQL_TYPES if data_type.this in types), t.VARIANT)


class _ColumnCache:
    """Columns (name → formula type) of warehouse relations, read at most once a minute."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[tuple[int, str], tuple[float, dict[str, str]]] = {}

    def columns(
        self, engine: Engine, name: str, read: Callable[[], dict[str, str]]
    ) -> dict[str, str]:
        key = (id(engine), name)
        with self._lock:
            found = self._entries.get(key)
        if found and time.monotonic() - found[0] < SCHEMA_TTL_S:
            return found[1]
        columns = read()
        with self._lock:
            self._entries[key] = (time.monotonic(), columns)
        return columns


COLUMNS = _ColumnCache()


def _table_columns(engine: Engine, name: str) -> dict[str, str]:
    try:
        declared = engine.table_columns(exp.to_table(name))
    except WarehouseError as exc:
        raise NotFound(f"cannot read warehouse table {name}: {exc.message}") from None
    return {column: sql_formula_type(kind, engine.dialect) for column, kind in declared.items()}


def _query_columns(engine: Engine, probe: exp.Select, params: dict[str, Any]) -> dict[str, str]:
    try:
        arrow = engine.fetch_arrow(probe, params)
    except WarehouseError as exc:
        raise ValidationFailed(f"the SQL source failed in the warehouse: {exc.message}") from None
    return {field.name: arrow_formula_type(field.type) for field in arrow.schema}


@functools.lru_cache(maxsize=256)
def _parsed(sql: str, dialect: str) -> exp.Query:
    """An SQL source's tree, parsed once (callers copy it before changing it)."""
    return parse_query(sql, dialect)


class SourceResolver:
    """Resolves input-table ids, the app's SQL sources and warehouse table names
    (elements are compiled by the element service)."""

    def __init__(
        self,
        engine: Engine,
        tables: InputTables,
        app_input_tables: set[str],
        sql_sources: Mapping[str, SqlSource] | None = None,
        controls: Mapping[str, Any] | None = None,
        actor: Actor | None = None,
    ) -> None:
        self.engine = engine
        self.tables = tables
        self.app_input_tables = app_input_tables
        self.sql_sources = dict(sql_sources or {})
        self.controls = dict(controls or {})
        self.actor = actor  # whose row security input tables are read with

    def resolve(self, name: str) -> Source:
        if name in self.sql_sources:
            return self._sql_source(self.sql_sources[name])
        if name in self.app_input_tables or self._is_input_table(name):
            return self._input_table(name)
        if not _TABLE_NAME.match(name):
            raise ValidationFailed(
                f"source {name!r} is not an element, an input table or a table name (schema.table)"
            )
        columns = COLUMNS.columns(self.engine, name, lambda: _table_columns(self.engine, name))
        return Source(exp.to_table(name), columns, {}, name)

    def _is_input_table(self, name: str) -> bool:
        try:
            self.tables.catalog.get(name)
        except NotFound:
            return False
        return True

    def _input_table(self, table_id: str) -> Source:
        store = self.tables.rows(table_id, actor=self.actor)
        columns = {c: SYSTEM_TYPES[c] for c in SYSTEM_COLUMNS}
        columns.update({c: formula_type(store.types[c]) for c in store.shown})
        secured = store.row_filter.rules if store.row_filter is not None else ()
        return Source(store.relation(), columns, store.relation_params, table_id, secured)

    def _sql_source(self, source: SqlSource) -> Source:
        try:
            tree = _parsed(source.sql, source.dialect or self.engine.dialect).copy()
        except ValueError as exc:
            raise ValidationFailed(f"SQL source '{source.id}': {exc}") from None
        params: dict[str, Any] = {}
        for node in list(tree.find_all(exp.Placeholder)):
            control = str(node.this)
            value = self.controls.get(control)
            if isinstance(value, list | dict):
                raise ValidationFailed(
                    f"SQL source '{source.id}' takes one value for :{control}; control "
                    f"'{control}' holds a {type(value).__name__}"
                )
            bound = f"src_{source.id}_{control}"
            params[bound] = value
            node.replace(exp.Placeholder(this=bound))
        relation = tree.subquery(f"src_{source.id}")
        probe = exp.select(exp.Star()).from_(relation.copy()).limit(0)
        blank = {k: None for k in params}
        columns = COLUMNS.columns(
            self.engine,
            f"sql:{source.id}:{source.sql}",
            lambda: _query_columns(self.engine, probe, blank),
        )
        return Source(relation, columns, params, source.id)
