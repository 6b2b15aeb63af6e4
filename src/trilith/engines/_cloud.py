"""What the cloud adapters (Snowflake, Databricks, BigQuery, Redshift) share.

A cloud engine parses its URL into driver keyword arguments when it is created, so a bad
URL fails at start with a message naming what is wrong; it imports its driver and connects
only when the first unit of work opens, so the server starts, renders SQL and reports its
configuration without the driver installed. Logging in to a cloud warehouse costs a round
trip or several, so the engine keeps a few idle connections and lends each to one unit of
work at a time; a connection that failed (or idled past `IDLE_TIMEOUT_S`) is dropped.

Driver exceptions are mapped onto the hierarchy by tables of class names
(`"module:Class"`), resolved when first needed, so no driver module is imported before
the driver is in use and a class missing from an older driver release is simply skipped.
"""

from __future__ import annotations

import importlib
import logging
import threading
import time
import warnings
from abc import abstractmethod
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlencode

from sqlglot import exp

from trilith.engines.base import Engine, Session
from trilith.engines.registry import require_driver
from trilith.engines.url import WarehouseURL
from trilith.errors import (
    ConfigurationError,
    Conflict,
    TrilithError,
    WarehouseError,
    WarehouseUnavailable,
)
from trilith.sql.render import RenderedSQL

__all__ = ["CloudEngine", "CloudSession", "Lease", "as_bool", "retype", "url_options"]

logger = logging.getLogger(__name__)

# Keyword arguments and URL options never shown by describe() or in messages.
SECRETS = frozenset(
    {"password", "access_token", "token", "private_key_file_pwd", "client_secret",
     "secret_access_key", "session_token", "passcode"}
)  # fmt: skip


def as_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError("expected true or false")


def url_options(url: WarehouseURL, accepted: Mapping[str, Callable[[str], Any]]) -> dict[str, Any]:
    """The URL's query options converted by `accepted`; an unknown or bad option is an error."""
    options: dict[str, Any] = {}
    for name, text in url.options.items():
        if name == "dialect":  # the engine's read dialect, see Engine.__init__
            continue
        convert = accepted.get(name)
        if convert is None:
            raise ConfigurationError(
                f"unknown {url.scheme} URL option {name!r}; accepted: {', '.join(sorted(accepted))}"
            )
        try:
            options[name] = convert(text)
        except ValueError as exc:
            raise ConfigurationError(
                f"bad {url.scheme} URL option {name}={text!r}: {exc}"
            ) from None
    return options


def retype(expression: exp.Expr, types: Mapping[exp.DType, exp.DType]) -> exp.Expr:
    """Replace column and cast types the warehouse lacks (or sizes badly) by the ones it has.

    Only bare types are replaced: `VARCHAR` may become something else, `VARCHAR(20)` stays.
    """

    def swap(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.DataType) and node.this in types and not node.expressions:
            return exp.DataType(this=types[node.this], nested=False)
        return node

    if any(node.this in types for node in expression.find_all(exp.DataType)):
        return expression.transform(swap)
    return expression


class CloudSession(Session):
    """A unit of work on one lent connection, through one cursor opened on first use."""

    def __init__(self, engine: CloudEngine, connection: Any) -> None:
        super().__init__(engine)
        self.cloud = engine
        self.connection = connection
        self.statements = 0
        self._cursor: Any = None

    def _run(self, rendered: RenderedSQL) -> Any:
        if self._cursor is None:
            self._cursor = self.cloud.open_cursor(self.connection)
        self.statements += 1
        if rendered.params:
            self._cursor.execute(rendered.sql, rendered.params)
        else:  # not every driver takes None for "no parameters"
            self._cursor.execute(rendered.sql)
        return self._cursor

    def _description(self, cursor: Any) -> list[str]:
        return [column[0] for column in cursor.description or []]

    def close(self) -> None:
        if self._cursor is not None:
            try:
                self._cursor.close()
            except Exception:  # a cursor of a dropped connection cannot be closed either
                logger.debug("closing a %s cursor failed", self.cloud.warehouse_type, exc_info=True)
            self._cursor = None


@dataclass
class Lease:
    connection: Any
    broken: bool = False


class CloudEngine(Engine):
    """An engine over a DB-API driver that is imported lazily; subclasses fill the tables."""

    driver_module: ClassVar[str]
    session_class: ClassVar[type[CloudSession]] = CloudSession
    # Cloud warehouses prune by partitions and clustering; none has CREATE INDEX.
    SUPPORTS_INDEXES = False
    MAX_IDLE_CONNECTIONS: ClassVar[int] = 4
    IDLE_TIMEOUT_S: ClassVar[float] = 300.0
    # How driver errors map onto the hierarchy: exception classes as "module:Class", and
    # lower-case fragments of messages, for errors a driver raises under a generic class.
    UNAVAILABLE_ERRORS: ClassVar[tuple[str, ...]] = ()
    UNAVAILABLE_MESSAGES: ClassVar[tuple[str, ...]] = ()
    CONFLICT_ERRORS: ClassVar[tuple[str, ...]] = ()
    CONFLICT_MESSAGES: ClassVar[tuple[str, ...]] = ()

    def __init__(self, url: WarehouseURL) -> None:
        super().__init__(url)
        self.connect_kwargs: dict[str, Any] = self.parse_url(url)
        self._driver: Any = None
        self._idle: list[tuple[float, Any]] = []
        self._pool_lock = threading.Lock()
        self._error_classes: dict[str, tuple[type[BaseException], ...]] = {}

    # --- hooks -----------------------------------------------------------------------

    @classmethod
    @abstractmethod
    def parse_url(cls, url: WarehouseURL) -> dict[str, Any]:
        """The driver's connect keyword arguments for `url`; ConfigurationError if incomplete."""

    @abstractmethod
    def _connect(self) -> Any:
        """Open one autocommitting driver connection from `self.connect_kwargs`."""

    def open_cursor(self, connection: Any) -> Any:
        return connection.cursor()

    # --- connections -----------------------------------------------------------------

    @property
    def driver(self) -> Any:
        """The driver module, imported on first use; MissingDriver names the extra."""
        if self._driver is None:
            self._driver = require_driver(self.driver_module, self.scheme)
        return self._driver

    def _checkout(self) -> Any:
        stale: list[Any] = []
        connection: Any = None
        with self._pool_lock:
            while self._idle and connection is None:
                since, candidate = self._idle.pop()
                if time.monotonic() - since < self.IDLE_TIMEOUT_S:
                    connection = candidate
                else:
                    stale.append(candidate)
        for old in stale:
            self._close_quietly(old)
        if connection is not None:
            return connection
        _ = self.driver
        try:
            return self._connect()
        except TrilithError:
            raise
        except Exception as exc:
            raise WarehouseUnavailable(
                f"cannot connect to {self.warehouse_type} at {self.redacted_url()}: {exc}"
            ) from exc

    def _checkin(self, lease: Lease) -> None:
        if not lease.broken:
            with self._pool_lock:
                if len(self._idle) < self.MAX_IDLE_CONNECTIONS:
                    self._idle.append((time.monotonic(), lease.connection))
                    return
        self._close_quietly(lease.connection)

    def _close_quietly(self, connection: Any) -> None:
        try:
            connection.close()
        except Exception:
            logger.debug("closing a %s connection failed", self.warehouse_type, exc_info=True)

    @contextmanager
    def _lease(self) -> Iterator[Lease]:
        lease = Lease(self._checkout())
        try:
            yield lease
        except BaseException as exc:
            # A lost connection, or one interrupted mid-statement, is in no state to reuse.
            lease.broken = lease.broken or isinstance(exc, WarehouseUnavailable)
            lease.broken = lease.broken or not isinstance(exc, Exception)
            raise
        finally:
            self._checkin(lease)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._lease() as lease:
            session = self.session_class(self, lease.connection)
            try:
                yield session
            finally:
                session.close()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        if not self.SUPPORTS_TRANSACTIONS:
            with self._statement_by_statement() as session:
                yield session
            return
        with self._lease() as lease:
            session = self.session_class(self, lease.connection)
            try:
                # Explicit BEGIN, whatever the connection's autocommit mode: the lent
                # connection goes back to the pool autocommitting as it came.
                session.execute(exp.Transaction())
                try:
                    yield session
                except BaseException:
                    self._rollback_quietly(lease)
                    raise
                try:
                    lease.connection.commit()
                except Exception as exc:
                    self._rollback_quietly(lease)  # a failed COMMIT may leave it open
                    raise self.translate_error(exc, "COMMIT") from exc
            finally:
                session.close()

    def _rollback_quietly(self, lease: Lease) -> None:
        """Roll back without hiding the error that caused it; a failure drops the connection."""
        try:
            lease.connection.rollback()
        except Exception:
            lease.broken = True
            logger.warning("%s rollback failed", self.warehouse_type, exc_info=True)

    @contextmanager
    def _statement_by_statement(self) -> Iterator[Session]:
        """`transaction()` where there are none: each statement commits on its own.

        A failure is not rolled back. The exception gets a note saying how many statements
        already ran, so whoever reads the log knows earlier writes stand. Callers that need
        several writes to be atomic check `SUPPORTS_TRANSACTIONS` and write one MERGE.
        """
        with self._lease() as lease:
            session = self.session_class(self, lease.connection)
            try:
                yield session
            except BaseException as exc:
                if session.statements:
                    note = (
                        f"{self.warehouse_type} has no multi-statement transactions: "
                        f"{session.statements} statement(s) of this unit of work ran and "
                        "were not rolled back"
                    )
                    exc.add_note(note)
                    logger.warning(note)
                raise
            finally:
                session.close()

    @contextmanager
    def migration_lock(self, session: Session) -> Iterator[None]:
        """No lock across processes: the warehouse has none a session can hold over DDL.

        Threads of one process are serialised by `schema_change_lock`; processes sharing
        a warehouse must not migrate at the same moment, so run `trilith init` (or the
        first server) alone before scaling out.
        """
        yield

    def close(self) -> None:
        with self._pool_lock:
            idle, self._idle = self._idle, []
        for _, connection in idle:
            self._close_quietly(connection)

    # --- errors and description ------------------------------------------------------

    def _classes(self, names: tuple[str, ...]) -> tuple[type[BaseException], ...]:
        key = "|".join(names)
        if key not in self._error_classes:
            found: list[type[BaseException]] = []
            for name in names:
                module_name, _, class_name = name.partition(":")
                try:
                    module = importlib.import_module(module_name)
                except ImportError:
                    continue
                with warnings.catch_warnings():
                    # Newer drivers keep old classes importable but warn on access.
                    warnings.simplefilter("ignore", DeprecationWarning)
                    cls = getattr(module, class_name, None)
                if isinstance(cls, type) and issubclass(cls, BaseException):
                    found.append(cls)
            self._error_classes[key] = tuple(found)
        return self._error_classes[key]

    def translate_error(self, exc: Exception, sql: str) -> TrilithError:
        message = str(exc).strip()
        lowered = message.lower()
        if isinstance(exc, self._classes(self.CONFLICT_ERRORS)) or any(
            fragment in lowered for fragment in self.CONFLICT_MESSAGES
        ):
            return Conflict(f"{self.warehouse_type}: {message}")
        if isinstance(exc, self._classes(self.UNAVAILABLE_ERRORS)) or any(
            fragment in lowered for fragment in self.UNAVAILABLE_MESSAGES
        ):
            return WarehouseUnavailable(f"{self.warehouse_type} connection failed: {message}")
        return WarehouseError(f"{self.warehouse_type} error: {message}")

    def redacted_url(self) -> str:
        """The URL without its password or secret options (tokens, key passphrases)."""
        base = self.url.redacted().split("?", 1)[0]
        if not self.url.options:
            return base
        shown = {k: ("***" if k in SECRETS else v) for k, v in self.url.options.items()}
        return f"{base}?{urlencode(shown, safe='*/')}"

    def describe(self) -> dict[str, Any]:
        info = super().describe()
        info["url"] = self.redacted_url()
        info["target"] = {k: v for k, v in self.connect_kwargs.items() if k not in SECRETS}
        return info
