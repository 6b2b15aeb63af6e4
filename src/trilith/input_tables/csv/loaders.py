"""Getting checked, typed rows into a stage table of the warehouse, by its bulk path.

=========  ===============================================================================
DuckDB     the warehouse reads the file itself: `CREATE TEMP TABLE … AS SELECT … FROM
           read_csv(…)`, parallel, nothing passes through Python
PostgreSQL DuckDB streams typed record batches, encoded (by a thread of their own, ahead)
           in PostgreSQL's binary COPY format (`pg_binary`; CSV for column types it
           does not encode) into `COPY … FROM STDIN` (psycopg's `cursor.copy`), so
           PostgreSQL parses neither the user's file nor text; rows straight from the
           file are numbered as they stream (`reader.numbered_ids`), which spares DuckDB
           a single-threaded window; into an empty data table they go straight in
           (`copy_rows`; into a new one with the stamps all rows share as column
           defaults, `RowWriter.stamped_by_default`)
SQLite     no bulk path: record batches go through `executemany`, 64k rows at a time
others     multi-row `INSERT … VALUES` with bound values, 200 rows a statement
=========  ===============================================================================

Loaders are chosen by `engine.warehouse_type` from `LOADERS`.
"""

from __future__ import annotations

import io
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv
from sqlglot import exp

from trilith.engines.base import Engine, Session
from trilith.engines.postgres import PostgresSession
from trilith.engines.sqlite import SQLiteSession
from trilith.errors import TrilithError
from trilith.input_tables.csv.pg_binary import HEADER, TRAILER, BinaryRows
from trilith.input_tables.csv.reader import CsvReader, numbered_ids, scan_params
from trilith.input_tables.csv.writer import Stage
from trilith.sql.render import param

__all__ = ["LOADERS", "LoadSource", "copies_rows", "copy_rows", "load", "reads_files"]

RowsProgress = Callable[[int], None]
VALUES_CHUNK = 200
COPY_AHEAD = 2  # encoded batches (~10 MB each) made ahead of COPY


@dataclass(frozen=True, slots=True)
class LoadSource:
    reader: CsvReader
    select: exp.Select  # `typed_select` of the file: _rec, _row_id, the typed columns
    progress: RowsProgress | None = None
    params: dict[str, Any] | None = None  # values `select` binds besides the file's
    # Set: `select` has no `_row_id`; each batch gets one first, numbered in stream order.
    row_prefix: str | None = None


Loader = Callable[[Session, Stage, LoadSource], None]


def _in_warehouse(session: Session, stage: Stage, source: LoadSource) -> None:
    create = exp.Create(
        this=stage.table,
        kind="TABLE",
        expression=source.select,
        properties=exp.Properties(expressions=[exp.TemporaryProperty()]),
    )
    session.execute(create, scan_params(source.reader.layout))


def _copy(session: Session, stage: Stage, source: LoadSource) -> None:
    session.execute(stage.create())
    copy_rows(session, stage.table, stage.names, source)


def copy_rows(session: Session, target: exp.Table, names: Sequence[str], source: LoadSource) -> int:
    """`source`'s rows (columns `names`, in order) into `target` by PostgreSQL's COPY;
    returns how many."""
    if not isinstance(session, PostgresSession):
        raise TypeError("the COPY loader needs a PostgreSQL session")
    columns = [exp.to_identifier(n, quoted=True) for n in names]
    types = session.column_types(exp.select(*columns).from_(target).limit(0))
    binary = BinaryRows.for_columns(types, names)
    encode = binary.encode if binary is not None else _csv
    statement = exp.Copy(
        this=exp.Schema(this=target, expressions=columns),
        kind=True,
        files=[exp.var("STDIN")],
        params=[
            exp.CopyParameter(
                this=exp.var("FORMAT"), expression=exp.var("binary" if binary else "csv")
            )
        ],
    ).sql(dialect=session.engine.dialect)
    loaded = 0
    try:
        with (
            session.connection.cursor() as cursor,
            cursor.copy(statement) as copy,
            _encoded_batches(source, encode) as batches,
        ):
            if binary is not None:
                copy.write(HEADER)
            for data, rows in batches:
                copy.write(data)
                loaded += rows
                if source.progress:
                    source.progress(loaded)
            if binary is not None:
                copy.write(TRAILER)
    except TrilithError:
        raise
    except Exception as exc:
        raise session.engine.translate_error(exc, statement) from exc
    return loaded


_DONE = object()


def _csv(batch: pa.RecordBatch) -> memoryview:
    buffer = io.BytesIO()
    pa_csv.write_csv(batch, buffer, pa_csv.WriteOptions(include_header=False))
    return buffer.getbuffer()


def _streamed(source: LoadSource) -> Iterator[pa.RecordBatch]:
    """`source`'s record batches, each with its `_row_id`s first where it numbers rows."""
    done = 0
    for batch in source.reader.batches(source.select, params=source.params):
        if source.row_prefix is not None:
            ids = numbered_ids(source.row_prefix, done + 1, batch.num_rows)
            batch = pa.RecordBatch.from_arrays(
                [ids, *batch.columns], names=["_row_id", *batch.schema.names]
            )
        done += batch.num_rows
        yield batch


@contextmanager
def _encoded_batches(
    source: LoadSource, encode: Callable[[pa.RecordBatch], Any]
) -> Iterator[Iterator[tuple[Any, int]]]:
    """`source`'s record batches as `encode` writes them, with their row counts, made by
    a thread of their own a batch or two ahead: DuckDB and Arrow make the next batch
    while PostgreSQL takes this one (the queue bounds what waits in memory)."""
    ready: queue.Queue[Any] = queue.Queue(maxsize=COPY_AHEAD)
    stop = threading.Event()

    def make() -> None:
        try:
            for batch in _streamed(source):
                data = encode(batch)
                while not stop.is_set():
                    try:
                        ready.put((data, batch.num_rows), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            ready.put(_DONE)
        except BaseException as exc:  # raised where the batches are taken
            ready.put(exc)

    def taken() -> Iterator[tuple[Any, int]]:
        while (item := ready.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item

    maker = threading.Thread(target=make, name="csv-copy-batches", daemon=True)
    maker.start()
    try:
        yield taken()
    finally:
        stop.set()
        while maker.is_alive():
            with suppress(queue.Empty):
                ready.get(timeout=0.1)
        maker.join()


def _rows(batch: pa.RecordBatch) -> list[tuple[Any, ...]]:
    return list(zip(*(column.to_pylist() for column in batch.columns), strict=True))


def _executemany(session: Session, stage: Stage, source: LoadSource) -> None:
    if not isinstance(session, SQLiteSession):
        raise TypeError("the executemany loader needs a SQLite session")
    session.execute(stage.create())
    width = len(stage.names)
    insert = exp.insert(
        exp.values([exp.tuple_(*(exp.Placeholder() for _ in range(width)))]),
        stage.table,
        columns=[exp.to_identifier(n, quoted=True) for n in stage.names],
    )
    sql = session.engine.render(insert, [None] * width).sql
    loaded = 0
    for batch in source.reader.batches(source.select):
        try:
            session.connection.executemany(sql, _rows(batch))
        except Exception as exc:
            raise session.engine.translate_error(exc, sql) from exc
        loaded += batch.num_rows
        if source.progress:
            source.progress(loaded)


def _values(session: Session, stage: Stage, source: LoadSource) -> None:
    session.execute(stage.create())
    columns = [exp.to_identifier(n, quoted=True) for n in stage.names]
    loaded = 0
    for batch in source.reader.batches(source.select, VALUES_CHUNK):
        params: dict[str, Any] = {}
        tuples = []
        for i, row in enumerate(_rows(batch)):
            params |= {f"v{j}_{i}": value for j, value in enumerate(row)}
            tuples.append(exp.tuple_(*(param(f"v{j}_{i}") for j in range(len(row)))))
        insert = exp.Insert(
            this=exp.Schema(this=stage.table, expressions=columns), expression=exp.values(tuples)
        )
        session.execute(insert, params)
        loaded += batch.num_rows
        if source.progress:
            source.progress(loaded)


LOADERS: dict[str, Loader] = {
    "duckdb": _in_warehouse,
    "postgresql": _copy,
    "sqlite": _executemany,
}


def reads_files(engine: Engine) -> bool:
    """The warehouse can read the uploaded file itself (it runs in this process)."""
    return LOADERS.get(engine.warehouse_type) is _in_warehouse


def copies_rows(engine: Engine) -> bool:
    """The warehouse takes rows by COPY (they can go straight into a data table)."""
    return LOADERS.get(engine.warehouse_type) is _copy


def load(session: Session, stage: Stage, source: LoadSource) -> None:
    LOADERS.get(session.engine.warehouse_type, _values)(session, stage, source)
