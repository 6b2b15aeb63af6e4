"""Date functions. Units are text constants: "year", "quarter", "month", "week", "day",
"hour", "minute", "second" (DatePart also takes "weekday"). The per-warehouse SQL lives in
`calendar.py`; this module declares the functions and their Python meaning.
"""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from sqlglot import exp

from trilith.formula import types as t
from trilith.formula.functions.calendar import CALENDARS, MONTHS, UNITS, Calendar, result_type
from trilith.formula.functions.formats import (
    check_format,
    format_sql,
    parse_date_text,
    parse_sql,
    translate_format,
)
from trilith.formula.functions.spec import (
    ArgumentError,
    Function,
    Invocation,
    function,
    registry,
)
from trilith.formula.ir import IR, Bound, Const

__all__ = ["FUNCTIONS", "add_py", "diff_py", "part_py", "trunc_py"]


def _check_unit(index: int, extra: tuple[str, ...] = ()) -> Callable[[Sequence[IR]], None]:
    allowed = UNITS + extra

    def validate(irs: Sequence[IR]) -> None:
        arg = irs[index]
        if isinstance(arg, Const | Bound) and str(arg.value).lower() not in allowed:
            raise ArgumentError(index, f"must be one of {', '.join(map(repr, allowed))}")

    return validate


def _unit(inv: Invocation, index: int = 0) -> str:
    return str(inv.constant(index)).lower()


def _calendar(inv: Invocation) -> Calendar:
    return CALENDARS[inv.dialect]


# --- builders ------------------------------------------------------------------------------


def _build_add(inv: Invocation) -> exp.Expr:
    return _calendar(inv).add(_unit(inv), inv.arg(1), inv.arg(2), inv.arg_type(2))


def _build_diff(inv: Invocation) -> exp.Expr:
    types = (inv.arg_type(1), inv.arg_type(2))
    return _calendar(inv).diff(_unit(inv), inv.arg(1), inv.arg(2), types)


def _build_trunc(inv: Invocation) -> exp.Expr:
    return _calendar(inv).trunc(_unit(inv), inv.arg(1), inv.arg_type(1))


def _part(unit: str) -> Callable[[Invocation], exp.Expr]:
    return lambda inv: _calendar(inv).part(unit, inv.arg(0), inv.arg_type(0))


def _build_part(inv: Invocation) -> exp.Expr:
    return _calendar(inv).part(_unit(inv), inv.arg(1), inv.arg_type(1))


def _spelled(inv: Invocation, what: str) -> exp.Expr:
    try:
        spelled = translate_format(inv.constant(1), inv.dialect)
    except ValueError as exc:
        raise inv.fail(f"{what}: {exc}") from None
    return inv.derived(1, spelled, "format")


def _build_format(inv: Invocation) -> exp.Expr:
    return format_sql(inv.arg(0), inv.arg_type(0), _spelled(inv, "DateFormat"), inv.dialect)


def _build_parse(inv: Invocation) -> exp.Expr:
    if not inv.has(1):
        return _calendar(inv).parse_iso(inv.arg(0))
    if inv.dialect == "sqlite":
        raise inv.fail("DateParse with a format is not supported on sqlite")
    return parse_sql(inv.arg(0), _spelled(inv, "DateParse"), inv.dialect)


# --- Python meaning ------------------------------------------------------------------------


def _as_datetime(value: dt.date) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())


def part_py(unit: str, value: dt.date) -> int:
    if unit == "weekday":
        return value.isoweekday() % 7 + 1
    if unit == "week":
        return value.isocalendar()[1]
    if unit == "quarter":
        return (value.month + 2) // 3
    full = _as_datetime(value)
    return int(getattr(full, unit))


_TIME_FIELDS: dict[str, Callable[[dt.datetime], dt.datetime]] = {
    "hour": lambda v: v.replace(minute=0, second=0, microsecond=0),
    "minute": lambda v: v.replace(second=0, microsecond=0),
    "second": lambda v: v.replace(microsecond=0),
}


def trunc_py(unit: str, value: dt.date) -> dt.date:
    is_date = not isinstance(value, dt.datetime)
    full = _as_datetime(value)
    if unit in _TIME_FIELDS:
        return _TIME_FIELDS[unit](full)
    day = full.replace(hour=0, minute=0, second=0, microsecond=0)
    if unit == "week":
        day -= dt.timedelta(days=day.weekday())
    elif unit in MONTHS:
        first_month = (
            day.month
            if unit == "month"
            else (1 if unit == "year" else (day.month - 1) // 3 * 3 + 1)
        )
        day = day.replace(month=first_month, day=1)
    return day.date() if is_date else day


def add_py(unit: str, amount: int, value: dt.date) -> dt.date:
    if unit in MONTHS:
        months = value.month - 1 + amount * MONTHS[unit]
        year, month = value.year + months // 12, months % 12 + 1
        day = min(value.day, pycalendar.monthrange(year, month)[1])
        return value.replace(year=year, month=month, day=day)
    out = _as_datetime(value) + dt.timedelta(**{"weeks" if unit == "week" else f"{unit}s": amount})
    return out.date() if result_type(unit, _type(value)) == t.DATE else out


def _type(value: dt.date) -> str:
    return t.DATETIME if isinstance(value, dt.datetime) else t.DATE


def diff_py(unit: str, start: dt.date, end: dt.date) -> int:
    if unit in MONTHS:

        def index(value: dt.date) -> int:
            per = 12 // MONTHS[unit]
            within = 0 if unit == "year" else (value.month - 1) * per // 12 + 1
            return value.year * per + within

        return index(end) - index(start)
    first = _as_datetime(trunc_py(unit, start))
    last = _as_datetime(trunc_py(unit, end))
    step = {"week": 604800, "day": 86400, "hour": 3600, "minute": 60, "second": 1}[unit]
    return int((last - first).total_seconds()) // step


def _parse_py(text: str, fmt: str | None = None) -> dt.datetime | None:
    if fmt is None:
        parsed = parse_date_text(text)
        return _as_datetime(parsed) if parsed is not None else None
    try:
        return dt.datetime.strptime(text, fmt)
    except ValueError:
        return None


def _make_date_py(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _unit_type(index: int) -> Callable[[Sequence[str]], str]:
    def rule(types: Sequence[str]) -> str:
        return t.DATETIME if types[index] == t.DATETIME else t.DATE

    return rule


_add_type = _unit_type(2)
_trunc_type = _unit_type(1)


def _unit_lower(fn: Callable[..., Any]) -> Callable[..., Any]:
    return lambda unit, *rest: fn(str(unit).lower(), *rest)


def _part_function(name: str, unit: str, example: str) -> Function:
    return function(
        name,
        "date",
        "date: date",
        t.INTEGER,
        _part(unit),
        evaluate=lambda value: part_py(unit, value),
        summary=f"The {unit} of the date"
        + {
            "week": " (ISO week number, weeks start on Monday).",
            "weekday": ": 1 for Sunday through 7 for Saturday.",
        }.get(unit, "."),
        example=example,
    )


FUNCTIONS: dict[str, Function] = registry(
    function(
        "DateAdd",
        "date",
        "unit: =text, amount: integer, date: date",
        lambda types: types[2] if types[2] != t.NULL else t.DATE,
        _build_add,
        evaluate=_unit_lower(add_py),
        validate=_check_unit(0),
        summary="The date moved by amount units; month steps clamp to the month's end.",
        example='DateAdd("month", 1, [Order Date])',
    ),
    function(
        "DateDiff",
        "date",
        "unit: =text, start: date, end: date",
        t.INTEGER,
        _build_diff,
        evaluate=_unit_lower(diff_py),
        validate=_check_unit(0),
        summary="The number of unit boundaries from start to end (negative when end is earlier).",
        example='DateDiff("day", [Order Date], [Ship Date])',
    ),
    function(
        "DateTrunc",
        "date",
        "unit: =text, date: date",
        _trunc_type,
        _build_trunc,
        evaluate=_unit_lower(trunc_py),
        validate=_check_unit(0),
        summary="The start of the unit holding the date (weeks start on Monday).",
        example='DateTrunc("month", [Order Date])',
    ),
    function(
        "DatePart",
        "date",
        "unit: =text, date: date",
        t.INTEGER,
        _build_part,
        evaluate=_unit_lower(part_py),
        validate=_check_unit(0, ("weekday",)),
        summary='One part of the date as an integer (units, or "weekday").',
        example='DatePart("quarter", [Order Date])',
    ),
    function(
        "DateFormat",
        "date",
        "date: date, format: =text",
        t.TEXT,
        _build_format,
        evaluate=lambda value, fmt: value.strftime(fmt),
        validate=check_format(1),
        summary="The date as text in a strftime format (%Y %m %d %H %M %S %y %j %b %B "
        "%a %A %I %p %%); punctuation and spaces pass through.",
        example='DateFormat([Order Date], "%Y-%m")',
    ),
    function(
        "DateParse",
        "date",
        "text: text, format: =text?",
        t.DATETIME,
        _build_parse,
        evaluate=_parse_py,
        validate=check_format(1),
        summary="Text as a datetime: ISO without a format, else by the strftime "
        "format; Null when it does not parse.",
        example='DateParse("31/01/2024", "%d/%m/%Y")',
    ),
    function(
        "MakeDate",
        "date",
        "year: integer, month: integer, day: integer",
        t.DATE,
        lambda inv: _calendar(inv).make_date(*inv.args),
        evaluate=_make_date_py,
        summary="The date with these parts; Null when they name no date.",
        example="MakeDate(2024, 1, 31)",
    ),
    function(
        "Now",
        "date",
        "",
        t.DATETIME,
        lambda inv: _calendar(inv).now(),
        evaluate=lambda: dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0),
        summary="The current date and time in UTC.",
        example="Now()",
    ),
    function(
        "Today",
        "date",
        "",
        t.DATE,
        lambda inv: _calendar(inv).today(),
        evaluate=lambda: dt.datetime.now(dt.UTC).date(),
        summary="The current date in UTC.",
        example="Today()",
    ),
    _part_function("Year", "year", "Year([Order Date])"),
    _part_function("Quarter", "quarter", "Quarter([Order Date])"),
    _part_function("Month", "month", "Month([Order Date])"),
    _part_function("Week", "week", "Week([Order Date])"),
    _part_function("Day", "day", "Day([Order Date])"),
    _part_function("Hour", "hour", "Hour([Created At])"),
    _part_function("Minute", "minute", "Minute([Created At])"),
    _part_function("Second", "second", "Second([Created At])"),
    _part_function("Weekday", "weekday", "Weekday([Order Date])"),
)
