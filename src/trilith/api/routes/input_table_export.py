"""`GET /api/sigma/input-tables/{table_id}/export`: the table as a file.

`?format=csv|xlsx|parquet|json&filename=` with the rows route's `sort=` and `filter=`.
The file streams as the warehouse query is read; the first batch is read before the
response starts, so a bad filter or an unreachable warehouse is an ordinary error
response. XLSX is built whole first (a zip is written when it closes), in a temporary
file that spills to disk.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Iterator
from typing import IO, Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from trilith.api.deps import CurrentActor, InputTablesDep
from trilith.auth.permissions import require
from trilith.input_tables.export import TableExport
from trilith.input_tables.query import parse_filter, parse_sort

router = APIRouter(prefix="/api/sigma/input-tables", tags=["input tables"])

SPOOL_IN_MEMORY_BYTES = 8 * 1024 * 1024
READ_CHUNK_BYTES = 1024 * 1024


def _disposition(filename: str) -> str:
    # `filename` is already plain ASCII (export_filename); `filename*` for RFC 6266 readers.
    return f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quote(filename)}"


def _file_chunks(file: IO[bytes]) -> Iterator[bytes]:
    try:
        file.seek(0)
        while data := file.read(READ_CHUNK_BYTES):
            yield data
    finally:
        file.close()


def _prepared(export: TableExport) -> Iterator[bytes]:
    """The export's chunks, the first one already read (errors surface before the response)."""
    if export.format.whole_file:
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY_BYTES)  # noqa: SIM115
        try:
            export.write_to(spool)
        except BaseException:
            spool.close()
            raise
        return _file_chunks(spool)
    chunks = export.chunks()
    first = next(chunks, b"")
    return itertools.chain([first], chunks)


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

    def prepare() -> tuple[TableExport, Iterator[bytes]]:
        export = TableExport.parse(tables.rows(table_id), format, keys, filters)
        return export, _prepared(export)

    export, body = await run_in_threadpool(prepare)
    return StreamingResponse(
        body,
        media_type=export.format.media_type,
        headers={
            "Content-Disposition": _disposition(export.filename(filename)),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )
