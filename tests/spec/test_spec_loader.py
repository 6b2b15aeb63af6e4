"""Loading spec files and text: the showcase, round trips, and model-level errors as
printed (``file:line:column: spec.path: message``)."""

from __future__ import annotations

import json
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import get_args

import pytest

from trilith.spec import (
    ELEMENT_TYPES,
    App,
    Element,
    SpecError,
    SpecIssue,
    app_from_data,
    dump_app,
    dump_app_yaml,
    load_app,
    load_app_text,
)
from trilith.spec.app import ControlType
from trilith.spec.elements import ChartType, ElementBase

Problems = Callable[[str], list[str]]


def _walk(elements: list[Element]) -> list[Element]:
    found: list[Element] = []
    for element in elements:
        found.append(element)
        for _, children in element.child_slots():
            found.extend(_walk(children))
    return found


def test_the_showcase_loads_and_uses_every_element_type(showcase_path: Path) -> None:
    app = load_app(showcase_path)
    elements = [element for page in app.pages for element in _walk(page.elements)]
    assert {element.type for element in elements} == set(ELEMENT_TYPES)
    charts = {element.chart_type for element in elements if element.type == "chart"}
    assert charts == set(get_args(ChartType))
    steps = {step.type for sequence in app.actions for step in sequence.actions}
    assert {"open_modal", "close_modal", "set_control", "insert_row"} <= steps
    assert {control.type for control in app.controls} <= set(get_args(ControlType))
    assert len(app.controls) >= 5
    assert [table.id for table in app.input_tables] == ["deal_notes", "region_targets"]


def test_the_showcase_round_trips(showcase_path: Path) -> None:
    app = load_app(showcase_path)
    assert app_from_data(dump_app(app)) == app
    assert load_app_text(dump_app_yaml(app), "dumped.yaml") == app
    assert load_app_text(json.dumps(dump_app(app), indent="\t"), "dumped.json") == app


def test_dump_is_snake_case_with_id_and_type_first(showcase_path: Path) -> None:
    data = dump_app(load_app(showcase_path))
    modal = next(e for e in data["pages"][0]["elements"] if e["type"] == "modal")
    assert list(modal)[:2] == ["id", "type"]
    assert modal["prevent_close_on_overlay"] is True
    assert "preventCloseOnOverlay" not in json.dumps(data)


def test_camel_case_and_seed_names_are_read() -> None:
    app = load_app_text(
        """\
id: app
title: App
inputTables: [{id: notes, name: Notes}]
pages:
  - id: main
    elements:
      - id: box
        type: container
        gridDensity: 6
        backgroundColor: "#fff"
        cornerStyle: pill
        elementGap: false
        children:
          - id: sections
            type: tabs
            style: button
            defaultTab: one
            showTabBar: false
            tabs: [{id: one, label: One}]
      - id: dialog
        type: modal
        showCloseIcon: false
        preventCloseOnOverlay: true
        primaryButton: {text: Save}
actions:
  - {id: save, actions: [{type: insert_row, inputTable: notes}]}
"""
    )
    box = app.pages[0].elements[0]
    assert dump_app(app)["pages"][0]["elements"] == [
        {
            "id": "box",
            "type": "container",
            "density": 6,
            "background": "#fff",
            "corner_style": "pill",
            "element_gap": False,
            "children": [
                {
                    "id": "sections",
                    "type": "tabs",
                    "tabs": [{"id": "one", "label": "One"}],
                    "default_tab": "one",
                    "show_tab_bar": False,
                    "tab_style": "button",
                }
            ],
        },
        {
            "id": "dialog",
            "type": "modal",
            "show_close_icon": False,
            "primary_button": {"label": "Save"},
            "prevent_close_on_overlay": True,
        },
    ]
    assert isinstance(box, ElementBase)
    assert app.actions[0].actions[0].params == {"input_table": "notes"}


def test_json_specs_report_positions_too() -> None:
    text = json.dumps(
        {"id": "app", "title": "App", "pages": [{"id": "main", "elements": [{"id": "x"}]}]},
        indent=2,
    )
    with pytest.raises(SpecError) as caught:
        load_app_text(text, "app.json")
    assert [str(issue) for issue in caught.value.issues] == [
        "app.json:8:9: pages[0].elements[0]: missing 'type'; add type: one of button, chart, "
        "container, control, form, image, input_table, modal, pivot, plugin, popover, table, "
        "tabs, text"
    ]


def test_yaml_syntax_errors_give_file_line_and_column(problems: Problems) -> None:
    assert problems(
        """\
        id: app
        title: App
        pages:
          - id: main
            elements: [{id: a, type: text
        """
    ) == [
        "app.yaml:6:1: invalid YAML: expected ',' or '}', but got '<stream end>' while "
        "parsing a flow mapping; fix the syntax at this position"
    ]


def test_bad_indentation_is_a_syntax_error(problems: Problems) -> None:
    assert problems(
        """\
        id: app
        title: App
        pages:
          - id: main
           title: Main
        """
    ) == [
        "app.yaml:5:4: invalid YAML: expected <block end>, but found '<block mapping start>' "
        "while parsing a block collection; fix the syntax at this position"
    ]


def test_duplicate_keys_are_errors(problems: Problems) -> None:
    assert problems(
        """\
        id: app
        title: App
        title: Again
        pages: [{id: main}]
        """
    ) == [
        'app.yaml:3:1: found duplicate key "title" with value "Again" (original value: '
        '"App"); each key may appear once in a mapping, remove or rename one'
    ]


def test_custom_tags_are_refused(problems: Problems) -> None:
    assert problems(
        """\
        id: app
        title: !secret App
        pages: [{id: main}]
        """
    ) == ["app.yaml:2:1: title: unsupported YAML value tagged !secret; remove the tag"]


def test_empty_and_non_mapping_documents(problems: Problems) -> None:
    assert problems("") == [
        "app.yaml:1:1: the spec is empty; an app spec needs id, title and pages"
    ]
    assert problems("- one\n- two\n") == [
        "app.yaml:1:1: an app spec is a mapping with id, title and pages; got a list"
    ]


def test_a_missing_file_is_a_spec_error(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as caught:
        load_app(tmp_path / "nope.yaml")
    assert str(caught.value.issues[0]) == f"{tmp_path / 'nope.yaml'}: no such file; check the path"


def test_unknown_fields_suggest_the_intended_one(problems: Problems) -> None:
    assert problems(
        """\
        id: app
        title: App
        pages:
          - id: main
            elements:
              - id: box
                type: container
                densty: 12
                colour: red
        """
    ) == [
        "app.yaml:8:9: pages[0].elements[0].densty: unknown field 'densty' of a container "
        "element; did you mean 'density'?",
        "app.yaml:9:9: pages[0].elements[0].colour: unknown field 'colour' of a container "
        "element; use one of: actions, background, border, children, corner_style, density, "
        "element_gap, id, padding, position, spacing, style, type, visible",
    ]


def test_fixed_choices_list_the_options(problems: Problems) -> None:
    assert problems(
        """\
        id: app
        title: App
        pages:
          - id: main
            elements:
              - id: box
                type: container
                density: 10
                spacing: huge
                cornerStyle: blob
              - {id: dialog, type: modal, width: xxl}
              - {id: sections, type: tabs, tab_style: round, tabs: [{id: a, label: A}]}
        """
    ) == [
        "app.yaml:8:9: pages[0].elements[0].density: got 10; use one of: 6, 12, 24",
        "app.yaml:9:9: pages[0].elements[0].spacing: got 'huge'; use one of: small, medium, large",
        "app.yaml:10:9: pages[0].elements[0].corner_style: got 'blob'; use one of: square, "
        "round, pill",
        "app.yaml:11:35: pages[0].elements[1].width: got 'xxl'; use one of: xs, sm, md, lg, xl",
        "app.yaml:12:36: pages[0].elements[2].tab_style: got 'round'; use one of: open, box, "
        "button",
    ]


def test_unknown_and_missing_element_types(problems: Problems) -> None:
    types = (
        "button, chart, container, control, form, image, input_table, modal, pivot, plugin, "
        "popover, table, tabs, text"
    )
    assert problems(
        """\
        id: app
        title: App
        pages:
          - id: main
            elements:
              - {id: a, type: txt, content: Hi}
              - {id: b, content: Hi}
        """
    ) == [
        f"app.yaml:6:17: pages[0].elements[0].type: unknown element type 'txt'; use one of: "
        f"{types}",
        f"app.yaml:7:9: pages[0].elements[1]: missing 'type'; add type: one of {types}",
    ]


def test_missing_fields_and_wrong_types(problems: Problems) -> None:
    assert problems(
        """\
        id: app
        title: App
        pages:
          - id: main
            elements:
              - {id: go, type: button}
              - {id: note, type: text, content: 42, visible: maybe}
              - id: pos
                type: image
                url: https://example.com/a.png
                position: {x: -1, y: 0, w: 25, h: 1}
              - {id: tbl, type: table, source: t, columns: Amount}
        """
    ) == [
        "app.yaml:6:9: pages[0].elements[0]: missing required field 'label' of a button "
        "element; add it",
        "app.yaml:7:32: pages[0].elements[1].content: expected text, got 42; quote it",
        "app.yaml:7:45: pages[0].elements[1].visible: got 'maybe'; use true, false or a "
        "formula starting with '=' (like =[Control/x] > 0)",
        "app.yaml:11:20: pages[0].elements[2].position.x: got -1; use a number >= 0",
        "app.yaml:11:33: pages[0].elements[2].position.w: got 25; use a number <= 24",
        "app.yaml:12:43: pages[0].elements[3].columns: expected a list, got 'Amount'; write "
        "it as [a, b] or as lines starting with '- '",
    ]


def test_element_level_checks(problems: Problems) -> None:
    assert problems(
        """\
        id: app
        title: App
        pages:
          - id: main
            elements:
              - {id: pie, type: chart, chart_type: pie, source: t, series: Stage}
              - {id: entry, type: form, fields: [{control: a, column: b}]}
              - {id: empty, type: form, fields: []}
              - {id: embed, type: plugin, url: "ftp://x"}
              - {id: "bad id", type: text, content: x}
        """
    ) == [
        "app.yaml:6:9: pages[0].elements[0]: a pie chart needs value; add value",
        "app.yaml:7:42: pages[0].elements[1].fields[0]: a form field names either a control "
        "or a column of the form's input table; set exactly one of control, column",
        "app.yaml:8:33: pages[0].elements[2].fields: needs at least 1 item; add one",
        "app.yaml:9:35: pages[0].elements[3].url: got 'ftp://x'; a plugin url starts with "
        "https://, http:// or /",
        "app.yaml:10:10: pages[0].elements[4].id: 'bad id' is not a valid id; use letters, "
        "digits, '_' and '-', starting with a letter or '_'",
    ]


def test_app_level_errors(problems: Problems) -> None:
    assert problems(
        """\
        title: 7
        pages: []
        controls:
          - {id: region, type: dropdown, options: [North, {a: 1}]}
        actions:
          - {id: go, trigger: hover, actions: []}
        """
    ) == [
        "app.yaml:1:1: missing required field 'id' of the app; add it",
        "app.yaml:1:1: title: expected text, got 7; quote it",
        "app.yaml:2:1: pages: needs at least 1 item; add one",
        "app.yaml:4:18: controls[0].type: got 'dropdown'; use one of: text, text_area, "
        "number, list, date, date_range, range, range_slider, checkbox, switch, segmented, "
        "slider, top_n",
        "app.yaml:4:51: controls[0].options[1]: got a mapping; use text, a number or true/false",
        "app.yaml:6:14: actions[0].trigger.type: got 'hover'; use one of: click, select, "
        "change, context_menu, modal_primary, modal_secondary, modal_close, schedule, plugin, "
        "submit, open, close, load, primary_click, secondary_click, tab_change",
        "app.yaml:6:30: actions[0].actions: needs at least 1 item; add one",
    ]


def test_spec_error_lists_every_problem() -> None:
    with pytest.raises(SpecError) as caught:
        load_app_text("id: app\ntitle: App\npages: [{id: main, elements: [{id: x}]}]\n", "a.yaml")
    assert str(caught.value).splitlines()[0] == "1 problem in app spec:"
    assert caught.value.issues[0].location == "a.yaml:3:31"


def test_app_from_data_validates_without_positions() -> None:
    with pytest.raises(SpecError) as caught:
        app_from_data({"id": "app", "title": "App", "pages": [{"id": "p", "elements": [{}]}]})
    issue = caught.value.issues[0]
    assert (issue.path, issue.line, issue.file) == ("pages[0].elements[0]", None, None)
    assert isinstance(app_from_data({"id": "a", "title": "A", "pages": [{"id": "p"}]}), App)


def test_spec_errors_pickle_with_their_issues() -> None:
    error = SpecError([SpecIssue("pages[0]", "bad", 3, 4, "a.yaml")])
    copy = pickle.loads(pickle.dumps(error))
    assert copy.issues == error.issues
    assert str(copy) == "1 problem in app spec:\n  a.yaml:3:4: pages[0]: bad"
