"""Warehouse: stored procedures and functions, and admin-declared SQL statements.

`call_stored_procedure` calls a PostgreSQL procedure (`CALL`) or function (`SELECT`), or a
DuckDB macro; its scalar output becomes a variable named after the procedure (or the
action's `output_variable`). A failure stops the sequence whatever `stop_on_error` says.
`run_sql` runs a statement an admin declared in the spec, with its named parameters bound
from value sources; users never send SQL.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field, field_validator
from sqlglot import exp

from trilith.actions.context import RunContext
from trilith.actions.registry import Parameters, handler
from trilith.errors import ValidationFailed
from trilith.sql.render import RenderedSQL, param

_ROUTINE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*){0,2}$")


class StoredProcedureFailed(ValidationFailed):
    """A procedure failed: the sequence stops (seed 004 §4.1)."""

    status_code = 500
    error_type = "stored_procedure_failed"
    stops_sequence = True


class CallStoredProcedure(Parameters):
    procedure: str
    arguments: list[Any] = []
    kind: Literal["function", "procedure"] = "function"

    @field_validator("procedure")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _ROUTINE.match(value):
            raise ValueError(f"{value!r} is not a routine name; write name or schema.name")
        return value


@handler(
    "call_stored_procedure",
    "warehouse",
    CallStoredProcedure,
    aliases=("stored_procedure",),
    writes=True,
)
def call_stored_procedure(params: CallStoredProcedure, ctx: RunContext) -> Any:
    values = {f"a{i}": ctx.resolve(arg) for i, arg in enumerate(params.arguments)}
    call = exp.Anonymous(this=params.procedure, expressions=[param(n) for n in values])
    rendered = ctx.engine.render(exp.select(call), values)
    if params.kind == "procedure":
        rendered = RenderedSQL("CALL " + rendered.sql.removeprefix("SELECT "), rendered.params)
    try:
        with ctx.table_session(f"procedure:{params.procedure}") as session:
            cursor = session.execute_rendered(rendered)
            rows = cursor.fetchall() if getattr(cursor, "description", None) else []
    except Exception as exc:
        message = getattr(exc, "message", str(exc))
        raise StoredProcedureFailed(f"{params.procedure} failed: {message}") from exc
    result = rows[0][0] if rows and rows[0] else None
    ctx.variables[params.procedure.rsplit(".", 1)[-1]] = result
    return result


class RunSql(Parameters):
    statement: str = Field(description="id of a statement declared by an admin in the app spec")
    # The statement's :named parameters → value sources (`values`, as an action's own
    # `parameters` holds this very model).
    values: dict[str, Any] = {}


@handler("run_sql", "warehouse", RunSql, writes=True)
def run_sql(params: RunSql, ctx: RunContext) -> Any:
    statement = ctx.statements.get(params.statement)
    if statement is None:
        known = ", ".join(sorted(ctx.statements)) or "none"
        raise ValidationFailed(
            f"no SQL statement '{params.statement}' is declared; declared: {known}"
        )
    values = {name: ctx.resolve(source) for name, source in params.values.items()}
    with ctx.table_session(f"statement:{params.statement}") as session:
        rows = session.fetch_dicts(statement, values) if _returns_rows(statement) else None
        if rows is None:
            return session.execute(statement, values)
    return rows


def _returns_rows(statement: str) -> bool:
    return statement.lstrip().split(None, 1)[0].upper() in ("SELECT", "WITH", "VALUES")
