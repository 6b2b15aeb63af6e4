"""DDL builders: schemas, tables and indexes as sqlglot trees."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlglot import exp

__all__ = ["ColumnSpec", "create_index", "create_schema", "create_table", "drop_schema", "table"]


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    name: str
    type: str  # a sqlglot type name: TEXT, BIGINT, DOUBLE, BOOLEAN, TIMESTAMP, DATE
    nullable: bool = True


def table(schema: str | None, name: str) -> exp.Table:
    return exp.Table(
        this=exp.to_identifier(name, quoted=True),
        db=exp.to_identifier(schema, quoted=True) if schema else None,
    )


def create_schema(schema: str) -> exp.Create:
    return exp.Create(
        this=exp.Table(db=exp.to_identifier(schema, quoted=True)), kind="SCHEMA", exists=True
    )


def create_table(
    target: exp.Table,
    columns: Sequence[ColumnSpec],
    primary_key: Sequence[str] = (),
    if_not_exists: bool = True,
) -> exp.Create:
    definitions: list[exp.Expression] = []
    for column in columns:
        constraints = (
            [] if column.nullable else [exp.ColumnConstraint(kind=exp.NotNullColumnConstraint())]
        )
        definitions.append(
            exp.ColumnDef(
                this=exp.to_identifier(column.name, quoted=True),
                kind=exp.DataType.build(column.type),
                constraints=constraints,
            )
        )
    if primary_key:
        definitions.append(
            exp.PrimaryKey(expressions=[exp.to_identifier(n, quoted=True) for n in primary_key])
        )
    return exp.Create(
        this=exp.Schema(this=target, expressions=definitions), kind="TABLE", exists=if_not_exists
    )


def create_index(name: str, target: exp.Table, columns: Sequence[str]) -> exp.Create:
    index = exp.Index(
        this=exp.to_identifier(name, quoted=True),
        table=target,
        params=exp.IndexParameters(columns=[exp.column(c, quoted=True) for c in columns]),
    )
    return exp.Create(this=index, kind="INDEX", exists=True)


def drop_schema(schema: str, cascade: bool = True) -> exp.Drop:
    return exp.Drop(
        tables=[exp.Table(db=exp.to_identifier(schema, quoted=True))],
        kind="SCHEMA",
        exists=True,
        cascade=cascade,
    )
