"""Amazon Redshift through redshift_connector (`pip install 'trilith[redshift]'`).

    redshift://user:password@cluster.abc123.eu-west-1.redshift.amazonaws.com:5439/database

Cursors use the `qmark` paramstyle: values travel as bind parameters of a prepared
statement. Connections autocommit; `transaction()` sends BEGIN and ends with COMMIT or
ROLLBACK, and Redshift's DDL is transactional, so a migration is atomic.

`prepare` adapts the portable trees to Redshift:

- A bare VARCHAR is VARCHAR(256) in Redshift, while the project's VARCHAR means text of
  any length; it becomes VARCHAR(MAX) (65535 bytes, Redshift's longest). JSON is stored
  the same way, as text that JSON_EXTRACT_PATH_TEXT and JSON_PARSE read.
- MERGE takes no alias on its target (columns name the table instead) and no table name
  on the columns it sets; its source must be a table, not a subquery or VALUES, so
  `SUPPORTS_MERGE_FROM_QUERY` is False and such a MERGE is refused before it is sent:
  stage the rows in a (temporary) table and merge from that.

`migration_lock` creates a small lock table if it is missing and takes `LOCK` on it; the
lock lasts until the migration's transaction ends. The table is `trilith_migration_lock`
in the connection's default schema, or the `migration_lock_table` URL option.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

from sqlglot import exp
from sqlglot.errors import ParseError

from trilith.engines._cloud import CloudEngine, as_bool, retype, url_options
from trilith.engines.base import Session
from trilith.engines.registry import register_engine
from trilith.engines.url import WarehouseURL
from trilith.errors import BadRequest, ConfigurationError
from trilith.sql.render import ParamStyle

__all__ = ["RedshiftEngine", "connect_kwargs", "merge_for_redshift"]

EXAMPLE = "redshift://user:password@host:5439/database"
DEFAULT_PORT = 5439
DEFAULT_LOCK_TABLE = "trilith_migration_lock"
ERRORS = "redshift_connector.error"

# The lock table is Trilith's; the rest are redshift_connector.connect arguments.
TRILITH_OPTIONS: dict[str, Callable[[str], Any]] = {"migration_lock_table": str}
OPTIONS: dict[str, Callable[[str], Any]] = {
    "ssl": as_bool,
    "sslmode": str,
    "timeout": int,
    "application_name": str,
    "iam": as_bool,
    "cluster_identifier": str,
    "region": str,
    "db_user": str,
    "profile": str,
    "is_serverless": as_bool,
    "serverless_work_group": str,
}
TYPES = {
    exp.DType.VARCHAR: exp.DType.TEXT,
    exp.DType.JSON: exp.DType.TEXT,
}


def connect_kwargs(url: WarehouseURL | str) -> dict[str, Any]:
    """`redshift_connector.connect` keyword arguments for a redshift:// URL."""
    url = url if isinstance(url, WarehouseURL) else WarehouseURL.parse(url)
    if not url.host:
        raise ConfigurationError(f"the redshift URL needs a host, as in {EXAMPLE}")
    database = url.path.strip("/")
    if not database or "/" in database:
        raise ConfigurationError(f"the redshift URL path is one database name, as in {EXAMPLE}")
    options = url_options(url, OPTIONS | TRILITH_OPTIONS)
    options.pop("migration_lock_table", None)
    if not options.get("iam") and not (url.username and url.password):
        raise ConfigurationError(
            f"the redshift URL needs a user and password (or iam=true), as in {EXAMPLE}"
        )
    kwargs: dict[str, Any] = {
        "host": url.host,
        "port": url.port or DEFAULT_PORT,
        "database": database,
    }
    if url.username:
        kwargs["user"] = url.username
    if url.password:
        kwargs["password"] = url.password
    kwargs.update(options)
    return kwargs


def merge_for_redshift(merge: exp.Merge) -> exp.Merge:
    """Redshift's MERGE: no target alias, unqualified SET columns, a table as the source."""
    if not isinstance(merge.args.get("using"), exp.Table):
        raise BadRequest(
            "redshift MERGE takes a table as its source, not a subquery or VALUES: "
            "stage the rows in a (temporary) table and merge from it"
        )
    merge = merge.copy()
    target = merge.this
    alias = target.alias
    target.set("alias", None)
    if alias:
        for column in list(merge.find_all(exp.Column)):
            if column.table == alias:
                column.set("table", target.this.copy())
    for update in list(merge.find_all(exp.Update)):
        for assignment in update.expressions:
            if isinstance(assignment.this, exp.Column):
                assignment.this.set("table", None)
    return merge


@register_engine
class RedshiftEngine(CloudEngine):
    scheme = "redshift"
    dialect = "redshift"
    warehouse_type = "redshift"
    driver_module = "redshift_connector"
    PARAM_STYLE = ParamStyle.QMARK
    SUPPORTS_MERGE = True
    SUPPORTS_MERGE_FROM_QUERY: ClassVar[bool] = False
    SUPPORTS_COPY = True  # COPY from S3
    SUPPORTS_STORED_PROCEDURES = True

    UNAVAILABLE_ERRORS = (f"{ERRORS}:InterfaceError", f"{ERRORS}:OperationalError")
    CONFLICT_ERRORS = (f"{ERRORS}:IntegrityError",)
    # Error 1023: two serializable transactions wrote what the other read.
    CONFLICT_MESSAGES = ("serializable isolation violation",)

    def __init__(self, url: WarehouseURL) -> None:
        super().__init__(url)
        name = url.options.get("migration_lock_table", DEFAULT_LOCK_TABLE)
        try:
            self.lock_table = exp.to_table(name, dialect=self.dialect)
        except ParseError:
            raise ConfigurationError(f"bad redshift migration_lock_table {name!r}") from None

    @classmethod
    def parse_url(cls, url: WarehouseURL) -> dict[str, Any]:
        return connect_kwargs(url)

    def _connect(self) -> Any:
        connection = self.driver.connect(**self.connect_kwargs)
        connection.autocommit = True
        return connection

    def open_cursor(self, connection: Any) -> Any:
        cursor = connection.cursor()
        cursor.paramstyle = "qmark"  # per cursor: the module-wide default stays untouched
        return cursor

    def prepare(self, expression: exp.Expr) -> exp.Expr:
        expression = retype(expression, TYPES)
        if isinstance(expression, exp.Merge):
            return merge_for_redshift(expression)
        return expression

    @contextmanager
    def migration_lock(self, session: Session) -> Iterator[None]:
        held = exp.ColumnDef(this=exp.to_identifier("held"), kind=exp.DataType.build("BOOLEAN"))
        schema = exp.Schema(this=self.lock_table.copy(), expressions=[held])
        session.execute(exp.Create(this=schema, kind="TABLE", exists=True))
        table = exp.Literal.string(self.lock_table.sql(dialect=self.dialect))
        session.execute(exp.Command(this="LOCK", expression=table))
        yield
