"""CSV import: a file into an existing input table, or a new table made from a file.

    parse     layout: UTF-8, delimiter, header                  (Python, one pass)
    validate  structure, types, rules, repeats within the file  (DuckDB, streaming)
    write     one transaction holding the table's lock:
              [create the definition and data table]
              stage rows by the warehouse's bulk path           (`loaders`)
              unique values against existing rows; [replace: log and delete rows]
              insert rows                                       (`writer`, set-based)
              [a new table: its primary key, once its rows are in]
              one edit-log entry for the import: file checksum, row count, the
              prefix of its rows' ids                           (`edit_log`)

Nothing is written before the file has been read through once and found good, and the
writes share one transaction: an import lands whole or not at all, and a failed create
leaves no table and no definition behind.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

from trilith.engines.base import Session
from trilith.errors import (
    Conflict,
    PermissionDenied,
    TrilithError,
    ValidationFailed,
    WarehouseError,
    WarehouseUnavailable,
)
from trilith.input_tables.csv.layout import FileLayout, inspect_file
from trilith.input_tables.csv.loaders import (
    LoadSource,
    copies_rows,
    copy_rows,
    load,
    reads_files,
)
from trilith.input_tables.csv.options import CsvOptions, CsvTableRequest, Mode
from trilith.input_tables.csv.plan import (
    NewTable,
    check_importable,
    new_table,
    targets_for_table,
)
from trilith.input_tables.csv.progress import (
    ImportProgress,
    Phase,
    ProgressCallback,
    new_import_id,
)
from trilith.input_tables.csv.reader import (
    CsvReader,
    native_params,
    problem_error,
    scan_params,
    typed_select,
)
from trilith.input_tables.csv.rules import Target, checks_for
from trilith.input_tables.csv.writer import RowWriter, Stage
from trilith.input_tables.definition import SYSTEM_COLUMNS, InputTableDefinition, new_table_id
from trilith.input_tables.rows import WriteContext
from trilith.input_tables.validation import RowValidator

if TYPE_CHECKING:
    from trilith.input_tables.service import InputTables

__all__ = ["ImportReport", "ImportedColumn", "create_csv_table", "import_csv"]

log = logging.getLogger("trilith.input_tables.csv")


@contextmanager
def _timed(import_id: str, what: str) -> Iterator[None]:
    started = time.monotonic()
    yield
    log.debug("import %s: %s took %.3f s", import_id, what, time.monotonic() - started)


@dataclass(frozen=True, slots=True)
class ImportedColumn:
    header: str
    name: str
    type: str


@dataclass(frozen=True, slots=True)
class ImportReport:
    table_id: str
    import_id: str
    rows: int
    deleted: int
    mode: Mode
    delimiter: str
    header: bool
    columns: tuple[ImportedColumn, ...]
    bytes: int
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class _Progress:
    """The import's current progress, sent to a callback at each step."""

    def __init__(self, callback: ProgressCallback | None, table_id: str | None, import_id: str):
        self.callback = callback
        self.state = ImportProgress(table_id, import_id, "parse")

    def __call__(self, phase: Phase, **changes: Any) -> None:
        self.state = self.state.at(phase, **changes)
        if self.callback:
            self.callback(self.state)

    def bytes(self, done: int) -> None:
        self("parse", bytes=done)

    def rows(self, done: int) -> None:
        self("write", rows=done)

    def failed(self, exc: Exception) -> None:
        message = exc.message if isinstance(exc, TrilithError) else "the import failed"
        self("failed", message=message)


def import_csv(
    tables: InputTables,
    table_id: str,
    path: Path,
    options: CsvOptions,
    context: WriteContext,
    *,
    import_id: str | None = None,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Import the CSV file at `path` into input table `table_id` (append or replace)."""
    started = time.monotonic()
    import_id = import_id or new_import_id()
    step = _Progress(progress, table_id, import_id)
    context = WriteContext(context.actor, context.request_id, "csv")
    try:
        definition = tables.catalog.get(table_id)
        check_importable(definition)
        step("parse", total_bytes=path.stat().st_size)
        layout = inspect_file(path, options, step.bytes)
        targets = targets_for_table(definition, layout)
        with CsvReader(layout) as reader:
            step("validate")
            validator = RowValidator(definition, tables.options_of)
            checks = [c for i, t in enumerate(targets) for c in checks_for(t, i, validator.options)]
            rows = reader.check(checks, [t for t in targets if t.column.unique])
            step("write", rows=0)
            deleted, rows = _write(
                tables, definition, reader, targets, rows, options.mode, context, step, import_id
            )
    except Exception as exc:
        step.failed(exc)
        raise
    report = _report(table_id, import_id, layout, options.mode, targets, rows, deleted, started)
    step("done", rows=rows)
    return report


def create_csv_table(
    tables: InputTables,
    request: CsvTableRequest,
    path: Path,
    context: WriteContext,
    *,
    import_id: str | None = None,
    progress: ProgressCallback | None = None,
) -> tuple[InputTableDefinition, ImportReport]:
    """Create a CSV input table from the file at `path`: column names from its header,
    types inferred (or as the request overrides them), rows imported."""
    started = time.monotonic()
    import_id = import_id or new_import_id()
    table_id = request.id or new_table_id(request.name)
    step = _Progress(progress, table_id, import_id)
    context = WriteContext(context.actor, context.request_id, "csv")
    try:
        step("parse", total_bytes=path.stat().st_size)
        with _timed(import_id, "parse"):
            layout = inspect_file(path, request.options, step.bytes)
        with CsvReader(layout) as reader:
            step("validate")
            written = _create_sampled(tables, request, table_id, reader, context, step, import_id)
            if written is None:
                table, rows = _create_checked(
                    tables, request, table_id, reader, context, step, import_id
                )
            else:
                table, rows = written
    except Exception as exc:
        step.failed(exc)
        raise
    report = _report(table_id, import_id, layout, "append", table.targets, rows, 0, started)
    step("done", rows=rows)
    return table.definition, report


# Failures of a one-pass create that say nothing about the file: the warehouse is out of
# reach, the table id is taken, the caller may not write.
_NOT_ABOUT_THE_FILE = (WarehouseUnavailable, Conflict, PermissionDenied)


def _create_sampled(
    tables: InputTables,
    request: CsvTableRequest,
    table_id: str,
    reader: CsvReader,
    context: WriteContext,
    step: _Progress,
    import_id: str,
) -> tuple[NewTable, int] | None:
    """The one-pass create: types guessed on the file's first rows, and every cell checked
    against its column's guess while the rows are written (`cells.read_checked`). None
    when it does not apply or did not succeed: the transaction rolled back whole, and the
    file must be read through first (`_create_checked`) to type it or to name its errors."""
    if not (reads_files(tables.engine) or copies_rows(tables.engine)):
        return None
    blank: list[int] = []

    def sample(positions: list[int]) -> tuple[int, dict[int, str]]:
        types = reader.sample(positions)
        if types is None:  # a column blank in the first rows: its type needs every row
            blank.append(1)
            types = dict.fromkeys(positions, "text")
        return 0, types

    with _timed(import_id, "sample"):
        table = new_table(request, table_id, reader.layout, sample, sampled=True)
    if blank or table.checked:
        return None
    step("write", rows=0)
    try:
        _, rows = _write(
            tables, table.definition, reader, table.targets, None, None, context, step, import_id
        )
    except _NOT_ABOUT_THE_FILE:
        raise  # reading the file again would meet it again
    except (TrilithError, duckdb.Error, pa.ArrowException) as exc:
        # A cell further down fits no guess of its column's first rows, or the file has a
        # malformed line: the file is read through, which names what is wrong.
        log.debug("import %s: one pass failed (%s); reading the file first", import_id, exc)
        step("validate")
        return None
    return table, rows


def _create_checked(
    tables: InputTables,
    request: CsvTableRequest,
    table_id: str,
    reader: CsvReader,
    context: WriteContext,
    step: _Progress,
    import_id: str,
) -> tuple[NewTable, int]:
    """The create that reads the file through before writing: types inferred from every
    cell, the request's rules checked; then the rows written."""
    with _timed(import_id, "infer"):
        table = new_table(request, table_id, reader.layout, reader.infer)
    rows = table.rows
    if table.checked:
        validator = RowValidator(table.definition, tables.options_of)
        checks = [
            c for i, t in enumerate(table.checked) for c in checks_for(t, i, validator.options)
        ]
        rows = reader.check(checks, [t for t in table.checked if t.column.unique])
    step("write", rows=0)
    write = functools.partial(
        _write,
        tables,
        table.definition,
        reader,
        table.targets,
        rows,
        None,
        context,
        step,
        import_id,
    )
    try:
        write(native=True)
    except (WarehouseError, ValidationFailed) as exc:
        # A cell DuckDB's own parser refused (see `reader.NATIVE_TYPES`; the file
        # itself was checked already): the transaction rolled back whole, so read
        # every cell with the readers. A real failure fails again the same way.
        log.debug("import %s: native parsing failed (%s); again", import_id, exc)
        write(native=False)
    return table, rows


def _write(
    tables: InputTables,
    definition: InputTableDefinition,
    reader: CsvReader,
    targets: Sequence[Target],
    rows: int | None,
    mode: Mode | None,
    context: WriteContext,
    step: _Progress,
    import_id: str,
    *,
    native: bool = False,
) -> tuple[int, int]:
    """Stage and write the rows in one transaction; `mode` None creates the table first.
    Returns the numbers of rows deleted (replace) and written. `rows` None: not counted
    yet (a new table, written straight from the file). `native` lets DuckDB's CSV parser
    type the columns whose types were inferred (`reader.NATIVE_TYPES`)."""
    assert definition.id is not None
    engine = tables.engine
    stage = Stage.new(targets)
    # A new table loaded in bulk gets its primary key once its rows are in.
    keyed_after = mode is None and (reads_files(engine) or copies_rows(engine))
    with engine.locked_transaction(f"input-table:{definition.id}") as session:
        if mode is None:
            _create(tables, session, definition, context, keyed=not keyed_after)
        elif tables.catalog.get(definition.id, session) != definition:
            raise Conflict(
                f"input table '{definition.id}' changed while the file was being checked; "
                "upload it again"
            )
        select = typed_select(reader.layout, targets)
        file_params = scan_params(reader.layout) | native_params(reader.layout, targets)
        writer = RowWriter(engine, tables.schema, definition, stage, context, file_params)
        # Row-level security: the import may neither add nor delete rows the caller cannot see.
        guard = tables.row_guard(definition) if mode is not None else None
        outside = guard.count_outside(session) if guard is not None else 0
        if guard is not None and mode == "replace":
            guard.check_replace(outside)
        deleted = 0
        if mode == "replace":
            with _timed(import_id, "replace"):
                deleted = writer.replace(session)
        if mode != "append" and reads_files(engine):
            # The table holds no rows: they go straight from the file into it; a new
            # table (no key yet) numbers them after, in parallel.
            with _timed(import_id, "insert rows"):
                direct = typed_select(
                    reader.layout, targets, numbered=False, native=native, row_ids=not keyed_after
                )
                writer.insert(session, rows, direct, with_ids=not keyed_after)
            if keyed_after:
                with _timed(import_id, "number rows"):
                    writer.number_appended(session, reader.layout.row_prefix)
            if rows is None:
                rows = writer.count(session)
        elif mode != "append" and copies_rows(engine) and not writer.defaults:
            # The same by COPY, system columns included.
            with _timed(import_id, "copy rows"):
                if mode is None:
                    with writer.stamped_by_default(session):
                        copied = _copy_rows(session, reader, targets, native, writer, step)
                else:
                    copied = _copy_rows(
                        session, reader, targets, native, writer, step, stamped=True
                    )
            rows = copied if rows is None else rows
        else:
            assert rows is not None, "staged rows are counted first"
            with _timed(import_id, "stage"):
                load(session, stage, LoadSource(reader, select, step.rows))
            if mode == "append":
                with _timed(import_id, "unique check"):
                    clashes = writer.clashes(session)
                if clashes:
                    raise problem_error(reader.layout, clashes)
            with _timed(import_id, "insert rows"):
                writer.insert(session, rows)
        if keyed_after:
            with _timed(import_id, "primary key"):
                writer.add_row_key(session)
        if rows:
            layout = reader.layout
            summary = {
                "import_id": import_id,
                "mode": mode or "create",
                "rows": rows,
                "deleted": deleted,
                "file_bytes": layout.size,
                "file_sha256": layout.sha256,
                "columns": [t.column.name for t in targets],
                "row_id_prefix": layout.row_prefix,
            }
            writer.log_import(session, summary, layout.row_prefix)
        if guard is not None:
            guard.check_bulk(session, outside)
        session.execute(stage.drop())
        committing = time.monotonic()
    log.debug("import %s: commit took %.3f s", import_id, time.monotonic() - committing)
    return deleted, rows


def _copy_rows(
    session: Session,
    reader: CsvReader,
    targets: Sequence[Target],
    native: bool,
    writer: RowWriter,
    step: _Progress,
    *,
    stamped: bool = False,
) -> int:
    """The file's rows by COPY straight into the data table: their ids, the other
    system columns where `stamped` (else they are defaults, `RowWriter.stamped_by_default`),
    and the typed cells."""
    layout = reader.layout
    select = typed_select(
        layout, targets, numbered=False, stamped=stamped, native=native, row_ids=False
    )
    system = SYSTEM_COLUMNS if stamped else SYSTEM_COLUMNS[:1]
    names = [*system, *(t.column.name for t in targets)]
    params = {"now": writer.now, "actor": writer.context.actor} | writer.source_params
    source = LoadSource(reader, select, step.rows, params, row_prefix=layout.row_prefix)
    return copy_rows(session, writer.data, names, source)


def _create(
    tables: InputTables,
    session: Session,
    definition: InputTableDefinition,
    context: WriteContext,
    *,
    keyed: bool = True,
) -> None:
    tables.catalog.create_in(session, definition, context.actor, context.request_id, keyed=keyed)


def _report(
    table_id: str,
    import_id: str,
    layout: FileLayout,
    mode: Mode,
    targets: Sequence[Target],
    rows: int,
    deleted: int,
    started: float,
) -> ImportReport:
    return ImportReport(
        table_id=table_id,
        import_id=import_id,
        rows=rows,
        deleted=deleted,
        mode=mode,
        delimiter=layout.delimiter,
        header=layout.header,
        columns=tuple(ImportedColumn(t.header, t.column.name, t.column.type) for t in targets),
        bytes=layout.size,
        seconds=round(time.monotonic() - started, 3),
    )
