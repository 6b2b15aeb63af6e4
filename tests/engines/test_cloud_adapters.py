"""The cloud adapters (Snowflake, Databricks, BigQuery, Redshift) without their clouds.

Nothing here reaches a cloud warehouse. What is checked instead:

1. golden SQL: the statements the project issues, built as sqlglot trees, rendered by each
   adapter exactly as it would send them (text and bound values), compared with
   `golden/<dialect>.sql`; `TRILITH_UPDATE_GOLDEN=1` rewrites those files;
2. meaning: each adapter's rendered text, read back in its dialect and run on a real
   DuckDB, does what the statement should (the upsert upserts, the version check rejects
   a stale version, the page is the right page);
3. a missing driver: opening a unit of work names the extra to install, while creating the
   engine and rendering SQL need no driver at all;
4. URLs: each adapter's URL becomes the driver's connect arguments, and an incomplete URL
   is a ConfigurationError naming what is missing.

The connection plumbing the adapters share (`CloudEngine`: pooled connections, explicit
transactions, statement-by-statement units where there are no transactions) runs here on
Python's sqlite3 driver, a real DB-API driver. Tests that need a cloud driver's own
classes skip when it is not installed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlglot
from sqlglot import exp

from trilith.engines import Engine, create_engine
from trilith.engines._cloud import CloudEngine, CloudSession
from trilith.engines.base import Session
from trilith.engines.bigquery import QueryParameter, query_parameter
from trilith.engines.bigquery import connect_kwargs as bigquery_kwargs
from trilith.engines.databricks import connect_kwargs as databricks_kwargs
from trilith.engines.redshift import connect_kwargs as redshift_kwargs
from trilith.engines.snowflake import connect_kwargs as snowflake_kwargs
from trilith.engines.url import WarehouseURL
from trilith.errors import (
    BadRequest,
    ConfigurationError,
    Conflict,
    MissingDriver,
    TrilithError,
    WarehouseError,
    WarehouseUnavailable,
)
from trilith.sql.ddl import ColumnSpec, create_schema, create_table, table
from trilith.sql.render import Params, RenderedSQL, param

GOLDEN = Path(__file__).parent / "golden"
UPDATE_GOLDEN = os.environ.get("TRILITH_UPDATE_GOLDEN") == "1"

URLS = {
    "snowflake": "snowflake://me:pw@myorg-acct/analytics/public?warehouse=WH&role=R",
    "databricks": "databricks://token:dapi1@adb-1.azuredatabricks.net/sql/1.0/warehouses/abc",
    "bigquery": "bigquery://my-project/sigds?location=EU",
    "redshift": "redshift://me:pw@cluster.example.com:5439/dev",
}
CLOUDS = tuple(URLS)
DRIVERS = {
    "snowflake": "snowflake.connector",
    "databricks": "databricks.sql",
    "bigquery": "google.cloud.bigquery",
    "redshift": "redshift_connector",
}

# --- the statements ---------------------------------------------------------------------

ITEMS = table("sigds", "items")
STAGE = table("sigds", "items_stage")
COLUMNS = (
    ColumnSpec("id", "VARCHAR", nullable=False),
    ColumnSpec("name", "TEXT"),
    ColumnSpec("qty", "BIGINT"),
    ColumnSpec("price", "DOUBLE"),
    ColumnSpec("active", "BOOLEAN"),
    ColumnSpec("updated_at", "TIMESTAMP"),
    ColumnSpec("attrs", "JSON"),
    ColumnSpec("version", "BIGINT", nullable=False),
)
WRITTEN = ("id", "name", "qty", "price", "active", "updated_at", "version")
T0 = dt.datetime(2026, 1, 2, 3, 4, 5)


def col(name: str, of: str | None = None) -> exp.Column:
    return exp.column(name, table=of, quoted=True)


def ident(name: str) -> exp.Identifier:
    return exp.to_identifier(name, quoted=True)


def assign(name: str, value: exp.Expr) -> exp.EQ:
    return exp.EQ(this=col(name), expression=value)


def merge(source: exp.Expr) -> exp.Merge:
    """Upsert into items: matched rows take the new name and qty and a new version."""
    return exp.Merge(
        this=ITEMS.copy().as_("t", quoted=True),
        using=source,
        on=col("id", "t").eq(col("id", "s")),
        whens=exp.Whens(
            expressions=[
                exp.When(
                    matched=True,
                    then=exp.Update(
                        expressions=[
                            assign("name", col("name", "s")),
                            assign("qty", col("qty", "s")),
                            assign("version", col("version", "t") + 1),
                        ]
                    ),
                ),
                exp.When(
                    matched=False,
                    then=exp.Insert(
                        this=exp.Tuple(
                            expressions=[
                                ident(n) for n in ("id", "name", "qty", "active", "version")
                            ]
                        ),
                        expression=exp.Tuple(
                            expressions=[
                                col("id", "s"),
                                col("name", "s"),
                                col("qty", "s"),
                                exp.true(),
                                exp.Literal.number(1),
                            ]
                        ),
                    ),
                ),
            ]
        ),
    )


def one_row_source() -> exp.Expr:
    select = exp.select(
        param("id").as_("id", quoted=True),
        param("name").as_("name", quoted=True),
        param("qty").as_("qty", quoted=True),
    )
    return select.subquery("s", copy=False).as_("s", quoted=True)


def item(id_: str, name: str, qty: int, active: bool = True) -> dict[str, Any]:
    return {
        "id": id_,
        "name": name,
        "qty": qty,
        "price": 9.5,
        "active": active,
        "updated_at": T0,
        "version": 1,
    }


STATEMENTS: dict[str, tuple[exp.Expr, Params]] = {
    "create_schema": (create_schema("sigds"), None),
    "create_table": (create_table(ITEMS, COLUMNS, ("id",)), None),
    "insert": (
        exp.insert(
            exp.values([tuple(param(n) for n in WRITTEN)]),
            ITEMS,
            columns=[ident(n) for n in WRITTEN],
        ),
        item("a", "Anvil", 5),
    ),
    "update_versioned": (
        exp.Update(
            this=ITEMS.copy(),
            expressions=[
                assign("name", param("name")),
                assign("updated_at", param("updated_at")),
                assign("version", col("version") + 1),
            ],
            where=exp.Where(
                this=exp.and_(col("id").eq(param("id")), col("version").eq(param("version")))
            ),
        ),
        {"name": "Anvil II", "updated_at": T0, "id": "a", "version": 1},
    ),
    "delete": (exp.delete(ITEMS, where=col("id").eq(param("id"))), {"id": "d"}),
    "select_page": (
        exp.select(col("id"), col("name"), col("qty"))
        .from_(ITEMS)
        .where(exp.and_(col("active").eq(param("active")), col("qty") >= param("min_qty")))
        .order_by(exp.Ordered(this=col("qty"), desc=True), col("id"))
        .limit(2)
        .offset(1),
        {"active": True, "min_qty": 5},
    ),
    "count": (
        exp.select(exp.func("COUNT", exp.Star()))
        .from_(ITEMS)
        .where(col("active").eq(param("active"))),
        {"active": True},
    ),
    "merge_one_row": (merge(one_row_source()), {"id": "b", "name": "Bolt XL", "qty": 60}),
    "merge_from_stage": (merge(STAGE.copy().as_("s", quoted=True)), None),
    "select_all": (
        exp.select(col("id"), col("name"), col("qty"), col("version"))
        .from_(ITEMS)
        .order_by(col("id")),
        None,
    ),
    "delete_all": (exp.delete(ITEMS), None),
}


@pytest.fixture(scope="module")
def engines() -> dict[str, Engine]:
    """One engine per cloud, created from a URL with no driver involved."""
    return {name: create_engine(url) for name, url in URLS.items()}


# --- 1. golden SQL ----------------------------------------------------------------------


def golden_entry(engine: Engine, name: str) -> str:
    statement, params = STATEMENTS[name]
    try:
        rendered = engine.render(statement, params)
    except TrilithError as exc:
        return f"-- {name}\n-- error: {type(exc).__name__}: {exc.message}\n"
    lines = [f"-- {name}"]
    if rendered.params:
        lines.append(f"-- params: {json.dumps(rendered.params, default=str)}")
    return "\n".join([*lines, f"{rendered.sql};"]) + "\n"


def read_golden(dialect: str) -> dict[str, str]:
    path = GOLDEN / f"{dialect}.sql"
    if not path.exists():
        return {}
    blocks = [b for b in path.read_text().split("\n\n") if b.strip()]
    entries = {}
    for block in blocks:
        name = block.splitlines()[0].removeprefix("-- ")
        entries[name] = block.strip("\n") + "\n"
    return entries


@pytest.mark.parametrize("name", STATEMENTS)
@pytest.mark.parametrize("dialect", CLOUDS)
def test_rendered_sql_matches_golden(engines: dict[str, Engine], dialect: str, name: str) -> None:
    if UPDATE_GOLDEN:
        pytest.skip("TRILITH_UPDATE_GOLDEN=1: the golden files are being rewritten")
    expected = read_golden(dialect).get(name)
    assert expected is not None, f"no golden entry {name!r} in golden/{dialect}.sql"
    assert golden_entry(engines[dialect], name) == expected


@pytest.mark.parametrize("dialect", CLOUDS)
def test_golden_files_list_exactly_the_statements(engines: dict[str, Engine], dialect: str) -> None:
    if UPDATE_GOLDEN:
        GOLDEN.mkdir(exist_ok=True)
        text = "\n".join(golden_entry(engines[dialect], name) for name in STATEMENTS)
        (GOLDEN / f"{dialect}.sql").write_text(text)
    assert list(read_golden(dialect)) == list(STATEMENTS)


@pytest.mark.parametrize("name", STATEMENTS)
@pytest.mark.parametrize("dialect", CLOUDS)
def test_rendered_sql_reads_back_in_its_own_dialect(
    engines: dict[str, Engine], dialect: str, name: str
) -> None:
    """validate_identity: sqlglot's grammar of the dialect parses what the adapter sends."""
    statement, params = STATEMENTS[name]
    try:
        sql = engines[dialect].render(statement, params).sql
    except BadRequest:
        pytest.skip(f"{dialect} refuses {name}")
    assert sqlglot.parse_one(sql, read=dialect).sql(dialect=dialect) == sql


def test_the_golden_statements_show_each_dialects_adaptations(
    engines: dict[str, Engine],
) -> None:
    """The rewrites the adapters exist for, stated where a reader looks for them."""
    create = {d: engines[d].render(STATEMENTS["create_table"][0]).sql for d in CLOUDS}
    assert '"id" VARCHAR(MAX) NOT NULL' in create["redshift"]  # not VARCHAR(256)
    assert '"attrs" VARCHAR(MAX)' in create["redshift"]
    assert "`attrs` STRING" in create["databricks"]
    assert "PRIMARY KEY" not in create["databricks"]
    assert "PRIMARY KEY (`id`) NOT ENFORCED" in create["bigquery"]
    assert '"attrs" VARIANT' in create["snowflake"]
    delete_all = engines["bigquery"].render(STATEMENTS["delete_all"][0]).sql
    assert delete_all.endswith("WHERE TRUE")
    stage_merge = engines["redshift"].render(STATEMENTS["merge_from_stage"][0]).sql
    assert stage_merge.startswith('MERGE INTO "sigds"."items" USING "sigds"."items_stage" AS "s"')
    assert 'ON "items"."id" = "s"."id"' in stage_merge
    assert 'SET "name" = "s"."name"' in stage_merge
    with pytest.raises(BadRequest, match="redshift MERGE takes a table as its source"):
        engines["redshift"].render(STATEMENTS["merge_one_row"][0], {"id": 1, "name": 2, "qty": 3})


@pytest.mark.parametrize("dialect", CLOUDS)
def test_the_metadata_migrations_render_for_each_cloud(
    engines: dict[str, Engine], dialect: str
) -> None:
    from trilith.metadata.migrations import MIGRATIONS

    engine = engines[dialect]
    statements = [s for m in MIGRATIONS for s in m.statements(engine, "sigds")]
    assert statements
    for statement in statements:
        sql = engine.render(statement).sql
        assert sqlglot.parse_one(sql, read=dialect).sql(dialect=dialect) == sql
        assert not sql.startswith("CREATE INDEX")  # no cloud warehouse has indexes


# --- 2. meaning, on a real DuckDB -------------------------------------------------------


def on_duckdb(engines: dict[str, Engine], dialect: str, name: str, params: Params) -> Any:
    """The statement as `dialect` sends it, read back as `dialect`, and its bound values.

    The portable tree itself stands for "duckdb", the baseline the clouds must match.
    """
    statement = STATEMENTS[name][0]
    if dialect == "duckdb":
        return statement, params
    rendered = engines[dialect].render(statement, params)
    tree = sqlglot.parse_one(rendered.sql, read=dialect)
    # BigQuery's @name reads back as a Parameter; DuckDB binds named Placeholders.
    tree = tree.transform(
        lambda node: exp.Placeholder(this=node.name) if isinstance(node, exp.Parameter) else node
    )
    return tree, rendered.params


@pytest.fixture
def duck() -> Iterator[Engine]:
    engine = create_engine("duckdb:///:memory:")
    yield engine
    engine.close()


@pytest.mark.parametrize("dialect", ["duckdb", *CLOUDS])
def test_rendered_statements_mean_the_same_on_duckdb(
    engines: dict[str, Engine], duck: Engine, dialect: str
) -> None:
    def run(name: str, params: Params = None) -> int:
        return duck.execute(*on_duckdb(engines, dialect, name, params))

    def rows(name: str, params: Params = None) -> list[tuple[Any, ...]]:
        return duck.fetch_rows(*on_duckdb(engines, dialect, name, params))

    # The tables come from the portable trees: DDL types are covered by the golden files.
    duck.execute(STATEMENTS["create_schema"][0])
    duck.execute(STATEMENTS["create_table"][0])
    duck.execute(create_table(STAGE, COLUMNS[:3]))

    for row in (item("a", "Anvil", 5), item("b", "Bolt", 50), item("c", "Cog", 20, False)):
        assert run("insert", row) == 1
    assert run("insert", item("d", "Dowel", 1)) == 1
    assert run("insert", item("e", "Eyelet", 12)) == 1

    versioned = {"name": "Anvil II", "updated_at": T0, "id": "a", "version": 1}
    assert run("update_versioned", versioned) == 1
    assert run("update_versioned", versioned) == 0  # the version read is stale now
    assert run("delete", {"id": "d"}) == 1
    assert rows("select_page", {"active": True, "min_qty": 5}) == [
        ("e", "Eyelet", 12),
        ("a", "Anvil II", 5),
    ]
    assert rows("count", {"active": True}) == [(3,)]

    if dialect != "redshift":  # Redshift merges from tables only (golden: refused)
        assert run("merge_one_row", {"id": "b", "name": "Bolt XL", "qty": 60}) == 1
        assert run("merge_one_row", {"id": "f", "name": "Flange", "qty": 7}) == 1
    stage = exp.insert(exp.values([("c", "Cog v2", 25), ("g", "Gear", 3)]), STAGE)
    duck.execute(stage)
    assert run("merge_from_stage") == 2

    bolt = ("b", "Bolt", 50, 1) if dialect == "redshift" else ("b", "Bolt XL", 60, 2)
    flange = [] if dialect == "redshift" else [("f", "Flange", 7, 1)]
    assert rows("select_all") == [
        ("a", "Anvil II", 5, 2),
        bolt,
        ("c", "Cog v2", 25, 2),
        ("e", "Eyelet", 12, 1),
        *flange,
        ("g", "Gear", 3, 1),
    ]
    assert run("delete_all") == (6 if dialect != "redshift" else 5)
    assert rows("count", {"active": True}) == [(0,)]


# --- 3. a missing driver ----------------------------------------------------------------


@pytest.mark.parametrize("scheme", CLOUDS)
def test_a_missing_driver_names_the_extra_when_a_session_opens(
    monkeypatch: pytest.MonkeyPatch, scheme: str
) -> None:
    monkeypatch.setitem(sys.modules, DRIVERS[scheme], None)
    engine = create_engine(URLS[scheme])  # creating and rendering need no driver
    assert engine.render(exp.select(param("x")), {"x": 1}).sql
    assert engine.describe()["type"] == scheme
    with pytest.raises(MissingDriver) as info, engine.session():
        pass
    assert info.value.message == (
        f"the {scheme} warehouse needs its driver: pip install 'trilith[{scheme}]'"
    )
    with pytest.raises(MissingDriver), engine.transaction():
        pass


def test_importing_the_adapters_imports_no_driver() -> None:
    modules = ", ".join(f"trilith.engines.{scheme}" for scheme in CLOUDS)
    drivers = sorted(DRIVERS.values())
    code = (
        f"import sys, {modules}\n"
        "from trilith.engines import create_engine, supported_schemes\n"
        f"for url in {list(URLS.values())!r}: create_engine(url).describe()\n"
        f"loaded = [m for m in {drivers!r} if m in sys.modules]\n"
        "assert not loaded, loaded\n"
        f"assert set({list(CLOUDS)!r}) <= set(supported_schemes())\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


# --- 4. URLs ----------------------------------------------------------------------------

PARSED: list[tuple[Callable[[str], dict[str, Any]], str, dict[str, Any]]] = [
    (
        snowflake_kwargs,
        "snowflake://me:p%40ss@myorg-acct/analytics/public?warehouse=WH&role=ANALYST",
        {
            "account": "myorg-acct",
            "user": "me",
            "password": "p@ss",
            "database": "analytics",
            "schema": "public",
            "warehouse": "WH",
            "role": "ANALYST",
            "paramstyle": "qmark",
        },
    ),
    (
        snowflake_kwargs,
        "snowflake://svc@xy12345.eu-west-1.snowflakecomputing.com/db"
        "?private_key_file=/k/rsa.p8&private_key_file_pwd=s&login_timeout=30",
        {
            "account": "xy12345.eu-west-1",
            "user": "svc",
            "database": "db",
            "private_key_file": "/k/rsa.p8",
            "private_key_file_pwd": "s",
            "login_timeout": 30,
            "paramstyle": "qmark",
        },
    ),
    (
        snowflake_kwargs,
        "snowflake://me@acct/db?authenticator=externalbrowser&dialect=snowflake",
        {
            "account": "acct",
            "user": "me",
            "database": "db",
            "authenticator": "externalbrowser",
            "paramstyle": "qmark",
        },
    ),
    (
        databricks_kwargs,
        "databricks://token:dapi123@adb-1.2.azuredatabricks.net/sql/1.0/warehouses/abc"
        "?catalog=main&schema=sigds",
        {
            "server_hostname": "adb-1.2.azuredatabricks.net",
            "http_path": "/sql/1.0/warehouses/abc",
            "access_token": "dapi123",
            "catalog": "main",
            "schema": "sigds",
        },
    ),
    (
        databricks_kwargs,
        "databricks://dbc-1.cloud.databricks.com:443/sql/protocolv1/o/1/0-1-x?auth_type=databricks-oauth",
        {
            "server_hostname": "dbc-1.cloud.databricks.com",
            "http_path": "/sql/protocolv1/o/1/0-1-x",
            "auth_type": "databricks-oauth",
        },
    ),
    (
        bigquery_kwargs,
        "bigquery://my-project/sigds?location=EU&credentials_path=/secrets/key.json",
        {
            "project": "my-project",
            "default_dataset": "my-project.sigds",
            "location": "EU",
            "credentials_path": "/secrets/key.json",
        },
    ),
    (bigquery_kwargs, "bigquery://my-project", {"project": "my-project"}),
    (
        redshift_kwargs,
        "redshift://me:pw@cluster.abc.eu-west-1.redshift.amazonaws.com:5439/dev?sslmode=verify-full",
        {
            "host": "cluster.abc.eu-west-1.redshift.amazonaws.com",
            "port": 5439,
            "database": "dev",
            "user": "me",
            "password": "pw",
            "sslmode": "verify-full",
        },
    ),
    (
        redshift_kwargs,
        "redshift://wg.123.eu-west-1.redshift-serverless.amazonaws.com/dev"
        "?iam=true&is_serverless=true&serverless_work_group=wg&migration_lock_table=ops.lock",
        {
            "host": "wg.123.eu-west-1.redshift-serverless.amazonaws.com",
            "port": 5439,
            "database": "dev",
            "iam": True,
            "is_serverless": True,
            "serverless_work_group": "wg",
        },
    ),
]


@pytest.mark.parametrize(("parse", "url", "expected"), PARSED)
def test_urls_become_driver_connect_arguments(
    parse: Callable[[str], dict[str, Any]], url: str, expected: dict[str, Any]
) -> None:
    assert parse(url) == expected


BAD_URLS = [
    ("snowflake://me:pw@/analytics", "the snowflake URL needs an account"),
    ("snowflake://acct/analytics", "the snowflake URL needs a user"),
    ("snowflake://me:pw@acct", "the snowflake URL needs a database"),
    ("snowflake://me:pw@acct/a/b/c", "path is /database or /database/schema"),
    ("snowflake://me@acct/db", "needs a password, or one of the options authenticator"),
    ("snowflake://me:pw@acct/db?wharehouse=W", "unknown snowflake URL option 'wharehouse'"),
    ("snowflake://me:pw@acct/db?login_timeout=soon", "bad snowflake URL option login_timeout"),
    ("databricks://token:t@/sql/1.0/warehouses/a", "needs a server hostname"),
    ("databricks://token:t@host.cloud.databricks.com", "needs the warehouse's HTTP path"),
    ("databricks://token:t@host:8443/sql/1.0/warehouses/a", "port 443, not 8443"),
    ("databricks://me:t@host/sql/1.0/warehouses/a", "user name is the literal 'token'"),
    ("databricks://host/sql/1.0/warehouses/a", "needs an access token"),
    ("bigquery:///sigds", "the bigquery URL needs a project"),
    ("bigquery://me:pw@project/sigds", "carries no user or password"),
    ("bigquery://project/a/b", "path is one dataset"),
    ("bigquery://project?region=EU", "unknown bigquery URL option 'region'"),
    ("redshift://me:pw@:5439/dev", "the redshift URL needs a host"),
    ("redshift://me:pw@host:5439", "path is one database name"),
    ("redshift://me@host/dev", "needs a user and password (or iam=true)"),
    ("redshift://me:pw@host/dev?ssl=maybe", "bad redshift URL option ssl='maybe'"),
]


@pytest.mark.parametrize(("url", "message"), BAD_URLS)
def test_bad_urls_say_what_is_missing(url: str, message: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        create_engine(url)  # at creation, not on first use
    assert message in info.value.message


def test_describe_shows_the_target_but_no_secret() -> None:
    engine = create_engine(
        "snowflake://me:hunter2@acct/db/sch?warehouse=WH&private_key_file=/k&private_key_file_pwd=s3"
    )
    info = engine.describe()
    assert "hunter2" not in json.dumps(info)
    assert "s3" not in json.dumps(info)
    assert info["url"] == (
        "snowflake://me:***@acct/db/sch?warehouse=WH&private_key_file=/k&private_key_file_pwd=***"
    )
    assert info["target"] == {
        "account": "acct",
        "user": "me",
        "database": "db",
        "schema": "sch",
        "warehouse": "WH",
        "private_key_file": "/k",
        "paramstyle": "qmark",
    }


CAPABILITIES = {
    "snowflake": {"transactions", "merge", "copy", "stored_procedures", "ai_functions"},
    "databricks": {"merge", "ai_functions"},
    "bigquery": {"merge", "stored_procedures"},
    "redshift": {"transactions", "merge", "copy", "stored_procedures"},
}


@pytest.mark.parametrize("scheme", CLOUDS)
def test_capabilities(engines: dict[str, Engine], scheme: str) -> None:
    flags = engines[scheme].capabilities()
    shown = {"transactions", "merge", "copy", "stored_procedures", "ai_functions", "indexes"}
    assert {name for name in shown if flags[name]} == CAPABILITIES[scheme]
    assert flags["schemas"]
    assert flags["multiple_processes"]


# --- BigQuery parameter types -----------------------------------------------------------

TYPED = [
    (True, "BOOL"),
    (7, "INT64"),
    (2.5, "FLOAT64"),
    ("x", "STRING"),
    (b"\x00", "BYTES"),
    (dt.date(2026, 1, 2), "DATE"),
    (dt.datetime(2026, 1, 2, 3, 4), "DATETIME"),
    (dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC), "TIMESTAMP"),
    (dt.time(3, 4), "TIME"),
    (Decimal("12.345"), "NUMERIC"),
    (Decimal("1.0123456789"), "BIGNUMERIC"),
    ({"k": [1, 2]}, "JSON"),
    (None, "STRING"),
]


@pytest.mark.parametrize(("value", "type_"), TYPED)
def test_bigquery_parameters_are_typed_from_python_values(value: Any, type_: str) -> None:
    assert query_parameter("p", value) == QueryParameter("p", type_, value)


def test_bigquery_arrays_and_unbindable_values() -> None:
    assert query_parameter("ids", ["a", "b"]) == QueryParameter("ids", "STRING", ["a", "b"], True)
    assert query_parameter("ids", (1, 2)) == QueryParameter("ids", "INT64", [1, 2], True)
    with pytest.raises(BadRequest, match="mixed types"):
        query_parameter("ids", [1, "a"])
    with pytest.raises(BadRequest, match="cannot hold NULL"):
        query_parameter("ids", [1, None])
    with pytest.raises(BadRequest, match="cannot bind parameter 'p' of type object"):
        query_parameter("p", object())


def test_bigquery_parameters_serialise_through_the_real_driver() -> None:
    bigquery = pytest.importorskip("google.cloud.bigquery")
    from trilith.engines.bigquery import BigQueryCursor

    cursor = BigQueryCursor(client=None, bigquery=bigquery)
    for value, type_ in [*TYPED, (["a", "b"], "STRING")]:
        api = cursor._parameter(query_parameter("p", value)).to_api_repr()
        kind = api["parameterType"]
        assert (kind.get("arrayType") or kind)["type"] == type_


# --- errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scheme", "message", "expected"),
    [
        ("redshift", "{'C': 'XX000', 'M': 'Serializable isolation violation on table'}", Conflict),
        (
            "databricks",
            "[DELTA_CONCURRENT_APPEND] Files were added by a concurrent update",
            Conflict,
        ),
        (
            "bigquery",
            "Could not serialize access to table p:d.t due to concurrent update",
            Conflict,
        ),
        (
            "snowflake",
            "390112: Your session has expired. Please login again.",
            WarehouseUnavailable,
        ),
        ("snowflake", "SQL compilation error: Object 'X' does not exist", WarehouseError),
    ],
)
def test_errors_known_by_their_message(
    engines: dict[str, Engine], scheme: str, message: str, expected: type[TrilithError]
) -> None:
    error = engines[scheme].translate_error(Exception(message), "SELECT 1")
    assert type(error) is expected
    assert message in error.message


DRIVER_ERRORS = [
    ("snowflake", "snowflake.connector.errors", "OperationalError", WarehouseUnavailable),
    ("snowflake", "snowflake.connector.errors", "IntegrityError", Conflict),
    ("snowflake", "snowflake.connector.errors", "ProgrammingError", WarehouseError),
    ("databricks", "databricks.sql.exc", "RequestError", WarehouseUnavailable),
    ("databricks", "databricks.sql.exc", "ServerOperationError", WarehouseError),
    ("bigquery", "google.api_core.exceptions", "ServiceUnavailable", WarehouseUnavailable),
    ("bigquery", "google.api_core.exceptions", "Conflict", Conflict),
    ("bigquery", "google.api_core.exceptions", "BadRequest", WarehouseError),
    ("redshift", "redshift_connector.error", "InterfaceError", WarehouseUnavailable),
    ("redshift", "redshift_connector.error", "IntegrityError", Conflict),
    ("redshift", "redshift_connector.error", "ProgrammingError", WarehouseError),
]


@pytest.mark.parametrize(("scheme", "module", "name", "expected"), DRIVER_ERRORS)
def test_driver_errors_map_onto_the_hierarchy(
    engines: dict[str, Engine], scheme: str, module: str, name: str, expected: type
) -> None:
    errors = pytest.importorskip(module)
    error = engines[scheme].translate_error(getattr(errors, name)("boom"), "SELECT 1")
    assert type(error) is expected


def test_redshift_connection_refused_is_unavailable() -> None:
    pytest.importorskip("redshift_connector")
    engine = create_engine("redshift://me:pw@127.0.0.1:9/dev?timeout=2&ssl=false")
    with (
        pytest.raises(WarehouseUnavailable, match="cannot connect to redshift at"),
        engine.session(),
    ):
        pass


class RecordingSession(Session):
    """Keeps what would be sent; it runs nothing."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self.sent: list[str] = []

    def _run(self, rendered: RenderedSQL) -> Any:
        self.sent.append(rendered.sql)

    def _description(self, cursor: Any) -> list[str]:
        return []


def test_redshift_migration_lock_locks_a_table(engines: dict[str, Engine]) -> None:
    session = RecordingSession(engines["redshift"])
    with engines["redshift"].migration_lock(session):
        pass
    assert session.sent == [
        "CREATE TABLE IF NOT EXISTS trilith_migration_lock (held BOOLEAN)",
        "LOCK trilith_migration_lock",
    ]
    custom = create_engine(URLS["redshift"] + '?migration_lock_table=ops."Lock"')
    session = RecordingSession(custom)
    with custom.migration_lock(session):
        pass
    assert session.sent[1] == 'LOCK ops."Lock"'


# --- the shared plumbing, on a real DB-API driver (sqlite3) -----------------------------


class SQLiteCloud(CloudEngine):
    """A CloudEngine whose driver is sqlite3: real connections, commits and rollbacks."""

    scheme = "sqlitecloud"
    dialect = "sqlite"
    warehouse_type = "sqlitecloud"
    driver_module = "sqlite3"
    SUPPORTS_SCHEMAS = False
    UNAVAILABLE_MESSAGES = ("disk i/o error",)
    opened = 0  # connections this engine opened

    @classmethod
    def parse_url(cls, url: WarehouseURL) -> dict[str, Any]:
        return {"database": url.database_path}

    def _connect(self) -> Any:
        self.opened += 1
        return self.driver.connect(
            self.connect_kwargs["database"], isolation_level=None, check_same_thread=False
        )


class SQLiteNoTransactions(SQLiteCloud):
    SUPPORTS_TRANSACTIONS = False


NOTES = exp.select(exp.column("n")).from_("notes").order_by("n")


@pytest.fixture(params=[SQLiteCloud, SQLiteNoTransactions], ids=["atomic", "by_statement"])
def plumbed(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[CloudEngine]:
    engine: CloudEngine = request.param(WarehouseURL.parse(f"sqlitecloud:///{tmp_path}/w.db"))
    engine.execute("CREATE TABLE notes (n INTEGER)")
    yield engine
    engine.close()


def test_connections_are_lent_and_reused(plumbed: CloudEngine) -> None:
    before = plumbed.opened
    for n in range(3):
        plumbed.execute(exp.insert(exp.values([(param("n"),)]), "notes"), {"n": n})
    assert plumbed.opened == before  # the idle connection came back each time
    with plumbed.session() as first, plumbed.session() as second:
        assert first.fetch_scalar("SELECT COUNT(*) FROM notes") == 3
        assert second.fetch_scalar("SELECT 1") == 1
    assert plumbed.opened == before + 1  # two at once needed a second


def test_a_failed_unit_of_work_rolls_back_where_the_warehouse_can(plumbed: CloudEngine) -> None:
    def two_inserts_the_second_failing() -> None:
        with plumbed.transaction() as session:
            session.execute("INSERT INTO notes (n) VALUES (1)")
            session.execute("INSERT INTO missing (n) VALUES (2)")

    with pytest.raises(WarehouseError) as info:
        two_inserts_the_second_failing()
    kept = [row[0] for row in plumbed.fetch_rows(NOTES)]
    if plumbed.SUPPORTS_TRANSACTIONS:
        assert kept == []
        assert not getattr(info.value, "__notes__", None)
    else:
        assert kept == [1]
        assert info.value.__notes__ == [
            "sqlitecloud has no multi-statement transactions: 2 statement(s) of this unit "
            "of work ran and were not rolled back"
        ]
    with plumbed.transaction() as session:
        session.execute("INSERT INTO notes (n) VALUES (3)")
    assert [row[0] for row in plumbed.fetch_rows(NOTES)][-1] == 3


def lent_connection(session: Session) -> Any:
    assert isinstance(session, CloudSession)
    return session.connection


def test_an_unavailable_connection_is_dropped_not_reused(plumbed: CloudEngine) -> None:
    with plumbed.session() as session:
        lent = lent_connection(session)

    def lose_the_connection() -> None:
        with plumbed.session() as session:
            assert lent_connection(session) is lent
            raise plumbed.translate_error(Exception("disk I/O error"), "SELECT 1")

    with pytest.raises(WarehouseUnavailable):
        lose_the_connection()
    with plumbed.session() as session:
        assert lent_connection(session) is not lent
