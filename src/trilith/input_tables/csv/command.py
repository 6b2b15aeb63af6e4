"""`trilith import-csv FILE --table ID`: an import from the command line, with a
progress bar (bytes while the file is read and checked, rows while they are written)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)

from trilith.engines.registry import create_engine
from trilith.events import EventBus
from trilith.input_tables.csv.ingest import ImportReport
from trilith.input_tables.csv.options import CsvOptions, Mode
from trilith.input_tables.csv.progress import ImportProgress
from trilith.input_tables.rows import WriteContext
from trilith.input_tables.service import InputTables
from trilith.settings import Settings
from trilith.warehouse import Warehouse

__all__ = ["import_csv_command"]

ACTOR = "cli"
_LABELS = {
    "parse": "reading",
    "validate": "checking",
    "write": "writing",
    "done": "done",
    "failed": "failed",
}


class _Bar:
    """Bytes read while the file is parsed; a pulsing bar with the row count after."""

    def __init__(self, progress: Progress, size: int) -> None:
        self.progress = progress
        self.task: TaskID = progress.add_task(_LABELS["parse"], total=size or None)

    def __call__(self, state: ImportProgress) -> None:
        label = _LABELS.get(state.phase, state.phase)
        if state.phase == "parse":
            self.progress.update(self.task, description=label, completed=state.bytes)
        elif state.phase in ("validate", "write"):
            rows = f" {state.rows:,} rows" if state.rows else ""
            self.progress.update(self.task, description=f"{label}{rows}", total=None)


def import_csv_command(
    path: Path,
    table_id: str,
    warehouse_url: str | None = None,
    *,
    mode: Mode = "append",
    delimiter: str | None = None,
    header: bool = True,
    settings: Settings | None = None,
    console: Console | None = None,
) -> ImportReport:
    """Import `path` into input table `table_id` on the warehouse at `warehouse_url`
    (default: the configured one), showing progress; return the import's report."""
    settings = settings or Settings()
    engine = create_engine(warehouse_url or settings.warehouse_url())
    try:
        warehouse = Warehouse(engine, settings.writeback_schema)
        warehouse.ensure_ready()
        tables = InputTables(engine, settings.writeback_schema, EventBus())
        options = CsvOptions(delimiter=delimiter, header=header, mode=mode)
        columns = (
            SpinnerColumn(),
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console or Console(stderr=True), transient=True) as bar:
            report = tables.import_csv(
                table_id,
                path,
                options,
                WriteContext(ACTOR, None, "csv"),
                progress=_Bar(bar, path.stat().st_size),
            )
    finally:
        engine.close()
    return report
