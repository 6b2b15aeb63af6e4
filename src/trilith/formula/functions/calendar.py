"""Date primitives per dialect: parts, truncation, addition, differences, formats.

One `Calendar` per warehouse, in `CALENDARS`. The base class builds the generic sqlglot
nodes that sqlglot transpiles well for the cloud warehouses; DuckDB, PostgreSQL and
SQLite (the engines the tests run) override what they need. The rules every calendar
follows:

- weeks start on Monday (ISO); `week` parts are ISO week numbers; `weekday` is 1 for
  Sunday through 7 for Saturday;
- adding months clamps to the month's last day (Jan 31 + 1 month = Feb 29 in 2024);
- differences count unit boundaries crossed (Dec 31 to Jan 1 is one year);
- a date keeps its type through day-or-larger units and becomes a datetime otherwise.
"""

from __future__ import annotations

from sqlglot import exp

from trilith.formula import types as t
from trilith.formula.functions import trees
from trilith.formula.functions.formats import DATE_PATTERN

__all__ = ["CALENDARS", "DATE_UNITS", "TIME_UNITS", "UNITS", "Calendar", "result_type"]

DATE_UNITS = ("year", "quarter", "month", "week", "day")
TIME_UNITS = ("hour", "minute", "second")
UNITS = DATE_UNITS + TIME_UNITS
SECONDS = {"week": 604800, "day": 86400, "hour": 3600, "minute": 60, "second": 1}
MONTHS = {"year": 12, "quarter": 3, "month": 1}


def result_type(unit: str, type_: str) -> str:
    return t.DATE if type_ == t.DATE and unit in DATE_UNITS else t.DATETIME


def _var(unit: str) -> exp.Var:
    return exp.var(unit.upper())


def _as_integer(node: exp.Expr) -> exp.Expr:
    return trees.cast(node, t.INTEGER)


def _as_int4(node: exp.Expr) -> exp.Expr:
    if isinstance(trees.literal_value(node), int):
        return node
    return trees.cast(node, exp.DataType.Type.INT)


def _sub(left: exp.Expr, right: exp.Expr) -> exp.Expr:
    return trees.binary(exp.Sub, left, right)


class Calendar:
    dialect = ""
    # EXTRACT's name for a part where it differs from the unit.
    PARTS: dict[str, str] = {}
    EXTRACT_IS_INTEGER = False

    # --- parts ---------------------------------------------------------------------------

    def part(self, unit: str, node: exp.Expr, type_: str) -> exp.Expr:
        if unit in TIME_UNITS and type_ == t.DATE:
            return trees.integer(0)
        if unit == "weekday":
            return self.weekday(node)
        extracted: exp.Expr = exp.Extract(this=_var(self.PARTS.get(unit, unit)), expression=node)
        if unit == "second" and not self.EXTRACT_IS_INTEGER:
            extracted = exp.Floor(this=extracted)
        return extracted if self.EXTRACT_IS_INTEGER else _as_integer(extracted)

    def weekday(self, node: exp.Expr) -> exp.Expr:
        # EXTRACT(DOW) counts from 0 on Sunday.
        dow = _as_integer(exp.Extract(this=exp.var("DOW"), expression=node))
        return trees.binary(exp.Add, dow, trees.integer(1))

    # --- truncation ----------------------------------------------------------------------

    def trunc(self, unit: str, node: exp.Expr, type_: str) -> exp.Expr:
        if type_ == t.DATE and unit in TIME_UNITS:
            return self.to_datetime(node)
        truncated = self.native_trunc(unit, node, type_)
        return trees.cast(truncated, t.DATE) if type_ == t.DATE else truncated

    def native_trunc(self, unit: str, node: exp.Expr, type_: str) -> exp.Expr:
        return exp.TimestampTrunc(this=node, unit=_var(unit))

    def to_datetime(self, node: exp.Expr) -> exp.Expr:
        return trees.cast(node, t.DATETIME)

    # --- addition ------------------------------------------------------------------------

    def add(self, unit: str, amount: exp.Expr, node: exp.Expr, type_: str) -> exp.Expr:
        added = self.native_add(unit, amount, node, type_)
        return trees.cast(added, t.DATE) if result_type(unit, type_) == t.DATE else added

    def native_add(self, unit: str, amount: exp.Expr, node: exp.Expr, type_: str) -> exp.Expr:
        return exp.DateAdd(this=node, expression=amount, unit=_var(unit))

    # --- differences -----------------------------------------------------------------------

    def diff(self, unit: str, start: exp.Expr, end: exp.Expr, types: tuple[str, str]) -> exp.Expr:
        """Unit boundaries between start and end, from truncations and parts."""
        if unit in MONTHS:
            return self._month_diff(unit, start, end, types)
        step = SECONDS[unit]
        start_type, end_type = types
        seconds = _sub(
            self.epoch(self.trunc(unit, end, end_type), end_type),
            self.epoch(self.trunc(unit, start, start_type), start_type),
        )
        if step == 1:
            return _as_integer(seconds)
        # Exact: both truncations sit on unit boundaries, so integer division loses nothing.
        return _as_integer(trees.binary(exp.Div, seconds, trees.integer(step), typed=True))

    def _month_diff(
        self, unit: str, start: exp.Expr, end: exp.Expr, types: tuple[str, str]
    ) -> exp.Expr:
        def index(node: exp.Expr, type_: str) -> exp.Expr:
            year = self.part("year", node, type_)
            if unit == "year":
                return year
            per_year = 12 // MONTHS[unit]
            within = self.part("quarter" if unit == "quarter" else "month", node, type_)
            return trees.binary(
                exp.Add, trees.binary(exp.Mul, year, trees.integer(per_year)), within
            )

        return _sub(index(end, types[1]), index(start, types[0]))

    def epoch(self, node: exp.Expr, type_: str) -> exp.Expr:
        """Whole seconds since 1970-01-01 00:00:00."""
        return _as_integer(exp.TimeToUnix(this=self.to_datetime(node)))

    # --- other ---------------------------------------------------------------------------

    def now(self) -> exp.Expr:
        """The current UTC date and time, without a time zone."""
        return exp.AtTimeZone(this=exp.CurrentTimestamp(), zone=trees.text("UTC"))

    def today(self) -> exp.Expr:
        return trees.cast(self.now(), t.DATE)

    def parse_iso(self, node: exp.Expr) -> exp.Expr:
        return exp.TryCast(this=node, to=exp.DataType.build("TIMESTAMP"))

    def make_date(self, year: exp.Expr, month: exp.Expr, day: exp.Expr) -> exp.Expr:
        """A date from parts; Null when they name no date (month 13, Feb 30)."""
        made: exp.Expr = exp.DateFromParts(year=year, month=month, day=day)
        first = exp.DateFromParts(year=year, month=month, day=trees.integer(1))
        last = self.part(
            "day",
            self.add(
                "day", trees.integer(-1), self.add("month", trees.integer(1), first, t.DATE), t.DATE
            ),
            t.DATE,
        )
        known_month, known_day = trees.literal_value(month), trees.literal_value(day)
        if known_day is None or not 1 <= known_day <= 28:  # every month has days 1 to 28
            made = trees.case(
                (exp.Between(this=trees.wrap(day), low=trees.integer(1), high=last), made)
            )
        if known_month is None or not 1 <= known_month <= 12:
            months = exp.Between(
                this=trees.wrap(month), low=trees.integer(1), high=trees.integer(12)
            )
            made = trees.case((months, made))
        return made


class DuckDBCalendar(Calendar):
    dialect = "duckdb"
    EXTRACT_IS_INTEGER = True

    def weekday(self, node: exp.Expr) -> exp.Expr:
        return trees.binary(exp.Add, exp.DayOfWeek(this=node), trees.integer(1))

    def native_add(self, unit: str, amount: exp.Expr, node: exp.Expr, type_: str) -> exp.Expr:
        interval = exp.Interval(this=trees.wrap(amount), unit=_var(unit))
        return trees.binary(exp.Add, node, interval)

    def native_trunc(self, unit: str, node: exp.Expr, type_: str) -> exp.Expr:
        return trees.call("DATE_TRUNC", trees.text(unit), node)

    def diff(self, unit: str, start: exp.Expr, end: exp.Expr, types: tuple[str, str]) -> exp.Expr:
        if unit == "week":  # DATE_DIFF counts whole weeks, not Monday boundaries
            return super().diff(unit, start, end, types)
        return trees.call("DATE_DIFF", trees.text(unit), start, end)

    def make_date(self, year: exp.Expr, month: exp.Expr, day: exp.Expr) -> exp.Expr:
        return trees.call("TRY", exp.DateFromParts(year=year, month=month, day=day))


class PostgresCalendar(Calendar):
    dialect = "postgres"
    PARTS = {"week": "WEEK"}

    def native_trunc(self, unit: str, node: exp.Expr, type_: str) -> exp.Expr:
        # DATE_TRUNC of a date yields a timestamp with time zone; truncate a timestamp.
        return trees.call("DATE_TRUNC", trees.text(unit), self.to_datetime(node))

    def native_add(self, unit: str, amount: exp.Expr, node: exp.Expr, type_: str) -> exp.Expr:
        months = MONTHS.get(unit)
        step = f"{months} month" if months else f"1 {unit}"
        interval = exp.Interval(this=trees.text(step))
        return trees.binary(exp.Add, node, trees.binary(exp.Mul, interval, amount))

    def epoch(self, node: exp.Expr, type_: str) -> exp.Expr:
        return exp.Extract(this=exp.var("EPOCH"), expression=self.to_datetime(node))

    def parse_iso(self, node: exp.Expr) -> exp.Expr:
        # No TRY_CAST: cast only text shaped like an ISO date, so bad text gives Null.
        valid = exp.RegexpLike(this=node, expression=trees.text(DATE_PATTERN))
        # A literal cast is resolved while parsing, ahead of the CASE; a text value is not.
        text = trees.cast(node, t.TEXT) if isinstance(node, exp.Literal) else node
        return trees.case((valid, trees.cast(text, t.DATETIME)))

    def make_date(self, year: exp.Expr, month: exp.Expr, day: exp.Expr) -> exp.Expr:
        # MAKE_DATE takes INT parts, and PostgreSQL never narrows a BIGINT implicitly.
        made = super().make_date(*(_as_int4(part) for part in (year, month, day)))
        return made.transform(
            lambda n: (
                trees.call("MAKE_DATE", n.args["year"], n.args["month"], n.args["day"])
                if isinstance(n, exp.DateFromParts)
                else n
            )
        )


def _strftime(fmt: str, node: exp.Expr) -> exp.Expr:
    return trees.call("STRFTIME", trees.text(fmt), node)


def _sqlite_int(fmt: str, node: exp.Expr) -> exp.Expr:
    return _as_integer(_strftime(fmt, node))


class SQLiteCalendar(Calendar):
    """Dates are ISO text: `YYYY-MM-DD` and `YYYY-MM-DD HH:MM:SS`."""

    dialect = "sqlite"
    FORMATS = {
        "year": "%Y",
        "month": "%m",
        "day": "%d",
        "hour": "%H",
        "minute": "%M",
        "second": "%S",
    }
    TRUNC_FORMATS = {
        "hour": "%Y-%m-%d %H:00:00",
        "minute": "%Y-%m-%d %H:%M:00",
        "second": "%Y-%m-%d %H:%M:%S",
    }

    def part(self, unit: str, node: exp.Expr, type_: str) -> exp.Expr:
        if unit in TIME_UNITS and type_ == t.DATE:
            return trees.integer(0)
        if unit == "quarter":
            month = _sqlite_int("%m", node)
            return trees.binary(
                exp.Div,
                trees.binary(exp.Add, month, trees.integer(2)),
                trees.integer(3),
                typed=True,
            )
        if unit == "week":  # ISO: the week of the Thursday of the date's week
            thursday = trees.call("DATE", node, trees.text("-3 days"), trees.text("weekday 4"))
            day_of_year = _sqlite_int("%j", thursday)
            weeks = trees.binary(
                exp.Div, _sub(day_of_year, trees.integer(1)), trees.integer(7), typed=True
            )
            return trees.binary(exp.Add, weeks, trees.integer(1))
        if unit == "weekday":
            return trees.binary(exp.Add, _sqlite_int("%w", node), trees.integer(1))
        return _sqlite_int(self.FORMATS[unit], node)

    def _modify(self, type_: str, node: exp.Expr, *modifiers: exp.Expr) -> exp.Expr:
        return trees.call("DATE" if type_ == t.DATE else "DATETIME", node, *modifiers)

    def trunc(self, unit: str, node: exp.Expr, type_: str) -> exp.Expr:
        if unit in TIME_UNITS:
            return (
                self.to_datetime(node)
                if type_ == t.DATE
                else _strftime(self.TRUNC_FORMATS[unit], node)
            )
        if unit == "day":
            return self._modify(type_, node, trees.text("start of day"))
        if unit in ("year", "month"):
            return self._modify(type_, node, trees.text(f"start of {unit}"))
        if unit == "quarter":
            back = trees.binary(
                exp.Mod, _sub(_sqlite_int("%m", node), trees.integer(1)), trees.integer(3)
            )
            return self._modify(
                type_,
                node,
                trees.text("start of month"),
                _modifier(exp.Neg(this=trees.wrap(back)), "months"),
            )
        back = trees.binary(
            exp.Mod,
            trees.binary(exp.Add, _sqlite_int("%w", node), trees.integer(6)),
            trees.integer(7),
        )
        return self._modify(
            type_,
            node,
            trees.text("start of day"),
            _modifier(exp.Neg(this=trees.wrap(back)), "days"),
        )

    def to_datetime(self, node: exp.Expr) -> exp.Expr:
        return trees.call("DATETIME", node)

    def add(self, unit: str, amount: exp.Expr, node: exp.Expr, type_: str) -> exp.Expr:
        out = result_type(unit, type_)
        if unit not in MONTHS:
            seconds_unit = {"week": "days"}.get(unit, f"{unit}s")
            step = trees.binary(exp.Mul, amount, trees.integer(7)) if unit == "week" else amount
            return self._modify(out, node, _modifier(step, seconds_unit))
        months = (
            amount
            if unit == "month"
            else trees.binary(exp.Mul, amount, trees.integer(MONTHS[unit]))
        )
        # SQLite rolls Jan 31 + 1 month over to Mar 2; clamp to the target month's end.
        first = trees.call("DATE", node, trees.text("start of month"), _modifier(months, "months"))
        last_day = _sqlite_int(
            "%d", trees.call("DATE", first, trees.text("+1 month"), trees.text("-1 day"))
        )
        day = trees.call("MIN", _sqlite_int("%d", node), last_day)
        shift = _modifier(_sub(day, trees.integer(1)), "days")
        if out == t.DATE:
            return trees.call("DATE", first, shift)
        time_of_day = trees.binary(exp.DPipe, trees.text("+"), _strftime("%H:%M:%S", node))
        return trees.call("DATETIME", first, shift, time_of_day)

    def epoch(self, node: exp.Expr, type_: str) -> exp.Expr:
        return _sqlite_int("%s", node)

    def now(self) -> exp.Expr:
        return trees.call("DATETIME", trees.text("now"))

    def today(self) -> exp.Expr:
        return trees.call("DATE", trees.text("now"))

    def parse_iso(self, node: exp.Expr) -> exp.Expr:
        return trees.call("DATETIME", node)

    def make_date(self, year: exp.Expr, month: exp.Expr, day: exp.Expr) -> exp.Expr:
        text = trees.call("PRINTF", trees.text("%04d-%02d-%02d"), year, month, day)
        # DATE() accepts Feb 30 as written; a date that survives normalising is real.
        normal = trees.call("DATE", text, trees.text("+0 days"))
        return trees.case((exp.EQ(this=normal, expression=text), normal))


def _modifier(amount: exp.Expr, unit: str) -> exp.Expr:
    return trees.binary(exp.DPipe, amount, trees.text(f" {unit}"))


class SnowflakeCalendar(Calendar):
    dialect = "snowflake"
    PARTS = {"week": "WEEKISO"}
    EXTRACT_IS_INTEGER = True

    def weekday(self, node: exp.Expr) -> exp.Expr:
        iso = trees.call("DAYOFWEEKISO", node)  # Monday 1 … Sunday 7
        return trees.binary(exp.Add, trees.binary(exp.Mod, iso, trees.integer(7)), trees.integer(1))

    def native_trunc(self, unit: str, node: exp.Expr, type_: str) -> exp.Expr:
        return trees.call("DATE_TRUNC", trees.text(unit.upper()), node)

    def diff(self, unit: str, start: exp.Expr, end: exp.Expr, types: tuple[str, str]) -> exp.Expr:
        return exp.DateDiff(this=end, expression=start, unit=_var(unit))

    def now(self) -> exp.Expr:
        return trees.call("SYSDATE")


class BigQueryCalendar(Calendar):
    dialect = "bigquery"
    PARTS = {"week": "ISOWEEK"}
    EXTRACT_IS_INTEGER = True

    def weekday(self, node: exp.Expr) -> exp.Expr:
        return exp.Extract(this=exp.var("DAYOFWEEK"), expression=node)  # Sunday is 1

    def native_trunc(self, unit: str, node: exp.Expr, type_: str) -> exp.Expr:
        name = "DATE_TRUNC" if type_ == t.DATE else "DATETIME_TRUNC"
        return trees.call(name, node, _var("ISOWEEK" if unit == "week" else unit))

    def add(self, unit: str, amount: exp.Expr, node: exp.Expr, type_: str) -> exp.Expr:
        interval = exp.Interval(this=amount, unit=_var(unit))
        if result_type(unit, type_) == t.DATE:
            return trees.call("DATE_ADD", node, interval)
        return trees.call("DATETIME_ADD", self.to_datetime(node), interval)

    def diff(self, unit: str, start: exp.Expr, end: exp.Expr, types: tuple[str, str]) -> exp.Expr:
        name = "DATE_DIFF" if types == (t.DATE, t.DATE) else "DATETIME_DIFF"
        if name == "DATETIME_DIFF":
            start, end = self.to_datetime(start), self.to_datetime(end)
        return trees.call(name, end, start, _var("ISOWEEK" if unit == "week" else unit))

    def epoch(self, node: exp.Expr, type_: str) -> exp.Expr:
        return trees.call("UNIX_SECONDS", trees.call("TIMESTAMP", node))

    def now(self) -> exp.Expr:
        return trees.call("CURRENT_DATETIME", trees.text("UTC"))

    def parse_iso(self, node: exp.Expr) -> exp.Expr:
        return exp.TryCast(this=node, to=exp.DataType.build("DATETIME"))


class DatabricksCalendar(Calendar):
    dialect = "databricks"

    def weekday(self, node: exp.Expr) -> exp.Expr:
        return trees.call("DAYOFWEEK", node)  # Sunday is 1

    def native_trunc(self, unit: str, node: exp.Expr, type_: str) -> exp.Expr:
        return trees.call("DATE_TRUNC", trees.text(unit.upper()), node)

    def native_add(self, unit: str, amount: exp.Expr, node: exp.Expr, type_: str) -> exp.Expr:
        return trees.call("TIMESTAMPADD", _var(unit), amount, node)

    def epoch(self, node: exp.Expr, type_: str) -> exp.Expr:
        return trees.call("UNIX_TIMESTAMP", self.to_datetime(node))

    def make_date(self, year: exp.Expr, month: exp.Expr, day: exp.Expr) -> exp.Expr:
        return super().make_date(*(_as_int4(part) for part in (year, month, day)))

    def now(self) -> exp.Expr:
        return trees.call(
            "TO_UTC_TIMESTAMP", exp.CurrentTimestamp(), trees.call("CURRENT_TIMEZONE")
        )


class RedshiftCalendar(Calendar):
    dialect = "redshift"

    def native_trunc(self, unit: str, node: exp.Expr, type_: str) -> exp.Expr:
        return trees.call("DATE_TRUNC", trees.text(unit), node)

    def native_add(self, unit: str, amount: exp.Expr, node: exp.Expr, type_: str) -> exp.Expr:
        return trees.call("DATEADD", _var(unit), amount, node)

    def diff(self, unit: str, start: exp.Expr, end: exp.Expr, types: tuple[str, str]) -> exp.Expr:
        if unit == "week":
            return super().diff(unit, start, end, types)
        return trees.call("DATEDIFF", _var(unit), start, end)

    def epoch(self, node: exp.Expr, type_: str) -> exp.Expr:
        epoch = exp.Extract(this=exp.var("EPOCH"), expression=self.to_datetime(node))
        return _as_integer(epoch)

    parse_iso = PostgresCalendar.parse_iso

    def now(self) -> exp.Expr:
        return trees.call("GETDATE")

    def make_date(self, year: exp.Expr, month: exp.Expr, day: exp.Expr) -> exp.Expr:
        made = super().make_date(year, month, day)

        def to_date(node: exp.Expr) -> exp.Expr:
            if not isinstance(node, exp.DateFromParts):
                return node
            parts = [trees.cast(node.args[k], t.TEXT) for k in ("year", "month", "day")]
            joined = trees.binary(
                exp.DPipe,
                trees.binary(
                    exp.DPipe, trees.binary(exp.DPipe, parts[0], trees.text("-")), parts[1]
                ),
                trees.binary(exp.DPipe, trees.text("-"), parts[2]),
            )
            return trees.call("TO_DATE", joined, trees.text("YYYY-MM-DD"))

        return made.transform(to_date)


CALENDARS: dict[str, Calendar] = {
    calendar.dialect: calendar
    for calendar in (
        DuckDBCalendar(),
        PostgresCalendar(),
        SQLiteCalendar(),
        SnowflakeCalendar(),
        BigQueryCalendar(),
        DatabricksCalendar(),
        RedshiftCalendar(),
    )
}
