"""`POST /api/apps/{app_id}/elements/{element_id}/query`: an element's data, computed in
the warehouse, as JSON or (with `Accept: application/vnd.apache.arrow.stream`) Arrow;
`GET …/export`: all of it as a file."""

from __future__ import annotations

import datetime as dt
import decimal
import json
from typing import Annotated, Any, Literal

import pyarrow as pa
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from trilith.api.deps import CurrentActor, InputTablesDep
from trilith.api.downloads import file_response
from trilith.auth.permissions import require
from trilith.elements.export import ElementExport
from trilith.elements.query import QueryRequest
from trilith.elements.service import ElementQueries, rows_of
from trilith.errors import BadRequest
from trilith.input_tables.query import parse_sort

router = APIRouter(tags=["elements"])

ARROW = "application/vnd.apache.arrow.stream"


class SortKey(BaseModel):
    model_config = ConfigDict(extra="forbid")

    column: str = Field(min_length=1, max_length=200)
    descending: bool = False


class QueryBody(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    controls: dict[str, Any] = {}
    sort: str | list[SortKey] | None = None  # "a,-b" or [{"column", "descending"}]
    limit: int = Field(1000, ge=1, le=100_000)
    offset: int = Field(0, ge=0)


def _sort(value: str | list[SortKey] | None) -> list[tuple[str, bool]]:
    if value is None or isinstance(value, str):
        return parse_sort(value)
    return [(key.column, key.descending) for key in value]


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


@router.post("/api/apps/{app_id}/elements/{element_id}/query")
async def query_element(
    app_id: str,
    element_id: str,
    request: Request,
    tables: InputTablesDep,
    actor: CurrentActor,
    body: QueryBody | None = None,
) -> Response:
    require(actor, "view-app")
    body = body or QueryBody()
    wanted = QueryRequest(body.controls, _sort(body.sort), body.limit, body.offset)
    data = await run_in_threadpool(ElementQueries(tables).query, app_id, element_id, wanted, actor)
    headers = {"X-Total-Count": str(data.total)}
    if ARROW in request.headers.get("accept", ""):
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, data.table.schema) as writer:
            writer.write_table(data.table)
        return Response(sink.getvalue().to_pybytes(), media_type=ARROW, headers=headers)
    payload = {
        "columns": [{"name": name, "type": kind} for name, kind in data.columns],
        "rows": rows_of(data),
        "total": data.total,
        "limit": body.limit,
        "offset": body.offset,
    }
    return Response(
        json.dumps(payload, default=_json_default), media_type="application/json", headers=headers
    )


def _controls(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadRequest(f"controls must be a JSON object of control values: {exc.msg}") from None
    if not isinstance(value, dict):
        raise BadRequest("controls must be a JSON object of control values")
    return value


@router.get("/api/apps/{app_id}/elements/{element_id}/export")
async def export_element(
    app_id: str,
    element_id: str,
    tables: InputTablesDep,
    actor: CurrentActor,
    format: Literal["csv", "xlsx", "parquet", "json"] = "csv",
    filename: Annotated[str | None, Query(max_length=255)] = None,
    sort: str | None = None,
    controls: Annotated[str | None, Query(max_length=100_000)] = None,
) -> StreamingResponse:
    """`controls` is a JSON object of control values, as the query route takes them."""
    require(actor, "view-app")
    values, keys = _controls(controls), parse_sort(sort)
    return await file_response(
        lambda: ElementExport.parse(
            ElementQueries(tables),
            app_id,
            element_id,
            format,
            actor=actor,
            controls=values,
            sort=keys,
        ),
        filename,
    )
