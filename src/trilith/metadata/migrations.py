"""Versioned, idempotent migrations of the write-back schema.

`migrate` runs in one transaction under the engine's migration lock (a PostgreSQL
advisory lock, SQLite's write lock, a process lock for DuckDB), reads the version from
`schema_version` and applies what is missing, recording each step. Starting twice, or two
processes starting at once, applies every migration exactly once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlglot import exp

from trilith.engines.base import Engine, Session
from trilith.errors import WarehouseError
from trilith.metadata.clock import utc_now
from trilith.metadata.tables import BASE_TABLES, SCHEMA_VERSION_COLUMNS, SCHEMA_VERSION_TABLE
from trilith.sql.ddl import create_index, create_schema, create_table, table
from trilith.sql.render import param

__all__ = [
    "EDIT_SEQUENCE",
    "MIGRATIONS",
    "Migration",
    "MigrationReport",
    "current_version",
    "migrate",
]


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    statements: Callable[[Engine, str], list[exp.Expression]]


EDIT_SEQUENCE = "sigds_wal_seq"


def _base_tables(engine: Engine, schema: str) -> list[exp.Expression]:
    statements: list[exp.Expression] = [
        create_table(table(schema, name), columns, primary_key)
        for name, (columns, primary_key) in BASE_TABLES.items()
    ]
    if engine.SUPPORTS_SEQUENCES:
        statements.append(
            exp.Create(kind="SEQUENCE", this=table(schema, EDIT_SEQUENCE), exists=True)
        )
    else:
        statements.append(
            exp.insert(
                exp.select(exp.Literal.string(EDIT_SEQUENCE), exp.Literal.number(0)),
                table(schema, "counters"),
                columns=["name", "value"],
            )
        )
    return statements


def _lookup_indexes(engine: Engine, schema: str) -> list[exp.Expression]:
    if not engine.SUPPORTS_INDEXES:
        return []
    wanted = {
        "sigds_wal": ("table_id", "row_id"),
        "action_runs": ("sequence_id", "started_at"),
        "audit_log": ("target_type", "target_id"),
        "layout_elements": ("app_id", "parent_id"),
    }
    return [
        create_index(f"ix_{schema}_{name}_{'_'.join(columns)}", table(schema, name), columns)
        for name, columns in wanted.items()
    ]


def _tables(schema: str, *names: str) -> list[exp.Expression]:
    """CREATE TABLE IF NOT EXISTS for base tables added after migration 1 (which creates
    every base table of its day, so a new schema gets them there and here alike)."""
    statements: list[exp.Expression] = []
    for name in names:
        columns, primary_key = BASE_TABLES[name]
        statements.append(create_table(table(schema, name), columns, primary_key))
    return statements


def _schedule_fires(engine: Engine, schema: str) -> list[exp.Expression]:
    return _tables(schema, "schedule_fires")


def _users(engine: Engine, schema: str) -> list[exp.Expression]:
    statements = _tables(schema, "users", "api_tokens")
    if engine.SUPPORTS_INDEXES:
        statements.append(
            create_index(
                f"ix_{schema}_api_tokens_hash", table(schema, "api_tokens"), ["token_hash"]
            )
        )
    return statements


def _embed(engine: Engine, schema: str) -> list[exp.Expression]:
    return _tables(schema, "embed_clients", "embed_jti")


def _sessions_and_grants(engine: Engine, schema: str) -> list[exp.Expression]:
    statements = _tables(schema, "sessions", "grants")
    if engine.SUPPORTS_INDEXES:
        statements.append(
            create_index(
                f"ix_{schema}_grants_object", table(schema, "grants"), ["object_type", "object_id"]
            )
        )
    return statements


def _ai_documents(engine: Engine, schema: str) -> list[exp.Expression]:
    return _tables(schema, "ai_documents")


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "base tables", _base_tables),
    Migration(2, "lookup indexes for the edit log, runs, audit and layout", _lookup_indexes),
    Migration(3, "schedule fires, claimed once per due time", _schedule_fires),
    Migration(4, "users and their hashed API tokens", _users),
    Migration(5, "embed clients and used embed token ids", _embed),
    Migration(6, "browser sessions and per-app / per-input-table grants", _sessions_and_grants),
    Migration(7, "analysed documents and their AI results", _ai_documents),
)
LATEST_VERSION = MIGRATIONS[-1].version


@dataclass(frozen=True)
class MigrationReport:
    from_version: int
    to_version: int
    applied: tuple[int, ...]


def _version_table(schema: str) -> exp.Table:
    return table(schema, SCHEMA_VERSION_TABLE)


def _read_version(session: Session, schema: str) -> int:
    query = exp.select(exp.func("MAX", exp.column("version"))).from_(_version_table(schema))
    value = session.fetch_scalar(query)
    return int(value) if value is not None else 0


def current_version(engine: Engine, schema: str) -> int:
    """The applied version, 0 when the schema has never been migrated."""
    try:
        with engine.session() as session:
            return _read_version(session, schema)
    except WarehouseError:  # no schema_version table yet; unavailability propagates
        return 0


def migrate(engine: Engine, schema: str, target: int | None = None) -> MigrationReport:
    target = LATEST_VERSION if target is None else target
    with (
        engine.schema_change_lock,
        engine.transaction() as session,
        engine.migration_lock(session),
    ):
        session.execute(create_schema(schema))
        session.execute(create_table(_version_table(schema), SCHEMA_VERSION_COLUMNS, ("version",)))
        start = _read_version(session, schema)
        applied: list[int] = []
        for migration in MIGRATIONS:
            if migration.version <= start or migration.version > target:
                continue
            for statement in migration.statements(engine, schema):
                session.execute(statement)
            session.execute(
                exp.insert(
                    exp.select(param("version"), param("description"), param("applied_at")),
                    _version_table(schema),
                    columns=[c.name for c in SCHEMA_VERSION_COLUMNS],
                ),
                {
                    "version": migration.version,
                    "description": migration.description,
                    "applied_at": utc_now(),
                },
            )
            applied.append(migration.version)
        return MigrationReport(start, max([start, *applied]), tuple(applied))
