"""Input tables: definitions, rows, history, drafts (`/api/sigma/input-tables`).

Viewers read, editors write rows, admins change definitions; a draft table answers row
writes with 202 and the staged edits, which go live on `POST …/publish`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from trilith.api.deps import CurrentActor, InputTablesDep
from trilith.auth import Actor
from trilith.auth.permissions import require, visible_tables
from trilith.input_tables.definition import InputTableDefinition, InputTableUpdate
from trilith.input_tables.edit_log import HistoryQuery
from trilith.input_tables.query import MAX_LIMIT, RowQuery, parse_filter, parse_sort
from trilith.input_tables.rows import WriteContext

router = APIRouter(prefix="/api/sigma/input-tables", tags=["input tables"])


class _Body(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid")


class RowsBody(_Body):
    rows: list[dict[str, Any]]


class UpdateBody(_Body):
    values: dict[str, Any]
    expected_version: int = Field(alias="expectedVersion")


class RevertBody(_Body):
    edit_num: int = Field(alias="editNum")
    expected_version: int | None = Field(None, alias="expectedVersion")


def _context(request: Request, actor: Actor) -> WriteContext:
    return WriteContext(actor.id, getattr(request.state, "request_id", None), "api")


def _written(outcome: tuple[str, list[dict[str, Any]]], live_status: int) -> JSONResponse:
    kind, rows = outcome
    if kind == "staged":
        return JSONResponse({"pending": rows, "staged": True}, status_code=202)
    return JSONResponse({"rows": rows}, status_code=live_status)


@router.get("")
async def list_tables(tables: InputTablesDep, actor: CurrentActor) -> dict[str, Any]:
    require(actor, "view-input-table")

    def visible() -> list[dict[str, Any]]:
        return visible_tables(actor, tables.catalog.summaries())

    found = await run_in_threadpool(visible)
    return {"input_tables": found, "total": len(found)}


@router.post("", status_code=201)
async def create_table(
    definition: InputTableDefinition, request: Request, tables: InputTablesDep, actor: CurrentActor
) -> dict[str, Any]:
    require(actor, "manage-input-table")
    return await run_in_threadpool(tables.create, definition, _context(request, actor))


@router.get("/{table_id}")
async def get_table(table_id: str, tables: InputTablesDep, actor: CurrentActor) -> dict[str, Any]:
    require(actor, "view-input-table")
    return await run_in_threadpool(tables.catalog.describe, table_id)


@router.patch("/{table_id}")
async def update_table(
    table_id: str,
    change: InputTableUpdate,
    request: Request,
    tables: InputTablesDep,
    actor: CurrentActor,
    confirm_drop: Annotated[str, Query(description="comma-separated columns to drop")] = "",
) -> dict[str, Any]:
    require(actor, "manage-input-table")
    confirmed = frozenset(c.strip() for c in confirm_drop.split(",") if c.strip())

    def update() -> dict[str, Any]:
        tables.catalog.update(
            table_id, change, actor.id, _context(request, actor).request_id, confirmed
        )
        tables.events.publish("input_table.changed", {"table_id": table_id})
        return tables.catalog.describe(table_id)

    return await run_in_threadpool(update)


@router.delete("/{table_id}", status_code=204)
async def delete_table(
    table_id: str, request: Request, tables: InputTablesDep, actor: CurrentActor
) -> Response:
    require(actor, "manage-input-table")
    await run_in_threadpool(
        tables.catalog.delete, table_id, actor.id, _context(request, actor).request_id
    )
    tables.events.publish("input_table.deleted", {"table_id": table_id})
    return Response(status_code=204)


@router.get("/{table_id}/rows")
async def list_rows(
    table_id: str,
    tables: InputTablesDep,
    actor: CurrentActor,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
    sort: str | None = None,
    filter: Annotated[list[str] | None, Query()] = None,
) -> dict[str, Any]:
    require(actor, "view-input-table")
    query = RowQuery(limit, offset, parse_sort(sort), [parse_filter(f) for f in filter or []])

    def page() -> tuple[list[dict[str, Any]], int]:
        return tables.rows(table_id).page(query)

    rows, total = await run_in_threadpool(page)
    return {"rows": rows, "total": total, "limit": limit, "offset": offset}


@router.post("/{table_id}/rows")
async def insert_rows(
    table_id: str, body: RowsBody, request: Request, tables: InputTablesDep, actor: CurrentActor
) -> JSONResponse:
    require(actor, "edit-input-table")
    outcome = await run_in_threadpool(tables.insert, table_id, body.rows, _context(request, actor))
    return _written(outcome, 201)


@router.patch("/{table_id}/rows/{row_id}")
async def update_row(
    table_id: str,
    row_id: str,
    body: UpdateBody,
    request: Request,
    tables: InputTablesDep,
    actor: CurrentActor,
) -> JSONResponse:
    require(actor, "edit-input-table")
    outcome = await run_in_threadpool(
        tables.update,
        table_id,
        row_id,
        body.values,
        body.expected_version,
        _context(request, actor),
    )
    kind, rows = outcome
    if kind == "staged":
        return _written(outcome, 200)
    return JSONResponse(rows[0])


@router.delete("/{table_id}/rows/{row_id}")
async def delete_row(
    table_id: str,
    row_id: str,
    request: Request,
    tables: InputTablesDep,
    actor: CurrentActor,
    expected_version: Annotated[int, Query(alias="expected_version")],
) -> Response:
    require(actor, "edit-input-table")
    outcome = await run_in_threadpool(
        tables.delete, table_id, row_id, expected_version, _context(request, actor)
    )
    if outcome[0] == "staged":
        return _written(outcome, 204)
    return Response(status_code=204)


@router.post("/{table_id}/rows/{row_id}/revert")
async def revert_row(
    table_id: str,
    row_id: str,
    body: RevertBody,
    request: Request,
    tables: InputTablesDep,
    actor: CurrentActor,
) -> dict[str, Any]:
    require(actor, "edit-input-table")
    rows = await run_in_threadpool(
        tables.revert,
        table_id,
        row_id,
        body.edit_num,
        body.expected_version,
        _context(request, actor),
    )
    return {"rows": rows}


@router.get("/{table_id}/history")
async def history(
    table_id: str,
    tables: InputTablesDep,
    actor: CurrentActor,
    row_id: str | None = None,
    by: Annotated[str | None, Query(alias="actor")] = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    require(actor, "view-input-table")

    def read() -> tuple[list[dict[str, Any]], int]:
        tables.catalog.get(table_id)
        query = HistoryQuery(row_id, by, _utc(since), _utc(until), limit, offset)
        return tables.rows(table_id).log.history(table_id, query)

    entries, total = await run_in_threadpool(read)
    return {"entries": entries, "total": total}


@router.get("/{table_id}/pending")
async def pending(table_id: str, tables: InputTablesDep, actor: CurrentActor) -> dict[str, Any]:
    require(actor, "view-input-table")
    from trilith.input_tables.drafts import DraftStore

    def read() -> list[dict[str, Any]]:
        store = tables.rows(table_id)
        drafts = DraftStore(store)
        return drafts.pending(drafts.own_only(actor.id))

    staged = await run_in_threadpool(read)
    return {"pending": staged, "total": len(staged)}


@router.delete("/{table_id}/pending/{pending_id}", status_code=204)
async def discard_pending(
    table_id: str, pending_id: str, tables: InputTablesDep, actor: CurrentActor
) -> Response:
    require(actor, "edit-input-table")
    from trilith.input_tables.drafts import DraftStore

    def discard() -> None:
        store = tables.rows(table_id)
        drafts = DraftStore(store)
        drafts.discard(pending_id, drafts.own_only(actor.id))

    await run_in_threadpool(discard)
    tables.events.publish("input_table.staged", {"table_id": table_id, "discarded": pending_id})
    return Response(status_code=204)


@router.post("/{table_id}/publish")
async def publish(
    table_id: str, request: Request, tables: InputTablesDep, actor: CurrentActor
) -> dict[str, Any]:
    require(actor, "edit-input-table")
    changes = await run_in_threadpool(tables.publish, table_id, _context(request, actor))
    return {
        "published": len(changes),
        "edits": [
            {"op": c.operation, "rows": c.rows, "edit_nums": c.edit_numbers} for c in changes
        ],
    }


def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(dt.UTC).replace(tzinfo=None)
