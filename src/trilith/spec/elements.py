"""Layout elements (seed 004 §3.2 and §5): one pydantic model per ``type``.

``Element`` is the discriminated union of them all. Elements that hold other elements
say so through ``child_slots()``; elements whose fields name other things declare it in
``REFERENCES`` (field name → kind of thing), which the cross-reference rules read, so a
new element type needs no change to the rules.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, ClassVar, Literal, get_args

from pydantic import BeforeValidator, Field, JsonValue, field_validator, model_validator
from pydantic_core import PydanticCustomError

from trilith.spec.base import (
    PAGE_GRID_COLUMNS,
    SPACING_PX,
    Border,
    Density,
    ElementStyle,
    GridPosition,
    Identifier,
    ReferenceKind,
    Size,
    Spacing,
    SpecModel,
)

__all__ = [
    "CHART_REQUIRED_FIELDS",
    "ELEMENT_TYPES",
    "MODAL_WIDTH_PX",
    "Button",
    "Chart",
    "ChartType",
    "Container",
    "ControlElement",
    "Element",
    "ElementBase",
    "Form",
    "FormField",
    "Image",
    "InputTableElement",
    "Modal",
    "ModalButton",
    "Pivot",
    "Plugin",
    "Popover",
    "Tab",
    "Table",
    "Tabs",
    "Text",
]

Slot = tuple[tuple[str | int, ...], list["Element"]]
ModalWidth = Literal["xs", "sm", "md", "lg", "xl"]
ChartType = Literal["bar", "line", "area", "scatter", "pie", "kpi"]

MODAL_WIDTH_PX: dict[str, int] = {"xs": 320, "sm": 480, "md": 640, "lg": 800, "xl": 1024}

#: The fields each chart type cannot draw without.
CHART_REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    "bar": ("x", "y"),
    "line": ("x", "y"),
    "area": ("x", "y"),
    "scatter": ("x", "y"),
    "pie": ("series", "value"),
    "kpi": ("value",),
}


def _check_visible(value: object) -> object:
    if isinstance(value, bool) or (isinstance(value, str) and value.startswith("=")):
        return value
    raise PydanticCustomError(
        "visible_value",
        "got {value}; use true, false or a formula starting with '=' (like =[Control/x] > 0)",
        {"value": repr(value)},
    )


Visibility = Annotated[bool | str, BeforeValidator(_check_visible)]


class ElementBase(SpecModel):
    """Fields every element has: where it sits, whether it shows, what it triggers."""

    #: Id-valued fields of this element type and what they must point at.
    REFERENCES: ClassVar[tuple[tuple[str, ReferenceKind], ...]] = ()
    #: Whether the element counts toward the container nesting limit.
    NESTS: ClassVar[bool] = False
    #: Whether other elements may use this one as their data ``source``.
    HAS_DATA: ClassVar[bool] = False

    id: Identifier
    position: GridPosition | None = None
    visible: Visibility = True
    style: ElementStyle | None = None
    actions: list[Identifier] = []

    @property
    def grid_columns(self) -> int:
        """Columns of the grid this element lays its children on."""
        return PAGE_GRID_COLUMNS

    @property
    def data_source(self) -> str | None:
        """The element id, input-table id or warehouse table this element reads."""
        return None

    def child_slots(self) -> Iterator[Slot]:
        """Each list of child elements with its path relative to this element."""
        return iter(())


#: The seeds' names for container fields, read as ours.
_CONTAINER_SEED_NAMES = {"gridDensity": "density", "backgroundColor": "background"}


class Container(ElementBase):
    NESTS: ClassVar[bool] = True

    type: Literal["container"]
    density: Density = 12
    spacing: Spacing = "medium"
    padding: bool = True
    background: str | None = None
    border: Border | None = None
    corner_style: Literal["square", "round", "pill"] = "round"
    element_gap: bool = True
    children: list[Element] = []

    @model_validator(mode="before")
    @classmethod
    def _seed_names(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = dict(data)
            for seed_name, name in _CONTAINER_SEED_NAMES.items():
                if seed_name in data and name not in data:
                    data[name] = data.pop(seed_name)
        return data

    @property
    def grid_columns(self) -> int:
        return self.density

    @property
    def gap_px(self) -> int:
        """Pixels between children: the spacing step, or 0 without ``element_gap``."""
        return SPACING_PX[self.spacing] if self.element_gap else 0

    @property
    def padding_px(self) -> int:
        """Pixels inside the border: the spacing step, or 0 without ``padding``."""
        return SPACING_PX[self.spacing] if self.padding else 0

    def child_slots(self) -> Iterator[Slot]:
        yield ("children",), self.children


class Tab(SpecModel):
    id: Identifier
    label: str
    disabled: bool = False
    children: list[Element] = []


class Tabs(ElementBase):
    """A tabbed container; ``style: open`` is read as ``tab_style`` for the seeds' sake."""

    NESTS: ClassVar[bool] = True

    type: Literal["tabs"]
    tabs: list[Tab] = Field(min_length=1)
    default_tab: Identifier | None = None
    show_tab_bar: bool = True
    tab_style: Literal["open", "box", "button"] = "open"
    alignment: Literal["left", "center", "end", "justify"] = "left"
    size: Size = "medium"

    @model_validator(mode="before")
    @classmethod
    def _style_as_tab_style(cls, data: Any) -> Any:
        style = data.get("style") if isinstance(data, dict) else None
        if isinstance(style, str) and not {"tab_style", "tabStyle"} & data.keys():
            data = dict(data)
            data["tab_style"] = data.pop("style")
        return data

    def child_slots(self) -> Iterator[Slot]:
        for index, tab in enumerate(self.tabs):
            yield ("tabs", index, "children"), tab.children


class ModalButton(SpecModel):
    label: str
    hidden: bool = False

    @model_validator(mode="before")
    @classmethod
    def _text_as_label(cls, data: Any) -> Any:
        # The seed's ButtonConfig calls the label ``text``.
        if isinstance(data, dict) and "text" in data and "label" not in data:
            data = dict(data)
            data["label"] = data.pop("text")
        return data


class Modal(ElementBase):
    """An overlay dialog; ``title`` may be a formula (``="Edit " & [Control/x]``)."""

    type: Literal["modal"]
    title: str = ""
    width: ModalWidth = "sm"
    show_header: bool = True
    show_footer: bool = True
    show_close_icon: bool = True
    primary_button: ModalButton | None = None
    secondary_button: ModalButton | None = None
    prevent_close_on_overlay: bool = False
    children: list[Element] = []

    @property
    def width_px(self) -> int:
        return MODAL_WIDTH_PX[self.width]

    def child_slots(self) -> Iterator[Slot]:
        yield ("children",), self.children


class Popover(ElementBase):
    """Content shown next to the button ``anchor`` names."""

    REFERENCES: ClassVar[tuple[tuple[str, ReferenceKind], ...]] = (("anchor", "button"),)

    type: Literal["popover"]
    anchor: Identifier
    width: ModalWidth = "sm"
    children: list[Element] = []

    @property
    def width_px(self) -> int:
        return MODAL_WIDTH_PX[self.width]

    def child_slots(self) -> Iterator[Slot]:
        yield ("children",), self.children


class FormField(SpecModel):
    """One form input: a control of the app, or a column of the form's input table."""

    control: Identifier | None = None
    column: str | None = None
    label: str | None = None
    required: bool = False

    @model_validator(mode="after")
    def _one_target(self) -> FormField:
        if (self.control is None) == (self.column is None):
            raise PydanticCustomError(
                "form_field_target",
                "a form field names either a control or a column of the form's input table; "
                "set exactly one of control, column",
            )
        return self


class Form(ElementBase):
    """Collects values and runs the action sequence ``submit`` names."""

    REFERENCES: ClassVar[tuple[tuple[str, ReferenceKind], ...]] = (
        ("input_table", "input_table"),
        ("submit", "action"),
    )

    type: Literal["form"]
    input_table: Identifier | None = None
    fields: list[FormField] = Field(min_length=1)
    submit: Identifier | None = None
    submit_label: str = "Submit"


class Text(ElementBase):
    type: Literal["text"]
    content: str = Field(description="Markdown; may hold formulas in [brackets].")


class Image(ElementBase):
    type: Literal["image"]
    url: str = Field(min_length=1)
    alt: str = ""


class Button(ElementBase):
    type: Literal["button"]
    label: str
    variant: Literal["primary", "secondary", "outline", "link"] = "primary"


class Table(ElementBase):
    """Rows of a warehouse table, an input table, or another element (``source``)."""

    HAS_DATA: ClassVar[bool] = True

    type: Literal["table"]
    source: str = Field(min_length=1)
    columns: list[str] = []
    title: str | None = None
    #: The initial sort: a column, ``-`` first for descending (``-edit_no``).
    sort: str | None = Field(None, min_length=1)

    @property
    def data_source(self) -> str:
        return self.source


class Pivot(ElementBase):
    HAS_DATA: ClassVar[bool] = True

    type: Literal["pivot"]
    source: str = Field(min_length=1)
    rows: list[str] = []
    columns: list[str] = []
    values: list[str] = Field(min_length=1)
    title: str | None = None

    @property
    def data_source(self) -> str:
        return self.source


def _as_list(value: object) -> object:
    return [value] if isinstance(value, str) else value


class Chart(ElementBase):
    """``x``/``y`` for bar, line, area and scatter; ``series``/``value`` for pie; ``value``
    for kpi (``CHART_REQUIRED_FIELDS``)."""

    HAS_DATA: ClassVar[bool] = True

    type: Literal["chart"]
    chart_type: ChartType
    source: str = Field(min_length=1)
    x: str | None = None
    y: Annotated[list[str], BeforeValidator(_as_list)] = []
    series: str | None = None
    value: str | None = None
    title: str | None = None

    @property
    def data_source(self) -> str:
        return self.source

    @model_validator(mode="after")
    def _required_for_chart_type(self) -> Chart:
        missing = [
            name for name in CHART_REQUIRED_FIELDS[self.chart_type] if not getattr(self, name)
        ]
        if missing:
            raise PydanticCustomError(
                "chart_fields",
                "a {chart_type} chart needs {missing}; add {missing}",
                {"chart_type": self.chart_type, "missing": " and ".join(missing)},
            )
        return self


class InputTableElement(ElementBase):
    """Shows the app-level input table ``input_table`` names, editable."""

    REFERENCES: ClassVar[tuple[tuple[str, ReferenceKind], ...]] = (("input_table", "input_table"),)
    HAS_DATA: ClassVar[bool] = True

    type: Literal["input_table"]
    input_table: Identifier


class ControlElement(ElementBase):
    """Places the app-level control ``control`` names on the page."""

    REFERENCES: ClassVar[tuple[tuple[str, ReferenceKind], ...]] = (("control", "control"),)

    type: Literal["control"]
    control: Identifier


class Plugin(ElementBase):
    type: Literal["plugin"]
    url: str = Field(min_length=1)
    config: dict[str, JsonValue] = {}

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        if not url.startswith(("https://", "http://", "/")):
            raise PydanticCustomError(
                "plugin_url",
                "got {url}; a plugin url starts with https://, http:// or /",
                {"url": repr(url)},
            )
        return url


Element = Annotated[
    Container
    | Tabs
    | Modal
    | Popover
    | Form
    | Text
    | Image
    | Button
    | Table
    | Pivot
    | Chart
    | InputTableElement
    | ControlElement
    | Plugin,
    Field(discriminator="type"),
]

for _model in (Container, Tab, Tabs, Modal, Popover):
    _model.model_rebuild()

#: Every element ``type``, in the order of the ``Element`` union.
ELEMENT_TYPES: tuple[str, ...] = tuple(
    get_args(model.model_fields["type"].annotation)[0] for model in get_args(get_args(Element)[0])
)
