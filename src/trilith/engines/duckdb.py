"""DuckDB, the embedded default warehouse.

One `duckdb` database object per engine; every unit of work takes its own cursor
(`db.cursor()`, a connection of its own to the same database), so the server's thread
pool never shares a cursor. With `?dialect=snowflake` the engine reads Snowflake SQL and
transpiles it: that is the seed's `mock_warehouse` mode.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from trilith.engines.base import Engine, Session
from trilith.engines.registry import register_engine
from trilith.engines.url import WarehouseURL
from trilith.errors import ConfigurationError, Conflict, TrilithError, WarehouseError
from trilith.sql.render import Params, ParamStyle, RenderedSQL

__all__ = ["DuckDBEngine"]


class DuckDBSession(Session):
    def __init__(self, engine: DuckDBEngine, cursor: duckdb.DuckDBPyConnection) -> None:
        super().__init__(engine)
        self.cursor = cursor

    def _run(self, rendered: RenderedSQL) -> Any:
        return self.cursor.execute(rendered.sql, rendered.params or None)

    def _description(self, cursor: Any) -> list[str]:
        return [column[0] for column in cursor.description or []]

    def fetch_arrow(self, statement: Any, params: Params = None) -> pa.Table:
        rendered = self.engine.render(statement, params)
        try:
            return self.cursor.sql(rendered.sql, params=rendered.params or None).to_arrow_table()
        except duckdb.Error as exc:
            raise self.engine.translate_error(exc, rendered.sql) from exc


@register_engine
class DuckDBEngine(Engine):
    scheme = "duckdb"
    dialect = "duckdb"
    warehouse_type = "duckdb"
    PARAM_STYLE = ParamStyle.DOLLAR_NAMED
    SUPPORTS_MERGE = True
    SUPPORTS_COPY = True
    SUPPORTS_SEQUENCES = True
    SUPPORTS_RETURNING = True
    SUPPORTS_MULTIPLE_PROCESSES = False
    COUNTS_AFFECTED_ROWS = True  # duckdb 2.0 and later

    def __init__(self, url: WarehouseURL) -> None:
        super().__init__(url)
        self.path = url.database_path
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = duckdb.connect(self.path)
        except duckdb.IOException as exc:
            raise ConfigurationError(f"cannot open DuckDB database {self.path!r}: {exc}") from None
        # A server has no terminal to draw DuckDB's progress bar on.
        self._db.execute("SET enable_progress_bar = false")

    @property
    def database(self) -> duckdb.DuckDBPyConnection:
        return self._db

    @contextmanager
    def session(self) -> Iterator[Session]:
        cursor = self._db.cursor()
        try:
            yield DuckDBSession(self, cursor)
        finally:
            cursor.close()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        cursor = self._db.cursor()
        try:
            cursor.begin()
            try:
                yield DuckDBSession(self, cursor)
            except BaseException:
                cursor.rollback()
                raise
            try:
                cursor.commit()
            except duckdb.Error as exc:
                raise self.translate_error(exc, "COMMIT") from exc
        finally:
            cursor.close()

    def translate_error(self, exc: Exception, sql: str) -> TrilithError:
        if isinstance(exc, duckdb.TransactionException):
            return Conflict(f"the write conflicted with a concurrent transaction: {exc}")
        if isinstance(exc, duckdb.ConstraintException):
            return Conflict(f"duckdb: {exc}")
        return WarehouseError(f"duckdb error: {exc}")

    def close(self) -> None:
        self._db.close()
