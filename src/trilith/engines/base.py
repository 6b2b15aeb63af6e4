"""The Engine contract every warehouse adapter fulfils.

An `Engine` owns the connection resources of one warehouse (a DuckDB database, a psycopg
pool, a Snowflake connection factory). Work happens in a `Session`: one cursor for one
unit of work, never shared between threads. `engine.session()` gives an autocommitting
unit; `engine.transaction()` one that commits on success and rolls back on error.

Statements are sqlglot trees or SQL text. Text is parsed in the engine's `read_dialect`
(Snowflake for the mock warehouse, the engine's own dialect otherwise), so the same
statement can be written once and run on every engine. `prepare` is the per-engine hook
that rewrites a tree before rendering (SQLite folds schema names into table names).
"""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar

import pyarrow as pa
import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ParseError

from trilith.engines.url import WarehouseURL
from trilith.errors import BadRequest, TrilithError, WarehouseError
from trilith.sql.render import CompiledSQL, Params, ParamStyle, RenderedSQL, compile_sql

__all__ = ["Engine", "Session", "Statement", "rows_to_arrow"]

Statement = exp.Expr | str

COMPILE_CACHE_SIZE = 1024


class Session(ABC):
    """One unit of work on one cursor."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @abstractmethod
    def _run(self, rendered: RenderedSQL) -> Any:
        """Execute a rendered statement and return the driver cursor holding its result."""

    @abstractmethod
    def _description(self, cursor: Any) -> list[str]:
        """Column names of the last result."""

    def _column_types(self, cursor: Any) -> list[str]:
        """SQL type names of the last result's columns, as the driver reports them."""
        return [str(column[1]) for column in cursor.description or []]

    def column_types(self, statement: Statement, params: Params = None) -> dict[str, str]:
        """Each result column's SQL type name, from running the statement (add LIMIT 0)."""
        cursor = self._execute(statement, params)
        return dict(zip(self._description(cursor), self._column_types(cursor), strict=True))

    def execute(self, statement: Statement, params: Params = None) -> int:
        """Run a statement; return the affected row count where the driver knows it, else -1."""
        cursor = self._execute(statement, params)
        count = getattr(cursor, "rowcount", -1)
        return count if isinstance(count, int) else -1

    def _execute(self, statement: Statement, params: Params) -> Any:
        return self.execute_rendered(self.engine.render(statement, params))

    def execute_rendered(self, rendered: RenderedSQL) -> Any:
        """Run SQL already rendered for this engine; return the driver's cursor."""
        observer = self.engine.on_query
        started = time.perf_counter()
        ok = False
        try:
            cursor = self._run(rendered)
            ok = True
            return cursor
        except TrilithError:
            raise
        except Exception as exc:
            raise self.engine.translate_error(exc, rendered.sql) from exc
        finally:
            if observer is not None:
                observer(self.engine.warehouse_type, ok, time.perf_counter() - started)

    def fetch_rows(self, statement: Statement, params: Params = None) -> list[tuple[Any, ...]]:
        cursor = self._execute(statement, params)
        try:
            return [tuple(row) for row in cursor.fetchall()]
        except TrilithError:
            raise
        except Exception as exc:
            raise self.engine.translate_error(exc, "fetch") from exc

    def fetch_dicts(self, statement: Statement, params: Params = None) -> list[dict[str, Any]]:
        cursor = self._execute(statement, params)
        names = self._description(cursor)
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def fetch_one(self, statement: Statement, params: Params = None) -> dict[str, Any] | None:
        rows = self.fetch_dicts(statement, params)
        return rows[0] if rows else None

    def fetch_scalar(self, statement: Statement, params: Params = None) -> Any:
        rows = self.fetch_rows(statement, params)
        return rows[0][0] if rows else None

    def fetch_arrow(self, statement: Statement, params: Params = None) -> pa.Table:
        cursor = self._execute(statement, params)
        return rows_to_arrow(self._description(cursor), cursor.fetchall())


class Engine(ABC):
    """A warehouse adapter. Subclasses set the class attributes and implement the hooks."""

    scheme: ClassVar[str]
    dialect: ClassVar[str]
    # What statements are rendered with, when it differs from the dialect's stock generator.
    render_dialect: ClassVar[str | type[Dialect] | None] = None
    warehouse_type: ClassVar[str]
    PARAM_STYLE: ClassVar[ParamStyle] = ParamStyle.QMARK
    SUPPORTS_TRANSACTIONS: ClassVar[bool] = True
    SUPPORTS_MERGE: ClassVar[bool] = False
    # MERGE … USING (SELECT …)/VALUES; Redshift merges from tables only.
    SUPPORTS_MERGE_FROM_QUERY: ClassVar[bool] = True
    SUPPORTS_COPY: ClassVar[bool] = False
    SUPPORTS_STORED_PROCEDURES: ClassVar[bool] = False
    SUPPORTS_AI_FUNCTIONS: ClassVar[bool] = False
    SUPPORTS_SCHEMAS: ClassVar[bool] = True
    SUPPORTS_INDEXES: ClassVar[bool] = True
    SUPPORTS_SEQUENCES: ClassVar[bool] = False
    # INSERT/UPDATE … RETURNING (saves a read after a write).
    SUPPORTS_RETURNING: ClassVar[bool] = False
    # Several processes may share the warehouse (DuckDB files are single-process).
    SUPPORTS_MULTIPLE_PROCESSES: ClassVar[bool] = True
    # Whether the driver reports how many rows an UPDATE or DELETE changed (else -1).
    COUNTS_AFFECTED_ROWS: ClassVar[bool] = False

    def __init__(self, url: WarehouseURL) -> None:
        self.url = url
        # Called after each statement with (warehouse type, succeeded, seconds): metrics.
        self.on_query: Callable[[str, bool, float], None] | None = None
        self.read_dialect: str = url.options.get("dialect", self.dialect)
        # Serialises schema changes among this process's threads; taken before a
        # transaction begins, so a waiting thread never works from a stale snapshot.
        self.schema_change_lock = threading.RLock()
        self._key_locks: dict[str, threading.Lock] = {}
        self._compiled: dict[Statement, CompiledSQL] = {}
        self._compiled_lock = threading.Lock()
        self._key_locks_guard = threading.Lock()

    # --- resources -------------------------------------------------------------------

    @abstractmethod
    @contextmanager
    def session(self) -> Iterator[Session]:
        """An autocommitting unit of work."""

    @abstractmethod
    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A unit of work that commits when the block succeeds and rolls back otherwise.

        Where `SUPPORTS_TRANSACTIONS` is False (Databricks, BigQuery) statements commit one
        by one and a failure undoes nothing; callers needing atomicity check the flag.
        """

    def close(self) -> None:  # noqa: B027 - engines without resources need nothing
        """Release connections."""

    def ping(self) -> None:
        with self.session() as session:
            session.fetch_scalar(exp.select(exp.Literal.number(1)))

    @contextmanager
    def migration_lock(self, session: Session) -> Iterator[None]:
        """Serialise migrations across processes; `session` is in a transaction."""
        self.lock_in_transaction(session, "trilith-migrations")
        yield

    def lock_in_transaction(self, session: Session, key: str) -> None:  # noqa: B027
        """Hold a lock named `key` until `session`'s transaction ends, across processes.

        The default does nothing: SQLite's BEGIN IMMEDIATE already holds the database's
        write lock, and a DuckDB file has a single process (see `locked_transaction`).
        """

    @contextmanager
    def locked_transaction(self, key: str) -> Iterator[Session]:
        """A transaction that holds the lock `key`: in this process first (threads), then
        across processes where the engine can (a PostgreSQL advisory lock)."""
        with self.key_lock(key), self.transaction() as session:
            self.lock_in_transaction(session, key)
            yield session

    def key_lock(self, key: str) -> threading.Lock:
        """This process's lock named `key` (see `locked_transaction`)."""
        with self._key_locks_guard:
            return self._key_locks.setdefault(key, threading.Lock())

    def next_value(self, schema: str, sequence: str) -> exp.Expr:
        """The next number of a sequence (engines with `SUPPORTS_SEQUENCES`)."""
        return exp.func("nextval", exp.Literal.string(f'"{schema}"."{sequence}"'))

    # --- statements ------------------------------------------------------------------

    def parse(self, sql: str) -> exp.Expr:
        try:
            expressions = sqlglot.parse(sql, read=self.read_dialect)
        except ParseError as exc:
            raise BadRequest(f"cannot parse SQL as {self.read_dialect}: {exc}") from None
        statements = [e for e in expressions if e is not None]
        if len(statements) != 1:
            raise BadRequest(f"expected exactly one SQL statement, got {len(statements)}")
        return statements[0]

    def prepare(self, expression: exp.Expr) -> exp.Expr:
        """Rewrite a tree for this engine before rendering; the default changes nothing."""
        return expression

    def render(self, statement: Statement, params: Params = None) -> RenderedSQL:
        return self.compile(statement).bind(params)

    def compile(self, statement: Statement) -> CompiledSQL:
        """The statement rendered for this engine, cached: statements repeat with new
        values, and rendering a tree costs far more than looking it up."""
        cached = self._compiled.get(statement)
        if cached is not None:
            return cached
        expression = self.parse(statement) if isinstance(statement, str) else statement
        target = self.render_dialect or self.dialect
        compiled = compile_sql(self.prepare(expression), target, self.PARAM_STYLE)
        with self._compiled_lock:
            if len(self._compiled) >= COMPILE_CACHE_SIZE:
                self._compiled.pop(next(iter(self._compiled)))
            self._compiled[statement] = compiled
        return compiled

    def translate_error(self, exc: Exception, sql: str) -> TrilithError:
        """Map a driver exception onto the hierarchy; connection loss becomes 503."""
        return WarehouseError(f"{self.warehouse_type} error: {exc}".strip())

    # --- conveniences: one statement, one unit of work --------------------------------

    def execute(self, statement: Statement, params: Params = None) -> int:
        with self.session() as session:
            return session.execute(statement, params)

    def fetch_rows(self, statement: Statement, params: Params = None) -> list[tuple[Any, ...]]:
        with self.session() as session:
            return session.fetch_rows(statement, params)

    def fetch_dicts(self, statement: Statement, params: Params = None) -> list[dict[str, Any]]:
        with self.session() as session:
            return session.fetch_dicts(statement, params)

    def fetch_one(self, statement: Statement, params: Params = None) -> dict[str, Any] | None:
        with self.session() as session:
            return session.fetch_one(statement, params)

    def fetch_scalar(self, statement: Statement, params: Params = None) -> Any:
        with self.session() as session:
            return session.fetch_scalar(statement, params)

    def fetch_arrow(self, statement: Statement, params: Params = None) -> pa.Table:
        with self.session() as session:
            return session.fetch_arrow(statement, params)

    def table_columns(self, target: exp.Table) -> dict[str, str]:
        """A table's (or view's) columns and their SQL type names."""
        with self.session() as session:
            return session.column_types(exp.select(exp.Star()).from_(target).limit(0))

    def capabilities(self) -> dict[str, bool]:
        return {
            name.removeprefix("SUPPORTS_").lower(): bool(getattr(self, name))
            for name in dir(type(self))
            if name.startswith("SUPPORTS_")
        }

    def describe(self) -> dict[str, Any]:
        return {
            "type": self.warehouse_type,
            "dialect": self.dialect,
            "read_dialect": self.read_dialect,
            "url": self.url.redacted(),
            "capabilities": self.capabilities(),
        }


def rows_to_arrow(names: Sequence[str], rows: Sequence[Sequence[Any]]) -> pa.Table:
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    return pa.table({name: list(values) for name, values in zip(names, columns, strict=True)})
