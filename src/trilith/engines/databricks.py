"""Databricks SQL warehouses through databricks-sql-connector (`pip install 'trilith[databricks]'`).

    databricks://token:ACCESS_TOKEN@server-hostname/sql/1.0/warehouses/abc?catalog=main&schema=sigds

The URL path is the warehouse's HTTP path, as its "Connection details" tab shows it; the
user name is the literal `token` and the password a personal access token (or leave both
out and set `auth_type`, e.g. `databricks-oauth`). Values are bound with the connector's
native named parameters (`:name`), which the server binds.

Databricks has no multi-statement transactions in general use (each Delta statement is
atomic on its own), so `SUPPORTS_TRANSACTIONS` is False and `transaction()` runs its
statements one by one, committing each; see `CloudEngine._statement_by_statement`. A
write that must be atomic is one statement: a MERGE. There are no locks either, so
`migration_lock` serialises within one process only.

Delta has no JSON column type usable everywhere (VARIANT needs a recent runtime), so
JSON columns are STRING holding JSON text, which Databricks' `:` path syntax and JSON
functions read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlglot import exp

from trilith.engines._cloud import CloudEngine, CloudSession, retype, url_options
from trilith.engines.base import Statement
from trilith.engines.registry import register_engine
from trilith.engines.url import WarehouseURL
from trilith.errors import ConfigurationError
from trilith.sql.render import Params, ParamStyle

__all__ = ["DatabricksEngine", "connect_kwargs"]

EXAMPLE = "databricks://token:ACCESS_TOKEN@server-hostname/sql/1.0/warehouses/ID?catalog=C&schema=S"
HTTPS_PORT = 443

OPTIONS: dict[str, Callable[[str], Any]] = {"catalog": str, "schema": str, "auth_type": str}
TYPES = {exp.DType.JSON: exp.DType.TEXT}
ERRORS = "databricks.sql.exc"


def connect_kwargs(url: WarehouseURL | str) -> dict[str, Any]:
    """`databricks.sql.connect` keyword arguments for a databricks:// URL."""
    url = url if isinstance(url, WarehouseURL) else WarehouseURL.parse(url)
    if not url.host:
        raise ConfigurationError(f"the databricks URL needs a server hostname, as in {EXAMPLE}")
    if url.port not in (None, HTTPS_PORT):
        raise ConfigurationError(
            f"databricks is reached over HTTPS on port {HTTPS_PORT}, not {url.port}"
        )
    if not url.path.strip("/"):
        raise ConfigurationError(
            f"the databricks URL needs the warehouse's HTTP path as its path, as in {EXAMPLE}"
        )
    options = url_options(url, OPTIONS)
    if url.username not in (None, "token"):
        raise ConfigurationError(
            f"the databricks URL's user name is the literal 'token' (not {url.username!r}), "
            f"followed by an access token, as in {EXAMPLE}"
        )
    if not url.password and "auth_type" not in options:
        raise ConfigurationError(
            f"the databricks URL needs an access token (or an auth_type option), as in {EXAMPLE}"
        )
    kwargs: dict[str, Any] = {"server_hostname": url.host, "http_path": url.path}
    if url.password:
        kwargs["access_token"] = url.password
    kwargs.update(options)
    return kwargs


class DatabricksSession(CloudSession):
    def execute(self, statement: Statement, params: Params = None) -> int:
        cursor = self._execute(statement, params)
        count = cursor.rowcount
        if isinstance(count, int) and count >= 0:
            return count
        # Connector releases before 4 leave rowcount at -1; the server still answers DML
        # with one row whose first column is num_affected_rows.
        if self._description(cursor)[:1] == ["num_affected_rows"]:
            row = cursor.fetchone()
            if row is not None and row[0] is not None:
                return int(row[0])
        return -1


@register_engine
class DatabricksEngine(CloudEngine):
    scheme = "databricks"
    dialect = "databricks"
    warehouse_type = "databricks"
    driver_module = "databricks.sql"
    session_class = DatabricksSession
    PARAM_STYLE = ParamStyle.NAMED_COLON
    SUPPORTS_TRANSACTIONS = False
    SUPPORTS_MERGE = True
    SUPPORTS_AI_FUNCTIONS = True  # ai_query, ai_classify, ...

    UNAVAILABLE_ERRORS = (f"{ERRORS}:OperationalError", f"{ERRORS}:InterfaceError")
    UNAVAILABLE_MESSAGES = ("invalid sessionhandle",)
    CONFLICT_ERRORS = (f"{ERRORS}:IntegrityError",)
    # Delta's optimistic concurrency: a concurrent commit touched the same files.
    CONFLICT_MESSAGES = (
        "delta_concurrent_",
        "concurrentappendexception",
        "concurrentdeletereadexception",
        "concurrentdeletedeleteexception",
        "concurrenttransactionexception",
    )

    @classmethod
    def parse_url(cls, url: WarehouseURL) -> dict[str, Any]:
        return connect_kwargs(url)

    def _connect(self) -> Any:
        return self.driver.connect(**self.connect_kwargs)

    def prepare(self, expression: exp.Expr) -> exp.Expr:
        expression = retype(expression, TYPES)
        # Key constraints exist only on Unity Catalog tables, and inform without enforcing;
        # leaving them out lets the same DDL run in hive_metastore too.
        if isinstance(expression, exp.Create) and expression.find(exp.PrimaryKey):
            expression = expression.copy()
            for key in list(expression.find_all(exp.PrimaryKey)):
                key.pop()
        return expression
