"""`GET /api/sigma/input-tables/{table_id}/export`: the table as a file.

`?format=csv|xlsx|parquet|json&filename=` with the rows route's `sort=` and `filter=`
(streaming and spooling: `trilith.api.downloads`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from trilith.api.deps import CurrentActor, InputTablesDep
from trilith.api.downloads import file_response
from trilith.auth.permissions import require
from trilith.input_tables.export import TableExport
from trilith.input_tables.query import parse_filter, parse_sort

router = APIRouter(prefix="/api/sigma/input-tables", tags=["input tables"])


@router.get("/{table_id}/export")
async def export_table(
    table_id: str,
    tables: InputTablesDep,
    actor: CurrentActor,
    format: Literal["csv", "xlsx", "parquet", "json"] = "csv",
    filename: Annotated[str | None, Query(max_length=255)] = None,
    sort: str | None = None,
    filter: Annotated[list[str] | None, Query()] = None,
) -> StreamingResponse:
    require(actor, "view-input-table")
    keys, filters = parse_sort(sort), [parse_filter(f) for f in filter or []]
    return await file_response(
        lambda: TableExport.parse(tables.rows(table_id), format, keys, filters), filename
    )
