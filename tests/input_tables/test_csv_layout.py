"""A file's layout (encoding, delimiter, header) and positions turned into line numbers."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trilith.errors import UnsupportedMediaType, ValidationFailed
from trilith.input_tables.csv.layout import (
    column_name,
    inspect_file,
    line_of_offset,
    lines_of_records,
)
from trilith.input_tables.csv.options import CsvOptions, import_options, parse_delimiter
from trilith.input_tables.csv.reader import CsvReader


def write(tmp_path: Path, data: bytes, name: str = "f.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        (b"a,b,c\n1,2,3\n", ","),
        (b"a;b;c\n1;2;3\n", ";"),
        (b"a\tb\tc\n1\t2\t3\n", "\t"),
        (b"a;b\n1,5;2,5\n3,1;4,2\n", ";"),
        (b'name,note\nx,"a;b;c"\ny,"d;e"\n', ","),
        (b"single\nvalue\n", ","),
    ],
)
def test_the_delimiter_is_the_one_that_splits_rows_alike(
    tmp_path: Path, text: bytes, delimiter: str
) -> None:
    assert inspect_file(write(tmp_path, text), CsvOptions()).delimiter == delimiter


def test_the_header_and_a_bom(tmp_path: Path) -> None:
    layout = inspect_file(write(tmp_path, b'\xef\xbb\xbf"Full name",Age\nA,1\n'), CsvOptions())
    assert layout.bom
    assert layout.names == ("Full name", "Age")
    nameless = inspect_file(write(tmp_path, b"A,1\n"), CsvOptions(header=False))
    assert nameless.names == ("column_1", "column_2")


@pytest.mark.parametrize(
    ("header", "name"),
    [("Full name", "Full_name"), ("2024 sales", "c_2024_sales"), ("%", "column_3"), ("_id", "id")],
)
def test_header_values_become_column_names(header: str, name: str) -> None:
    assert column_name(header, 3) == name


def test_invalid_utf8_names_byte_line_and_position(tmp_path: Path) -> None:
    path = write(tmp_path, b"name\nok\nJos\xe9\n")
    with pytest.raises(UnsupportedMediaType) as failed:
        inspect_file(path, CsvOptions())
    assert "byte 0xE9 at line 3, position 4" in failed.value.message
    assert failed.value.details == [{"line": 3, "byte_offset": 11, "rule": "encoding"}]


def test_a_character_cut_at_the_end_is_not_utf8(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedMediaType, match="truncated character"):
        inspect_file(write(tmp_path, b"a\n\xc3"), CsvOptions())


def test_an_error_past_the_first_megabyte_is_found(tmp_path: Path) -> None:
    rows = b"x\n" * 700_000
    with pytest.raises(UnsupportedMediaType, match="at line 700002"):
        inspect_file(write(tmp_path, b"h\n" + rows + b"\xff\n"), CsvOptions())


def test_blank_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed, match="only blank lines"):
        inspect_file(write(tmp_path, b"\n\n"), CsvOptions())


def test_form_options_are_read_strictly() -> None:
    assert parse_delimiter("tab") == "\t"
    assert parse_delimiter("") is None
    with pytest.raises(ValidationFailed, match="delimiter"):
        parse_delimiter("|")
    assert import_options({"mode": "replace", "header": "false"}) == CsvOptions(
        None, False, "replace"
    )
    with pytest.raises(ValidationFailed, match="mode must be append or replace"):
        import_options({"mode": "merge"})
    with pytest.raises(ValidationFailed, match="unknown form field"):
        import_options({"sheet": "1"})


def test_offsets_become_lines(tmp_path: Path) -> None:
    path = write(tmp_path, b"ab\ncd\n\nef")
    assert [line_of_offset(path, o) for o in (0, 2, 3, 6, 7)] == [1, 1, 2, 3, 4]


cells = st.text(alphabet=st.sampled_from('ab ,;"\n\r\t'), max_size=6)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.lists(cells, min_size=2, max_size=2), min_size=1, max_size=12))
def test_records_map_to_the_lines_they_start_on(
    tmp_path_factory: pytest.TempPathFactory, rows: list[list[str]]
) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(["h1", "h2"])
    starts = []
    for row in rows:
        starts.append(buffer.getvalue().count("\n") + 1)
        writer.writerow(row)
    path = tmp_path_factory.mktemp("lines") / "f.csv"
    path.write_text(buffer.getvalue(), newline="")
    layout = inspect_file(path, CsvOptions(delimiter=","))
    found = lines_of_records(layout, range(1, len(rows) + 1))
    assert found == {i: line for i, line in enumerate(starts, 1)}
    # DuckDB reads the same records as the line mapper counts.
    with CsvReader(layout) as reader:
        assert reader.check([], []) == len(rows)
