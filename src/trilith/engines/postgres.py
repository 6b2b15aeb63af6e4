"""PostgreSQL through psycopg 3 and a psycopg_pool connection pool.

Statements use psycopg's `RawCursor`, so placeholders are PostgreSQL's own `$1, $2` and a
`%` in SQL text needs no escaping. Pooled connections are checked before they are handed
out, so connections the server dropped (restart, `pg_terminate_backend`) are replaced and
the engine recovers by itself once the server is back. The check costs no round trip
while a connection has nothing to read (see `_check`).
"""

from __future__ import annotations

import select
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import lru_cache
from typing import Any

from sqlglot import exp

from trilith.engines.base import Engine, Session
from trilith.engines.registry import register_engine, require_driver
from trilith.engines.url import WarehouseURL
from trilith.errors import Conflict, TrilithError, WarehouseError, WarehouseUnavailable
from trilith.sql.render import ParamStyle, RenderedSQL

__all__ = ["PostgresEngine"]

CONNECT_TIMEOUT_S = 5
POOL_TIMEOUT_S = 3.0


class PostgresSession(Session):
    def __init__(self, engine: PostgresEngine, connection: Any) -> None:
        super().__init__(engine)
        self.connection = connection

    def _run(self, rendered: RenderedSQL) -> Any:
        cursor = self.connection.cursor()
        cursor.execute(rendered.sql, rendered.params or None)
        return cursor

    def _description(self, cursor: Any) -> list[str]:
        return [column.name for column in cursor.description or []]

    def _column_types(self, cursor: Any) -> list[str]:
        types = self.connection.adapters.types
        names = []
        for column in cursor.description or []:
            info = types.get(column.type_code)
            names.append(info.name if info is not None else "unknown")
        return names


def _lock_id(key: str) -> int:
    return zlib.crc32(key.encode())


def _advisory_lock(key: str) -> exp.Select:
    return exp.select(exp.func("pg_advisory_xact_lock", exp.Literal.number(_lock_id(key))))


@lru_cache(maxsize=4096)
def _advisory_lock_sql(key: str) -> str:
    """`_advisory_lock` as SQL, rendered once per key (every locked write sends it)."""
    return _advisory_lock(key).sql(dialect="postgres")


@register_engine
class PostgresEngine(Engine):
    scheme = "postgresql"
    dialect = "postgres"
    warehouse_type = "postgresql"
    PARAM_STYLE = ParamStyle.DOLLAR
    SUPPORTS_MERGE = True
    SUPPORTS_COPY = True
    SUPPORTS_STORED_PROCEDURES = True
    SUPPORTS_SEQUENCES = True
    SUPPORTS_RETURNING = True
    COUNTS_AFFECTED_ROWS = True

    def __init__(self, url: WarehouseURL) -> None:
        super().__init__(url)
        psycopg = require_driver("psycopg", "postgres")
        pool_module = require_driver("psycopg_pool", "postgres")
        self._psycopg: Any = psycopg
        self._pool_errors: Any = pool_module
        own = ("dialect", "pool_max", "pool_timeout")
        options = {k: v for k, v in url.options.items() if k not in own}
        self.pool_timeout = float(url.options.get("pool_timeout", POOL_TIMEOUT_S))
        query = "&".join(f"{k}={v}" for k, v in options.items())
        base = url.raw.split("?", 1)[0].replace(f"{url.scheme}://", "postgresql://", 1)
        self.conninfo = f"{base}?{query}" if query else base
        self._pool: Any = pool_module.ConnectionPool(
            self.conninfo,
            min_size=1,
            max_size=int(url.options.get("pool_max", "10")),
            kwargs={
                "autocommit": True,
                "cursor_factory": psycopg.RawCursor,
                "connect_timeout": int(url.options.get("connect_timeout", CONNECT_TIMEOUT_S)),
            },
            check=self._check,
            # Give up a reconnection attempt quickly; the next request starts a fresh one,
            # so recovery does not wait out an exponential back-off.
            reconnect_timeout=1.0,
            open=False,
            name="trilith",
        )
        # Opening never waits: a server that is down at start is retried on use.
        self._pool.open(wait=False)

    def _check(self, connection: Any) -> None:
        """An idle connection has nothing to read: one the server ended (shutdown,
        `pg_terminate_backend`) has its goodbye or end-of-file waiting, and anything
        else waiting is worth a look too. Only then is the connection asked, with an
        empty query, which raises if it is gone."""
        if connection.closed or connection.broken:
            raise self._psycopg.OperationalError("the connection is closed")
        waiting = select.poll()  # not select.select: it refuses descriptors past 1023
        waiting.register(connection.fileno(), select.POLLIN)
        if waiting.poll(0):
            self._pool_errors.ConnectionPool.check_connection(connection)

    @contextmanager
    def _connection(self) -> Iterator[Any]:
        try:
            with self._pool.connection(timeout=self.pool_timeout) as connection:
                yield connection
        except self._pool_errors.PoolTimeout as exc:
            raise WarehouseUnavailable(
                f"postgresql is unreachable at {self.url.redacted()}: {exc}"
            ) from None

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._connection() as connection:
            yield PostgresSession(self, connection)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with self._begun("BEGIN") as session:
            yield session

    @contextmanager
    def locked_transaction(self, key: str) -> Iterator[Session]:
        """As `Engine.locked_transaction`, with BEGIN and the advisory lock sent as one
        simple query: one round trip where `transaction()` then a lock take two."""
        with self.key_lock(key), self._begun(f"BEGIN; {_advisory_lock_sql(key)}") as session:
            yield session

    @contextmanager
    def _begun(self, begin: str) -> Iterator[Session]:
        """A transaction opened by the simple query `begin` (counted in the query
        metrics, lock waits included), committed at the end or rolled back on error."""
        with self._connection() as connection:
            session = PostgresSession(self, connection)
            session.execute_rendered(RenderedSQL(begin, []))
            try:
                try:
                    yield session
                except BaseException:
                    with suppress(self._psycopg.Error):
                        connection.execute("ROLLBACK")
                    raise
                connection.execute("COMMIT")
            except self._psycopg.Error as exc:
                raise self.translate_error(exc, "COMMIT") from exc

    def lock_in_transaction(self, session: Session, key: str) -> None:
        session.execute(_advisory_lock(key))

    def translate_error(self, exc: Exception, sql: str) -> TrilithError:
        errors = self._psycopg.errors
        if isinstance(exc, errors.UniqueViolation | errors.SerializationFailure):
            return Conflict(f"postgresql: {exc}".strip())
        if isinstance(exc, self._psycopg.OperationalError | self._psycopg.InterfaceError):
            sqlstate = getattr(exc, "sqlstate", None)
            # No SQLSTATE: the client lost the connection. 08xxx: connection exceptions;
            # 57P0x: the server is shutting down or cannot accept connections yet.
            if sqlstate is None or sqlstate.startswith(("08", "57P")):
                return WarehouseUnavailable(f"postgresql connection failed: {exc}".strip())
        return WarehouseError(f"postgresql error: {exc}".strip())

    def close(self) -> None:
        self._pool.close()
