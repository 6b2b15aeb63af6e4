"""BigQuery through google-cloud-bigquery (`pip install 'trilith[bigquery]'`).

    bigquery://project/dataset?location=EU&credentials_path=/secrets/key.json

The host is the project that runs (and pays for) the query jobs; the optional path is the
default dataset for table names that name none. Without `credentials_path` (a service
account key file) the client uses Application Default Credentials.

BigQuery has no DB-API connection to lend: the engine holds one `Client`, and each unit
of work gets a `BigQueryCursor`, a DB-API-shaped wrapper over `Client.query_and_wait`.
Values are named query parameters (`@name`) whose BigQuery type follows from the Python
value (`query_parameter`): NULL is bound as a STRING, the only choice that works without
knowing the column.

Multi-statement transactions exist in BigQuery only inside a script or a session, so
`SUPPORTS_TRANSACTIONS` is False and `transaction()` runs statements one by one (see
`CloudEngine._statement_by_statement`); each DML statement is atomic on its own. There
are no locks, so `migration_lock` serialises within one process only.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pyarrow as pa
from sqlglot import exp

from trilith.engines._cloud import CloudEngine, CloudSession, Lease, url_options
from trilith.engines.base import Statement
from trilith.engines.registry import register_engine
from trilith.engines.url import WarehouseURL
from trilith.errors import BadRequest, ConfigurationError
from trilith.sql.render import Params, ParamStyle

__all__ = ["BigQueryEngine", "QueryParameter", "connect_kwargs", "query_parameter"]

EXAMPLE = "bigquery://project/dataset?location=EU&credentials_path=/path/key.json"
OPTIONS: dict[str, Callable[[str], Any]] = {"location": str, "credentials_path": str}
# NUMERIC holds 29 integer and 9 fractional digits; BIGNUMERIC the rest.
NUMERIC_INTEGER_DIGITS, NUMERIC_SCALE = 29, 9


def _decimal_type(value: Decimal) -> str:
    _, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):
        raise ValueError("NaN and infinity have no BigQuery NUMERIC")
    scale = max(-exponent, 0)
    integer_digits = len(digits) + exponent
    fits = scale <= NUMERIC_SCALE and integer_digits <= NUMERIC_INTEGER_DIGITS
    return "NUMERIC" if fits else "BIGNUMERIC"


def _datetime_type(value: dt.datetime) -> str:
    return "TIMESTAMP" if value.tzinfo is not None else "DATETIME"


# First match wins: bool before int (a bool is an int), datetime before date.
SCALAR_TYPES: tuple[tuple[type, str | Callable[[Any], str]], ...] = (
    (bool, "BOOL"),
    (int, "INT64"),
    (float, "FLOAT64"),
    (Decimal, _decimal_type),
    (str, "STRING"),
    (bytes, "BYTES"),
    (dt.datetime, _datetime_type),
    (dt.date, "DATE"),
    (dt.time, "TIME"),
    (dict, "JSON"),
)


@dataclass(frozen=True, slots=True)
class QueryParameter:
    """A typed BigQuery query parameter: `ARRAY<type>` when `array` is set."""

    name: str
    type: str
    value: Any
    array: bool = False


def _scalar_type(name: str, value: Any) -> str:
    for python_type, bigquery_type in SCALAR_TYPES:
        if isinstance(value, python_type):
            try:
                return bigquery_type if isinstance(bigquery_type, str) else bigquery_type(value)
            except ValueError as exc:
                raise BadRequest(f"parameter {name!r}: {exc}") from None
    raise BadRequest(f"bigquery cannot bind parameter {name!r} of type {type(value).__name__}")


def query_parameter(name: str, value: Any) -> QueryParameter:
    if value is None:
        return QueryParameter(name, "STRING", None)
    if isinstance(value, list | tuple):
        if any(item is None for item in value):
            raise BadRequest(f"parameter {name!r}: a BigQuery array cannot hold NULL")
        types = {_scalar_type(name, item) for item in value}
        if len(types) > 1:
            raise BadRequest(f"parameter {name!r}: array items of mixed types {sorted(types)}")
        return QueryParameter(name, types.pop() if types else "STRING", list(value), array=True)
    return QueryParameter(name, _scalar_type(name, value), value)


def connect_kwargs(url: WarehouseURL | str) -> dict[str, Any]:
    """The project, default dataset, location and key file of a bigquery:// URL."""
    url = url if isinstance(url, WarehouseURL) else WarehouseURL.parse(url)
    if not url.host:
        raise ConfigurationError(f"the bigquery URL needs a project, as in {EXAMPLE}")
    if url.username or url.password:
        raise ConfigurationError(
            "a bigquery URL carries no user or password: give a credentials_path option "
            "or use Application Default Credentials"
        )
    segments = [segment for segment in url.path.split("/") if segment]
    if len(segments) > 1:
        raise ConfigurationError(f"the bigquery URL path is one dataset, not {url.path!r}")
    kwargs: dict[str, Any] = {"project": url.host}
    if segments:
        kwargs["default_dataset"] = f"{url.host}.{segments[0]}"
    kwargs.update(url_options(url, OPTIONS))
    return kwargs


class BigQueryCursor:
    """Just enough of a DB-API cursor over `Client.query_and_wait` for a `Session`."""

    def __init__(self, client: Any, bigquery: Any) -> None:
        self._client = client
        self._bigquery = bigquery
        self._result: Any = None
        self.rowcount = -1
        self.description: list[tuple[Any, ...]] | None = None

    def _parameter(self, parameter: QueryParameter) -> Any:
        if parameter.array:
            return self._bigquery.ArrayQueryParameter(
                parameter.name, parameter.type, parameter.value
            )
        return self._bigquery.ScalarQueryParameter(parameter.name, parameter.type, parameter.value)

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> BigQueryCursor:
        parameters = [self._parameter(query_parameter(k, v)) for k, v in (params or {}).items()]
        config = self._bigquery.QueryJobConfig(query_parameters=parameters)
        self._result = self._client.query_and_wait(sql, job_config=config)
        affected = self._result.num_dml_affected_rows
        self.rowcount = affected if isinstance(affected, int) else -1
        schema = self._result.schema or []
        self.description = [
            (field.name, field.field_type, None, None, None, None, field.is_nullable)
            for field in schema
        ] or None
        return self

    def fetchall(self) -> list[tuple[Any, ...]]:
        result, self._result = self._result, None
        return [] if result is None else [tuple(row.values()) for row in result]

    def fetch_arrow(self) -> pa.Table:
        result, self._result = self._result, None
        if result is None:
            return pa.table({})
        # The REST API pages rows; the Storage Read API client is an extra we do not require.
        table: pa.Table = result.to_arrow(create_bqstorage_client=False)
        return table

    def close(self) -> None:
        self._result = None


class BigQuerySession(CloudSession):
    def fetch_arrow(self, statement: Statement, params: Params = None) -> pa.Table:
        cursor = self._execute(statement, params)
        try:
            table: pa.Table = cursor.fetch_arrow()
        except Exception as exc:
            raise self.engine.translate_error(exc, "fetch") from exc
        return table


@register_engine
class BigQueryEngine(CloudEngine):
    scheme = "bigquery"
    dialect = "bigquery"
    warehouse_type = "bigquery"
    driver_module = "google.cloud.bigquery"
    session_class = BigQuerySession
    PARAM_STYLE = ParamStyle.NAMED_AT
    SUPPORTS_TRANSACTIONS = False
    SUPPORTS_MERGE = True
    SUPPORTS_STORED_PROCEDURES = True  # CALL dataset.procedure(...)

    UNAVAILABLE_ERRORS = (
        "google.api_core.exceptions:ServiceUnavailable",
        "google.api_core.exceptions:InternalServerError",
        "google.api_core.exceptions:BadGateway",
        "google.api_core.exceptions:GatewayTimeout",
        "google.api_core.exceptions:TooManyRequests",
        "google.api_core.exceptions:RetryError",
        "google.auth.exceptions:TransportError",
        "google.auth.exceptions:RefreshError",
        "requests.exceptions:ConnectionError",
        "requests.exceptions:Timeout",
    )
    CONFLICT_ERRORS = ("google.api_core.exceptions:Conflict",)
    # Concurrent DML on one table: "Could not serialize access to table … due to concurrent update".
    CONFLICT_MESSAGES = ("due to concurrent update",)

    def __init__(self, url: WarehouseURL) -> None:
        super().__init__(url)
        self._client: Any = None
        self._client_lock = threading.Lock()

    @classmethod
    def parse_url(cls, url: WarehouseURL) -> dict[str, Any]:
        return connect_kwargs(url)

    def _connect(self) -> Any:
        bigquery = self.driver
        target = dict(self.connect_kwargs)
        dataset = target.pop("default_dataset", None)
        credentials_path = target.pop("credentials_path", None)
        if dataset is not None:
            target["default_query_job_config"] = bigquery.QueryJobConfig(default_dataset=dataset)
        if credentials_path is not None:
            return bigquery.Client.from_service_account_json(credentials_path, **target)
        return bigquery.Client(**target)

    # One thread-safe client serves every unit of work; it is never lent out exclusively.
    def _checkout(self) -> Any:
        with self._client_lock:
            if self._client is None:
                self._client = super()._checkout()
            return self._client

    def _checkin(self, lease: Lease) -> None:
        pass

    def open_cursor(self, connection: Any) -> Any:
        return BigQueryCursor(connection, self.driver)

    def prepare(self, expression: exp.Expr) -> exp.Expr:
        # BigQuery refuses UPDATE and DELETE without a WHERE clause ...
        if isinstance(expression, exp.Update | exp.Delete) and not expression.args.get("where"):
            return expression.where(exp.true())
        # ... and a primary key that does not say it is NOT ENFORCED (none is enforced).
        if isinstance(expression, exp.Create) and expression.find(exp.PrimaryKey):
            expression = expression.copy()
            for key in expression.find_all(exp.PrimaryKey):
                key.set("options", ["NOT ENFORCED"])
        return expression

    def close(self) -> None:
        with self._client_lock:
            client, self._client = self._client, None
        if client is not None:
            self._close_quietly(client)
