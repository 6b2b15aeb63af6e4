"""Whatever text arrives, the formula pipeline answers or raises FormulaError: nothing else."""

from __future__ import annotations

import contextlib

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.formula.cases import scope
from trilith.formula import DIALECTS, FUNCTIONS, FormulaError, compile_formula, evaluate, parse

# Pieces of real formulas, so that random sequences get past the lexer and the parser.
PIECES = [
    "(",
    ")",
    ",",
    " ",
    "\n",
    "+",
    "-",
    "*",
    "/",
    "%",
    "^",
    "&",
    "=",
    "!=",
    "<>",
    "<",
    ">=",
    " and ",
    " or ",
    "not ",
    "True",
    "False",
    "Null",
    "0",
    "1",
    "2.5",
    "-3",
    "1e3",
    '"a"',
    '"b c"',
    '""',
    "'q'",
    '"\\""',
    "[Amount]",
    "[Stage]",
    "[Day]",
    "[Ts]",
    "[Flag]",
    "[Qty]",
    "[Region]",
    "[Amounts].min",
    "[Dates].end",
    "[Regions]",
    "[ActionVar/Threshold]",
    "[Selection/Id]",
    "[Nope]",
    "[Orders/X]",
    "If(",
    "Switch(",
    "In(",
    "Coalesce(",
    "Left(",
    "Mid(",
    "Len(",
    "Contains(",
    "Round(",
    "Mod(",
    "Sqrt(",
    "DateAdd(",
    '"month"',
    '"day"',
    "DateDiff(",
    "DateTrunc(",
    "Year(",
    "Sum(",
    "Count(",
    "CumulativeSum(",
    "Rank(",
    "Text(",
    "Number(",
    "Date(",
    '"2024-01-31"',
    "ArrayContains(",
    "CallText(",
    '"UPPER"',
    "CurrentUserEmail(",
    "RegexpMatch(",
    '"[a-z]+"',
    "Like(",
    '"a%"',
    "DateFormat(",
    '"%Y"',
]
formulas = st.lists(st.sampled_from(PIECES), max_size=14).map("".join)

# Well-formed formulas of any function over any arguments: they reach the type checker,
# the builders of every dialect and the evaluator, mostly with ill-typed arguments.
LEAVES = [
    "1",
    "0",
    "-2",
    "2.5",
    '"a"',
    '""',
    '"month"',
    '"%Y-%m"',
    '"[a-z]"',
    '"desc"',
    "True",
    "Null",
    "[Amount]",
    "[Stage]",
    "[Day]",
    "[Ts]",
    "[Flag]",
    "[Qty]",
    "[Region]",
    "[Amounts].max",
    "[Dates].start",
    "[Regions]",
    "[Selection/Id]",
    "[ActionVar/Label]",
    'Date("2024-02-29")',
    'Date("2024-01-01 10:00:00")',
]
OPERATORS = ["+", "-", "*", "/", "%", "^", "&", "=", "!=", "<", ">=", "and", "or"]


def _grow(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    calls = st.tuples(st.sampled_from(sorted(FUNCTIONS)), st.lists(children, max_size=4))
    binaries = st.tuples(children, st.sampled_from(OPERATORS), children)
    return st.one_of(
        calls.map(lambda c: f"{c[0]}({', '.join(c[1])})"),
        binaries.map(lambda b: f"({b[0]} {b[1]} {b[2]})"),
        children.map(lambda c: f"-{c}"),
        children.map(lambda c: f"not {c}"),
    )


expressions = st.recursive(st.sampled_from(LEAVES), _grow, max_leaves=10)


def _only_formula_errors(action: object) -> None:
    assert callable(action)
    with contextlib.suppress(FormulaError):
        action()


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_arbitrary_text_parses_or_raises_formula_error(text: str) -> None:
    _only_formula_errors(lambda: parse(text))


@settings(max_examples=400, deadline=None)
@given(formulas, st.sampled_from(DIALECTS))
def test_formula_like_text_compiles_or_raises_formula_error(text: str, dialect: str) -> None:
    _only_formula_errors(lambda: compile_formula(text, scope(), dialect).sql())
    _only_formula_errors(lambda: evaluate(text, scope()))


@settings(max_examples=400, deadline=None)
@given(expressions, st.sampled_from(DIALECTS))
def test_any_call_compiles_or_raises_formula_error(text: str, dialect: str) -> None:
    _only_formula_errors(lambda: compile_formula(text, scope(), dialect).sql())
    _only_formula_errors(lambda: evaluate(text, scope()))


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=60, max_value=400))
def test_deep_nesting_is_refused_politely(depth: int) -> None:
    _only_formula_errors(lambda: parse("(" * depth + "1" + ")" * depth))
    _only_formula_errors(lambda: parse("-" * depth + "1"))
    _only_formula_errors(lambda: parse("Abs(" * depth + "1" + ")" * depth))
