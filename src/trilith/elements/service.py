"""Running element queries for an app: resolve sources (other elements compile into
subqueries), apply controls and row security, page and count in the warehouse."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from trilith.auth import Actor
from trilith.auth.actors import user_context
from trilith.elements.query import QueryRequest, ShapedQuery, compile_element
from trilith.elements.sources import Source, SourceResolver
from trilith.errors import NotFound, ValidationFailed
from trilith.input_tables.service import InputTables
from trilith.metadata.apps import AppStore
from trilith.spec import App
from trilith.spec.index import AppIndex
from trilith.spec.source import SourceMap

__all__ = ["ElementData", "ElementQueries", "user_context"]

MAX_DEPTH = 8


@dataclass(frozen=True)
class ElementData:
    table: pa.Table
    columns: list[tuple[str, str]]
    total: int


class ElementQueries:
    def __init__(self, tables: InputTables) -> None:
        self.tables = tables
        self.engine = tables.engine
        self.apps = AppStore(tables.engine, tables.schema)

    def query(
        self, app_id: str, element_id: str, request: QueryRequest, actor: Actor
    ) -> ElementData:
        app = self.apps.get(app_id).app
        shaped = self.compile(app, element_id, request, actor)
        page, params = shaped.page(request)
        with self.engine.session() as session:
            table = session.fetch_arrow(page, params)
            short = request.limit is None or table.num_rows < request.limit
            if short and (table.num_rows > 0 or request.offset == 0):
                # A page that is not full ends the rows: no second pass to count them.
                total = request.offset + table.num_rows
            else:
                count, count_params = shaped.count()
                total = int(session.fetch_scalar(count, count_params))
        return ElementData(table, shaped.columns, total)

    def compile(
        self, app: App, element_id: str, request: QueryRequest, actor: Actor
    ) -> ShapedQuery:
        elements = {node.id: node.element for node in AppIndex(app, SourceMap()).elements}
        request.user = user_context(actor)
        controls = {c.id: c.default for c in app.controls} | dict(request.controls)
        resolver = SourceResolver(
            self.engine,
            self.tables,
            {t.id for t in app.input_tables},
            {s.id: s for s in app.sources},
            controls,
            actor,
        )
        resolving: list[str] = []

        def source_of(name: str) -> Source:
            if _data_source(elements.get(name)) is None:
                return resolver.resolve(name)
            inner = compile_one(name)
            relation = inner.select.subquery(f"el_{len(resolving)}")
            return Source(relation, dict(inner.columns), inner.params, name)

        def compile_one(name: str) -> ShapedQuery:
            if name in resolving or len(resolving) >= MAX_DEPTH:
                loop = " → ".join([*resolving, name])
                raise ValidationFailed(f"elements source each other in a loop: {loop}")
            element = elements.get(name)
            source_name = _data_source(element)
            if element is None or source_name is None:
                raise NotFound(f"app '{app.id}' has no data element '{name}'")
            resolving.append(name)
            try:
                source = source_of(source_name)
                # The app's rules on one of its input tables are the table's too
                # (`apply`), and reading the table applied them already.
                row_filters = [
                    rule.predicate
                    for rule in app.row_security
                    if rule.source == source_name
                    and actor.role in rule.roles
                    and rule.predicate not in source.secured_by
                ]
                scoped = QueryRequest(request.controls, (), None, 0, request.user, row_filters)
                return compile_element(element, app, source, scoped, self.engine.dialect)
            finally:
                resolving.pop()

        return compile_one(element_id)


def _data_source(element: Any) -> str | None:
    """What a data element reads (an input-table element reads its input table)."""
    if element is None:
        return None
    if element.type == "input_table":
        return str(element.input_table)
    source = element.data_source
    return str(source) if source and element.type in ("table", "pivot", "chart") else None


def rows_of(data: ElementData) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = data.table.to_pylist()
    return rows
