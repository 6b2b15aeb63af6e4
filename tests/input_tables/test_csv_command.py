"""`import_csv_command`, the function behind `trilith import-csv FILE --table ID`."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from tests.input_tables.conftest import ALICE
from trilith.engines import create_engine
from trilith.errors import ValidationFailed
from trilith.events import EventBus
from trilith.input_tables.csv.command import import_csv_command
from trilith.input_tables.definition import InputTableDefinition
from trilith.input_tables.edit_log import HistoryQuery
from trilith.input_tables.service import InputTables
from trilith.settings import Settings
from trilith.warehouse import Warehouse

DEFINITION = {"name": "Visits", "columns": [{"name": "who"}, {"name": "n", "type": "integer"}]}


def test_the_command_imports_a_file_and_reports(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path}/w.duckdb"
    engine = create_engine(url)
    Warehouse(engine, "sigds").ensure_ready()
    table_id = str(
        InputTables(engine, "sigds", EventBus()).create(
            InputTableDefinition.model_validate(DEFINITION), ALICE
        )["id"]
    )
    engine.close()
    data = tmp_path / "visits.csv"
    data.write_text("who,n\nada,1\nbob,2\n")
    console = Console(file=io.StringIO(), force_terminal=False)
    settings = Settings(admin_token="x")

    report = import_csv_command(data, table_id, url, settings=settings, console=console)
    assert (report.rows, report.table_id, report.mode) == (2, table_id, "append")

    report = import_csv_command(
        data, table_id, url, mode="replace", settings=settings, console=console
    )
    assert (report.rows, report.deleted) == (2, 2)
    engine = create_engine(url)
    entries, total = (
        InputTables(engine, "sigds", EventBus())
        .rows(table_id)
        .log.history(table_id, HistoryQuery())
    )
    engine.close()
    # One entry per import, and one per row a replace deletes.
    assert total == 4
    assert sorted(e["op"] for e in entries) == ["delete", "delete", "import", "import"]
    assert {e["actor"] for e in entries} == {"cli"}
    assert {e["source"] for e in entries} == {"csv"}

    data.write_text("who,n\nada,one\n")
    with pytest.raises(ValidationFailed, match="line 2, column 'n'"):
        import_csv_command(data, table_id, url, settings=settings, console=console)
