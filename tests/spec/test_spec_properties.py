"""Property tests: random valid apps validate, and survive YAML and JSON round trips.

The strategy builds element trees as plain data the way an author would write them:
nesting at most ``MAX_NESTING`` containers and tabs deep, positions that fit the
enclosing grid, no popover inside a popover, sources that only point at elements
built earlier (so never in a cycle) and references only to things that exist.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trilith.spec import (
    MAX_NESTING,
    PAGE_GRID_COLUMNS,
    GridPosition,
    app_from_data,
    dump_app,
    dump_app_yaml,
    format_path,
    load_app_text,
    validate_app,
)
from trilith.spec.index import AppIndex
from trilith.spec.source import SourceMap, dump_yaml, parse_yaml

Data = dict[str, Any]

CONTROLS: list[Data] = [
    {"id": "region", "type": "list", "options": ["North", "South"], "default": "North"},
    {"id": "amount", "type": "slider", "default": 10},
]
INPUT_TABLE: Data = {
    "id": "notes",
    "name": "Notes",
    "columns": [{"name": "note"}, {"name": "amount", "type": "number"}],
}
ANCHOR = "anchor_button"
LEAF_TYPES = [
    *("text", "image", "button", "table", "pivot", "chart"),
    *("input_table", "control", "plugin", "form"),
]


@dataclass
class Build:
    """What the tree built so far offers to later references."""

    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    data_elements: list[str] = field(default_factory=list)
    modals: list[str] = field(default_factory=list)

    def new_id(self, kind: str) -> str:
        return f"{kind}_{next(self.ids)}"


@st.composite
def positions(draw: st.DrawFn, columns: int) -> Data | None:
    if draw(st.booleans()):
        return None
    x = draw(st.integers(0, columns - 1))
    return {
        "x": x,
        "y": draw(st.integers(0, 40)),
        "w": draw(st.integers(1, columns - x)),
        "h": draw(st.integers(1, 8)),
    }


@st.composite
def leaf(draw: st.DrawFn, build: Build) -> Data:
    kind = draw(st.sampled_from(LEAF_TYPES))
    element: Data = {"id": build.new_id(kind), "type": kind}
    source = draw(st.sampled_from(["analytics.deals", "notes", *build.data_elements]))
    if kind == "text":
        element["content"] = draw(st.text(max_size=20))
    elif kind == "image":
        element |= {"url": "https://example.com/a.png", "alt": draw(st.text(max_size=5))}
    elif kind == "button":
        element |= {"label": draw(st.text(min_size=1, max_size=8))}
        element["variant"] = draw(st.sampled_from(["primary", "secondary", "outline", "link"]))
    elif kind == "table":
        element |= {"source": source, "columns": draw(st.lists(st.sampled_from("ABC")))}
    elif kind == "pivot":
        element |= {"source": source, "rows": ["A"], "values": ["Sum([B])"]}
    elif kind == "chart":
        chart_type = draw(st.sampled_from(["bar", "line", "area", "scatter", "pie", "kpi"]))
        required = {
            "pie": {"series": "A", "value": "Sum([B])"},
            "kpi": {"value": "Sum([B])"},
        }.get(chart_type, {"x": "A", "y": ["Sum([B])"]})
        element |= {"chart_type": chart_type, "source": source, **required}
    elif kind == "input_table":
        element["input_table"] = "notes"
    elif kind == "control":
        element["control"] = draw(st.sampled_from([c["id"] for c in CONTROLS]))
    elif kind == "plugin":
        element |= {"url": "https://plugins.example.com/x", "config": {"n": 1}}
    else:
        element |= {"input_table": "notes", "fields": [{"column": "note"}, {"control": "region"}]}
    if kind in ("table", "pivot", "chart", "input_table"):
        build.data_elements.append(element["id"])
    if draw(st.booleans()):
        element["visible"] = draw(st.sampled_from([False, "=[Control/region] = 'North'"]))
    return element


@st.composite
def elements(
    draw: st.DrawFn, build: Build, columns: int, nesting: int, in_popover: bool, budget: int
) -> list[Data]:
    """Up to ``budget`` sibling elements on a grid of ``columns``."""
    out: list[Data] = []
    for _ in range(draw(st.integers(0, budget))):
        kinds = ["leaf", "leaf", "modal"]
        if nesting < MAX_NESTING:
            kinds += ["container", "tabs"]
        if not in_popover:
            kinds.append("popover")
        kind = draw(st.sampled_from(kinds)) if budget > 1 else "leaf"
        inner = budget // 2
        if kind == "leaf":
            element = draw(leaf(build))
        elif kind == "container":
            density = draw(st.sampled_from([6, 12, 24]))
            element = {"id": build.new_id("box"), "type": "container", "density": density}
            element["spacing"] = draw(st.sampled_from(["small", "medium", "large"]))
            element["corner_style"] = draw(st.sampled_from(["square", "round", "pill"]))
            element["children"] = draw(elements(build, density, nesting + 1, in_popover, inner))
        elif kind == "tabs":
            tab_ids = [build.new_id("tab") for _ in range(draw(st.integers(1, 3)))]
            tabs = [
                {
                    "id": tab_id,
                    "label": tab_id.title(),
                    "children": draw(
                        elements(build, PAGE_GRID_COLUMNS, nesting + 1, in_popover, inner)
                    ),
                }
                for tab_id in tab_ids
            ]
            element = {"id": build.new_id("tabs"), "type": "tabs", "tabs": tabs}
            element["default_tab"] = draw(st.sampled_from(tab_ids))
            element["tab_style"] = draw(st.sampled_from(["open", "box", "button"]))
        elif kind == "modal":
            element = {"id": build.new_id("modal"), "type": "modal"}
            element["width"] = draw(st.sampled_from(["xs", "sm", "md", "lg", "xl"]))
            element["title"] = draw(st.sampled_from(["Edit", '="Edit " & [Control/region]']))
            element["primary_button"] = {"label": "Save"}
            element["children"] = draw(
                elements(build, PAGE_GRID_COLUMNS, nesting, in_popover, inner)
            )
            build.modals.append(element["id"])
        else:
            element = {"id": build.new_id("popover"), "type": "popover", "anchor": ANCHOR}
            element["children"] = draw(elements(build, PAGE_GRID_COLUMNS, nesting, True, inner))
        position = draw(positions(columns))
        if position is not None:
            element["position"] = position
        out.append(element)
    return out


@st.composite
def apps(draw: st.DrawFn) -> Data:
    build = Build()
    pages = []
    for page_number in range(draw(st.integers(1, 2))):
        anchor: Data = {"id": ANCHOR, "type": "button", "label": "More"}
        page_elements = draw(elements(build, PAGE_GRID_COLUMNS, 0, False, 8))
        pages.append(
            {
                "id": f"page_{page_number}",
                "title": f"Page {page_number}",
                "elements": ([anchor] if page_number == 0 else []) + page_elements,
            }
        )
    actions: list[Data] = [
        {
            "id": "pick_region",
            "element": ANCHOR,
            "trigger": "click",
            "actions": [
                {"type": "set_control", "control": "region", "value": "South"},
                {"type": "insert_row", "input_table": "notes", "values": {"note": "x"}},
            ],
        }
    ]
    for modal in build.modals:
        actions.append({"id": f"open_{modal}", "actions": [{"type": "open_modal", "modal": modal}]})
        actions.append(
            {
                "id": f"close_{modal}",
                "element": modal,
                "trigger": "secondary_click",
                "actions": [{"type": "close_modal", "modal": modal}],
            }
        )
    return {
        "id": "generated",
        "title": "Generated",
        "pages": pages,
        "controls": CONTROLS,
        "input_tables": [INPUT_TABLE],
        "actions": actions,
    }


PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
# ruamel's round-trip parser is pure Python: a few dozen documents keep this quick.
ROUND_TRIP_SETTINGS = settings(PROPERTY_SETTINGS, max_examples=40)


@PROPERTY_SETTINGS
@given(apps())
def test_generated_apps_are_valid(data: Data) -> None:
    app = app_from_data(data)
    assert validate_app(app) == []


@ROUND_TRIP_SETTINGS
@given(apps())
def test_generated_apps_round_trip_through_yaml_and_json(data: Data) -> None:
    app = app_from_data(data)
    assert load_app_text(dump_yaml(data), "written.yaml") == app
    assert load_app_text(dump_app_yaml(app), "dumped.yaml") == app
    assert load_app_text(json.dumps(dump_app(app)), "dumped.json") == app
    assert dump_app(app_from_data(dump_app(app))) == dump_app(app)


@PROPERTY_SETTINGS
@given(apps(), st.data())
def test_an_element_pushed_off_its_grid_is_reported_at_its_path(
    data: Data, choice: st.DataObject
) -> None:
    app = app_from_data(data)
    index = AppIndex(app, SourceMap())
    node = choice.draw(st.sampled_from(index.elements))
    node.element.position = GridPosition(x=node.grid_columns - 1, y=0, w=2, h=1)
    issues = validate_app(app)
    assert [issue.path for issue in issues] == [format_path((*node.path, "position"))]
    assert f"x + w = {node.grid_columns + 1} is more than the {node.grid_columns}" in (
        issues[0].message
    )


@settings(max_examples=300, deadline=None)
@given(st.text(), st.text(min_size=1))
def test_any_text_survives_the_yaml_writer(value: str, key: str) -> None:
    data = {"a": value, "b": [value], key: {"c": value}}
    assert parse_yaml(dump_yaml(data))[0] == data
