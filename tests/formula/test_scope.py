"""What a scope provides: columns, other elements, bound values, selections, windows."""

from __future__ import annotations

import datetime as dt

from trilith.formula import (
    ControlValue,
    Scope,
    Sort,
    UserContext,
    compile_formula,
    evaluate,
    to_sql,
)


def test_element_columns_are_qualified_by_the_element_alias() -> None:
    scope = Scope(
        columns={"Amount": "number"},
        element_aliases={"Orders Table": "o"},
        element_columns={"Orders Table": {"Total": "number"}},
        table_alias="t",
    )
    compiled = compile_formula("[Amount] / [Orders Table/Total]", scope)
    assert compiled.sql() == '"t"."Amount" / NULLIF("o"."Total", 0)'
    assert compiled.columns == frozenset({("t", "Amount"), ("o", "Total")})
    assert compiled.type == "number"


def test_an_element_without_known_columns_gives_variant_columns() -> None:
    scope = Scope(element_aliases={"Orders": "o"})
    assert compile_formula("[Orders/Anything]", scope).type == "variant"


def test_a_column_name_with_a_slash_is_still_a_column() -> None:
    scope = Scope(columns={"Revenue/Cost": "number"})
    assert to_sql("[Revenue/Cost] * 2", scope, "duckdb")[0] == '"Revenue/Cost" * 2'


def test_values_become_parameters_with_stable_distinct_names() -> None:
    scope = Scope(
        controls={"Top-N": ControlValue("integer", 5), "top n": ControlValue("integer", 7)},
        variables={"Top N": 9},
    )
    sql, params = to_sql("[Top-N] + [top n] + [ActionVar/Top N] + [Top-N]", scope, "duckdb")
    assert params == {"control_top_n": 5, "control_top_n_2": 7, "var_top_n": 9}
    assert sql.count("$control_top_n AS BIGINT") == 2


def test_control_values_never_enter_sql_text() -> None:
    hostile = "'; DROP TABLE users; --"
    scope = Scope(controls={"Search": ControlValue("text", hostile)})
    sql, params = to_sql('Contains([Search], "x")', scope, "snowflake")
    assert hostile not in sql
    assert params == {"control_search": hostile}


def test_selections_follow_the_seed_rule() -> None:
    scope = Scope(selections={"Id": [7, None], "Tag": [], "Stage": ["won", "lost"]})
    assert evaluate("[Selection/Id] + 1", scope) == 8
    assert evaluate("IsNull([Selection/Tag])", scope) is True
    assert evaluate('ArrayContains([Selection/Stage], "lost")', scope) is True
    sql, params = to_sql('ArrayContains([Selection/Stage], "won")', scope, "sqlite")
    assert sql == "'won' IN (CAST(:selection_stage_0 AS TEXT), CAST(:selection_stage_1 AS TEXT))"
    assert params == {"selection_stage_0": "won", "selection_stage_1": "lost"}


def test_date_controls_accept_iso_text() -> None:
    scope = Scope(controls={"From": ControlValue("date", "2024-02-29")})
    assert evaluate('DateAdd("year", 1, [From])', scope) == dt.date(2025, 2, 28)


def test_user_values_are_bound_when_compiled() -> None:
    scope = Scope(user=UserContext("ann@example.com", frozenset({"Sales"}), {"tier": "gold"}))
    sql, params = to_sql(
        'If(CurrentUserInTeam("Sales"), CurrentUserAttributeText("tier"), "none")',
        scope,
        "postgres",
    )
    assert "ann" not in sql
    assert params == {"user_in_team_sales": True, "user_attribute_tier": "gold"}


def test_windows_read_order_and_partitions_from_the_scope() -> None:
    scope = Scope(
        columns={"Amount": "number", "Region": "text", "Day": "date"},
        order_by=[Sort("Day", descending=True), "Amount"],
        partition_by=["Region"],
    )
    compiled = compile_formula("CumulativeSum([Amount])", scope, "postgres")
    assert compiled.sql() == (
        'SUM("Amount") OVER (PARTITION BY "Region" ORDER BY "Day" DESC NULLS LAST, '
        '"Amount" ASC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)'
    )
    assert compiled.is_window
    assert not compiled.is_aggregate


def test_aggregates_are_flagged_for_the_query_builder() -> None:
    scope = Scope(columns={"Amount": "number"})
    compiled = compile_formula("Sum([Amount]) / Count()", scope)
    assert compiled.is_aggregate
    assert compiled.type == "number"


def test_compiled_trees_share_no_nodes() -> None:
    scope = Scope(columns={"Amount": "number"})
    tree = compile_formula("Sqrt([Amount])", scope).expression
    nodes = list(tree.walk())
    assert len({id(node) for node in nodes}) == len(nodes)


def test_values_derived_from_controls_are_bound_too() -> None:
    scope = Scope(
        columns={"Name": "text", "Day": "date"},
        controls={"Pattern": ControlValue("text", "a%"), "Format": ControlValue("text", "%Y/%m")},
    )
    assert to_sql("Like([Name], [Pattern])", scope, "sqlite") == (
        '"Name" GLOB CAST(:control_pattern_glob AS TEXT)',
        {"control_pattern_glob": "a*"},
    )
    assert to_sql("DateFormat([Day], [Format])", scope, "postgres") == (
        'TO_CHAR("Day", CAST(%(control_format_format)s AS TEXT))',
        {"control_format_format": "YYYY/MM"},
    )


def test_the_selected_element_reads_like_the_selection() -> None:
    from trilith.formula import Scope, evaluate

    scope = Scope(selections={"Deal Id": "D-7"}, selection_element="deals_table")
    assert evaluate("[deals_table/Deal Id]", scope) == "D-7"
    assert evaluate("[Selection/Deal Id]", scope) == "D-7"
