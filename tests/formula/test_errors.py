"""Every problem is a FormulaError (a 422) that points at its place, before SQL runs."""

from __future__ import annotations

import pytest

from tests.formula.cases import scope
from trilith.errors import ValidationFailed
from trilith.formula import (
    ControlValue,
    FormulaError,
    Scope,
    compile_formula,
    evaluate,
    parse,
)


def error(formula: str, the_scope: Scope | None = None, dialect: str = "duckdb") -> FormulaError:
    with pytest.raises(FormulaError) as caught:
        compile_formula(formula, the_scope if the_scope is not None else scope(), dialect)
    return caught.value


@pytest.mark.parametrize(
    ("formula", "message", "column"),
    [
        ("If([Amount] > , 1)", "expected a value, found ','", 15),
        ("1 +", "formula ends where a value was expected", 4),
        ("(1", "expected ) to close the parenthesis, found end of formula", 3),
        ("1)", "unexpected ')' after a complete formula", 2),
        ('Len("abc"', "expected ',' or ')' in the arguments of Len", 10),
        ('"abc', 'text starting here has no closing "', 1),
        ("[Amount", "reference starting here has no closing ]", 1),
        ("[]", "empty name in reference []", 1),
        ("1 ~ 2", "unexpected character '~'", 3),
        ("12abc", "unexpected 'a' after the number 12", 3),
        ('"a\\q"', "unknown escape \\q", 3),
        (
            "Amount + 1",
            "unknown name 'Amount': write a column or control reference in brackets, [Amount]",
            1,
        ),
        ("99999999999999999999", "too large", 1),
    ],
)
def test_parse_errors_point_at_the_problem(formula: str, message: str, column: int) -> None:
    with pytest.raises(FormulaError) as caught:
        parse(formula)
    assert message in caught.value.message
    assert caught.value.position is not None
    assert caught.value.position.column == column


def test_caret_draws_the_line_and_a_marker() -> None:
    caught = error("If([Amount] > 1,\n   [Stage] + 1, 0)")
    assert caught.position is not None
    assert (caught.position.line, caught.position.column) == (2, 4)
    assert caught.caret() == (
        "   [Stage] + 1, 0)\n   ^ operator + expects a number for left, got text (join text with &)"
    )
    assert "line 2, column 4" in str(caught)


def test_a_formula_error_is_a_422_with_details() -> None:
    caught = error("Sum([Stage])")
    assert isinstance(caught, ValidationFailed)
    assert caught.status_code == 422
    assert caught.details == [
        {
            "field": "formula",
            "message": "Sum expects a number for value, got text",
            "offset": 4,
            "line": 1,
            "column": 5,
        }
    ]


def test_unknown_function_suggests_the_nearest_names() -> None:
    caught = error("Sums([Amount])")
    assert caught.message == "unknown function Sums; did you mean Sum or SumIf?"
    assert caught.suggestions == ["Sum", "SumIf"]
    assert error("Contain([Stage], 1)").suggestions[0] == "Contains"


def test_function_names_ignore_case() -> None:
    assert compile_formula("upper(lower([Stage]))", scope()).type == "text"


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ('Left("a")', "Left takes 2 arguments, got 1: Left(text, count)"),
        ("Round(1, 2, 3)", "Round takes 1 to 2 arguments, got 3: Round(number, [digits])"),
        ("If(True)", "If takes at least 2 arguments, got 1"),
        ("Now(1)", "Now takes no arguments, got 1: Now()"),
    ],
)
def test_argument_counts(formula: str, message: str) -> None:
    assert error(formula).message.startswith(message)


@pytest.mark.parametrize(
    ("formula", "message", "column"),
    [
        ("Sum([Stage])", "Sum expects a number for value, got text", 5),
        ('[Day] - "x"', "operator - expects a number for left, got date (use DateDiff()", 1),
        ('"a" + 1', "operator + expects a number for left, got text (join text with &)", 1),
        ('"a" = 1', "operator =: the right operand is integer but the other operand is text", 7),
        ('If([Amount] > 1, "a", 2)', "If: argument 3 is integer but the other values are text", 23),
        ("If(1, 2, 3)", "If: argument 1 is integer but a condition must be logical", 4),
        ("[Flag] + 1", "operator + expects a number for left, got logical", 1),
        ("Left([Stage], [Day])", "Left expects an integer for count, got date", 15),
        ("Number([Day])", "Number: argument 1 is date", 8),
        ("not [Amount]", "operator not expects a logical for operand, got number", 5),
        ("-[Stage]", "unary - expects a number for operand, got text", 2),
    ],
)
def test_type_mismatches(formula: str, message: str, column: int) -> None:
    caught = error(formula)
    assert caught.message.startswith(message), caught.message
    assert caught.position is not None
    assert caught.position.column == column


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ("[Amout] * 2", "unknown column or control [Amout]; did you mean [Amount]"),
        ("[Rnge].min", "unknown control [Rnge].min; did you mean [Range]"),
        ("[Amounts] + 1", "[Amounts] is a range control: use [Amounts].min or [Amounts].max"),
        ("[Region].max", "[Region].max: only range controls have .max"),
        ("[Orders/Amount]", "unknown element 'Orders' in [Orders/Amount]; known:"),
        ("[ActionVar/Treshold]", "did you mean [ActionVar/Threshold]?"),
        ("[Selection/Nope]", "no selected column [Selection/Nope]; known: [Selection/Stage]"),
        ("[Control/Nope]", "unknown control [Control/Nope]"),
    ],
)
def test_unknown_references_name_the_candidates(formula: str, message: str) -> None:
    the_scope = scope()
    the_scope.controls["Range"] = ControlValue("number", {"min": 1, "max": 2})
    assert message in error(formula, the_scope).message


def test_element_columns_are_checked_when_known() -> None:
    the_scope = Scope(
        element_aliases={"Orders": "o"}, element_columns={"Orders": {"Amount": "number"}}
    )
    assert "element 'Orders' has no column 'Amont'; did you mean [Orders/Amount]" in (
        error("[Orders/Amont]", the_scope).message
    )


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ("Sum(Avg([Amount]))", "Sum cannot contain another aggregate"),
        ("Sum(CumulativeSum([Amount]))", "Sum cannot contain a window function"),
        ("DateAdd([Stage], 1, [Day])", "DateAdd needs a constant unit"),
        ('DateAdd("fortnight", 1, [Day])', "DateAdd: argument 1 must be one of 'year'"),
        ('RegexpMatch([Stage], "(")', "is not a valid regular expression"),
        ('Date("2024-13-01")', "'2024-13-01' is not a date"),
        ('CallText("x); drop table t; --", 1)', "is not a function name"),
        ("Lag([Amount], -1)", "must be a whole number of at least 0"),
        ('Rank([Amount], "up")', 'must be "asc" or "desc"'),
        ('DateFormat([Day], "Year %Y")', "may hold only directives and punctuation"),
        ('DateFormat([Day], "%Q")', "uses %Q; known directives"),
    ],
)
def test_rules_beyond_types(formula: str, message: str) -> None:
    assert message in error(formula).message


def test_gaps_are_refused_by_name_instead_of_emitting_bad_sql() -> None:
    caught = error('MD5("a")', dialect="sqlite")
    assert caught.message == "MD5 is not supported on sqlite: SQLite has no MD5"
    assert "BigQuery has no exact MEDIAN" in error("Median([Amount])", dialect="bigquery").message
    assert "needs a constant pattern" in error('Like("a", [Stage])', dialect="sqlite").message
    assert "%b is not supported on sqlite" in (
        error('DateFormat([Day], "%b")', dialect="sqlite").message
    )


def test_window_functions_need_an_order() -> None:
    the_scope = Scope(columns={"Amount": "number"})
    assert error("CumulativeSum([Amount])", the_scope).message == (
        "CumulativeSum needs an order: set Scope.order_by"
    )
    assert "or pass a value to rank by" in error("Rank()", the_scope).message
    assert compile_formula("Rank([Amount])", the_scope).is_window


def test_control_values_are_checked_against_their_type() -> None:
    the_scope = Scope(controls={"Limit": ControlValue("number", "lots")})
    assert error("[Limit] + 1", the_scope).message == ("[Limit] is declared number but holds text")
    the_scope = Scope(controls={"When": ControlValue("date", "soon")})
    assert "holds 'soon', not a date" in error("[When]", the_scope).message
    the_scope = Scope(variables={"Blob": {"a": 1}})
    assert "holds a dict" in error("[ActionVar/Blob]", the_scope).message


def test_unknown_dialect() -> None:
    assert "unknown dialect 'oracle'" in error("1", dialect="oracle").message


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ("[Amount] + 1", "[Amount] is a column: only the warehouse can evaluate"),
        ("Sum([ActionVar/Threshold])", "Sum is an aggregate: only the warehouse"),
        ("RowNumber()", "RowNumber is a window function"),
        ('CallNumber("ABS", 1)', "CallNumber is a warehouse function"),
    ],
)
def test_evaluate_refuses_what_needs_the_warehouse(formula: str, message: str) -> None:
    with pytest.raises(FormulaError) as caught:
        evaluate(formula, scope())
    assert message in caught.value.message
    assert caught.value.position is not None
