"""Input-table writes from actions: insert, update, delete and upsert rows.

Rows to change are chosen by a row identifier (a `_row_id`, or the value of a `key_column`
— when it matches more than one row nothing changes), by a filter formula over the
table's columns, or by column criteria. Every write goes through the same validation,
versions and edit log as the API (source `action`), in the run's transaction when the
sequence is `atomic`.
"""

from __future__ import annotations

from typing import Any

from pydantic import AliasChoices, Field, model_validator
from sqlglot import exp

from trilith.actions.context import RunContext
from trilith.actions.registry import Parameters, Reference, handler
from trilith.auth.grants import GrantStore
from trilith.auth.permissions import Resource, current
from trilith.errors import Conflict, ValidationFailed
from trilith.formula import Scope, compile_formula
from trilith.input_tables.rows import RowStore
from trilith.input_tables.types import formula_type
from trilith.spec.actions import param_spellings
from trilith.sql.render import param


class RowTarget(Parameters):
    target_table: str = Field(
        validation_alias=AliasChoices(*param_spellings("input_table", first="target_table"))
    )
    row_identifier: Any = Field(None, alias="rowIdentifier")
    key_column: str = Field("_row_id", alias="keyColumn")
    formula: str | None = None
    where: dict[str, Any] = {}

    @model_validator(mode="after")
    def _one_way_to_choose(self) -> RowTarget:
        ways = sum(
            1 for chosen in (self.row_identifier is not None, self.formula, self.where) if chosen
        )
        if ways != 1:
            raise ValueError("choose the rows with exactly one of row_identifier, formula or where")
        return self

    def references(self) -> list[Reference]:
        return [Reference("input_table", self.target_table, "target_table")]


class UpdateRows(RowTarget):
    column_values: dict[str, Any] = Field(
        validation_alias=AliasChoices("column_values", "columnValues", "values")
    )


class DeleteRows(RowTarget):
    pass


class InsertRows(Parameters):
    target_table: str = Field(
        validation_alias=AliasChoices(*param_spellings("input_table", first="target_table"))
    )
    column_values: dict[str, Any] | None = Field(
        None, validation_alias=AliasChoices("column_values", "columnValues", "values")
    )
    rows: list[dict[str, Any]] | None = None

    @model_validator(mode="after")
    def _rows(self) -> InsertRows:
        if (self.column_values is None) == (self.rows is None):
            raise ValueError("give column_values (one row) or rows (several)")
        return self

    def references(self) -> list[Reference]:
        return [Reference("input_table", self.target_table, "target_table")]


class UpsertRows(Parameters):
    target_table: str = Field(
        validation_alias=AliasChoices(*param_spellings("input_table", first="target_table"))
    )
    key_columns: list[str] = Field(alias="keyColumns", min_length=1)
    column_values: dict[str, Any] = Field(
        validation_alias=AliasChoices("column_values", "columnValues", "values")
    )

    def references(self) -> list[Reference]:
        return [Reference("input_table", self.target_table, "target_table")]


def _store(ctx: RunContext, table_id: str) -> RowStore:
    """The table's rows, for an actor allowed to write them: an action cannot write where
    its caller may not (role, grants on the table, and its row-level security)."""
    grants = GrantStore(ctx.tables.engine, ctx.tables.schema)
    current(ctx.actor, grants).require("edit-input-table", Resource("input_table", table_id))
    return ctx.tables.rows(table_id, actor=ctx.actor)


def _values(ctx: RunContext, sources: dict[str, Any]) -> dict[str, Any]:
    return {column: ctx.resolve(source) for column, source in sources.items()}


@handler("insert_rows", "input_tables", InsertRows, aliases=("insert_row",), writes=True)
def insert_rows(params: InsertRows, ctx: RunContext) -> Any:
    store = _store(ctx, params.target_table)
    rows = [params.column_values] if params.column_values is not None else params.rows or []
    clean = store.validate_insert([_values(ctx, row) for row in rows])
    with ctx.table_session(store.lock_key) as session:
        change = store.insert_in(session, clean, ctx.write_context())
    ctx.announce(change)
    ids = [row["_row_id"] for row in change.rows]
    return ids[0] if len(ids) == 1 else ids


def _matching(ctx: RunContext, store: RowStore, target: RowTarget, session: Any) -> list[str]:
    """Row ids the target chooses (of the rows the caller may see), read inside the
    write's transaction."""
    query = exp.select(exp.column("_row_id", quoted=True)).from_(store.relation())
    params: dict[str, Any] = {}
    if target.row_identifier is not None:
        wanted = ctx.resolve(target.row_identifier)
        values = wanted if isinstance(wanted, list) else [wanted]
        if target.key_column != "_row_id" and target.key_column not in store.columns:
            raise ValidationFailed(f"{store.table_id} has no column '{target.key_column}'")
        names = [f"k{i}" for i in range(len(values))]
        query = query.where(
            exp.column(target.key_column, quoted=True).isin(*(param(n) for n in names))
        )
        params = dict(zip(names, values, strict=True))
        found = [row[0] for row in session.fetch_rows(query, params | store.relation_params)]
        if len(found) > len(values):
            raise Conflict(
                f"{target.key_column} = {wanted!r} matches {len(found)} rows of {store.table_id}; "
                "a row identifier must name one row, so nothing was changed"
            )
        return found
    if target.formula:
        scope = Scope(
            columns={c: formula_type(store.types[c]) for c in store.columns},
            controls=ctx.scope().controls,
            variables=dict(ctx.variables),
            selections=ctx.scope().selections,
        )
        compiled = compile_formula(target.formula.removeprefix("="), scope, ctx.engine.dialect)
        query = query.where(compiled.expression)
        params = dict(compiled.params)
    else:
        conditions = []
        for i, (column, source) in enumerate(target.where.items()):
            if column not in store.columns:
                raise ValidationFailed(f"{store.table_id} has no column '{column}'")
            conditions.append(exp.column(column, quoted=True).eq(param(f"w{i}")))
            params[f"w{i}"] = ctx.resolve(source)
        query = query.where(exp.and_(*conditions))
    return [row[0] for row in session.fetch_rows(query, params | store.relation_params)]


@handler("update_rows", "input_tables", UpdateRows, aliases=("update_row",), writes=True)
def update_rows(params: UpdateRows, ctx: RunContext) -> int:
    store = _store(ctx, params.target_table)
    clean = store.validate_update(_values(ctx, params.column_values))
    with ctx.table_session(store.lock_key) as session:
        changes = [
            store.update_in(session, row_id, clean, None, ctx.write_context())
            for row_id in _matching(ctx, store, params, session)
        ]
    for change in changes:
        ctx.announce(change)
    return len(changes)


@handler("delete_rows", "input_tables", DeleteRows, aliases=("delete_row",), writes=True)
def delete_rows(params: DeleteRows, ctx: RunContext) -> int:
    store = _store(ctx, params.target_table)
    with ctx.table_session(store.lock_key) as session:
        changes = [
            store.delete_in(session, row_id, None, ctx.write_context())
            for row_id in _matching(ctx, store, params, session)
        ]
    for change in changes:
        ctx.announce(change)
    return len(changes)


@handler("upsert_rows", "input_tables", UpsertRows, aliases=("upsert_row",), writes=True)
def upsert_rows(params: UpsertRows, ctx: RunContext) -> str:
    """Update the one row whose key columns match, or insert one; several matches: 409."""
    store = _store(ctx, params.target_table)
    values = _values(ctx, params.column_values)
    missing = [k for k in params.key_columns if k not in values]
    if missing:
        raise ValidationFailed(
            f"upsert_rows needs values for its key columns: {', '.join(missing)}"
        )
    with ctx.table_session(store.lock_key) as session:
        conditions = [
            exp.column(k, quoted=True).eq(param(f"k{i}")) for i, k in enumerate(params.key_columns)
        ]
        query = (
            exp.select(exp.column("_row_id", quoted=True))
            .from_(store.relation())
            .where(exp.and_(*conditions))
        )
        keys = {
            f"k{i}": store.validator.update({k: values[k]})[k]
            for i, k in enumerate(params.key_columns)
        }
        found = [row[0] for row in session.fetch_rows(query, keys | store.relation_params)]
        if len(found) > 1:
            raise Conflict(
                f"the key matches {len(found)} rows of {store.table_id}; nothing was changed"
            )
        if found:
            change = store.update_in(
                session, found[0], store.validate_update(values), None, ctx.write_context()
            )
        else:
            change = store.insert_in(session, store.validate_insert([values]), ctx.write_context())
    ctx.announce(change)
    return str(change.rows[0]["_row_id"])
