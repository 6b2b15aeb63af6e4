"""Snowflake through snowflake-connector-python (`pip install 'trilith[snowflake]'`).

    snowflake://user:password@account/database/schema?warehouse=W&role=R

The account is the identifier before `.snowflakecomputing.com` (`myorg-myaccount`, or the
legacy `xy12345.eu-west-1`); the full host name is accepted too. Without a password, an
`authenticator` (e.g. `externalbrowser`, `oauth`), a `private_key_file` (key-pair auth,
with `private_key_file_pwd` when the key is encrypted) or a `token` option authenticates.

Connections use the connector's `qmark` paramstyle, which binds values on the server:
they are never spliced into SQL text by the client. `transaction()` sends an explicit
BEGIN and ends with COMMIT or ROLLBACK; Snowflake commits implicitly around every DDL
statement, so a unit of work that mixes DDL and DML is atomic only per DDL boundary.
Snowflake has no advisory or table locks a session can take, so `migration_lock`
serialises only within one process (see `CloudEngine.migration_lock`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from trilith.engines._cloud import CloudEngine, as_bool, url_options
from trilith.engines.registry import register_engine
from trilith.engines.url import WarehouseURL
from trilith.errors import ConfigurationError
from trilith.sql.render import ParamStyle

__all__ = ["SnowflakeEngine", "connect_kwargs"]

ACCOUNT_HOST_SUFFIX = ".snowflakecomputing.com"
EXAMPLE = "snowflake://user:password@account/database/schema?warehouse=W&role=R"

OPTIONS: dict[str, Callable[[str], Any]] = {
    "warehouse": str,
    "role": str,
    "authenticator": str,
    "private_key_file": str,
    "private_key_file_pwd": str,
    "token": str,
    "application": str,
    "timezone": str,
    "login_timeout": int,
    "network_timeout": int,
    "client_session_keep_alive": as_bool,
}
# Any of these authenticates without a password.
PASSWORDLESS = ("authenticator", "private_key_file", "token")


def connect_kwargs(url: WarehouseURL | str) -> dict[str, Any]:
    """`snowflake.connector.connect` keyword arguments for a snowflake:// URL."""
    url = url if isinstance(url, WarehouseURL) else WarehouseURL.parse(url)
    if not url.host:
        raise ConfigurationError(f"the snowflake URL needs an account, as in {EXAMPLE}")
    if not url.username:
        raise ConfigurationError(f"the snowflake URL needs a user, as in {EXAMPLE}")
    segments = [segment for segment in url.path.split("/") if segment]
    if not segments:
        raise ConfigurationError(f"the snowflake URL needs a database, as in {EXAMPLE}")
    if len(segments) > 2:
        raise ConfigurationError(
            f"the snowflake URL path is /database or /database/schema, not {url.path!r}"
        )
    options = url_options(url, OPTIONS)
    if not url.password and not any(name in options for name in PASSWORDLESS):
        raise ConfigurationError(
            "the snowflake URL needs a password, or one of the options "
            f"{', '.join(PASSWORDLESS)}, as in {EXAMPLE}"
        )
    kwargs: dict[str, Any] = {
        "account": url.host.removesuffix(ACCOUNT_HOST_SUFFIX),
        "user": url.username,
        "database": segments[0],
    }
    if len(segments) == 2:
        kwargs["schema"] = segments[1]
    if url.password:
        kwargs["password"] = url.password
    if url.port:
        kwargs["port"] = url.port
    kwargs.update(options)
    kwargs["paramstyle"] = "qmark"
    return kwargs


@register_engine
class SnowflakeEngine(CloudEngine):
    scheme = "snowflake"
    dialect = "snowflake"
    warehouse_type = "snowflake"
    driver_module = "snowflake.connector"
    PARAM_STYLE = ParamStyle.QMARK
    SUPPORTS_MERGE = True
    SUPPORTS_COPY = True  # stage + COPY INTO
    SUPPORTS_STORED_PROCEDURES = True
    SUPPORTS_AI_FUNCTIONS = True  # Cortex: AI_COMPLETE, AI_CLASSIFY, ...

    UNAVAILABLE_ERRORS = tuple(
        f"snowflake.connector.errors:{name}"
        for name in (
            "OperationalError",
            "InterfaceError",
            "ServiceUnavailableError",
            "GatewayTimeoutError",
            "BadGatewayError",
            "InternalServerError",
            "RequestTimeoutError",
            "OtherHTTPRetryableError",
            "RequestExceedMaxRetryError",
            "TokenExpiredError",
        )
    )
    # An expired session is as good as a lost connection: drop it and log in again.
    UNAVAILABLE_MESSAGES = ("session has expired", "session no longer exists", "token has expired")
    CONFLICT_ERRORS = ("snowflake.connector.errors:IntegrityError",)
    # Concurrent DML on one table queues on its lock; these are the ways that can fail.
    CONFLICT_MESSAGES = ("deadlock", "number of waiters for this lock exceeds")

    @classmethod
    def parse_url(cls, url: WarehouseURL) -> dict[str, Any]:
        return connect_kwargs(url)

    def _connect(self) -> Any:
        # A new connection autocommits; transaction() opens its own explicit transaction.
        return self.driver.connect(**self.connect_kwargs)
