"""The statements of the row-write path, built once per shape.

Building a sqlglot tree costs a few hundred microseconds, as much as rendering it; these
builders are cached by their (hashable) arguments, and the engine caches the rendered
SQL by tree, so a steady stream of edits renders nothing. Returned trees are shared:
callers never modify them.
"""

from __future__ import annotations

from functools import lru_cache

from sqlglot import exp

from trilith.engines.base import Engine
from trilith.metadata.migrations import EDIT_SEQUENCE
from trilith.sql.ddl import table
from trilith.sql.render import param

__all__ = [
    "WAL_COLUMNS",
    "definition_if_changed",
    "definition_version",
    "delete_row",
    "insert_rows",
    "reserve_from_sequence",
    "row_by_id",
    "update_row",
    "wal_insert",
    "wal_insert_numbered",
]

WAL_COLUMNS = (
    "edit_no",
    "table_id",
    "row_id",
    "operation",
    "before_values",
    "after_values",
    "actor",
    "at",
    "request_id",
    "source",
)

cached = lru_cache(maxsize=2048)


def _data(schema: str, table_id: str) -> exp.Table:
    return table(schema, f"sigds_{table_id}")


@cached
def definition_if_changed(schema: str) -> exp.Select:
    """The version, and the document only where the version is not `known`."""
    version = exp.column("version")
    changed = exp.Case(
        ifs=[exp.If(this=version.eq(param("known")), true=exp.null())],
        default=exp.column("metadata"),
    )
    return (
        exp.select(version, changed.as_("metadata"))
        .from_(table(schema, "input_tables"))
        .where(exp.column("id").eq(param("id")))
    )


@cached
def definition_version(schema: str) -> exp.Select:
    return (
        exp.select("version")
        .from_(table(schema, "input_tables"))
        .where(exp.column("id").eq(param("id")))
    )


@cached
def row_by_id(schema: str, table_id: str, columns: tuple[str, ...]) -> exp.Select:
    return (
        exp.select(*(exp.column(c, quoted=True) for c in columns))
        .from_(_data(schema, table_id))
        .where(exp.column("_row_id").eq(param("row_id")))
    )


@cached
def insert_rows(schema: str, table_id: str, columns: tuple[str, ...], count: int) -> exp.Insert:
    """`count` rows; row i's column j is bound to `c{j}_{i}`."""
    tuples = [exp.tuple_(*(param(f"c{j}_{i}") for j in range(len(columns)))) for i in range(count)]
    names = [exp.to_identifier(n, quoted=True) for n in columns]
    return exp.Insert(
        this=exp.Schema(this=_data(schema, table_id), expressions=names),
        expression=exp.values(tuples),
    )


def _definition_unchanged(schema: str) -> exp.Expr:
    """The table's definition is still at version `definition_version` (binds
    `definition_id` too), for statements that check it as they write."""
    return exp.EQ(
        this=exp.select("version")
        .from_(table(schema, "input_tables"))
        .where(exp.column("id").eq(param("definition_id")))
        .subquery(),
        expression=param("definition_version"),
    )


def _assignments(names: tuple[str, ...], version: exp.Column) -> dict[str, object]:
    """An update's SET: `names` bound to `v_0`, `v_1` …, the next version, the new stamps
    (`updated_at`, `updated_by`)."""
    assignments: dict[str, object] = {name: param(f"v_{i}") for i, name in enumerate(names)}
    assignments |= {
        "_version": version + 1,
        "_updated_at": param("updated_at"),
        "_updated_by": param("updated_by"),
    }
    return assignments


@cached
def update_row(
    schema: str,
    table_id: str,
    names: tuple[str, ...],
    returning: tuple[str, ...] = (),
    checked: bool = False,
    matching: tuple[str, ...] = (),
) -> exp.Update:
    """Set `names` (bound to `v_0`, `v_1` …) where `_row_id` and `_version` still match;
    with `returning`, the statement gives back those columns of the updated row; where
    `checked`, only while the definition is unchanged (`_definition_unchanged`); with
    `matching`, only while each of those columns still holds the value bound to `m_0`,
    `m_1` … (NULL matching NULL), which proves what the row was before the update."""
    assignments = _assignments(names, exp.column("_version"))
    where = exp.and_(
        exp.column("_row_id").eq(param("row_id")), exp.column("_version").eq(param("version"))
    )
    if checked:
        where = exp.and_(where, _definition_unchanged(schema))
    for i, name in enumerate(matching):
        held = exp.NullSafeEQ(this=exp.column(name, quoted=True), expression=param(f"m_{i}"))
        where = exp.and_(where, held)
    update = exp.update(_data(schema, table_id), assignments, where=where)
    if returning:
        columns = [exp.column(c, quoted=True) for c in returning]
        update.set("returning", exp.Returning(expressions=columns))
    return update


@cached
def update_returning_before(
    schema: str, table_id: str, names: tuple[str, ...], returning: tuple[str, ...], checked: bool
) -> exp.Update:
    """`update_row` joined to the row as it was (`before`), returning its
    `returning` columns before, then after. Its `before._version = target._version`
    makes sure both are the same row version even if a writer slipped in."""
    target, before = "new_row", "old_row"

    def at(name: str, alias: str) -> exp.Column:
        return exp.column(name, alias, quoted=True)

    data = _data(schema, table_id)
    assignments = _assignments(names, at("_version", target))
    previous = (
        exp.select(*(exp.column(c, quoted=True) for c in returning))
        .from_(data.copy())
        .where(exp.column("_row_id").eq(param("row_id")))
        .subquery(exp.to_identifier(before, quoted=True))
    )
    conditions: list[exp.Expr] = [
        at("_row_id", target).eq(at("_row_id", before)),
        at("_version", target).eq(param("version")),
        at("_version", before).eq(at("_version", target)),
    ]
    if checked:
        conditions.append(_definition_unchanged(schema))
    aliased = data.copy()
    aliased.set("alias", exp.TableAlias(this=exp.to_identifier(target, quoted=True)))
    update = exp.update(aliased, assignments, where=exp.and_(*conditions))
    update.set("from_", exp.From(this=previous))
    columns = [at(c, before) for c in returning] + [at(c, target) for c in returning]
    update.set("returning", exp.Returning(expressions=columns))
    return update


@cached
def delete_row(schema: str, table_id: str, checked: bool = False) -> exp.Delete:
    where: exp.Expr = exp.column("_row_id").eq(param("row_id"))
    if checked:
        where = exp.and_(where, _definition_unchanged(schema))
    return exp.delete(_data(schema, table_id), where=where)


@cached
def reserve_from_sequence(engine_type: type[Engine], schema: str) -> exp.Select:
    """`n` numbers from the edit-log sequence in one query."""
    next_value = engine_type.next_value(engine_type, schema, EDIT_SEQUENCE)  # type: ignore[arg-type]
    return exp.select(next_value).from_(
        exp.func("generate_series", exp.Literal.number(1), param("n"))
    )


@cached
def wal_insert(schema: str, count: int) -> exp.Insert:
    """`count` edit-log rows; row i's column c is bound to `{c}_{i}`."""
    tuples = [exp.tuple_(*(param(f"{c}_{i}") for c in WAL_COLUMNS)) for i in range(count)]
    return exp.insert(exp.values(tuples), table(schema, "sigds_wal"), columns=list(WAL_COLUMNS))


@cached
def wal_insert_numbered(engine_type: type[Engine], schema: str, count: int) -> exp.Insert:
    """`count` edit-log rows numbered by the sequence in the same statement, returning
    their numbers; row i's column c (all but `edit_no`) is bound to `{c}_{i}`."""
    next_value = engine_type.next_value(engine_type, schema, EDIT_SEQUENCE)  # type: ignore[arg-type]
    tuples = [
        exp.tuple_(next_value, *(param(f"{c}_{i}") for c in WAL_COLUMNS[1:])) for i in range(count)
    ]
    insert = exp.insert(exp.values(tuples), table(schema, "sigds_wal"), columns=list(WAL_COLUMNS))
    insert.set("returning", exp.Returning(expressions=[exp.column("edit_no")]))
    return insert
