"""Getting checked, typed rows into a stage table of the warehouse, by its bulk path.

=========  ===============================================================================
DuckDB     the warehouse reads the file itself: `CREATE TEMP TABLE … AS SELECT … FROM
           read_csv(…)`, parallel, nothing passes through Python
PostgreSQL DuckDB streams typed record batches, written as CSV (by a thread of their own,
           ahead) into `COPY … FROM STDIN` (psycopg's `cursor.copy`), so PostgreSQL never
           parses the user's file; into an empty data table they go straight in
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
from trilith.input_tables.csv.reader import CsvReader, scan_params
from trilith.input_tables.csv.writer import Stage
from trilith.sql.render import param

__all__ = ["LOADERS", "LoadSource", "copies_rows", "copy_rows", "load", "reads_files"]

RowsProgress = Callable[[int], None]
VALUES_CHUNK = 200
COPY_AHEAD = 2  # CSV batches (~10 MB each) made ahead of COPY


@dataclass(frozen=True, slots=True)
class LoadSource:
    reader: CsvReader
    select: exp.Select  # `typed_select` of the file: _rec, _row_id, the typed columns
    progress: RowsProgress | None = None
    params: dict[str, Any] | None = None  # values `select` binds besides the file's


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
    statement = exp.Copy(
        this=exp.Schema(
            this=target, expressions=[exp.to_identifier(n, quoted=True) for n in names]
        ),
        kind=True,
        files=[exp.var("STDIN")],
        params=[exp.CopyParameter(this=exp.var("FORMAT"), expression=exp.var("csv"))],
    ).sql(dialect=session.engine.dialect)
    loaded = 0
    try:
        with (
            session.connection.cursor() as cursor,
            cursor.copy(statement) as copy,
            _csv_batches(source) as batches,
        ):
            for data, rows in batches:
                copy.write(data)
                loaded += rows
                if source.progress:
                    source.progress(loaded)
    except TrilithError:
        raise
    except Exception as exc:
        raise session.engine.translate_error(exc, statement) from exc
    return loaded


_DONE = object()


@contextmanager
def _csv_batches(source: LoadSource) -> Iterator[Iterator[tuple[memoryview, int]]]:
    """`source`'s record batches as CSV, with their row counts, made by a thread of
    their own a batch or two ahead: DuckDB and Arrow make the next batch while
    PostgreSQL takes this one (the queue bounds what waits in memory)."""
    ready: queue.Queue[Any] = queue.Queue(maxsize=COPY_AHEAD)
    stop = threading.Event()

    def make() -> None:
        options = pa_csv.WriteOptions(include_header=False)
        try:
            for batch in source.reader.batches(source.select, params=source.params):
                buffer = io.BytesIO()
                pa_csv.write_csv(batch, buffer, options)
                while not stop.is_set():
                    try:
                        ready.put((buffer.getbuffer(), batch.num_rows), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            ready.put(_DONE)
        except BaseException as exc:  # raised where the batches are taken
            ready.put(exc)

    def taken() -> Iterator[tuple[memoryview, int]]:
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
