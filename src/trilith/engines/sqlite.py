"""SQLite, the seed's standalone adapter.

SQLite has no schemas, so a schema name becomes a table-name prefix: `sigds.apps` is
stored as the table `sigds__apps` (two underscores, so `a.b_c` and `a_b.c` stay apart),
and `CREATE SCHEMA` is a no-op. Each unit of work opens its own connection (cheap for
SQLite); an in-memory database is shared through a named shared-cache URI kept open by
the engine.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlglot import exp
from sqlglot.dialects.sqlite import SQLite

from trilith.engines.base import Engine, Session
from trilith.engines.registry import register_engine
from trilith.engines.url import WarehouseURL
from trilith.errors import Conflict, TrilithError, WarehouseError, WarehouseUnavailable
from trilith.sql.render import ParamStyle, RenderedSQL

__all__ = ["SQLiteEngine", "schema_prefixed"]

SCHEMA_SEPARATOR = "__"

sqlite3.register_adapter(dt.datetime, lambda value: value.isoformat(sep=" "))
sqlite3.register_adapter(dt.date, lambda value: value.isoformat())


def schema_prefixed(schema: str, table: str) -> str:
    return f"{schema}{SCHEMA_SEPARATOR}{table}"


class BacktickSQLite(SQLite):
    """SQLite with identifiers in backticks. SQLite reads a double-quoted name that matches
    no column as a string literal; a backticked one is always a name, so a misspelt column
    is an error rather than a silent constant."""

    class Tokenizer(SQLite.Tokenizer):
        IDENTIFIERS = ["`", '"', ("[", "]")]


class SQLiteSession(Session):
    def __init__(self, engine: SQLiteEngine, connection: sqlite3.Connection) -> None:
        super().__init__(engine)
        self.connection = connection

    def _run(self, rendered: RenderedSQL) -> Any:
        return self.connection.execute(rendered.sql, rendered.params)

    def _description(self, cursor: Any) -> list[str]:
        return [column[0] for column in cursor.description or []]


@register_engine
class SQLiteEngine(Engine):
    scheme = "sqlite"
    dialect = "sqlite"
    render_dialect = BacktickSQLite
    warehouse_type = "sqlite"
    PARAM_STYLE = ParamStyle.NAMED_COLON
    SUPPORTS_SCHEMAS = False
    SUPPORTS_RETURNING = True
    COUNTS_AFFECTED_ROWS = True

    def __init__(self, url: WarehouseURL) -> None:
        super().__init__(url)
        path = url.database_path
        self._anchor: sqlite3.Connection | None = None
        if path == ":memory:":
            self._target = f"file:trilith-{uuid.uuid4().hex}?mode=memory&cache=shared"
            self._anchor = self._connect()
        else:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            self._target = Path(path).resolve().as_uri()
            with self._connect() as connection:
                connection.execute("PRAGMA journal_mode=WAL")

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(
            self._target, uri=True, timeout=10, isolation_level=None, check_same_thread=False
        )
        connection.execute("PRAGMA busy_timeout = 10000")
        connection.execute("PRAGMA foreign_keys = ON")
        return connection

    @contextmanager
    def session(self) -> Iterator[Session]:
        connection = self._connect()
        try:
            yield SQLiteSession(self, connection)
        finally:
            connection.close()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        connection = self._connect()
        try:
            # IMMEDIATE takes the write lock up front: concurrent writers queue instead of
            # failing on upgrade from a read lock.
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield SQLiteSession(self, connection)
            except BaseException:
                connection.rollback()
                raise
            connection.commit()
        except sqlite3.OperationalError as exc:
            raise self.translate_error(exc, "BEGIN") from exc
        finally:
            connection.close()

    def prepare(self, expression: exp.Expr) -> exp.Expr:
        if isinstance(expression, exp.Create) and expression.kind == "SCHEMA":
            return exp.select(exp.Literal.number(0)).where(exp.false())
        if isinstance(expression, exp.Drop) and expression.kind == "SCHEMA":
            return exp.select(exp.Literal.number(0)).where(exp.false())
        if not any(table.args.get("db") for table in expression.find_all(exp.Table)):
            return expression

        def fold(node: exp.Expr) -> exp.Expr:
            if isinstance(node, exp.Table) and node.args.get("db"):
                folded = node.copy()
                folded.set(
                    "this", exp.to_identifier(schema_prefixed(node.db, node.name), quoted=True)
                )
                folded.set("db", None)
                folded.set("catalog", None)
                return folded
            if isinstance(node, exp.Column) and node.args.get("db"):
                folded_col = node.copy()
                folded_col.set(
                    "table", exp.to_identifier(schema_prefixed(node.db, node.table), quoted=True)
                )
                folded_col.set("db", None)
                return folded_col
            return node

        return expression.transform(fold)

    def table_columns(self, target: exp.Table) -> dict[str, str]:
        """Declared types, from `PRAGMA table_info` (result cursors carry no types)."""
        name = schema_prefixed(target.db, target.name) if target.db else target.name
        with self.session() as session:
            assert isinstance(session, SQLiteSession)
            rows = session.connection.execute(
                "SELECT name, type FROM pragma_table_info(?)", (name,)
            )
            found = {str(column): str(kind or "TEXT") for column, kind in rows.fetchall()}
        if not found:
            raise WarehouseError(f"sqlite error: no such table: {name}")
        return found

    def translate_error(self, exc: Exception, sql: str) -> TrilithError:
        if isinstance(exc, sqlite3.IntegrityError):
            return Conflict(f"sqlite: {exc}")
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
            return Conflict(f"the database is busy with another write: {exc}")
        if isinstance(exc, sqlite3.OperationalError) and "unable to open" in str(exc):
            return WarehouseUnavailable(f"sqlite database cannot be opened: {exc}")
        return WarehouseError(f"sqlite error: {exc}")

    def close(self) -> None:
        if self._anchor is not None:
            self._anchor.close()
            self._anchor = None
