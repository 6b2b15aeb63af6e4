"""Every registered function, run on DuckDB, SQLite and PostgreSQL and by the evaluator.

Each case states a formula and the one answer every engine must give. `scalar` cases run
as `SELECT <formula>`; `table` cases over the test table (aggregates give one value);
`rows` cases give one value per row in `Id` order. A function a dialect cannot run is
marked from the registry's own `unsupported` table (ibis' notimpl habit): the compiler
must refuse it with a FormulaError, strictly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlglot import exp

from tests.conftest import ENGINE_NAMES
from tests.formula.cases import D, T, normalize, same, scope, table
from trilith.engines import Engine
from trilith.formula import FUNCTIONS, FormulaError, ast, compile_formula, evaluate, parse

ANY = object()


@dataclass(frozen=True)
class Case:
    formula: str
    expected: Any
    mode: str = "scalar"  # scalar | table | rows
    # Dialects that cannot run this case although its functions are supported.
    notimpl: dict[str, str] = field(default_factory=dict)
    sort: bool = False  # compare as a sorted list (ListAgg, ArrayAgg)
    # Runs everywhere although a function in it has gaps (a known array is expanded).
    everywhere: bool = False


def c(formula: str, expected: Any, **kw: Any) -> Case:
    return Case(formula, expected, **kw)


CASES = [
    # --- operators --------------------------------------------------------------------------
    c("1 + 2 * 3", 7),
    c("(1 + 2) * 3", 9),
    c("5 / 2", 2.5),
    c("1 / 0", None),
    c("7 % 3", 1),
    c("-7 % 3", -1),
    c("7.5 % 2", 1.5),
    c("2 ^ 10", 1024.0),
    c("-2 ^ 2", -4.0),
    c("(-8) ^ 0.5", None),
    c('"a" & Null & "b"', "ab"),
    c('"n" & 1', "n1"),
    c("not (1 = 2)", True),
    c("True and Null", None),
    c("False and Null", False),
    c("True or Null", True),
    c('"abc" < "abd"', True),
    c("3 <> 4", True),
    c("10 - 2 - 3", 5),
    # --- logical ----------------------------------------------------------------------------
    c('If(1 > 2, "a", 2 > 1, "b", "c")', "b"),
    c("If(False, 1)", None),
    c('Switch("b", "a", 1, "b", 2, 0)', 2),
    c('Switch("z", "a", 1, 0)', 0),
    c("In(2, 1, 2, 3)", True),
    c('In("x", "a", "b")', False),
    c("Between(5, 1, 10)", True),
    c("Coalesce(Null, Null, 3)", 3),
    c("Zn(Null)", 0),
    c("IsNull(Null)", True),
    c("IsNotNull(1)", True),
    # --- text -------------------------------------------------------------------------------
    c('Concat("a", Null, "b", 1)', "ab1"),
    c('Contains("hello", "ell")', True),
    c('Contains("hello", "x")', False),
    c('StartsWith("hello", "he")', True),
    c('EndsWith("hello", "lo")', True),
    c('EndsWith("lo", "hello")', False),
    c('Find("hello", "l")', 3),
    c('Find("hello", "z")', 0),
    c('Left("hello", 2)', "he"),
    c('Left("hi", -1)', ""),
    c('Right("hello", 3)', "llo"),
    c('Right("hello", 0)', ""),
    c('Right("hi", 5)', "hi"),
    c('Mid("hello", 2, 3)', "ell"),
    c('Len("hello")', 5),
    c('Lower("HeLLo")', "hello"),
    c('Upper("abc")', "ABC"),
    c('Proper("hello wORLD-foo")', "Hello World-Foo"),
    c('Trim("  a b  ")', "a b"),
    c('LTrim("  a ")', "a "),
    c('RTrim("  a ")', "  a"),
    c('LPad("7", 3, "0")', "007"),
    c('LPad("abcd", 2)', "ab"),
    c('RPad("ab", 4, "-")', "ab--"),
    c('Replace("a-b-c", "-", "")', "abc"),
    c('RegexpMatch("abc123", "[0-9]+")', True),
    c('RegexpMatch("abc", "^b")', False),
    c('RegexpExtract("user@example.com", "@(.*)$")', "example.com"),
    c('RegexpExtract("abc123", "[0-9]+")', "123"),
    c('RegexpExtract("abc", "x")', None),
    c('RegexpReplace("a1b22", "[0-9]+", "#")', "a#b#"),
    c('SplitPart("a,b,c", ",", 2)', "b"),
    c('SplitPart("a,b", ",", 5)', ""),
    c('MD5("abc")', "900150983cd24fb0d6963f7d28e17f72"),
    c('SHA256("abc")', "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    c('Like("abc", "a%")', True),
    c('Like("abc", "A%")', False),
    c('Like("50%", "50\\\\%")', True),
    c('Like("a_c", "a\\\\_c")', True),
    c('ILike("ABC", "a_c")', True),
    # --- math -------------------------------------------------------------------------------
    c("Abs(-3)", 3),
    c("Round(2.5)", 3),
    c("Round(-2.5)", -3),
    c("Round(1234.5678, 2)", 1234.57),
    c("Round(1234, -2)", 1200),
    c("RoundUp(1.21, 1)", 1.3),
    c("RoundUp(1.1, 2)", 1.1),
    c("RoundUp(2.1)", 3),
    c("RoundDown(-1.21, 1)", -1.3),
    c("Ceiling(1.2)", 2),
    c("Floor(-1.2)", -2),
    c("Mod(7, 3)", 1),
    c("Mod(7.5, 2)", 1.5),
    c("Mod(-7, 3)", -1),
    c("Mod(5, 0)", None),
    c("Power(2, 3)", 8.0),
    c("Sqrt(16)", 4.0),
    c("Sqrt(-1)", None),
    c("Ln(1)", 0.0),
    c("Ln(0)", None),
    c("Log(1000)", 3.0),
    c("Log(8, 2)", 3.0),
    c("Exp(0)", 1.0),
    c("Greatest(1, 5, 3)", 5),
    c("Greatest(1, Null)", None),
    c('Greatest("a", "b")', "b"),
    c("Least(4, 2)", 2),
    # --- date -------------------------------------------------------------------------------
    c('DateAdd("month", 1, Date("2024-01-31"))', D(2024, 2, 29)),
    c('DateAdd("day", -1, Date("2024-03-01"))', D(2024, 2, 29)),
    c('DateAdd("year", 1, Date("2024-02-29"))', D(2025, 2, 28)),
    c('DateAdd("quarter", 1, Date("2024-11-30"))', D(2025, 2, 28)),
    c('DateAdd("week", 2, Date("2024-01-01"))', D(2024, 1, 15)),
    c('DateAdd("hour", 5, Date("2024-01-01 22:00:00"))', T(2024, 1, 2, 3)),
    c('DateAdd("minute", 90, Date("2024-01-01"))', T(2024, 1, 1, 1, 30)),
    c('DateAdd("month", 1, Date("2024-01-31 08:15:00"))', T(2024, 2, 29, 8, 15)),
    c('DateDiff("year", Date("2023-12-31"), Date("2024-01-01"))', 1),
    c('DateDiff("month", Date("2024-01-31"), Date("2024-02-01"))', 1),
    c('DateDiff("quarter", Date("2024-03-31"), Date("2024-04-01"))', 1),
    c('DateDiff("week", Date("2024-01-07"), Date("2024-01-08"))', 1),
    c('DateDiff("week", Date("2024-01-08"), Date("2024-01-14"))', 0),
    c('DateDiff("day", Date("2024-03-01"), Date("2024-02-01"))', -29),
    c('DateDiff("hour", Date("2024-01-01 10:59:00"), Date("2024-01-01 11:00:00"))', 1),
    c('DateDiff("minute", Date("2024-01-01 10:59:59"), Date("2024-01-01 11:00:00"))', 1),
    c('DateDiff("second", Date("2024-01-01"), Date("2024-01-01 00:01:01"))', 61),
    c('DateTrunc("month", Date("2024-05-17"))', D(2024, 5, 1)),
    c('DateTrunc("quarter", Date("2024-05-17"))', D(2024, 4, 1)),
    c('DateTrunc("week", Date("2024-05-19"))', D(2024, 5, 13)),
    c('DateTrunc("year", Date("2024-05-17 10:11:12"))', T(2024, 1, 1)),
    c('DateTrunc("day", Date("2024-05-17 10:11:12"))', T(2024, 5, 17)),
    c('DateTrunc("hour", Date("2024-05-17 10:11:12"))', T(2024, 5, 17, 10)),
    c('DatePart("quarter", Date("2024-05-17"))', 2),
    c('DatePart("weekday", Date("2024-05-19"))', 1),
    c('DateFormat(Date("2024-01-05"), "%Y/%m/%d")', "2024/01/05"),
    c('DateFormat(Date("2024-01-05 13:04:05"), "%H:%M:%S")', "13:04:05"),
    c(
        'DateFormat(Date("2024-01-05"), "%d %b %Y")',
        "05 Jan 2024",
        notimpl={"sqlite": "SQLite's strftime has no month names"},
    ),
    c('DateParse("2024-01-31 10:00:00")', T(2024, 1, 31, 10)),
    c('DateParse("nope")', None),
    c(
        'DateParse("31/01/2024", "%d/%m/%Y")',
        T(2024, 1, 31),
        notimpl={"sqlite": "SQLite cannot parse by a format"},
    ),
    c("MakeDate(2024, 2, 29)", D(2024, 2, 29)),
    c("MakeDate(2023, 2, 29)", None),
    c("MakeDate(2024, 13, 1)", None),
    c(
        "MakeDate(Year([Day]), Month([Day]), 1)",
        [D(2024, 1, 1), D(2024, 2, 1), D(2023, 12, 1), D(2024, 5, 1)],
        mode="rows",
    ),
    c("MakeDate(Year([Day]), 2, [Qty] * 10)", [None, None, None, D(2024, 2, 20)], mode="rows"),
    c("Year(Now()) >= 2024", True),
    c('DateDiff("day", Today(), Now()) >= 0', True),
    c('Year(Date("2024-05-17"))', 2024),
    c('Quarter(Date("2024-05-17"))', 2),
    c('Month(Date("2024-05-17"))', 5),
    c('Week(Date("2024-01-01"))', 1),
    c('Week(Date("2023-01-01"))', 52),
    c('Day(Date("2024-05-17"))', 17),
    c('Hour(Date("2024-05-17 10:11:12"))', 10),
    c('Hour(Date("2024-05-17"))', 0),
    c('Minute(Date("2024-05-17 10:11:12"))', 11),
    c('Second(Date("2024-05-17 10:11:12"))', 12),
    c('Weekday(Date("2024-05-17"))', 6),
    # --- type -------------------------------------------------------------------------------
    c("Text(42)", "42"),
    c("Text(True)", "true"),
    c('Text(Date("2024-01-31"))', "2024-01-31"),
    c('Text(Date("2024-01-31 10:00:00"))', "2024-01-31 10:00:00"),
    c('Number("12.5")', 12.5),
    c('Number("abc")', None),
    c('Number(" -3e2 ")', -300.0),
    c("Number(True)", 1),
    c('Date("2024-01-31")', D(2024, 1, 31)),
    c('Date(Date("2024-01-31 10:00:00"))', D(2024, 1, 31)),
    c('Date("2024-01-31" & "")', D(2024, 1, 31)),
    c('Date("junk" & "")', None),
    c('Logical("TRUE")', True),
    c("Logical(0)", False),
    c('Logical("maybe")', None),
    # --- system, arrays, pass-through ---------------------------------------------------------
    c("CurrentUserEmail()", "ann@example.com"),
    c('CurrentUserInTeam("Sales", "Ops")', True),
    c('CurrentUserInTeam("Ops")', False),
    c('CurrentUserAttributeText("region")', "EU"),
    c('CurrentUserAttributeText("missing")', None),
    c('ArrayContains([Regions], "EU")', True, everywhere=True),
    c('ArrayContains([Regions], "JP")', False, everywhere=True),
    c('ArrayContains(ArrayAgg([Tag]), "c")', True, mode="table"),
    c('CallNumber("ABS", -3)', 3),
    c('CallText("UPPER", "ab")', "AB"),
    c('CallLogical("COALESCE", Null, True)', True),
    c('CallDatetime("COALESCE", Null, Date("2024-01-01 10:00:00"))', T(2024, 1, 1, 10)),
    c('CallVariant("COALESCE", Null, 1)', 1),
    # --- references ---------------------------------------------------------------------------
    c('[Region] & "!"', "EU!"),
    c("[Amounts].max - [Amounts].min", 190),
    c('DateDiff("day", [Dates].start, [Dates].end)', 90),
    c("[ActionVar/Threshold] * 2", 200),
    c('[Selection/Stage] = "won"', True),
    c("ArrayContains([Selection/Id], 3)", True, everywhere=True),
    c("[Amount] > [Limit]", [False, True, None, False], mode="rows"),
    c("Text([Qty])", ["3", None, "5", "2"], mode="rows"),
    c('Proper(Coalesce([Name], "x"))', ["Alice Smith", "Bob", "Carol", "X"], mode="rows"),
    c('DateDiff("day", [Day], [Ts])', [0, 0, 0, 0], mode="rows"),
    # --- aggregates ---------------------------------------------------------------------------
    c("Sum([Amount])", 2150.5, mode="table"),
    c("Avg([Amount])", 2150.5 / 3, mode="table"),
    c("Count([Amount])", 3, mode="table"),
    c("Count()", 4, mode="table"),
    c("CountDistinct([Stage])", 3, mode="table"),
    c("Min([Day])", D(2023, 12, 31), mode="table"),
    c("Max([Stage])", "won", mode="table"),
    c("Median([Qty])", 3.0, mode="table"),
    c('SumIf([Amount], [Stage] = "won")', 100.5, mode="table"),
    c('CountIf([Stage] = "won")', 2, mode="table"),
    c("AvgIf([Qty], [Flag])", 2.5, mode="table"),
    c("ListAgg([Tag])", "a,a,b,c", mode="table", sort=True),
    c("ArrayAgg([Qty])", [2, 3, 5], mode="table", sort=True),
    c("PercentOfTotal(Sum([Amount]))", 1.0, mode="table"),
    c("PercentOfTotal([Amount])", [100.5 / 2150.5, 2000 / 2150.5, None, 50 / 2150.5], mode="rows"),
    # --- windows ------------------------------------------------------------------------------
    c("CumulativeSum([Qty])", [3, 3, 8, 10], mode="rows"),
    c("CumulativeCount([Qty])", [1, 1, 2, 3], mode="rows"),
    c("MovingAvg([Qty], 1)", [3.0, 3.0, 5.0, 3.5], mode="rows"),
    c("MovingSum([Qty], 1, 1)", [3, 8, 7, 7], mode="rows"),
    c("Lag([Id])", [None, 1, 2, 3], mode="rows"),
    c("Lead([Id], 1, 0)", [2, 3, 4, 0], mode="rows"),
    c("First([Id])", [1, 1, 1, 1], mode="rows"),
    c("Last([Id])", [4, 4, 4, 4], mode="rows"),
    c("Rank([Tag])", [1, 3, 1, 4], mode="rows"),
    c("RankDense([Tag])", [1, 2, 1, 3], mode="rows"),
    c("RowNumber()", [1, 2, 3, 4], mode="rows"),
    c("Ntile(2)", [1, 1, 2, 2], mode="rows"),
    c('Rank([Amount], "desc")', [2, 1, 4, 3], mode="rows"),
]


def _functions(node: ast.Node) -> set[str]:
    found: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, ast.Call):
            found.add(item.name)
            stack.extend(item.args)
        elif isinstance(item, ast.Binary):
            stack += [item.left, item.right]
        elif isinstance(item, ast.Unary):
            stack.append(item.operand)
    return found


def _gaps(case: Case, dialect: str) -> str | None:
    if case.everywhere:
        return None
    for name in sorted(_functions(parse(case.formula))):
        reason = FUNCTIONS[name].unsupported.get(dialect)
        if reason:
            return reason
    return case.notimpl.get(dialect)


def _params() -> list[Any]:
    params = []
    for case in CASES:
        for engine_name in ENGINE_NAMES:
            reason = _gaps(case, engine_name)
            marks = (
                [pytest.mark.xfail(raises=FormulaError, strict=True, reason=reason)]
                if reason
                else []
            )
            params.append(
                pytest.param(case, engine_name, marks=marks, id=f"{engine_name}-{case.formula}")
            )
    return params


def _query(case: Case, expression: exp.Expr) -> exp.Select:
    select = exp.select(exp.alias_(expression, "v", quoted=True))
    if case.mode == "scalar":
        return select
    select = select.from_(table())
    if case.mode == "rows":
        select = select.order_by(exp.column("Id", quoted=True))
    return select


def _run(engine: Engine, case: Case) -> Any:
    compiled = compile_formula(case.formula, scope(), engine.dialect)
    rows = engine.fetch_rows(_query(case, compiled.expression), compiled.params)
    if case.mode == "rows":
        return [row[0] for row in rows]
    value = rows[0][0]
    if case.sort and isinstance(value, str):
        return sorted(value.split(","))
    return sorted(value) if case.sort else value


@pytest.mark.parametrize(("case", "engine_name"), _params())
def test_function_on_engine(case: Case, shared_engine: Engine) -> None:
    value = _run(shared_engine, case)
    expected = (
        sorted(case.expected.split(","))
        if case.sort and isinstance(case.expected, str)
        else case.expected
    )
    assert same(normalize(value, expected), expected), f"{case.formula} gave {value!r}"


EVALUABLE = [
    case
    for case in CASES
    if case.mode == "scalar"
    and all(
        FUNCTIONS[name].kind == "scalar" and not name.startswith("Call")
        for name in _functions(parse(case.formula))
    )
    and "ArrayAgg" not in case.formula
]


@pytest.mark.parametrize("case", EVALUABLE, ids=[c.formula for c in EVALUABLE])
def test_evaluator_gives_the_same_answer(case: Case) -> None:
    value = evaluate(case.formula, scope())
    assert same(normalize(value, case.expected), case.expected), f"gave {value!r}"


def test_every_registered_function_has_a_case() -> None:
    covered = set().union(*(_functions(parse(case.formula)) for case in CASES))
    assert sorted(set(FUNCTIONS) - covered) == []


def test_evaluator_today_is_a_date() -> None:
    assert isinstance(evaluate("Today()"), dt.date)
