"""An element's data as a file: the element query with the current control values and
the actor's row security, unpaged, streamed from the warehouse in batches into CSV,
XLSX, Parquet or JSON (the writers of input-table exports)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import IO, Any

import pyarrow as pa

from trilith.auth import Actor
from trilith.elements.query import QueryRequest
from trilith.elements.service import ElementQueries
from trilith.errors import BadRequest
from trilith.input_tables.export import (
    ARROW_TYPES,
    FORMATS,
    ExportFormat,
    export_filename,
    file_chunks,
    read_batches,
    typed_batch,
    write_file,
)

__all__ = ["ElementExport"]

# Formula type of an element column → the export column type that writes it.
_EXPORT_TYPES = {
    "number": "number",
    "integer": "integer",
    "text": "text",
    "logical": "checkbox",
    "date": "date",
    "datetime": "datetime",
}


class ElementExport:
    """One export of one element; the query is compiled (and checked) when it is made."""

    def __init__(
        self,
        queries: ElementQueries,
        app_id: str,
        element_id: str,
        export_format: ExportFormat,
        *,
        actor: Actor,
        controls: dict[str, Any] | None = None,
        sort: Sequence[tuple[str, bool]] = (),
    ) -> None:
        self.engine = queries.engine
        self.element_id = element_id
        self.format = export_format
        app = queries.apps.get(app_id).app
        request = QueryRequest(controls=dict(controls or {}), sort=sort, limit=None)
        shaped = queries.compile(app, element_id, request, actor)
        select, params = shaped.page(request)
        self.rendered = self.engine.render(select, params)
        self.types = [_EXPORT_TYPES.get(kind, "variant") for _, kind in shaped.columns]
        self.schema = pa.schema(
            [
                (name, ARROW_TYPES[kind][0])
                for (name, _), kind in zip(shaped.columns, self.types, strict=True)
            ]
        )
        self.rows = 0

    @classmethod
    def parse(
        cls, queries: ElementQueries, app_id: str, element_id: str, format_name: str, **kwargs: Any
    ) -> ElementExport:
        export_format = FORMATS.get(format_name)
        if export_format is None:
            raise BadRequest(f"unknown export format {format_name!r}; use {', '.join(FORMATS)}")
        return cls(queries, app_id, element_id, export_format, **kwargs)

    def filename(self, requested: str | None = None) -> str:
        return export_filename(requested, self.element_id, self.format)

    def batches(self) -> Iterator[pa.RecordBatch]:
        for raw in read_batches(self.engine, self.rendered):
            if isinstance(raw, pa.RecordBatch) and raw.num_rows == 0:
                continue
            batch = typed_batch(raw, self.schema, self.types)
            self.rows += batch.num_rows
            yield batch

    def chunks(self) -> Iterator[bytes]:
        return file_chunks(self.format, self.schema, self.element_id, self.batches())

    def write_to(self, target: IO[bytes]) -> int:
        return write_file(self.chunks(), target)
