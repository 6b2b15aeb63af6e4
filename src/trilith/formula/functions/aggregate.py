"""Aggregate functions: one value per group. They run only in the warehouse.

An aggregate cannot hold another aggregate (`Sum(Avg([x]))`); window functions such as
PercentOfTotal and CumulativeSum may hold one, as in a grouped element.
"""

from __future__ import annotations

from sqlglot import exp

from trilith.formula import types as t
from trilith.formula.functions import trees
from trilith.formula.functions.spec import (
    Function,
    Invocation,
    common,
    function,
    numeric,
    registry,
)
from trilith.formula.functions.window import over

__all__ = ["FUNCTIONS"]


def _when(inv: Invocation, value: exp.Expr, condition_index: int) -> exp.Expr:
    return trees.case((inv.arg(condition_index), value))


def _count(inv: Invocation) -> exp.Expr:
    return exp.Count(this=inv.arg(0) if inv.has(0) else exp.Star())


def _list_agg(inv: Invocation) -> exp.Expr:
    separator = inv.arg(1) if inv.has(1) else trees.text(",")
    return exp.GroupConcat(this=inv.arg(0), separator=separator)


def _array_agg(inv: Invocation) -> exp.Expr:
    present = exp.Not(this=trees.is_null(inv.arg(0)))
    return exp.Filter(this=exp.ArrayAgg(this=inv.arg(0)), expression=exp.Where(this=present))


def _array_agg_plain(inv: Invocation) -> exp.Expr:
    # Snowflake and Databricks leave Nulls out by themselves.
    return exp.ArrayAgg(this=inv.arg(0))


def _array_agg_bigquery(inv: Invocation) -> exp.Expr:
    return exp.ArrayAgg(this=exp.IgnoreNulls(this=inv.arg(0)))


def _percent_of_total(inv: Invocation) -> exp.Expr:
    total = over(inv, exp.Sum(this=inv.arg(0)), ordered=False)
    return trees.binary(exp.Div, inv.arg(0), total, typed=False, safe=True)


_NUMBER = "value: number"

FUNCTIONS: dict[str, Function] = registry(
    function(
        "Sum",
        "aggregate",
        _NUMBER,
        numeric,
        lambda inv: exp.Sum(this=inv.arg(0)),
        kind="aggregate",
        summary="The total of the non-Null values (Null when none).",
        example="Sum([Amount])",
    ),
    function(
        "Avg",
        "aggregate",
        _NUMBER,
        t.NUMBER,
        lambda inv: exp.Avg(this=inv.arg(0)),
        kind="aggregate",
        summary="The mean of the non-Null values.",
        example="Avg([Amount])",
    ),
    function(
        "Count",
        "aggregate",
        "value: any?",
        t.INTEGER,
        _count,
        kind="aggregate",
        summary="The number of non-Null values; with no argument, the number of rows.",
        example="Count([Order Id])",
    ),
    function(
        "CountDistinct",
        "aggregate",
        "value: any",
        t.INTEGER,
        lambda inv: exp.Count(this=exp.Distinct(expressions=[inv.arg(0)])),
        kind="aggregate",
        summary="The number of distinct non-Null values.",
        example="CountDistinct([Customer])",
    ),
    function(
        "Min",
        "aggregate",
        "value: any",
        common(),
        lambda inv: exp.Min(this=inv.arg(0)),
        kind="aggregate",
        summary="The smallest value.",
        example="Min([Order Date])",
    ),
    function(
        "Max",
        "aggregate",
        "value: any",
        common(),
        lambda inv: exp.Max(this=inv.arg(0)),
        kind="aggregate",
        summary="The largest value.",
        example="Max([Order Date])",
    ),
    function(
        "Median",
        "aggregate",
        _NUMBER,
        t.NUMBER,
        lambda inv: exp.Median(this=inv.arg(0)),
        kind="aggregate",
        unsupported={
            "sqlite": "SQLite has no MEDIAN",
            "bigquery": "BigQuery has no exact MEDIAN aggregate",
        },
        summary="The middle value (the mean of the two middle values for an even count).",
        example="Median([Amount])",
    ),
    function(
        "SumIf",
        "aggregate",
        "value: number, condition: logical",
        numeric,
        lambda inv: exp.Sum(this=_when(inv, inv.arg(0), 1)),
        kind="aggregate",
        summary="The total of the values whose condition is True.",
        example='SumIf([Amount], [Stage] = "won")',
    ),
    function(
        "CountIf",
        "aggregate",
        "condition: logical",
        t.INTEGER,
        lambda inv: exp.Count(this=_when(inv, trees.integer(1), 0)),
        kind="aggregate",
        summary="The number of rows whose condition is True.",
        example='CountIf([Stage] = "won")',
    ),
    function(
        "AvgIf",
        "aggregate",
        "value: number, condition: logical",
        t.NUMBER,
        lambda inv: exp.Avg(this=_when(inv, inv.arg(0), 1)),
        kind="aggregate",
        summary="The mean of the values whose condition is True.",
        example='AvgIf([Amount], [Stage] = "won")',
    ),
    function(
        "ListAgg",
        "aggregate",
        "value: text, delimiter: =text?",
        t.TEXT,
        _list_agg,
        kind="aggregate",
        summary='The non-Null values joined with delimiter (default ","), in no set order.',
        example='ListAgg([Name], ", ")',
    ),
    function(
        "ArrayAgg",
        "aggregate",
        "value: any",
        t.ARRAY,
        _array_agg,
        kind="aggregate",
        dialects={
            "snowflake": _array_agg_plain,
            "databricks": _array_agg_plain,
            "bigquery": _array_agg_bigquery,
        },
        unsupported={"sqlite": "SQLite has no arrays", "redshift": "Redshift has no ARRAY_AGG"},
        summary="The non-Null values as an array, in no set order.",
        example="ArrayAgg([Tag])",
    ),
    function(
        "PercentOfTotal",
        "aggregate",
        _NUMBER,
        t.NUMBER,
        _percent_of_total,
        kind="window",
        summary="The value divided by the total of the partition (Scope.partition_by); "
        "usually of an aggregate, as in PercentOfTotal(Sum([Amount])).",
        example="PercentOfTotal(Sum([Amount]))",
    ),
)
