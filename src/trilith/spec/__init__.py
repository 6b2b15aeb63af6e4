"""The app spec: pydantic models of an app (pages, layout elements, controls, input
tables, action sequences), a YAML/JSON loader whose errors say ``file:line:column``,
cross-reference rules, and the JSON Schema.

    app = load_app("examples/showcase/app.yaml")   # raises SpecError listing every problem
"""

from __future__ import annotations

from trilith.capabilities import register_capability
from trilith.spec.actions import (
    STEP_REFERENCES,
    ActionSequence,
    ActionStep,
    Trigger,
    register_step_references,
)
from trilith.spec.app import App, Control, InputColumn, InputTable, Page, Theme
from trilith.spec.base import PAGE_GRID_COLUMNS, SPACING_PX, ElementStyle, GridPosition
from trilith.spec.elements import (
    ELEMENT_TYPES,
    MODAL_WIDTH_PX,
    Button,
    Chart,
    Container,
    ControlElement,
    Element,
    ElementBase,
    Form,
    FormField,
    Image,
    InputTableElement,
    Modal,
    ModalButton,
    Pivot,
    Plugin,
    Popover,
    Tab,
    Table,
    Tabs,
    Text,
)
from trilith.spec.errors import SpecError, SpecIssue
from trilith.spec.loader import app_from_data, dump_app, dump_app_yaml, load_app, load_app_text
from trilith.spec.rules import MAX_NESTING, RULES, rule, validate_app
from trilith.spec.schema import app_json_schema
from trilith.spec.source import SourceMap, format_path, parse_yaml

__all__ = [
    "ELEMENT_TYPES",
    "MAX_NESTING",
    "MODAL_WIDTH_PX",
    "PAGE_GRID_COLUMNS",
    "RULES",
    "SPACING_PX",
    "STEP_REFERENCES",
    "ActionSequence",
    "ActionStep",
    "App",
    "Button",
    "Chart",
    "Container",
    "Control",
    "ControlElement",
    "Element",
    "ElementBase",
    "ElementStyle",
    "Form",
    "FormField",
    "GridPosition",
    "Image",
    "InputColumn",
    "InputTable",
    "InputTableElement",
    "Modal",
    "ModalButton",
    "Page",
    "Pivot",
    "Plugin",
    "Popover",
    "SourceMap",
    "SpecError",
    "SpecIssue",
    "Tab",
    "Table",
    "Tabs",
    "Text",
    "Theme",
    "Trigger",
    "app_from_data",
    "app_json_schema",
    "dump_app",
    "dump_app_yaml",
    "format_path",
    "load_app",
    "load_app_text",
    "parse_yaml",
    "register_step_references",
    "rule",
    "validate_app",
]


@register_capability("layout_element_types")
def _layout_element_types() -> list[str]:
    return list(ELEMENT_TYPES)
