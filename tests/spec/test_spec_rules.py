"""One bad spec per cross-reference rule, asserting the exact printed problem."""

from __future__ import annotations

from collections.abc import Callable

from trilith.spec import RULES, App, SourceMap, validate_app

Problems = Callable[[str], list[str]]


def test_every_rule_is_registered() -> None:
    assert set(RULES) == {
        "unique-ids",
        "references",
        "action-owner",
        "grid-fit",
        "nesting-depth",
        "popover-in-popover",
        "close-modal-scope",
        "data-sources",
        "sql-sources",
        "source-cycles",
        "tabs",
        "form-fields",
        "input-table-columns",
    }


def test_duplicate_ids_name_the_first_use(problems: Problems) -> None:
    assert problems(
        """\
        id: app
        title: App
        controls:
          - {id: region, type: list}
        pages:
          - id: main
            elements:
              - {id: region, type: text, content: Hi}
              - {id: main, type: text, content: Hi}
        """
    ) == [
        "app.yaml:8:10: pages[0].elements[0].id: duplicate id 'region': the control at "
        "controls[0] (app.yaml:4:5) has it already; give each page, element, control, "
        "input table and action its own id",
        "app.yaml:9:10: pages[0].elements[1].id: duplicate id 'main': the page at pages[0] "
        "(app.yaml:6:5) has it already; give each page, element, control, input table and "
        "action its own id",
    ]


def test_unknown_references(problems: Problems) -> None:
    assert problems(
        """\
        id: app
        title: App
        pages:
          - id: main
            elements:
              - {id: ctl, type: control, control: regoin}
              - {id: grid, type: input_table, input_table: notes}
              - {id: go, type: button, label: Go, actions: [nope]}
        actions:
          - id: a1
            element: missing
            actions: [{type: notify}]
        """
    ) == [
        "app.yaml:6:34: pages[0].elements[0].control: unknown control 'regoin'; "
        "define a control 'regoin'",
        "app.yaml:7:39: pages[0].elements[1].input_table: unknown input table 'notes'; "
        "define an input table 'notes'",
        "app.yaml:8:53: pages[0].elements[2].actions[0]: unknown action sequence 'nope'; "
        "use one of: a1",
        "app.yaml:11:5: actions[0].element: unknown element 'missing'; use one of: ctl, grid, go",
    ]


def test_references_must_name_the_right_kind(problems: Problems) -> None:
    assert problems(
        """\
        id: app
        title: App
        pages:
          - id: main
            elements:
              - {id: note, type: text, content: Hi}
              - {id: help, type: popover, anchor: note}
              - {id: dialog, type: modal}
        actions:
          - id: a1
            actions:
              - {type: open_modal, modal: note}
        """
    ) == [
        "app.yaml:7:35: pages[0].elements[1].anchor: 'note' is a text element, not a button; "
        "define a button 'note'",
        "app.yaml:12:28: actions[0].actions[0].modal: 'note' is a text element, not a modal; "
        "use one of: dialog",
    ]


def test_step_types_are_checked_before_references(problems: Problems) -> None:
    assert problems(
        """\
        id: app
        title: App
        controls:
          - {id: region, type: list}
        input_tables:
          - {id: notes, name: Notes}
        pages:
          - id: main
            elements: []
        actions:
          - id: a1
            actions:
              - {type: set_control, control: regoin}
              - {type: insertRow, inputTable: notes}
              - {type: insert_row, inputTable: notez}
              - {type: delete_row}
              - {type: close_modal, modal: 3}
        """
    ) == [
        "app.yaml:14:10: actions[0].actions[1].type: got 'insertRow'; a step type is "
        "lower_snake_case",
    ]


def test_step_references_after_the_models_accept_the_steps(problems: Problems) -> None:
    assert problems(
        """\
        id: app
        title: App
        input_tables:
          - {id: notes, name: Notes}
        pages:
          - id: main
            elements: []
        actions:
          - id: a1
            actions:
              - {type: insert_row, inputTable: notez}
              - {type: delete_row}
              - {type: close_modal, modal: 3}
        """
    ) == [
        "app.yaml:11:28: actions[0].actions[0].input_table: unknown input table 'notez'; "
        "use one of: notes",
        "app.yaml:12:9: actions[0].actions[1]: delete_row needs 'input_table', the id of an "
        "input table",
        "app.yaml:13:9: actions[0].actions[2]: close_modal needs 'modal', the id of a modal",
    ]


def test_an_action_listed_on_another_element_than_its_own(problems: Problems) -> None:
    assert problems(
        """\
        id: app
        title: App
        pages:
          - id: main
            elements:
              - {id: a, type: button, label: A}
              - {id: b, type: button, label: B, actions: [on_a]}
        actions:
          - {id: on_a, element: a, actions: [{type: notify}]}
        """
    ) == [
        "app.yaml:7:51: pages[0].elements[1].actions[0]: action sequence 'on_a' belongs to "
        "element 'a' (its element field), not to 'b'; list it on 'a' or change its element",
    ]


def test_positions_fit_the_enclosing_grid(problems: Problems) -> None:
    assert problems(
        """\
        id: app
        title: App
        pages:
          - id: main
            elements:
              - id: box
                type: container
                density: 6
                position: {x: 20, y: 0, w: 5, h: 2}
                children:
                  - id: ok
                    type: text
                    content: fits
                    position: {x: 0, y: 0, w: 6, h: 1}
                  - id: wide
                    type: text
                    content: too wide
                    position: {x: 2, y: 1, w: 5, h: 1}
        """
    ) == [
        "app.yaml:9:9: pages[0].elements[0].position: x + w = 25 is more than the 24 columns "
        "of the page grid; make x + w at most 24",
        "app.yaml:18:13: pages[0].elements[0].children[1].position: x + w = 7 is more than "
        "the 6 columns of container 'box'; make x + w at most 6",
    ]


def test_tabs_modals_and_popovers_lay_out_on_24_columns(problems: Problems) -> None:
    assert problems(
        """\
        id: app
        title: App
        pages:
          - id: main
            elements:
              - id: dialog
                type: modal
                children:
                  - {id: a, type: text, content: x, position: {x: 12, y: 0, w: 12, h: 1}}
                  - {id: b, type: text, content: x, position: {x: 13, y: 1, w: 12, h: 1}}
        """
    ) == [
        "app.yaml:10:45: pages[0].elements[0].children[1].position: x + w = 25 is more than "
        "the 24 columns of modal 'dialog'; make x + w at most 24",
    ]


def test_containers_and_tabs_nest_at_most_four_levels(problems: Problems) -> None:
    assert problems(
        """\
        id: app
        title: App
        pages:
          - id: main
            elements:
              - id: l1
                type: container
                children:
                  - id: l2
                    type: tabs
                    tabs:
                      - id: first
                        label: First
                        children:
                          - id: l3
                            type: container
                            children:
                              - id: l4
                                type: container
                                children:
                                  - {id: l5, type: container}
        """
    ) == [
        "app.yaml:21:29: pages[0].elements[0].children[0].tabs[0].children[0].children[0]"
        ".children[0]: container 'l5' is nested 5 levels deep; containers and tabs nest at "
        "most 4 levels, so move it out of 'l4' or flatten the layout",
    ]


def test_four_levels_of_nesting_are_fine() -> None:
    inner: dict[str, object] = {"id": "l4", "type": "container"}
    for level in (3, 2, 1):
        inner = {"id": f"l{level}", "type": "container", "children": [inner]}
    app = App.model_validate(
        {"id": "app", "title": "App", "pages": [{"id": "main", "elements": [inner]}]}
    )
    assert validate_app(app, SourceMap()) == []


def test_a_popover_is_never_inside_a_popover(problems: Problems) -> None:
    assert problems(
        """\
        id: app
        title: App
        pages:
          - id: main
            elements:
              - {id: more, type: button, label: More}
              - id: outer
                type: popover
                anchor: more
                children:
                  - id: box
                    type: container
                    children:
                      - {id: inner, type: popover, anchor: more}
        """
    ) == [
        "app.yaml:14:17: pages[0].elements[1].children[0].children[0]: popover 'inner' is "
        "inside popover 'outer'; a popover cannot hold another popover, move it out of 'outer'",
    ]


def test_close_modal_runs_only_from_inside_the_modal(problems: Problems) -> None:
    assert problems(
        """\
        id: app
        title: App
        pages:
          - id: main
            elements:
              - {id: outside, type: button, label: Close, actions: [close_from_outside]}
              - id: dialog
                type: modal
                actions: [close_itself]
                children:
                  - {id: cancel, type: button, label: Cancel}
        actions:
          - id: close_from_outside
            actions: [{type: close_modal, modal: dialog}]
          - id: close_from_inside
            element: cancel
            actions: [{type: close_modal, modal: dialog}]
          - id: close_itself
            trigger: secondary_click
            actions: [{type: close_modal, modal: dialog}]
        """
    ) == [
        "app.yaml:14:35: actions[0].actions[0].modal: close_modal closes modal 'dialog' but "
        "runs from button 'outside', which is outside it; attach sequence "
        "'close_from_outside' to an element inside 'dialog'",
    ]


def test_sources_must_be_elements_with_rows(problems: Problems) -> None:
    assert problems(
        """\
        id: app
        title: App
        pages:
          - id: main
            elements:
              - {id: go, type: button, label: Go}
              - {id: rows, type: table, source: go}
              - {id: wh, type: table, source: analytics.deals}
        """
    ) == [
        "app.yaml:7:33: pages[0].elements[1].source: source 'go' is a button element, which "
        "has no rows; use a table, pivot, chart or input_table element, an input table or a "
        "warehouse table",
    ]


def test_elements_never_source_each_other_in_a_cycle(problems: Problems) -> None:
    assert problems(
        """\
        id: app
        title: App
        pages:
          - id: main
            elements:
              - {id: a, type: table, source: c}
              - {id: b, type: pivot, source: a, values: [x]}
              - {id: c, type: chart, chart_type: kpi, source: b, value: x}
              - {id: d, type: table, source: d}
              - {id: e, type: table, source: a}
        """
    ) == [
        "app.yaml:6:30: pages[0].elements[0].source: source cycle: a → c → b → a; make one "
        "of them read a warehouse table or input table",
        "app.yaml:9:30: pages[0].elements[3].source: source cycle: d → d; make one of them "
        "read a warehouse table or input table",
    ]


def test_tab_ids_and_default_tab(problems: Problems) -> None:
    assert problems(
        """\
        id: app
        title: App
        pages:
          - id: main
            elements:
              - id: sections
                type: tabs
                default_tab: third
                tabs:
                  - {id: first, label: First}
                  - {id: first, label: Second}
        """
    ) == [
        "app.yaml:8:9: pages[0].elements[0].default_tab: 'third' is not a tab of tabs "
        "'sections'; use one of: first",
        "app.yaml:11:14: pages[0].elements[0].tabs[1].id: duplicate tab id 'first' in tabs "
        "'sections'; give each tab its own id",
    ]


def test_form_fields_name_controls_and_columns_that_exist(problems: Problems) -> None:
    assert problems(
        """\
        id: app
        title: App
        controls:
          - {id: region, type: list}
        input_tables:
          - id: notes
            name: Notes
            columns: [{name: note}, {name: amount, type: number}]
        pages:
          - id: main
            elements:
              - id: entry
                type: form
                input_table: notes
                fields:
                  - {column: note}
                  - {column: amuont}
                  - {control: regoin}
              - id: loose
                type: form
                fields: [{column: note}]
        """
    ) == [
        "app.yaml:17:14: pages[0].elements[0].fields[1].column: 'amuont' is not a column of "
        "input table 'notes'; use one of: note, amount",
        "app.yaml:18:14: pages[0].elements[0].fields[2].control: unknown control 'regoin'; "
        "use one of: region",
        "app.yaml:21:19: pages[0].elements[1].fields[0].column: column 'note' needs the "
        "form's input_table; set input_table on form 'loose'",
    ]


def test_input_table_column_names_are_unique(problems: Problems) -> None:
    assert problems(
        """\
        id: app
        title: App
        input_tables:
          - id: notes
            name: Notes
            columns:
              - {name: note}
              - {name: note, type: number}
        pages:
          - {id: main}
        """
    ) == [
        "app.yaml:8:10: input_tables[0].columns[1].name: duplicate column 'note' in input "
        "table 'notes' (first at input_tables[0].columns[0] (app.yaml:7:9)); rename one",
    ]


def test_validate_app_without_positions_names_paths_only() -> None:
    app = App.model_validate(
        {
            "id": "app",
            "title": "App",
            "pages": [{"id": "main", "elements": [{"id": "t", "type": "table", "source": "t"}]}],
        }
    )
    issues = validate_app(app)
    assert [(i.path, i.line, i.column, i.file) for i in issues] == [
        ("pages[0].elements[0].source", None, None, None)
    ]
    assert str(issues[0]) == (
        "pages[0].elements[0].source: source cycle: t → t; make one of them read a "
        "warehouse table or input table"
    )


def test_sql_sources_must_be_one_read_only_query_over_controls(problems: Problems) -> None:
    assert problems(
        """\
        id: app
        title: App
        controls:
          - {id: region, type: list}
        sources:
          - {id: ok, sql: "SELECT * FROM sales WHERE region = :region"}
          - {id: two, sql: "SELECT 1; SELECT 2"}
          - {id: writes, sql: "DELETE FROM sales"}
          - {id: sneaky, sql: "WITH gone AS (DELETE FROM sales RETURNING *) SELECT * FROM gone", dialect: postgres}
          - {id: params, sql: "SELECT * FROM sales WHERE owner = :owner"}
          - {id: broken, sql: "SELECT FROM WHERE"}
          - {id: odd, sql: "SELECT 1", dialect: klingon}
        pages:
          - id: main
            elements:
              - {id: t, type: table, source: ok}
        """
    ) == [
        "app.yaml:7:15: sources[1].sql: SQL source 'two': the SQL must be one query; it "
        "holds 2 statements",
        "app.yaml:8:18: sources[2].sql: SQL source 'writes': the SQL must be a query "
        "(SELECT …), not DELETE",
        "app.yaml:9:18: sources[3].sql: SQL source 'sneaky': the SQL must only read; it "
        "holds DELETE",
        "app.yaml:10:18: sources[4].sql: SQL source 'params' takes :owner, which is not a "
        "control; its placeholders take control values",
        "app.yaml:11:18: sources[5].sql: SQL source 'broken': the SQL does not parse "
        "(line 1, column 17): Expected table name but got 'WHERE'",
        "app.yaml:12:32: sources[6].dialect: unknown SQL dialect 'klingon'",
    ]


def test_step_references_are_read_by_every_name_the_seeds_give_them(problems: Problems) -> None:
    base = """\
        id: app
        title: App
        controls:
          - {id: region, type: list}
        pages:
          - id: main
            elements:
              - {id: go, type: button, label: Go, actions: [s1, s2, s3]}
        actions:
          - {id: s1, element: go, actions: [{type: set_control, target_control: region, value: N}]}
          - {id: s2, element: go, actions: [{type: set_control, parameters: {targetControl: region}}]}
          - {id: s3, element: go, actions: [{type: set_control, target_control: nowhere}]}
        """
    assert problems(base) == [
        "app.yaml:12:57: actions[2].actions[0].target_control: unknown control 'nowhere'; "
        "use one of: region"
    ]
