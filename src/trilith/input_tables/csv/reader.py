"""DuckDB reading an uploaded file: structure, type inference, rule checks, typed rows.

Every warehouse gets its rows through here, so a file means the same on each. The fast
path is a streaming aggregate over `read_csv` in strict mode (parallel, nothing
materialised): it counts rows, infers types and counts broken rules. Only when something
is wrong do the slower error paths run, to name the lines: DuckDB's rejects table gives
byte offsets of malformed lines; a numbered, single-threaded scan gives the records
breaking rules; `layout` turns both into line numbers.

The reader is a private in-memory DuckDB, so no warehouse resources are held while a
file is checked; the DuckDB warehouse reads the file itself when it stages rows.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
from sqlglot import exp

from trilith.errors import ValidationFailed
from trilith.input_tables.csv import cells
from trilith.input_tables.csv.layout import FileLayout, line_of_offset, lines_of_records
from trilith.input_tables.csv.rules import Check, Target, message
from trilith.input_tables.edit_log import IMPORT_PREFIX
from trilith.sql.render import ParamStyle, param, render

__all__ = ["MAX_REPORTED", "CsvReader", "Problem", "native_params", "scan", "typed_select"]

MAX_REPORTED = 20
SAMPLE_ROWS = 10_000
READER_MEMORY_ENV = "TRILITH_CSV_READER_MEMORY"

Problem = dict[str, Any]


def scan(
    layout: FileLayout,
    *,
    parallel: bool = True,
    rejects: str | None = None,
    columns: str = "csv_columns",
) -> exp.Expr:
    """`read_csv` of the file: every column VARCHAR as c_1 … c_N, strict RFC 4180 (or as
    the types the parameter `columns` names, see `native_params`)."""
    arguments: list[exp.Expr] = [param("csv_path")]
    options: dict[str, exp.Expr] = {
        "header": param("csv_header"),
        "delim": param("csv_delim"),
        "quote": exp.Literal.string('"'),
        "escape": exp.Literal.string('"'),
        "columns": param(columns),
        "auto_detect": exp.false(),
        "strict_mode": exp.true(),
        "null_padding": exp.false(),
        "parallel": exp.true() if parallel else exp.false(),
    }
    if rejects:
        options |= {
            "store_rejects": exp.true(),
            "rejects_table": exp.Literal.string(rejects),
            "rejects_scan": exp.Literal.string(f"{rejects}_scan"),
            "rejects_limit": exp.Literal.number(MAX_REPORTED),
        }
    arguments += [exp.EQ(this=exp.var(k), expression=v) for k, v in options.items()]
    return exp.Anonymous(this="read_csv", expressions=arguments)


def scan_params(layout: FileLayout) -> dict[str, Any]:
    return {
        "csv_path": str(layout.path),
        "csv_header": layout.header,
        "csv_delim": layout.delimiter,
        "csv_columns": {f"c_{i}": "VARCHAR" for i in range(1, layout.width + 1)},
        "row_prefix": layout.row_prefix,
    }


# Types DuckDB's CSV reader may parse itself in columns whose type was inferred: for a
# cell fitting the type's guess it gives what the type's reader gives, or fails (a
# thousands comma, `yes`), and then the import runs again with the readers.
NATIVE_TYPES = {"integer": "BIGINT", "number": "DOUBLE", "date": "DATE", "checkbox": "BOOLEAN"}


def _native(target: Target) -> bool:
    return target.guessed and not target.sampled and target.column.type in NATIVE_TYPES


def native_params(layout: FileLayout, targets: Sequence[Target]) -> dict[str, Any]:
    """`csv_native_columns`: the file's columns typed for `typed_select(native=True)`."""
    types = {f"c_{i}": "VARCHAR" for i in range(1, layout.width + 1)}
    types |= {f"c_{t.position}": NATIVE_TYPES[t.column.type] for t in targets if _native(t)}
    return {"csv_native_columns": types}


# An imported row's id: the import's prefix, then its record number in this many hex digits.
_ID_DIGITS = 32 - IMPORT_PREFIX


def import_row_id(number: exp.Expr) -> exp.Expr:
    """An imported row's id: the import's random prefix (bound as `row_prefix`), then its
    record `number` in 20 lower-case, zero-padded hex digits (`format` writes them)."""
    return exp.Anonymous(
        this="format",
        expressions=[
            exp.Literal.string(f"{{}}{{:0{_ID_DIGITS}x}}"),
            exp.cast(param("row_prefix"), "VARCHAR"),
            number,
        ],
    )


def typed_select(
    layout: FileLayout,
    targets: Sequence[Target],
    *,
    numbered: bool = True,
    stamped: bool = False,
    native: bool = False,
    row_ids: bool = True,
) -> exp.Select:
    """`_rec` (the record number, where `numbered`), a new `_row_id` (where `row_ids`;
    else the caller numbers the rows as they stream, `numbered_ids`), the other system
    columns where `stamped` (binding `now` and `actor`), and each target's typed value.

    Row ids are 32 hex digits like the API's: the import's random `row_prefix`, then the
    record number in 20 hex digits. Ids in file order make the primary key cheap to build
    (sequential keys), and cannot meet the API's UUID4 ids, whose 13th digit is 4."""
    row_id = import_row_id(exp.Window(this=exp.RowNumber()))
    parsed = {t.position for t in targets if native and _native(t)}
    # Sampled columns trim only the cells that need it (`cells.read_sampled`).
    sampled = {t.position for t in targets if t.sampled}
    source = scan(layout, columns="csv_native_columns") if native else scan(layout)
    trimmed = _trimmed(
        source, sorted({t.position for t in targets} - parsed - sampled), parsed | sampled
    )
    values = [
        (
            _cell(t.position)
            if t.position in parsed
            else cells.read_sampled(t.column.type, _cell(t.position))
            if t.sampled
            else t.value_of(exp.column(f"t_{t.position}"))
        ).as_(exp.to_identifier(t.column.name, quoted=True))
        for t in targets
    ]
    number = [exp.Window(this=exp.RowNumber()).as_("_rec")] if numbered else []
    stamps = (
        [
            exp.Literal.number(1).as_("_version"),
            exp.cast(param("now"), "TIMESTAMP").as_("_created_at"),
            exp.cast(param("actor"), "VARCHAR").as_("_created_by"),
            exp.cast(param("now"), "TIMESTAMP").as_("_updated_at"),
            exp.cast(param("actor"), "VARCHAR").as_("_updated_by"),
        ]
        if stamped
        else []
    )
    ids = [row_id.as_("_row_id")] if row_ids else []
    return exp.select(*number, *ids, *stamps, *values).from_(trimmed.subquery("cells"))


_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def numbered_ids(prefix: str, first: int, count: int) -> pa.Array:
    """The `_row_id`s `typed_select` gives records `first` to `first + count - 1` (counted
    from 1): the prefix, then the number in zero-padded lower-case hex; built by numpy,
    for rows streamed in file order."""
    numbers = np.arange(first, first + count, dtype=np.uint64)
    shifts = np.arange(4 * (_ID_DIGITS - 1), -1, -4, dtype=np.uint64)
    ids = np.empty((count, IMPORT_PREFIX + _ID_DIGITS), dtype=np.uint8)
    ids[:, :IMPORT_PREFIX] = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    ids[:, IMPORT_PREFIX:] = _HEX[(numbers[:, None] >> shifts) & np.uint64(15)]
    offsets = np.arange(0, (count + 1) * ids.shape[1], ids.shape[1], dtype=np.int32)
    return pa.StringArray.from_buffers(count, pa.py_buffer(offsets), pa.py_buffer(ids))


class CsvReader:
    def __init__(self, layout: FileLayout) -> None:
        self.layout = layout
        memory = os.environ.get(READER_MEMORY_ENV) or "512MB"
        self.connection = duckdb.connect(":memory:", config={"memory_limit": memory})
        self.connection.execute("SET enable_progress_bar = false")

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> CsvReader:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- queries -----------------------------------------------------------------------

    def _run(self, query: exp.Expr, params: dict[str, Any] | None = None) -> Any:
        rendered = render(
            query, "duckdb", ParamStyle.QMARK, {**scan_params(self.layout), **(params or {})}
        )
        with self._malformed_lines():
            return self.connection.execute(rendered.sql, rendered.params)

    @contextmanager
    def _malformed_lines(self) -> Iterator[None]:
        try:
            yield
        except duckdb.InvalidInputException as exc:
            if "CSV Error" not in str(exc):
                raise ValidationFailed(f"the file cannot be read: {_first_line(exc)}") from None
            raise self._structure_problems(exc) from None
        except duckdb.Error as exc:
            raise ValidationFailed(f"the file cannot be read: {_first_line(exc)}") from None

    def batches(
        self, query: exp.Select, rows: int = 65_536, params: dict[str, Any] | None = None
    ) -> pa.RecordBatchReader:
        """The query's rows as Arrow record batches, streamed (the file was checked)."""
        bound = {**scan_params(self.layout), **(params or {})}
        rendered = render(query, "duckdb", ParamStyle.QMARK, bound)
        with self._malformed_lines():
            relation = self.connection.sql(rendered.sql, params=rendered.params)
            reader: pa.RecordBatchReader = relation.to_arrow_reader(rows)
        return reader

    # --- inference ---------------------------------------------------------------------

    def infer(self, positions: Sequence[int]) -> tuple[int, dict[int, str]]:
        """The row count, and a type for each file column in `positions`.

        Types are guessed on the first rows, then confirmed over the whole file with one
        test per column; a column the rest of the file contradicts (or that is blank in
        the first rows) is guessed again over all of it.
        """
        first = self._first_rows()
        guessed, filled = self._guess(positions, first)
        candidates = {p: t for p, t in guessed.items() if t != "text"}
        aggregates: list[exp.Expr] = [exp.func("COUNT", exp.Star())]
        aggregates += [_count_where(_misfit(t, p)) for p, t in candidates.items()]
        whole = _trimmed(scan(self.layout), sorted(candidates)).subquery("cells")
        row = self._run(exp.select(*aggregates).from_(whole)).fetchall()[0]
        again = [p for p, n in zip(candidates, row[1:], strict=True) if n]
        again += [p for p in positions if not filled[p]]
        if again:
            guessed |= self._guess(sorted(again), scan(self.layout))[0]
        return int(row[0]), guessed

    def _first_rows(self) -> exp.Subquery:
        # One thread reads the first rows and stops; parallel readers would each fill
        # a buffer of the file first.
        scanned = scan(self.layout, parallel=False)
        return exp.select("*").from_(scanned).limit(SAMPLE_ROWS).subquery("first")

    def sample(self, positions: Sequence[int]) -> dict[int, str] | None:
        """A type for each file column in `positions`, guessed on the first rows only;
        None when a column is blank there. Cells further down may not fit: read the
        columns with `Target.sampled`, which checks each cell."""
        first = self._first_rows()
        guessed, filled = self._guess(positions, first)
        return guessed if all(filled.values()) else None

    def _guess(
        self, positions: Sequence[int], source: exp.Expr
    ) -> tuple[dict[int, str], dict[int, int]]:
        """The first guess every non-blank cell fits (else text), and how many cells of
        each column are not blank."""
        aggregates: list[exp.Expr] = [exp.Literal.number(0)]
        for position in positions:
            aggregates += [_count_where(_misfit(t, position)) for t in cells.GUESS_ORDER]
            aggregates.append(exp.func("COUNT", exp.column(f"t_{position}")))
        cells_of = _trimmed(source, positions).subquery("cells")
        row = self._run(exp.select(*aggregates).from_(cells_of)).fetchall()[0]
        types: dict[int, str] = {}
        filled: dict[int, int] = {}
        width = len(cells.GUESS_ORDER) + 1
        for index, position in enumerate(positions):
            counts = row[1 + index * width : 1 + (index + 1) * width]
            fitting = [t for t, n in zip(cells.GUESS_ORDER, counts[:-1], strict=True) if n == 0]
            filled[position] = int(counts[-1])
            types[position] = fitting[0] if filled[position] and fitting else "text"
        return types, filled

    # --- checks ------------------------------------------------------------------------

    def check(self, checks: Sequence[Check], unique: Sequence[Target]) -> int:
        """The row count; a 422 naming lines when a cell breaks a rule or repeats a value
        of a unique column."""
        aggregates: list[exp.Expr] = [exp.func("COUNT", exp.Star())]
        params: dict[str, Any] = {}
        for item in checks:
            aggregates.append(_count_where(item.predicate))
            params |= item.params
        for target in unique:
            value = target.value
            distinct = exp.Count(this=exp.Distinct(expressions=[value]))
            aggregates.append(exp.Sub(this=exp.func("COUNT", value), expression=distinct))
        row = self._run(exp.select(*aggregates).from_(scan(self.layout)), params).fetchall()[0]
        rows = int(row[0])
        broken = [c for c, n in zip(checks, row[1 : 1 + len(checks)], strict=True) if n]
        repeated = [t for t, n in zip(unique, row[1 + len(checks) :], strict=True) if n]
        if broken or repeated:
            problems = self._broken(broken, params) + self._repeated(repeated)
            problems.sort(key=lambda p: (p["record"], p["column"] or ""))
            raise problem_error(self.layout, problems)
        return rows

    def _numbered(self) -> exp.Select:
        number = exp.Window(this=exp.RowNumber()).as_("_rec")
        return exp.select(number, exp.Star()).from_(scan(self.layout, parallel=False))

    def _broken(self, checks: Sequence[Check], params: dict[str, Any]) -> list[Problem]:
        if not checks:
            return []
        flags = [c.predicate.as_(f"_f{i}") for i, c in enumerate(checks)]
        positions = sorted({c.target.position for c in checks})
        query = (
            exp.select("_rec", *(f"c_{p}" for p in positions), *flags)
            .from_(self._numbered().subquery("numbered"))
            .where(exp.or_(*(c.predicate for c in checks)))
            .order_by("_rec")
            .limit(MAX_REPORTED)
        )
        problems: list[Problem] = []
        for row in self._run(query, params).fetchall():
            raw = dict(zip(positions, row[1 : 1 + len(positions)], strict=True))
            for check, flagged in zip(checks, row[1 + len(positions) :], strict=True):
                if flagged:
                    value = raw[check.target.position]
                    problems.append(
                        _problem(row[0], check.target, check.rule, value, message(check, value))
                    )
        return problems

    def _repeated(self, targets: Sequence[Target]) -> list[Problem]:
        problems: list[Problem] = []
        for target in targets:
            value = target.value.as_("_v")
            first = exp.Window(
                this=exp.func("MIN", exp.column("_rec")), partition_by=[exp.column("_v")]
            ).as_("_first")
            inner = exp.select("_rec", target.cell, value).from_(
                self._numbered().subquery("numbered")
            )
            query = (
                exp.select("_rec", target.cell, "_first")
                .from_(exp.select("*", first).from_(inner.subquery("valued")).subquery("firsts"))
                .where(
                    exp.and_(
                        exp.column("_v").is_(exp.null()).not_(),
                        exp.column("_rec") > exp.column("_first"),
                    )
                )
                .order_by("_rec")
                .limit(MAX_REPORTED)
            )
            rows = self._run(query).fetchall()
            first_lines = lines_of_records(self.layout, {r[2] for r in rows})
            for record, raw, first_record in rows:
                where = f"line {first_lines.get(first_record, '?')}"
                problems.append(
                    _problem(record, target, "unique", raw, f"{raw!r} repeats the value of {where}")
                )
        return problems

    # --- malformed lines -------------------------------------------------------------------

    def _structure_problems(self, exc: duckdb.Error) -> ValidationFailed:
        rejects = f"rejects_{uuid.uuid4().hex[:8]}"
        query = exp.select("*").from_(scan(self.layout, rejects=rejects))
        rendered = render(query, "duckdb", ParamStyle.QMARK, scan_params(self.layout))
        try:
            self.connection.execute(rendered.sql, rendered.params).fetchall()
            listing = (
                exp.select("line_byte_position", "error_type", "error_message", "column_name")
                .from_(exp.to_table(rejects))
                .order_by("line_byte_position")
                .limit(MAX_REPORTED)
            )
            found = self.connection.execute(listing.sql("duckdb")).fetchall()
        except duckdb.Error:
            found = []
        if not found:
            return ValidationFailed(f"the file is not valid CSV: {_first_line(exc)}")
        problems = []
        for offset, error_type, error_message, column in found:
            line = line_of_offset(self.layout.path, int(offset))
            problems.append(
                {
                    "line": line,
                    "column": None,
                    "rule": error_type.lower().replace(" ", "_"),
                    "message": _structure_message(error_type, error_message, column),
                }
            )
        return _error(problems, "the file is not valid CSV")


def _structure_message(error_type: str, text: str, column: str | None) -> str:
    counts = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text)
    if counts and error_type in ("MISSING COLUMNS", "TOO MANY COLUMNS"):
        expected, found = counts.groups()
        return f"has {found} fields, expected {expected} like the first row"
    if error_type == "UNQUOTED VALUE":
        return (
            "a quote is not closed, or a field has text after its closing quote "
            '(write "" for a quote inside a quoted field)'
        )
    if error_type == "LINE SIZE OVER MAXIMUM":
        return "the line is longer than 2 MB; a quote is probably not closed"
    return text.strip().rstrip(".")


def _cell(position: int) -> exp.Column:
    return exp.column(f"c_{position}")


def _trimmed(
    source: exp.Expr, positions: Sequence[int], passed: Collection[int] = ()
) -> exp.Select:
    """`source` with each cell `c_N` of `positions` and its trimmed text `t_N` (NULL when
    blank): trimmed once here, below the expressions that test it repeatedly. Cells of
    `passed` are passed through as they are."""
    projected = [
        expression
        for p in positions
        for expression in (_cell(p), cells.blank_or_trimmed(_cell(p)).as_(f"t_{p}"))
    ]
    projected += [_cell(p) for p in sorted(passed)]
    return exp.select(*projected or [exp.Literal.number(1).as_("_")]).from_(source)


def _misfit(type_name: str, position: int) -> exp.Expr:
    """A non-blank cell that does not look like `type_name` (over `_trimmed`)."""
    trimmed = exp.column(f"t_{position}")
    guessed = cells.guess(type_name, _cell(position), trimmed)
    return exp.and_(
        trimmed.is_(exp.null()).not_(),
        exp.not_(exp.func("COALESCE", guessed, exp.false())),
    )


def _count_where(condition: exp.Expr) -> exp.Expr:
    return exp.Filter(this=exp.func("COUNT", exp.Star()), expression=exp.Where(this=condition))


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _problem(record: int, target: Target, rule: str, value: str | None, text: str) -> Problem:
    return {
        "record": int(record),
        "column": target.column.name,
        "rule": rule,
        "value": value,
        "message": text,
    }


def problem_error(layout: FileLayout, problems: list[Problem]) -> ValidationFailed:
    """Name the line of each problem (`record` numbers → lines) and build the 422."""
    lines = lines_of_records(layout, {p["record"] for p in problems})
    for item in problems:
        item["line"] = lines.get(item["record"])
    return _error(problems[:MAX_REPORTED], "nothing was imported")


def _error(problems: list[Problem], suffix: str) -> ValidationFailed:
    first = problems[0]
    where = f"line {first['line']}" if first.get("line") else f"record {first.get('record')}"
    if first.get("column"):
        where += f", column '{first['column']}'"
    more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
    return ValidationFailed(
        f"{where}: {first['message']} (rule: {first['rule']}){more}; {suffix}",
        details=problems,
    )
