"""The warehouse side of an input table: its data table `sigds_<id>` and DDL changes."""

from __future__ import annotations

from sqlglot import exp

from trilith.input_tables.definition import ColumnDefinition, InputTableDefinition
from trilith.input_tables.types import COLUMN_TYPES
from trilith.sql.ddl import ColumnSpec, create_table, table

__all__ = [
    "SYSTEM_SPECS",
    "add_column",
    "add_row_key",
    "column_defaults",
    "data_table",
    "drop_column",
    "drop_table",
    "rename_column",
]

SYSTEM_SPECS = (
    ColumnSpec("_row_id", "TEXT", nullable=False),
    ColumnSpec("_version", "BIGINT", nullable=False),
    ColumnSpec("_created_at", "TIMESTAMP", nullable=False),
    ColumnSpec("_created_by", "TEXT"),
    ColumnSpec("_updated_at", "TIMESTAMP", nullable=False),
    ColumnSpec("_updated_by", "TEXT"),
)


def data_table(schema: str, table_id: str) -> exp.Table:
    return table(schema, f"sigds_{table_id}")


def column_spec(column: ColumnDefinition) -> ColumnSpec:
    return ColumnSpec(column.name, COLUMN_TYPES[column.type].sql_type)


def create_data_table(
    schema: str, definition: InputTableDefinition, *, keyed: bool = True
) -> exp.Create:
    """The data table; `keyed` False leaves out the primary key on `_row_id`, for a bulk
    load into the new table that adds it after (`add_row_key`), in the same transaction:
    building the key once over the loaded rows is cheaper than row by row."""
    assert definition.id is not None
    columns = [*SYSTEM_SPECS, *(column_spec(c) for c in definition.stored_columns)]
    key = ("_row_id",) if keyed else ()
    return create_table(data_table(schema, definition.id), columns, key, if_not_exists=False)


def add_row_key(target: exp.Table) -> exp.Alter:
    key = exp.PrimaryKey(expressions=[exp.to_identifier("_row_id", quoted=True)])
    return exp.Alter(this=target, kind="TABLE", actions=[exp.AddConstraint(expressions=[key])])


def column_defaults(target: exp.Table, defaults: dict[str, exp.Expr | None]) -> exp.Alter:
    """Set (an expression) or drop (None) the defaults of `target`'s columns."""
    actions = [
        exp.AlterColumn(this=exp.to_identifier(name, quoted=True), default=value)
        if value is not None
        else exp.AlterColumn(this=exp.to_identifier(name, quoted=True), drop=True)
        for name, value in defaults.items()
    ]
    return exp.Alter(this=target, kind="TABLE", actions=actions)


def drop_table(target: exp.Table) -> exp.Drop:
    return exp.Drop(tables=[target], kind="TABLE", exists=True)


def add_column(target: exp.Table, column: ColumnDefinition) -> exp.Alter:
    spec = column_spec(column)
    definition = exp.ColumnDef(
        this=exp.to_identifier(spec.name, quoted=True), kind=exp.DataType.build(spec.type)
    )
    return exp.Alter(this=target, kind="TABLE", actions=[definition])


def rename_column(target: exp.Table, old: str, new: str) -> exp.Alter:
    action = exp.RenameColumn(
        this=exp.column(old, quoted=True), to=exp.to_identifier(new, quoted=True)
    )
    return exp.Alter(this=target, kind="TABLE", actions=[action])


def drop_column(target: exp.Table, name: str) -> exp.Alter:
    action = exp.Drop(tables=[exp.column(name, quoted=True)], kind="COLUMN")
    return exp.Alter(this=target, kind="TABLE", actions=[action])
