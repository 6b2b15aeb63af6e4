"""CSV tables and imports through the service, on DuckDB, SQLite and PostgreSQL: round
trips, rules with line numbers, and the promise that a failed import changes nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlglot import exp

from tests.input_tables.conftest import ALICE, DEALS
from trilith.engines import create_engine
from trilith.errors import (
    Conflict,
    NotFound,
    TrilithError,
    UnsupportedMediaType,
    ValidationFailed,
)
from trilith.events import EventBus
from trilith.input_tables.csv import CsvOptions, CsvTableRequest, ImportProgress, reader
from trilith.input_tables.csv.options import ColumnOverrides, parse_columns
from trilith.input_tables.definition import InputTableDefinition
from trilith.input_tables.edit_log import IMPORT_PREFIX, HistoryQuery
from trilith.input_tables.query import RowQuery
from trilith.input_tables.service import InputTables
from trilith.input_tables.storage import data_table
from trilith.metadata import migrate

ORDERS = (
    "\ufeffid,customer,amount,ordered,seen at,paid,note\r\n"
    '1,"Smith, Jane",12.50,2024-01-05,2024-01-05T10:00:00+02:00,yes,"two\r\nlines"\r\n'
    "2,Lee,7,2024-02-29,2024-02-29 08:30,no,\r\n"
    '3,"O""Brien",,2024-03-01,2024-03-01 00:00:00Z,YES,plain\r\n'
)


@pytest.fixture
def duck_tables(tmp_path: Path, unique_schema: str) -> Iterator[InputTables]:
    """For what does not depend on the engine: DuckDB only."""
    engine = create_engine(f"duckdb:///{tmp_path}/w.duckdb")
    migrate(engine, unique_schema)
    yield InputTables(engine, unique_schema, EventBus())
    engine.close()


def write(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def request(name: str = "Orders", columns: str = "", **options: Any) -> CsvTableRequest:
    return CsvTableRequest(
        name=name, options=CsvOptions(**options), overrides=parse_columns(columns)
    )


def all_rows(tables: InputTables, table_id: str, by: str = "id") -> list[dict[str, Any]]:
    store = tables.rows(table_id)
    key = by if by in store.columns else "_row_id"
    rows, _ = store.page(RowQuery(limit=1000, sort=[(key, False)]))
    return rows


def log_entries(tables: InputTables, table_id: str) -> list[dict[str, Any]]:
    entries, _ = tables.rows(table_id).log.history(table_id, HistoryQuery(limit=1000))
    return entries


def test_a_csv_table_round_trips_with_inferred_types(tables: InputTables, tmp_path: Path) -> None:
    described, report = tables.create_from_csv(request(), write(tmp_path, ORDERS), ALICE)
    types = {c["name"]: c["type"] for c in described["columns"]}
    assert types == {
        "id": "integer",
        "customer": "text",
        "amount": "number",
        "ordered": "date",
        "seen_at": "datetime",
        "paid": "checkbox",
        "note": "text",
    }
    assert described["type"] == "csv"
    assert report.rows == 3
    assert report.columns[4].header == "seen at"
    rows = all_rows(tables, report.table_id)
    assert [r["customer"] for r in rows] == ["Smith, Jane", "Lee", 'O"Brien']
    assert rows[0]["note"] == "two\r\nlines"
    assert rows[1]["note"] is None
    assert [r["amount"] for r in rows] == [12.5, 7.0, None]
    assert [r["ordered"] for r in rows] == ["2024-01-05", "2024-02-29", "2024-03-01"]
    # Offsets are stored in UTC.
    assert [r["seen_at"] for r in rows] == [
        "2024-01-05T08:00:00",
        "2024-02-29T08:30:00",
        "2024-03-01T00:00:00",
    ]
    assert [r["paid"] for r in rows] == [True, False, True]
    assert {r["_version"] for r in rows} == {1}
    assert {r["_created_by"] for r in rows} == {"alice"}


def test_a_table_loaded_in_bulk_has_its_key_and_keeps_no_load_defaults(
    tables: InputTables, tmp_path: Path
) -> None:
    """New tables are loaded before their primary key is built, and on PostgreSQL the
    stamps every row shares are column defaults while they load: afterwards the key
    holds and the defaults are gone."""
    _, report = tables.create_from_csv(request(), write(tmp_path, ORDERS), ALICE)
    engine = tables.engine
    rows = all_rows(tables, report.table_id)
    assert {(r["_version"], r["_created_by"], r["_updated_by"]) for r in rows} == {
        (1, "alice", "alice")
    }
    assert len({r["_created_at"] for r in rows}) == 1
    now = exp.func("CURRENT_TIMESTAMP")
    again = exp.insert(
        exp.select(exp.Literal.string(rows[0]["_row_id"]), exp.Literal.number(1), now, now),
        data_table(tables.schema, report.table_id),
        columns=["_row_id", "_version", "_created_at", "_updated_at"],
    )
    with pytest.raises(TrilithError):
        engine.execute(again)
    if engine.dialect == "sqlite":
        return  # no information_schema; SQLite tables are created with their key
    columns = exp.Table(
        this=exp.to_identifier("columns"), db=exp.to_identifier("information_schema")
    )
    defaults = engine.fetch_rows(
        exp.select("column_name", "column_default")
        .from_(columns)
        .where(
            exp.column("table_schema").eq(exp.Literal.string(tables.schema))
            & exp.column("table_name").eq(exp.Literal.string(f"sigds_{report.table_id}"))
        )
    )
    assert len(defaults) == 13
    assert [name for name, default in defaults if default is not None] == []


def test_an_import_is_one_edit_log_entry_that_stands_for_its_rows(
    tables: InputTables, tmp_path: Path
) -> None:
    path = write(tmp_path, ORDERS)
    _, report = tables.create_from_csv(request(), path, ALICE)
    table_id = report.table_id
    entries = log_entries(tables, table_id)
    rows = {r["_row_id"]: r for r in all_rows(tables, table_id)}
    assert len(entries) == 1
    (entry,) = entries
    assert (entry["op"], entry["source"], entry["actor"]) == ("import", "csv", "alice")
    summary = entry["after"]
    assert summary["rows"] == 3
    assert summary["mode"] == "create"
    assert summary["file_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert summary["file_bytes"] == path.stat().st_size
    # Every row id starts with the prefix the entry carries; ids are 32 hex digits.
    assert all(r.startswith(entry["row_id"]) and len(r) == 32 for r in rows)
    assert len(set(rows)) == 3
    store = tables.rows(table_id)
    assert store.log.replay(table_id) == rows
    # A row's history starts with the import that created it.
    lee = next(r for r in rows.values() if r["customer"] == "Lee")
    history, _ = store.log.history(table_id, HistoryQuery(row_id=lee["_row_id"]))
    assert [e["op"] for e in history] == ["import"]
    edited = tables.update(table_id, lee["_row_id"], {"customer": "Kim"}, 1, ALICE)[1][0]
    assert store.log.replay(table_id)[lee["_row_id"]]["customer"] == "Kim"
    history, _ = store.log.history(table_id, HistoryQuery(row_id=lee["_row_id"]))
    assert [e["op"] for e in history] == ["update", "import"]
    # Reverting to the import puts the row back as the file had it.
    reverted = tables.revert(table_id, lee["_row_id"], entry["edit_num"], edited["_version"], ALICE)
    assert reverted[0]["customer"] == "Lee"
    assert reverted[0]["_version"] == 3
    assert store.log.replay(table_id) == {r["_row_id"]: r for r in all_rows(tables, table_id)}
    # An edit number of the import names no other table's row.
    with pytest.raises(NotFound):
        tables.revert(table_id, "0" * 32, entry["edit_num"], None, ALICE)


def test_append_then_replace_logs_the_deleted_rows(tables: InputTables, tmp_path: Path) -> None:
    _, report = tables.create_from_csv(request(), write(tmp_path, ORDERS), ALICE)
    table_id = report.table_id
    more = "id,customer\n4,Kim\n"
    appended = tables.import_csv(table_id, write(tmp_path, more, "more.csv"), CsvOptions(), ALICE)
    assert appended.rows == 1
    assert len(all_rows(tables, table_id)) == 4
    before = {r["_row_id"] for r in all_rows(tables, table_id)}
    replaced = tables.import_csv(
        table_id, write(tmp_path, more, "more.csv"), CsvOptions(mode="replace"), ALICE
    )
    assert (replaced.rows, replaced.deleted) == (1, 4)
    rows = all_rows(tables, table_id)
    assert [(r["id"], r["customer"]) for r in rows] == [(4, "Kim")]
    deletes = [e for e in log_entries(tables, table_id) if e["op"] == "delete"]
    assert {e["row_id"] for e in deletes} == before
    assert all(e["before"]["_row_id"] == e["row_id"] for e in deletes)
    assert set(tables.rows(table_id).log.replay(table_id)) == {rows[0]["_row_id"]}


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("a;b;c\n1;2,5;x\n3;4;y\n", ";"),
        ("a\tb\tc\n1\t2\tx, y\n3\t4\tz\n", "\t"),
        ('a,b,c\n1,"2;3",x\n3,4,y\n', ","),
    ],
)
def test_the_delimiter_is_detected(
    duck_tables: InputTables, tmp_path: Path, text: str, delimiter: str
) -> None:
    described, report = duck_tables.create_from_csv(request(), write(tmp_path, text), ALICE)
    assert report.delimiter == delimiter
    assert [c["name"] for c in described["columns"]] == ["a", "b", "c"]
    # A decimal comma is not a number: "2,5" stays text.
    if delimiter == ";":
        assert described["columns"][1]["type"] == "text"


def test_a_given_delimiter_wins(duck_tables: InputTables, tmp_path: Path) -> None:
    path = write(tmp_path, "a;b\n1;2\n")
    described, _ = duck_tables.create_from_csv(request(delimiter=","), path, ALICE)
    assert [c["name"] for c in described["columns"]] == ["a_b"]


def test_without_a_header_columns_are_numbered(duck_tables: InputTables, tmp_path: Path) -> None:
    path = write(tmp_path, "1,x\n2,y\n")
    described, report = duck_tables.create_from_csv(request(header=False), path, ALICE)
    assert [(c["name"], c["type"]) for c in described["columns"]] == [
        ("column_1", "integer"),
        ("column_2", "text"),
    ]
    assert report.rows == 2


def test_types_can_be_overridden_per_column(duck_tables: InputTables, tmp_path: Path) -> None:
    path = write(tmp_path, "zip,amount,flag\n02134,10,1\n10001,20,0\n")
    described, _ = duck_tables.create_from_csv(
        request(columns='{"amount": "number", "flag": "checkbox"}'), path, ALICE
    )
    types = {c["name"]: c["type"] for c in described["columns"]}
    # Leading zeros keep a column text; 1/0 are integers unless overridden.
    assert types == {"zip": "text", "amount": "number", "flag": "checkbox"}
    rows, _ = duck_tables.rows(described["id"]).page(RowQuery(sort=[("zip", False)]))
    assert [(r["zip"], r["flag"]) for r in rows] == [("02134", True), ("10001", False)]


def test_a_full_column_list_names_types_and_rules(duck_tables: InputTables, tmp_path: Path) -> None:
    columns = '[{"name": "code", "required": true}, {"name": "qty", "type": "integer"}]'
    path = write(tmp_path, "A,B\nx,1\n,2\n")
    with pytest.raises(ValidationFailed) as failed:
        duck_tables.create_from_csv(request(columns=columns), path, ALICE)
    assert "line 3" in failed.value.message
    assert failed.value.details[0]["column"] == "code"
    assert duck_tables.catalog.summaries() == []


def test_an_override_that_does_not_fit_names_the_line(
    duck_tables: InputTables, tmp_path: Path
) -> None:
    path = write(tmp_path, 'n,label\n1,a\n"2\n",b\nthree,c\n')
    with pytest.raises(ValidationFailed) as failed:
        duck_tables.create_from_csv(request(columns='{"n": "integer"}'), path, ALICE)
    detail = failed.value.details[0]
    assert (detail["line"], detail["column"], detail["rule"]) == (5, "n", "type")
    assert "'three'" in detail["message"]


def test_a_ragged_line_is_named_and_the_table_is_unchanged(
    tables: InputTables, tmp_path: Path
) -> None:
    _, report = tables.create_from_csv(request(), write(tmp_path, ORDERS), ALICE)
    table_id = report.table_id
    rows_before = all_rows(tables, table_id)
    log_before = log_entries(tables, table_id)
    bad = 'id,customer,note\n5,"multi\nline",ok\n6,Short\n7,Fine,ok\n'
    with pytest.raises(ValidationFailed) as failed:
        tables.import_csv(table_id, write(tmp_path, bad, "bad.csv"), CsvOptions(), ALICE)
    assert "line 4" in failed.value.message
    assert failed.value.details[0]["line"] == 4
    assert "2 fields, expected 3" in failed.value.details[0]["message"]
    assert all_rows(tables, table_id) == rows_before
    assert log_entries(tables, table_id) == log_before


def test_a_failed_create_leaves_no_table_behind(tables: InputTables, tmp_path: Path) -> None:
    bad = 'a,b\n1,2\n3,"unterminated\n4,5\n'
    with pytest.raises(ValidationFailed) as failed:
        tables.create_from_csv(
            CsvTableRequest("Broken", CsvOptions(), ColumnOverrides(), id="broken"),
            write(tmp_path, bad),
            ALICE,
        )
    assert "line 3" in failed.value.message
    assert tables.catalog.summaries() == []
    with pytest.raises(TrilithError):
        tables.engine.fetch_rows(exp.select("*").from_(data_table(tables.schema, "broken")))


def _plant_edit(tables: InputTables, edit_no: int) -> None:
    """A stray edit-log entry where the import's numbers will run into it."""
    values = {
        "edit_no": edit_no,
        "table_id": "elsewhere",
        "operation": "insert",
        "at": dt.datetime(2024, 1, 1),
        "source": "api",
    }
    insert = exp.insert(
        exp.select(*(exp.Placeholder(this=k) for k in values)),
        exp.to_table(f"{tables.schema}.sigds_wal"),
        columns=list(values),
    )
    tables.engine.execute(insert, values)


def test_a_failure_while_writing_rolls_everything_back(tables: InputTables, tmp_path: Path) -> None:
    _, report = tables.create_from_csv(request(), write(tmp_path, ORDERS), ALICE)
    table_id = report.table_id
    rows_before = all_rows(tables, table_id)
    last = max(e["edit_num"] for e in log_entries(tables, table_id))
    _plant_edit(tables, last + 1)  # where the import's entry will be numbered
    with pytest.raises(TrilithError):
        tables.import_csv(table_id, write(tmp_path, ORDERS, "again.csv"), CsvOptions(), ALICE)
    assert all_rows(tables, table_id) == rows_before
    assert max(e["edit_num"] for e in log_entries(tables, table_id)) == last


def test_a_create_failing_in_the_warehouse_leaves_no_definition(
    tables: InputTables, tmp_path: Path
) -> None:
    # The data table's name is taken, so CREATE TABLE fails after the definition row.
    tables.engine.execute(
        exp.Create(
            this=exp.Schema(
                this=data_table(tables.schema, "taken"),
                expressions=[
                    exp.ColumnDef(this=exp.to_identifier("x"), kind=exp.DataType.build("INT"))
                ],
            ),
            kind="TABLE",
        )
    )
    request_taken = CsvTableRequest("Taken", CsvOptions(), ColumnOverrides(), id="taken")
    with pytest.raises(TrilithError):
        tables.create_from_csv(request_taken, write(tmp_path, ORDERS), ALICE)
    assert tables.catalog.summaries() == []


def test_values_breaking_rules_are_named_by_line_and_column(
    tables: InputTables, tmp_path: Path
) -> None:
    table_id = str(tables.create(InputTableDefinition.model_validate(DEALS), ALICE)["id"])
    text = (
        "title,amount,stage,tags,closes,seen_at,hot,code\n"
        'Good,10,open,"a, b",2024-01-01,2024-01-01 10:00,yes,ABC-1\n'
        ",20,open,,,,,\n"  # line 3: title required
        "Cheap,-5,open,,,,,\n"  # line 4: amount below min
        "Odd,5,maybe,,,,,\n"  # line 5: not an option
        'Tagged,5,open,"a, z",,,,\n'  # line 6: z not an option
        "Early,5,open,,2019-12-31,,,\n"  # line 7: before min
        "Bad,lots,open,,,,,\n"  # line 8: not a number
        "Code,5,open,,,,,abc\n"  # line 9: regex
        "Hot,5,open,,,,perhaps,\n"  # line 10: checkbox
    )
    with pytest.raises(ValidationFailed) as failed:
        tables.import_csv(table_id, write(tmp_path, text), CsvOptions(), ALICE)
    found = {(d["line"], d["column"], d["rule"]) for d in failed.value.details}
    assert found == {
        (3, "title", "required"),
        (4, "amount", "min"),
        (5, "stage", "options"),
        (6, "tags", "options"),
        (7, "closes", "min"),
        (8, "amount", "type"),
        (9, "code", "regex"),
        (10, "hot", "type"),
    }
    assert failed.value.message.startswith("line 3, column 'title': a value is required")
    assert all_rows(tables, table_id) == []


def test_good_values_land_with_defaults_and_options(tables: InputTables, tmp_path: Path) -> None:
    table_id = str(tables.create(InputTableDefinition.model_validate(DEALS), ALICE)["id"])
    text = 'title,tags,hot\nOne,"a, b",1\nTwo,"[""c""]",off\n'
    report = tables.import_csv(table_id, write(tmp_path, text), CsvOptions(), ALICE)
    assert report.rows == 2
    rows, _ = tables.rows(table_id).page(RowQuery(sort=[("title", False)]))
    assert [(r["title"], r["tags"], r["hot"], r["seats"], r["owner"]) for r in rows] == [
        ("One", ["a", "b"], True, 1, "sales"),
        ("Two", ["c"], False, 1, "sales"),
    ]


def test_unique_values_are_checked_within_the_file_and_against_the_table(
    tables: InputTables, tmp_path: Path
) -> None:
    table_id = str(tables.create(InputTableDefinition.model_validate(DEALS), ALICE)["id"])
    tables.insert(table_id, [{"title": "Existing", "code": "ABC-1"}], ALICE)
    repeated = "title,code\nA,XYZ-1\nB,XYZ-2\nC,XYZ-1\n"
    with pytest.raises(ValidationFailed) as failed:
        tables.import_csv(table_id, write(tmp_path, repeated), CsvOptions(), ALICE)
    detail = failed.value.details[0]
    assert (detail["line"], detail["column"], detail["rule"]) == (4, "code", "unique")
    assert "line 2" in detail["message"]
    taken = "title,code\nA,XYZ-1\nB,ABC-1\n"
    with pytest.raises(ValidationFailed) as failed:
        tables.import_csv(table_id, write(tmp_path, taken, "taken.csv"), CsvOptions(), ALICE)
    detail = failed.value.details[0]
    assert (detail["line"], detail["column"], detail["rule"]) == (3, "code", "unique")
    assert len(all_rows(tables, table_id)) == 1
    # Replacing the rows frees their values.
    report = tables.import_csv(
        table_id, write(tmp_path, taken, "taken.csv"), CsvOptions(mode="replace"), ALICE
    )
    assert (report.rows, report.deleted) == (2, 1)


def test_header_names_must_be_columns_of_the_table(tables: InputTables, tmp_path: Path) -> None:
    table_id = str(tables.create(InputTableDefinition.model_validate(DEALS), ALICE)["id"])
    for header, expected in (
        ("title,colour", "no such column"),
        ("title,_row_id", "system columns"),
        ("title,owner", "read-only"),
        ("amount", "'title' is required"),
    ):
        with pytest.raises(ValidationFailed) as failed:
            tables.import_csv(table_id, write(tmp_path, f"{header}\n"), CsvOptions(), ALICE)
        assert expected in failed.value.message


def test_headers_match_columns_loosely(duck_tables: InputTables, tmp_path: Path) -> None:
    table_id = str(duck_tables.create(InputTableDefinition.model_validate(DEALS), ALICE)["id"])
    report = duck_tables.import_csv(
        table_id, write(tmp_path, "Title,Seen At\nX,2024-05-01 12:00\n"), CsvOptions(), ALICE
    )
    assert [(c.header, c.name) for c in report.columns] == [
        ("Title", "title"),
        ("Seen At", "seen_at"),
    ]


def test_without_a_header_the_file_fills_the_columns_in_order(
    duck_tables: InputTables, tmp_path: Path
) -> None:
    created = duck_tables.create_from_csv(request(), write(tmp_path, "a,b\n1,x\n"), ALICE)
    table_id = created[1].table_id
    report = duck_tables.import_csv(
        table_id, write(tmp_path, "2,y\n3,z\n", "more.csv"), CsvOptions(header=False), ALICE
    )
    assert report.rows == 2
    with pytest.raises(ValidationFailed, match="the file has 3 columns but the table has 2"):
        duck_tables.import_csv(
            table_id, write(tmp_path, "1,2,3\n", "wide.csv"), CsvOptions(header=False), ALICE
        )


def test_files_that_are_not_utf8_are_refused(duck_tables: InputTables, tmp_path: Path) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes("name\nJosé\nRenée\n".encode("latin-1"))
    with pytest.raises(UnsupportedMediaType) as failed:
        duck_tables.create_from_csv(request(), latin, ALICE)
    assert failed.value.message.startswith("the file is not UTF-8 (byte 0xE9 at line 2")
    assert "save it as UTF-8" in failed.value.message
    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes("name\nJosé\n".encode("utf-16"))
    with pytest.raises(UnsupportedMediaType, match="UTF-16"):
        duck_tables.create_from_csv(request(), utf16, ALICE)
    assert duck_tables.catalog.summaries() == []


def test_empty_files_and_header_only_files(duck_tables: InputTables, tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed, match="empty"):
        duck_tables.create_from_csv(request(), write(tmp_path, "\ufeff"), ALICE)
    described, report = duck_tables.create_from_csv(request(), write(tmp_path, "a,b\n"), ALICE)
    assert report.rows == 0
    assert [c["type"] for c in described["columns"]] == ["text", "text"]


def test_draft_tables_refuse_imports(duck_tables: InputTables, tmp_path: Path) -> None:
    draft = duck_tables.create(
        InputTableDefinition.model_validate({**DEALS, "data_entry": "draft"}), ALICE
    )
    with pytest.raises(Conflict, match="publish its pending edits or switch it to published"):
        duck_tables.import_csv(str(draft["id"]), write(tmp_path, "title\nx\n"), CsvOptions(), ALICE)


def test_progress_runs_through_the_phases(duck_tables: InputTables, tmp_path: Path) -> None:
    seen: list[ImportProgress] = []
    _, report = duck_tables.create_from_csv(
        request(), write(tmp_path, ORDERS), ALICE, import_id="imp1", progress=seen.append
    )
    phases = [p.phase for p in seen]
    assert phases[0] == "parse"
    assert phases[-1] == "done"
    assert {"validate", "write"} <= set(phases)
    assert seen[-1].rows == 3
    assert {p.import_id for p in seen} == {"imp1"}
    assert {p.table_id for p in seen} == {report.table_id}
    failed: list[ImportProgress] = []
    with pytest.raises(ValidationFailed):
        duck_tables.import_csv(
            report.table_id,
            write(tmp_path, "id\nx\n", "bad.csv"),
            CsvOptions(),
            ALICE,
            progress=failed.append,
        )
    assert failed[-1].phase == "failed"
    assert "line 2" in str(failed[-1].message)


def test_columns_overrides_are_checked(duck_tables: InputTables, tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed, match="unknown type"):
        parse_columns('{"a": "money"}')
    with pytest.raises(ValidationFailed, match="not valid JSON"):
        parse_columns("{a: 1}")
    path = write(tmp_path, "a,b\n1,2\n")
    with pytest.raises(ValidationFailed, match="not in the file"):
        duck_tables.create_from_csv(request(columns='{"c": "text"}'), path, ALICE)
    with pytest.raises(ValidationFailed, match="lists 1 columns but the file has 2"):
        duck_tables.create_from_csv(request(columns='[{"name": "x"}]'), path, ALICE)
    assert ColumnOverrides() == parse_columns("")


@pytest.mark.slow
def test_a_large_file_imports_whole(duck_tables: InputTables, tmp_path: Path) -> None:
    path = tmp_path / "large.csv"
    with path.open("w") as handle:
        handle.write("id,name,amount,day\n")
        for i in range(200_000):
            handle.write(f'{i},"name {i}, the {i % 7}th",{i * 0.25},2024-01-{i % 28 + 1:02d}\n')
    described, report = duck_tables.create_from_csv(request(), path, ALICE)
    assert report.rows == 200_000
    assert [c["type"] for c in described["columns"]] == ["integer", "text", "number", "date"]
    entries, total = duck_tables.rows(report.table_id).log.history(report.table_id, HistoryQuery())
    assert total == 1
    assert entries[0]["after"]["rows"] == 200_000


@pytest.mark.slow
def test_ids_follow_the_file_across_batches(tables: InputTables, tmp_path: Path) -> None:
    """Rows stream in batches of 65,536 (on PostgreSQL numbered as they arrive, and sent
    in binary): the ids follow the file, and every type and empty cell lands as read."""
    count = 140_000
    path = tmp_path / "batches.csv"
    with path.open("w") as handle:
        handle.write("n,amount,day,at,paid,note\n")
        for i in range(1, count + 1):
            empty = i % 1000 == 0
            amount, paid, note = ("", "", "") if empty else (i / 4, i % 2 == 0, f'"n {i}, ok"')
            handle.write(
                f"{i},{amount},2024-03-{i % 28 + 1:02d},2024-03-01 10:{i % 60:02d}:00,{paid},{note}\n"
            )
    _, report = tables.create_from_csv(request(), path, ALICE)
    assert report.rows == count
    query = exp.select("_row_id", "n", "amount", "day", "at", "paid", "note").from_(
        data_table(tables.schema, report.table_id)
    )
    rows = sorted(tables.engine.fetch_rows(query))
    assert [row[1] for row in rows] == list(range(1, count + 1))
    assert len({row[0][:IMPORT_PREFIX] for row in rows}) == 1
    assert [int(row[0][IMPORT_PREFIX:], 16) for row in rows[:3]] == [1, 2, 3]
    for i in (1, 999, 1000, 65_536, 65_537, count):
        _, _, amount, day, at, paid, note = rows[i - 1]
        empty = i % 1000 == 0
        assert amount == (None if empty else i / 4)
        assert str(day)[:10] == f"2024-03-{i % 28 + 1:02d}"
        assert str(at)[:19].replace("T", " ") == f"2024-03-01 10:{i % 60:02d}:00"
        assert paid in (None if empty else i % 2 == 0, None if empty else int(i % 2 == 0))
        assert note == (None if empty else f"n {i}, ok")


@pytest.mark.parametrize(
    "text",
    [
        # DuckDB's parser types these columns itself.
        "n,x,d,b\n1,2.5,2024-01-05,true\n-3,.5,2024-02-29,FALSE\n,,,\n",
        # It refuses a thousands comma, padding and yes/no: the readers take over.
        'n,x,d,b\n"1,000", 2.5 ,2024-01-05,yes\n-3,.5,2024-02-29,No\n,,,\n',
    ],
)
def test_inferred_columns_read_the_same_either_way(
    tables: InputTables, tmp_path: Path, text: str
) -> None:
    described, report = tables.create_from_csv(request(), write(tmp_path, text), ALICE)
    assert [c["type"] for c in described["columns"]] == ["integer", "number", "date", "checkbox"]
    rows = all_rows(tables, report.table_id, by="_row_id")
    values = sorted(
        ((r["n"], r["x"], r["d"], r["b"]) for r in rows), key=lambda v: (v[0] is None, v[0])
    )
    first = 1000 if "1,000" in text else 1
    assert values == [
        (-3, 0.5, "2024-02-29", False),
        (first, 2.5, "2024-01-05", True),
        (None, None, None, None),
    ]


def _past_the_sample(tmp_path: Path, late: str, name: str = "late.csv") -> Path:
    """A file whose first rows (more than the types are guessed from) fit their guesses,
    with the line `late` near its end."""
    lines = ["a,b,c,d,e"]
    lines += [f"{i},{i * 1000},true,{i}.5,t {i}" for i in range(1, reader.SAMPLE_ROWS + 30)]
    lines.insert(reader.SAMPLE_ROWS + 20, late)  # line SAMPLE_ROWS + 21 of the file
    return write(tmp_path, "\n".join(lines) + "\n", name)


def _record(tables: InputTables, table_id: str, number: int) -> tuple[Any, ...]:
    """Columns a … e of the `number`th data record (ids follow the file)."""
    query = (
        exp.select("a", "b", "c", "d", "e")
        .from_(data_table(tables.schema, table_id))
        .order_by("_row_id")
        .offset(number - 1)
        .limit(1)
    )
    return tuple(tables.engine.fetch_rows(query)[0])


def test_cells_below_the_first_rows_decide_the_types_too(
    tables: InputTables, tmp_path: Path
) -> None:
    # Types are guessed on the first rows and the rows written in the same pass, each cell
    # checked; a cell further down that fits no guess makes the import read the file first.
    path = _past_the_sample(tmp_path, '007,"1,234", Yes ,"1,234.5",   ')
    described, report = tables.create_from_csv(request(), path, ALICE)
    types = [c["type"] for c in described["columns"]]
    assert types == ["text", "integer", "checkbox", "number", "text"]
    assert report.rows == reader.SAMPLE_ROWS + 30
    late = _record(tables, report.table_id, reader.SAMPLE_ROWS + 20)
    assert late == ("007", 1234, True, 1234.5, None)
    assert _record(tables, report.table_id, 1) == ("1", 1000, True, 1.5, "t 1")
    # Fitting cells below the first rows are read in the one pass.
    path = _past_the_sample(tmp_path, '-0,"1,234", Yes ,"1,234.5",  x ', "fits.csv")
    described, report = tables.create_from_csv(request("Fits"), path, ALICE)
    assert [c["type"] for c in described["columns"]] == [
        "integer",
        "integer",
        "checkbox",
        "number",
        "text",
    ]
    late = _record(tables, report.table_id, reader.SAMPLE_ROWS + 20)
    assert late == (0, 1234, True, 1234.5, "  x ")
    entries = log_entries(tables, report.table_id)
    assert [(e["op"], e["after"]["rows"]) for e in entries] == [("import", reader.SAMPLE_ROWS + 30)]


def test_a_ragged_line_below_the_first_rows_is_named_and_nothing_is_created(
    tables: InputTables, tmp_path: Path
) -> None:
    path = _past_the_sample(tmp_path, "1,2,true")
    with pytest.raises(ValidationFailed) as failed:
        tables.create_from_csv(
            CsvTableRequest("Ragged", CsvOptions(), ColumnOverrides(), id="ragged"), path, ALICE
        )
    line = reader.SAMPLE_ROWS + 21
    assert f"line {line}" in failed.value.message
    assert failed.value.details[0]["line"] == line
    assert "3 fields, expected 5" in failed.value.details[0]["message"]
    assert tables.catalog.summaries() == []
    with pytest.raises(TrilithError):
        tables.engine.fetch_rows(exp.select("*").from_(data_table(tables.schema, "ragged")))


def test_a_failure_not_about_the_file_is_not_read_again(
    tables: InputTables, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The one-pass create reads the file again to name a bad cell or line; a taken table
    id is reported at once."""
    path = write(tmp_path, "a,b\n1,x\n")
    made = CsvTableRequest(
        name="Twice", options=CsvOptions(), overrides=ColumnOverrides(), id="twice"
    )
    tables.create_from_csv(made, path, ALICE)

    def read_through(*_: Any) -> None:
        raise AssertionError("the file was read through again")

    if tables.engine.warehouse_type == "sqlite":
        pytest.skip("SQLite has no one-pass create: it always reads the file through")
    monkeypatch.setattr(reader.CsvReader, "infer", read_through)
    with pytest.raises(Conflict):
        tables.create_from_csv(made, path, ALICE)
