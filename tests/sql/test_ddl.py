"""DDL builders: one tree, the statement each dialect gets."""

from __future__ import annotations

import pytest
from sqlglot import exp

from trilith.sql.ddl import (
    ColumnSpec,
    create_index,
    create_schema,
    create_table,
    drop_schema,
    table,
)

CASES: list[tuple[str, exp.Expr, dict[str, str]]] = [
    (
        "create schema",
        create_schema("sigds"),
        {
            "duckdb": 'CREATE SCHEMA IF NOT EXISTS "sigds"',
            "postgres": 'CREATE SCHEMA IF NOT EXISTS "sigds"',
            "snowflake": 'CREATE SCHEMA IF NOT EXISTS "sigds"',
        },
    ),
    (
        "drop schema",
        drop_schema("sigds"),
        {
            "duckdb": 'DROP SCHEMA IF EXISTS "sigds" CASCADE',
            "postgres": 'DROP SCHEMA IF EXISTS "sigds" CASCADE',
        },
    ),
    (
        "create table",
        create_table(
            table("sigds", "t"),
            [
                ColumnSpec("id", "TEXT", nullable=False),
                ColumnSpec("n", "DOUBLE"),
                ColumnSpec("ok", "BOOLEAN"),
            ],
            ["id"],
        ),
        {
            "duckdb": 'CREATE TABLE IF NOT EXISTS "sigds"."t" ("id" TEXT NOT NULL, "n" DOUBLE, "ok" BOOLEAN, PRIMARY KEY ("id"))',
            "postgres": 'CREATE TABLE IF NOT EXISTS "sigds"."t" ("id" TEXT NOT NULL, "n" DOUBLE PRECISION, "ok" BOOLEAN, PRIMARY KEY ("id"))',
            "sqlite": 'CREATE TABLE IF NOT EXISTS "sigds"."t" ("id" TEXT NOT NULL PRIMARY KEY, "n" REAL, "ok" INTEGER)',
        },
    ),
    (
        "create index",
        create_index("ix", table("sigds", "t"), ["a", "b"]),
        {
            "duckdb": 'CREATE INDEX IF NOT EXISTS "ix" ON "sigds"."t"("a", "b")',
            "postgres": 'CREATE INDEX IF NOT EXISTS "ix" ON "sigds"."t"("a", "b")',
        },
    ),
]


@pytest.mark.parametrize(("name", "tree", "expected"), CASES, ids=[c[0] for c in CASES])
def test_rendered_per_dialect(name: str, tree: exp.Expr, expected: dict[str, str]) -> None:
    for dialect, sql in expected.items():
        assert tree.sql(dialect) == sql, dialect
