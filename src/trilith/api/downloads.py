"""Answering with a file export (an input table's or an element's data).

The file streams as the warehouse query is read; the first batch is read before the
response starts, so a bad filter or an unreachable warehouse is an ordinary error
response. XLSX is built whole first (a zip is written when it closes), in a temporary
file that spills to disk.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Callable, Iterator
from typing import IO, Protocol
from urllib.parse import quote

from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from trilith.input_tables.export import SPOOL_IN_MEMORY_BYTES, ExportFormat

__all__ = ["FileExport", "file_response"]

READ_CHUNK_BYTES = 1024 * 1024


class FileExport(Protocol):
    format: ExportFormat

    def filename(self, requested: str | None = None) -> str: ...

    def chunks(self) -> Iterator[bytes]: ...

    def write_to(self, target: IO[bytes]) -> int: ...


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


def _prepared(export: FileExport) -> Iterator[bytes]:
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


async def file_response(make: Callable[[], FileExport], filename: str | None) -> StreamingResponse:
    """Builds the export (in a worker thread) and streams it as an attachment."""

    def prepare() -> tuple[FileExport, Iterator[bytes]]:
        export = make()
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
