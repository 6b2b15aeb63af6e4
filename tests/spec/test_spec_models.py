"""Model behaviour that the loader tests do not show: derived values and shorthands."""

from __future__ import annotations

from typing import Any

import pytest

from trilith.spec import (
    MODAL_WIDTH_PX,
    PAGE_GRID_COLUMNS,
    SPACING_PX,
    ActionSequence,
    Chart,
    Container,
    Modal,
    Popover,
    Tabs,
    Trigger,
)


def test_modal_width_in_pixels() -> None:
    assert MODAL_WIDTH_PX == {"xs": 320, "sm": 480, "md": 640, "lg": 800, "xl": 1024}
    assert Modal(id="m", type="modal").width_px == 480
    assert Modal.model_validate({"id": "m", "type": "modal", "width": "xl"}).width_px == 1024
    assert Popover(id="p", type="popover", anchor="b", width="xs").width_px == 320


def test_container_defaults_and_grid() -> None:
    box = Container(id="c", type="container")
    assert (box.density, box.spacing, box.corner_style, box.padding, box.element_gap) == (
        12,
        "medium",
        "round",
        True,
        True,
    )
    assert box.grid_columns == 12
    assert (box.gap_px, box.padding_px) == (16, 16)
    tight = Container(id="c", type="container", spacing="small", padding=False)
    assert (tight.gap_px, tight.padding_px) == (8, 0)
    assert SPACING_PX == {"small": 8, "medium": 16, "large": 24}
    tabs = Tabs.model_validate({"id": "t", "type": "tabs", "tabs": [{"id": "a", "label": "A"}]})
    assert tabs.grid_columns == PAGE_GRID_COLUMNS == 24


def test_child_slots_name_their_paths() -> None:
    tabs = Tabs.model_validate(
        {
            "id": "t",
            "type": "tabs",
            "tabs": [
                {"id": "a", "label": "A", "children": [{"id": "x", "type": "text", "content": ""}]},
                {"id": "b", "label": "B"},
            ],
        }
    )
    assert [(path, [child.id for child in children]) for path, children in tabs.child_slots()] == [
        (("tabs", 0, "children"), ["x"]),
        (("tabs", 1, "children"), []),
    ]


def test_tabs_read_a_string_style_as_the_tab_style() -> None:
    data: dict[str, Any] = {"id": "t", "type": "tabs", "tabs": [{"id": "a", "label": "A"}]}
    assert Tabs.model_validate({**data, "style": "box"}).tab_style == "box"
    styled = Tabs.model_validate({**data, "style": {"background_color": "#fff"}})
    assert styled.tab_style == "open"
    assert styled.style is not None
    assert styled.style.background_color == "#fff"


def test_chart_y_accepts_one_measure() -> None:
    chart = Chart.model_validate(
        {"id": "c", "type": "chart", "chart_type": "bar", "source": "t", "x": "A", "y": "Sum(B)"}
    )
    assert chart.y == ["Sum(B)"]
    assert chart.data_source == "t"


@pytest.mark.parametrize(
    ("chart_type", "fields"),
    [
        ("bar", {"x": "a", "y": ["b"]}),
        ("line", {"x": "a", "y": ["b"]}),
        ("area", {"x": "a", "y": ["b"]}),
        ("scatter", {"x": "a", "y": ["b"]}),
        ("pie", {"series": "a", "value": "b"}),
        ("kpi", {"value": "b"}),
    ],
)
def test_each_chart_type_with_its_fields(chart_type: str, fields: dict[str, Any]) -> None:
    data = {"id": "c", "type": "chart", "chart_type": chart_type, "source": "t", **fields}
    assert Chart.model_validate(data).chart_type == chart_type


def test_visible_takes_a_bool_or_a_formula() -> None:
    base = {"id": "m", "type": "modal"}
    assert Modal.model_validate({**base, "visible": False}).visible is False
    assert Modal.model_validate({**base, "visible": "=[Control/x]"}).visible == "=[Control/x]"


def test_trigger_shorthand_and_step_params() -> None:
    sequence = ActionSequence.model_validate(
        {
            "id": "a",
            "trigger": "select",
            "actions": [{"type": "set_control", "control": "c", "selectionMode": "add"}],
        }
    )
    assert sequence.trigger == Trigger(type="select")
    assert sequence.actions[0].params == {"control": "c", "selection_mode": "add"}
    assert ActionSequence.model_validate({"id": "a", "actions": [{"type": "x"}]}).trigger.type == (
        "click"
    )
