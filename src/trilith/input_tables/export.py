"""An input table as a file: CSV, XLSX, Parquet or JSON, system columns included.

The rows come from one warehouse query (the rows route's filters and sort, no paging)
read in batches, so a large table never sits in memory whole: DuckDB hands over Arrow
record batches, PostgreSQL reads through a server-side cursor, other engines through
`fetchmany`. Each batch becomes an Arrow batch of the table's typed schema and goes to
the format's writer, whose output is handed on after every batch (`chunks()`), so a
download starts before the query ends. XLSX is a zip written when the workbook closes;
Excel's row limit applies to it.

Multi-select values are lists in Parquet and JSON, and JSON text in CSV and XLSX (as the
CSV import reads them back). Text that looks like a spreadsheet formula stays text in
XLSX.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any, Protocol, TypeAlias

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from trilith.engines.base import Engine
from trilith.errors import BadRequest, PayloadTooLarge
from trilith.input_tables.definition import SYSTEM_COLUMNS
from trilith.input_tables.linked import LinkedRowStore
from trilith.input_tables.query import SYSTEM_TYPES, Filter, RowQuery, page_query
from trilith.input_tables.rows import RowStore
from trilith.sql.render import RenderedSQL

__all__ = [
    "ARROW_TYPES",
    "FORMATS",
    "SPOOL_IN_MEMORY_BYTES",
    "ExportFormat",
    "TableExport",
    "export_filename",
    "file_chunks",
    "read_batches",
    "typed_batch",
    "write_file",
]

BATCH_ROWS = 10_000
# A file being built is kept in memory up to this size, then spilled to disk.
SPOOL_IN_MEMORY_BYTES = 8 * 1024 * 1024
XLSX_MAX_ROWS = 1_048_575  # Excel's 1,048,576 rows, less the header
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._ -]+")


# --- typed columns -----------------------------------------------------------------------


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _datetime(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        moment = value
    else:
        moment = dt.datetime.fromisoformat(str(value).replace(" ", "T").replace("Z", "+00:00"))
    return moment.astimezone(dt.UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _json_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str)


def _options(value: Any) -> list[str]:
    items = json.loads(value) if isinstance(value, str) else value
    return [str(item) for item in items]


# Column type -> (Arrow type, stored value -> Python value of that type).
ARROW_TYPES: dict[str, tuple[pa.DataType, Callable[[Any], Any]]] = {
    "text": (pa.string(), str),
    "single_select": (pa.string(), str),
    "number": (pa.float64(), float),
    "integer": (pa.int64(), int),
    "date": (pa.date32(), _date),
    "datetime": (pa.timestamp("us"), _datetime),
    "checkbox": (pa.bool_(), bool),
    "multi_select": (pa.list_(pa.string()), _options),
    # Element columns of no fixed type (arrays, objects): JSON text.
    "variant": (pa.string(), _json_text),
}


def _python_column(values: Sequence[Any], type_name: str) -> pa.Array:
    arrow_type, convert = ARROW_TYPES[type_name]
    return pa.array([None if v is None else convert(v) for v in values], type=arrow_type)


def _arrow_column(column: pa.Array, type_name: str) -> pa.Array:
    arrow_type = ARROW_TYPES[type_name][0]
    if column.type == arrow_type:
        return column
    if type_name != "multi_select":
        try:
            return column.cast(arrow_type)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
    return _python_column(column.to_pylist(), type_name)


def _flat(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Lists as JSON text, for formats of flat cells (CSV, XLSX)."""
    columns = [
        pa.array([None if v is None else json.dumps(v) for v in col.to_pylist()], pa.string())
        if pa.types.is_list(col.type)
        else col
        for col in batch.columns
    ]
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names)


def _flat_schema(schema: pa.Schema) -> pa.Schema:
    return pa.schema(
        [pa.field(f.name, pa.string()) if pa.types.is_list(f.type) else f for f in schema]
    )


# --- writers -----------------------------------------------------------------------------


class _Chunks(io.RawIOBase):
    """Where a writer writes: keeps the bytes until `take()`, and tells its position
    (Parquet footers and zip directories record offsets)."""

    def __init__(self) -> None:
        super().__init__()
        self._parts: list[bytes] = []
        self._size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._parts.append(chunk)
        self._size += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self._size

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


class BatchWriter(Protocol):
    def write(self, batch: pa.RecordBatch) -> None: ...

    def close(self) -> None: ...


class _CsvWriter:
    def __init__(self, sink: _Chunks, schema: pa.Schema, title: str) -> None:
        self._writer = pa_csv.CSVWriter(pa.PythonFile(sink, mode="w"), _flat_schema(schema))

    def write(self, batch: pa.RecordBatch) -> None:
        self._writer.write_batch(_flat(batch))

    def close(self) -> None:
        self._writer.close()


class _ParquetWriter:
    def __init__(self, sink: _Chunks, schema: pa.Schema, title: str) -> None:
        self._writer = pq.ParquetWriter(pa.PythonFile(sink, mode="w"), schema)

    def write(self, batch: pa.RecordBatch) -> None:
        self._writer.write_batch(batch)

    def close(self) -> None:
        self._writer.close()


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


class _JsonWriter:
    """A JSON array of row objects, written row by row."""

    def __init__(self, sink: _Chunks, schema: pa.Schema, title: str) -> None:
        self._sink = sink
        self._separator = b"[\n"

    def write(self, batch: pa.RecordBatch) -> None:
        for row in batch.to_pylist():
            self._sink.write(self._separator + json.dumps(row, default=_json_value).encode())
            self._separator = b",\n"

    def close(self) -> None:
        self._sink.write(b"[]\n" if self._separator == b"[\n" else b"\n]\n")


class _XlsxWriter:
    def __init__(self, sink: _Chunks, schema: pa.Schema, title: str) -> None:
        self._sink = sink
        self._book = Workbook(write_only=True)
        self._sheet = self._book.create_sheet(_sheet_title(title))
        self._sheet.freeze_panes = "A2"
        self._dates = {i for i, f in enumerate(schema) if pa.types.is_date(f.type)}
        self._rows = 0
        self._sheet.append(schema.names)

    def write(self, batch: pa.RecordBatch) -> None:
        self._rows += batch.num_rows
        if self._rows > XLSX_MAX_ROWS:
            raise PayloadTooLarge(
                f"the table has more than {XLSX_MAX_ROWS:,} rows, Excel's limit; "
                "export it as csv or parquet"
            )
        columns = [col.to_pylist() for col in _flat(batch).columns]
        for row in zip(*columns, strict=True):
            self._sheet.append([self._cell(i, v) for i, v in enumerate(row)])

    def _cell(self, index: int, value: Any) -> Any:
        if isinstance(value, str):
            cell = WriteOnlyCell(self._sheet, ILLEGAL_CHARACTERS_RE.sub("", value))
            cell.data_type = "s"  # text starting with "=" stays text, never a formula
            return cell
        if index in self._dates and value is not None:
            cell = WriteOnlyCell(self._sheet, value)
            cell.number_format = "yyyy-mm-dd"
            return cell
        return value

    def close(self) -> None:
        self._book.save(self._sink)


def _sheet_title(title: str) -> str:
    cleaned = re.sub(r"[\[\]:*?/\\]", "_", title).strip("'") or "data"
    return cleaned[:31]


@dataclass(frozen=True, slots=True)
class ExportFormat:
    name: str
    media_type: str
    extension: str
    writer: Callable[[_Chunks, pa.Schema, str], BatchWriter]
    # Nothing is written until the end (a zip): build the file before answering.
    whole_file: bool = False


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("csv", "text/csv; charset=utf-8", "csv", _CsvWriter),
        ExportFormat("json", "application/json", "json", _JsonWriter),
        ExportFormat("parquet", "application/vnd.apache.parquet", "parquet", _ParquetWriter),
        ExportFormat(
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
            _XlsxWriter,
            whole_file=True,
        ),
    )
}


def export_filename(requested: str | None, table_id: str, export_format: ExportFormat) -> str:
    """A safe file name with the format's extension: no directories, no quotes or control
    characters, at most 150 characters."""
    base = (requested or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = _UNSAFE_FILENAME.sub("_", base).strip(" ._") or table_id
    suffix = f".{export_format.extension}"
    if base.lower().endswith(suffix):
        base = base[: -len(suffix)]
    return base[:150] + suffix


# --- reading in batches ------------------------------------------------------------------

Batch: TypeAlias = "pa.RecordBatch | list[tuple[Any, ...]]"
BatchReader = Callable[[Engine, RenderedSQL, int], Iterator[Batch]]


def _fetchmany(engine: Engine, rendered: RenderedSQL, size: int) -> Iterator[Batch]:
    with engine.session() as session:
        cursor = session.execute_rendered(rendered)
        while rows := cursor.fetchmany(size):
            yield [tuple(row) for row in rows]


def _duckdb_batches(engine: Engine, rendered: RenderedSQL, size: int) -> Iterator[Batch]:
    """Arrow record batches straight from DuckDB."""
    import duckdb

    from trilith.engines.duckdb import DuckDBSession

    with engine.session() as session:
        if not isinstance(session, DuckDBSession):
            yield from _fetchmany(engine, rendered, size)
            return
        try:
            relation = session.cursor.sql(rendered.sql, params=rendered.params or None)
            reader = getattr(relation, "to_arrow_reader", None) or relation.fetch_arrow_reader
            yield from reader(size)
        except duckdb.Error as exc:
            raise engine.translate_error(exc, rendered.sql) from exc


def _postgres_rows(engine: Engine, rendered: RenderedSQL, size: int) -> Iterator[Batch]:
    """A server-side cursor (in a transaction), so PostgreSQL sends rows as they are read."""
    import psycopg

    from trilith.engines.postgres import PostgresSession

    with engine.transaction() as session:
        if not isinstance(session, PostgresSession):
            yield from _fetchmany(engine, rendered, size)
            return
        try:
            with psycopg.RawServerCursor(session.connection, "trilith_export") as cursor:
                cursor.itersize = size
                cursor.execute(rendered.sql, rendered.params or None)
                while rows := cursor.fetchmany(size):
                    yield [tuple(row) for row in rows]
        except psycopg.Error as exc:
            raise engine.translate_error(exc, rendered.sql) from exc


# Engines that read in batches better than `fetchmany` on a client-side cursor.
BATCH_READERS: dict[str, BatchReader] = {
    "duckdb": _duckdb_batches,
    "postgresql": _postgres_rows,
}


class TableExport:
    """One export of one input table: the query is built (and checked) when it is made."""

    def __init__(
        self,
        store: RowStore,
        export_format: ExportFormat,
        sort: Sequence[tuple[str, bool]] = (),
        filters: Sequence[Filter] = (),
    ) -> None:
        self.store = store
        self.format = export_format
        self.linked = isinstance(store, LinkedRowStore)
        self.columns = [*SYSTEM_COLUMNS, *store.shown]
        self.types = {**SYSTEM_TYPES, **store.types}
        self.schema = pa.schema([(c, ARROW_TYPES[self.types[c]][0]) for c in self.columns])
        # A linked table reads the live join of source and augmentation, ordered by key.
        order = (
            tuple(store.key) if isinstance(store, LinkedRowStore) else ("_created_at", "_row_id")
        )
        select, params = page_query(
            store.relation(), self.columns, store.types, RowQuery(1, 0, sort, filters), order
        )
        select.set("limit", None)
        select.set("offset", None)
        params = {k: v for k, v in params.items() if k not in ("limit", "offset")}
        self.rendered = store.engine.render(select, params | store.relation_params)
        self.rows = 0

    @classmethod
    def parse(
        cls,
        store: RowStore,
        format_name: str,
        sort: Sequence[tuple[str, bool]] = (),
        filters: Sequence[Filter] = (),
    ) -> TableExport:
        export_format = FORMATS.get(format_name)
        if export_format is None:
            raise BadRequest(f"unknown export format {format_name!r}; use {', '.join(FORMATS)}")
        return cls(store, export_format, sort, filters)

    def filename(self, requested: str | None = None) -> str:
        return export_filename(requested, self.store.table_id, self.format)

    def batches(self) -> Iterator[pa.RecordBatch]:
        engine = self.store.engine
        reader = _fetchmany if self.linked else BATCH_READERS.get(engine.scheme, _fetchmany)
        for raw in reader(engine, self.rendered, BATCH_ROWS):
            if isinstance(raw, pa.RecordBatch) and raw.num_rows == 0:
                continue
            batch = self._typed(raw)
            self.rows += batch.num_rows
            yield batch

    def _typed(self, raw: Batch) -> pa.RecordBatch:
        if isinstance(raw, pa.RecordBatch) and not self.linked:
            arrays = [
                _arrow_column(raw.column(i), self.types[name])
                for i, name in enumerate(self.columns)
            ]
            return pa.RecordBatch.from_arrays(arrays, schema=self.schema)
        rows = (
            raw
            if isinstance(raw, list)
            else list(zip(*(c.to_pylist() for c in raw.columns), strict=True))
        )
        values = [list(column) for column in zip(*rows, strict=True)]
        if self.linked and isinstance(self.store, LinkedRowStore):
            named = [dict(zip(self.columns, row, strict=True)) for row in rows]
            values[0] = [self.store.row_id(row) for row in named]
            values[1] = [v or 0 for v in values[1]]
        arrays = [
            _python_column(column, self.types[name])
            for column, name in zip(values, self.columns, strict=True)
        ]
        return pa.RecordBatch.from_arrays(arrays, schema=self.schema)

    def chunks(self) -> Iterator[bytes]:
        """The file's bytes, handed on after each batch."""
        return file_chunks(self.format, self.schema, self.store.definition.name, self.batches())

    def write_to(self, target: IO[bytes]) -> int:
        """Write the whole file to `target`; return its size in bytes."""
        return write_file(self.chunks(), target)


def file_chunks(
    export_format: ExportFormat, schema: pa.Schema, title: str, batches: Iterator[pa.RecordBatch]
) -> Iterator[bytes]:
    """`batches` written in `export_format`, the bytes handed on after each batch."""
    sink = _Chunks()
    writer = export_format.writer(sink, schema, title)
    for batch in batches:
        writer.write(batch)
        if data := sink.take():
            yield data
    writer.close()
    if data := sink.take():
        yield data


def write_file(chunks: Iterator[bytes], target: IO[bytes]) -> int:
    size = 0
    for data in chunks:
        target.write(data)
        size += len(data)
    return size


def read_batches(engine: Engine, rendered: RenderedSQL) -> Iterator[Batch]:
    """The rows of `rendered` in batches: Arrow where the engine hands them over so,
    else lists of tuples."""
    reader = BATCH_READERS.get(engine.scheme, _fetchmany)
    return reader(engine, rendered, BATCH_ROWS)


def typed_batch(raw: Batch, schema: pa.Schema, types: Sequence[str]) -> pa.RecordBatch:
    """A batch of `schema`, its columns converted from the column `types` they hold."""
    if isinstance(raw, pa.RecordBatch):
        arrays = [_arrow_column(raw.column(i), kind) for i, kind in enumerate(types)]
    else:
        columns = list(zip(*raw, strict=True)) if raw else [() for _ in types]
        arrays = [_python_column(list(col), kind) for col, kind in zip(columns, types, strict=True)]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)
