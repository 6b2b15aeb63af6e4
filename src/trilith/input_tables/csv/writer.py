"""Set-based writes of staged rows: the data table and the edit log, in SQL only.

Rows arrive in a temporary *stage* table (`_rec`, `_row_id`, one typed column per file
column). From there, in the import's transaction:

* `clashes` finds staged values of unique columns that existing rows already hold;
* `replace` logs a `delete` entry for every current row (their values live nowhere
  else once deleted), then deletes them;
* `insert` copies the stage into the data table with the system columns;
* `log_import` writes the import's one edit-log entry, which stands for all its rows
  (see `edit_log`).

Delete entries are numbered by the edit sequence (`nextval` per row) or, where the
engine has no sequences, from a block reserved in the `counters` table. Each dialect
builds the JSON of a row with its own functions (`JSON_OBJECTS`); all produce the same
document.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlglot import exp

from trilith.engines.base import Engine, Session
from trilith.input_tables.csv.reader import import_row_id
from trilith.input_tables.csv.rules import Target
from trilith.input_tables.definition import SYSTEM_COLUMNS, InputTableDefinition
from trilith.input_tables.edit_log import Edit, EditLog
from trilith.input_tables.query import SYSTEM_TYPES
from trilith.input_tables.rows import WriteContext
from trilith.input_tables.statements import WAL_COLUMNS
from trilith.input_tables.storage import add_row_key, column_defaults, column_spec, data_table
from trilith.input_tables.types import COLUMN_TYPES
from trilith.metadata.clock import utc_now
from trilith.metadata.migrations import EDIT_SEQUENCE
from trilith.sql.ddl import ColumnSpec, create_table, table
from trilith.sql.render import param

__all__ = ["JSON_OBJECTS", "RowWriter", "Stage"]

log = logging.getLogger("trilith.input_tables.csv")
Pairs = Sequence[tuple[str, exp.Expr]]
REPORTED = 20
_STAMP_NAMES = SYSTEM_COLUMNS[2:]


@dataclass(frozen=True, slots=True)
class Stage:
    table: exp.Table
    targets: tuple[Target, ...]

    @classmethod
    def new(cls, targets: Sequence[Target]) -> Stage:
        """A stage with a name of its own, so concurrent imports never share one."""
        name = f"_trilith_csv_{uuid.uuid4().hex[:16]}"
        return cls(exp.Table(this=exp.to_identifier(name, quoted=True)), tuple(targets))

    def create(self) -> exp.Create:
        specs = [
            ColumnSpec("_rec", "BIGINT"),
            ColumnSpec("_row_id", "TEXT"),
            *(column_spec(t.column) for t in self.targets),
        ]
        create = create_table(self.table, specs, (), if_not_exists=False)
        create.set("properties", exp.Properties(expressions=[exp.TemporaryProperty()]))
        return create

    def drop(self) -> exp.Drop:
        return exp.Drop(tables=[self.table.copy()], kind="TABLE", exists=True)

    @property
    def names(self) -> list[str]:
        return ["_rec", "_row_id", *(t.column.name for t in self.targets)]


# --- JSON of a row, per dialect ---------------------------------------------------------


def _chunked(build: Callable[[Pairs], exp.Expr], size: int) -> Callable[[Pairs], exp.Expr]:
    """Build objects of at most `size` pairs and splice their texts into one object."""

    def splice(pairs: Pairs) -> exp.Expr:
        parts = [build(pairs[i : i + size]) for i in range(0, len(pairs), size)]
        text = parts[0]
        for part in parts[1:]:
            head = exp.Substring(
                this=text, start=exp.Literal.number(1), length=exp.Length(this=text) - 1
            )
            tail = exp.Substring(this=part, start=exp.Literal.number(2))
            text = exp.DPipe(
                this=exp.DPipe(this=head, expression=exp.Literal.string(",")), expression=tail
            )
        return text

    return splice


def _function(name: str) -> Callable[[Pairs], exp.Expr]:
    def build(pairs: Pairs) -> exp.Expr:
        arguments: list[exp.Expr] = []
        for key, value in pairs:
            arguments += [exp.Literal.string(key), value]
        return exp.cast(exp.Anonymous(this=name, expressions=arguments), "TEXT")

    return build


def _standard(pairs: Pairs) -> exp.Expr:
    keyed = [exp.JSONKeyValue(this=exp.Literal.string(k), expression=v) for k, v in pairs]
    return exp.cast(exp.JSONObject(expressions=keyed), "TEXT")


# PostgreSQL functions take at most 100 arguments; SQLite's default limit is 127.
JSON_OBJECTS: dict[str, Callable[[Pairs], exp.Expr]] = {
    "duckdb": _chunked(_function("json_object"), 200),
    "postgres": _chunked(_function("json_build_object"), 50),
    "sqlite": _chunked(_function("json_object"), 60),
}


def _typed(engine: Engine, value: exp.Expr, sql_type: str) -> exp.Expr:
    """A bound value cast to its type where the engine needs the hint (PostgreSQL infers
    none for a parameter in a select list); SQLite keeps values as bound, since its
    casts to TIMESTAMP drop fractions of a second."""
    return value if engine.dialect == "sqlite" else exp.cast(value, sql_type)


def _sqlite_boolean(value: exp.Expr) -> exp.Expr:
    json = exp.Anonymous
    return exp.Case(
        ifs=[
            exp.If(this=value.is_(exp.null()), true=exp.null()),
            exp.If(this=value, true=json(this="json", expressions=[exp.Literal.string("true")])),
        ],
        default=json(this="json", expressions=[exp.Literal.string("false")]),
    )


def _json_value(dialect: str, type_name: str, value: exp.Expr) -> exp.Expr:
    """`value` as `from_storage` shows it: ISO text for dates, a list for multi-select."""
    if type_name == "date":
        return exp.cast(value, "TEXT")
    if type_name == "datetime":
        return exp.func(
            "replace", exp.cast(value, "TEXT"), exp.Literal.string(" "), exp.Literal.string("T")
        )
    if type_name == "multi_select":
        if dialect == "sqlite":
            return exp.Anonymous(this="json", expressions=[value])
        return exp.cast(value, "JSON")
    if type_name == "checkbox" and dialect == "sqlite":
        return _sqlite_boolean(value)
    return value


# --- the writer -------------------------------------------------------------------------


class RowWriter:
    def __init__(
        self,
        engine: Engine,
        schema: str,
        definition: InputTableDefinition,
        stage: Stage,
        context: WriteContext,
        source_params: dict[str, Any] | None = None,
    ) -> None:
        assert definition.id is not None
        self.engine = engine
        # The values a `source` query binds (the file's path and layout).
        self.source_params = source_params or {}
        self.schema = schema
        self.definition = definition
        self.table_id = definition.id
        self.stage = stage
        self.context = context
        self.data = data_table(schema, definition.id)
        self.log = table(schema, "sigds_wal")
        self.now = utc_now()
        self.json_object = JSON_OBJECTS.get(engine.dialect, _standard)
        staged = {t.column.name for t in stage.targets}
        self.defaults = {
            c.name: COLUMN_TYPES[c.type].coerce(c.default)
            for c in definition.editable_columns
            if c.name not in staged and c.default is not None
        }

    def _typed(self, value: exp.Expr, sql_type: str) -> exp.Expr:
        return _typed(self.engine, value, sql_type)

    def _params(self) -> dict[str, Any]:
        params: dict[str, Any] = {
            "now": self.now,
            "actor": self.context.actor,
            "request_id": self.context.request_id,
            "table_id": self.table_id,
        }
        params |= {f"default_{i}": v for i, v in enumerate(self.defaults.values())}
        return params

    def _values(self) -> list[tuple[str, str, exp.Expr]]:
        """(column, type, value) of every editable column of an inserted row."""
        staged = {t.column.name for t in self.stage.targets}
        defaults = {name: i for i, name in enumerate(self.defaults)}
        values: list[tuple[str, str, exp.Expr]] = []
        for column in self.definition.editable_columns:
            sql_type = COLUMN_TYPES[column.type].sql_type
            if column.name in staged:
                value: exp.Expr = exp.column(column.name, table="s", quoted=True)
            elif column.name in defaults:
                value = self._typed(param(f"default_{defaults[column.name]}"), sql_type)
            else:
                value = exp.cast(exp.null(), sql_type)
            values.append((column.name, column.type, value))
        return values

    def clashes(self, session: Session) -> list[dict[str, Any]]:
        """Staged values of unique columns that rows of the table already hold."""
        found: list[dict[str, Any]] = []
        for target in self.stage.targets:
            if not target.column.unique:
                continue
            staged = exp.column(target.column.name, table="s", quoted=True)
            taken = exp.select(exp.column(target.column.name, quoted=True)).from_(self.data)
            query = (
                exp.select(exp.column("_rec", table="s"), staged)
                .from_(self.stage.table.as_("s"))
                .where(staged.isin(query=taken))
                .order_by(exp.column("_rec", table="s"))
                .limit(REPORTED)
            )
            for record, value in session.fetch_rows(query):
                found.append(
                    {
                        "record": int(record),
                        "column": target.column.name,
                        "rule": "unique",
                        "value": value,
                        "message": f"{value!r} is already used by another row",
                    }
                )
        return found

    def replace(self, session: Session) -> int:
        """Delete every row of the table, logging each; return how many there were."""
        count = self.count(session)
        if count:
            session.execute(*self._delete_entries(session, count))
            session.execute(exp.delete(self.data))
        return count

    def insert(
        self,
        session: Session,
        rows: int | None,
        source: exp.Select | None = None,
        *,
        with_ids: bool = True,
    ) -> None:
        """Copy the stage into the data table (the caller logs the import, `log_import`).

        With `source` (a query shaped like the stage) the rows come from it instead.
        `rows` None: how many is not known yet (`count` after). Without `with_ids` the
        source has no `_row_id`s: rows get an empty one, for `number_appended`.
        """
        if rows == 0:
            return
        values = self._values()
        stamps = [
            self._typed(param("now"), "TIMESTAMP"),
            self._typed(param("actor"), "TEXT"),
            self._typed(param("now"), "TIMESTAMP"),
            self._typed(param("actor"), "TEXT"),
        ]
        relation = source.subquery("s") if source is not None else self.stage.table.copy().as_("s")
        select = exp.select(
            exp.column("_row_id", table="s") if with_ids else exp.Literal.string(""),
            exp.Literal.number(1),
            *stamps,
            *(value for _, _, value in values),
        ).from_(relation)
        columns = [
            exp.to_identifier(n, quoted=True) for n in (*SYSTEM_COLUMNS, *(v[0] for v in values))
        ]
        insert = exp.Insert(this=exp.Schema(this=self.data, expressions=columns), expression=select)
        started = time.monotonic()
        session.execute(insert, self._params() | (self.source_params if source is not None else {}))
        log.debug(
            "import into %s: data rows took %.3f s", self.table_id, time.monotonic() - started
        )

    @contextmanager
    def stamped_by_default(self, session: Session) -> Iterator[None]:
        """While rows are copied into a new data table: the system columns every row of
        the import shares (version 1, this import's time and actor) are the columns'
        defaults, so they are neither sent nor parsed once per row. The defaults are
        dropped after (a failure rolls them back with the rest)."""
        actor = self.context.actor
        when = exp.cast(exp.Literal.string(self.now.isoformat(sep=" ")), "TIMESTAMP")
        by = exp.Literal.string(actor) if actor is not None else exp.null()
        shared: dict[str, exp.Expr | None] = {
            "_version": exp.Literal.number(1),
            "_created_at": when,
            "_created_by": by,
            "_updated_at": when.copy(),
            "_updated_by": by.copy(),
        }
        session.execute(column_defaults(self.data, shared))
        yield
        session.execute(column_defaults(self.data, dict.fromkeys(shared)))

    def number_appended(self, session: Session, row_prefix: str) -> None:
        """Give the rows of a data table created and filled in this transaction their
        ids: DuckDB numbers appended rows in the order they came (`rowid`, counted from
        the transaction's first), which for rows read straight from a file is the file's.
        One parallel UPDATE, where ROW_NUMBER() over the streamed file runs on one thread.
        The ids are those `reader.typed_select` gives: the prefix, the record number in
        hex."""
        first = exp.select(exp.func("MIN", exp.column("rowid"))).from_(self.data.copy())
        number = exp.column("rowid") - exp.paren(first.subquery()) + exp.Literal.number(1)
        update = exp.update(self.data, {"_row_id": import_row_id(number)})
        session.execute(update, {"row_prefix": row_prefix})

    def add_row_key(self, session: Session) -> None:
        """The primary key of a data table created without one for its first load."""
        session.execute(add_row_key(self.data))

    def log_import(self, session: Session, summary: dict[str, Any], row_prefix: str) -> int:
        """The import's one edit-log entry (its rows' ids start with `row_prefix`)."""
        edit = Edit(
            self.table_id,
            row_prefix,
            "import",
            None,
            summary,
            self.context.actor,
            self.now,
            self.context.request_id,
            "csv",
        )
        return EditLog(self.engine, self.schema).append(session, [edit])[0]

    def count(self, session: Session) -> int:
        """The rows of the data table."""
        query = exp.select(exp.func("COUNT", exp.Star())).from_(self.data)
        return int(session.fetch_scalar(query))

    def _delete_entries(self, session: Session, count: int) -> tuple[exp.Insert, dict[str, Any]]:
        """A `delete` entry for every row of the data table, its `before` the row as it is
        stored."""
        order = exp.Order(expressions=[exp.Ordered(this=exp.column("_row_id", table="d"))])
        numbers, base = self._numbers(session, count, exp.Window(this=exp.RowNumber(), order=order))
        types = {**SYSTEM_TYPES, **{c.name: c.type for c in self.definition.editable_columns}}
        names = (*SYSTEM_COLUMNS, *(c.name for c in self.definition.editable_columns))
        stored = self.json_object(
            [
                (
                    n,
                    _json_value(
                        self.engine.dialect, types[n], exp.column(n, table="d", quoted=True)
                    ),
                )
                for n in names
            ]
        )
        entries = exp.select(
            numbers,
            self._typed(param("table_id"), "TEXT"),
            exp.column("_row_id", table="d"),
            exp.Literal.string("delete"),
            stored,
            exp.cast(exp.null(), "TEXT"),
            self._typed(param("actor"), "TEXT"),
            self._typed(param("now"), "TIMESTAMP"),
            self._typed(param("request_id"), "TEXT"),
            exp.Literal.string("csv"),
        ).from_(self.data.copy().as_("d"))
        return self._log_insert(entries), self._params() | base

    def _log_insert(self, entries: exp.Select) -> exp.Insert:
        columns = [exp.to_identifier(n, quoted=True) for n in WAL_COLUMNS]
        return exp.Insert(this=exp.Schema(this=self.log, expressions=columns), expression=entries)

    def _numbers(
        self, session: Session, count: int, ordinal: exp.Expr
    ) -> tuple[exp.Expr, dict[str, Any]]:
        """Edit numbers: the sequence's next values, or a block reserved in `counters`
        numbered by `ordinal` (1 … count); with the parameters they bind."""
        if self.engine.SUPPORTS_SEQUENCES:
            return self.engine.next_value(self.schema, EDIT_SEQUENCE), {}
        counters = table(self.schema, "counters")
        where = exp.column("name").eq(param("name"))
        session.execute(
            exp.update(counters, {"value": exp.column("value") + param("n")}, where=where),
            {"name": EDIT_SEQUENCE, "n": count},
        )
        last = int(
            session.fetch_scalar(
                exp.select("value").from_(counters).where(where), {"name": EDIT_SEQUENCE}
            )
        )
        number = exp.Add(this=exp.cast(param("edit_base"), "BIGINT"), expression=ordinal)
        return number, {"edit_base": last - count}
