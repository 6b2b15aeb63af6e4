"""The app document: pages of elements, plus the controls, input tables and action
sequences they share, and a theme.

Controls, input tables and actions live at app level (not inside a page) because any
element on any page may read or write them; elements point at them by id.
"""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, JsonValue

from trilith.spec.actions import ActionSequence
from trilith.spec.base import Identifier, SpecModel
from trilith.spec.elements import Element

__all__ = [
    "App",
    "Control",
    "ControlTarget",
    "ControlType",
    "InputColumn",
    "InputColumnType",
    "InputTable",
    "Page",
    "RowSecurity",
    "SqlSource",
    "SqlStatement",
    "Theme",
    "control_formula_type",
]

ControlType = Literal[
    "text",
    "text_area",
    "number",
    "list",
    "date",
    "date_range",
    "range",
    "range_slider",
    "checkbox",
    "switch",
    "segmented",
    "slider",
    "top_n",
]

# What formulas see a control's value as (a list control holds one value or a list).
_CONTROL_FORMULA_TYPES: dict[str, str] = {
    "text": "text",
    "text_area": "text",
    "number": "number",
    "list": "variant",
    "date": "date",
    "date_range": "date",
    "range": "number",
    "range_slider": "number",
    "checkbox": "logical",
    "switch": "logical",
    "segmented": "text",
    "slider": "number",
    "top_n": "integer",
}


def control_formula_type(control_type: str) -> str:
    return _CONTROL_FORMULA_TYPES.get(control_type, "variant")


# The input-table column types; `boolean` is read as `checkbox`.
InputColumnType = Literal[
    "text",
    "number",
    "integer",
    "date",
    "datetime",
    "checkbox",
    "boolean",
    "single_select",
    "multi_select",
]

Scalar = str | int | float | bool


class ControlTarget(SpecModel):
    """A column of a data element that a control filters."""

    element: Identifier
    column: str = Field(min_length=1)


class OptionsFrom(SpecModel):
    """List options read from a column of a warehouse table, input table or element."""

    source: str = Field(min_length=1)
    column: str = Field(min_length=1)


class TopN(SpecModel):
    """A top-N control keeps the rows ranked best (or worst) by ``by``."""

    by: str = Field(min_length=1)  # a column or formula to rank by
    mode: Literal["rank", "dense_rank", "row_number", "percentile"] = "rank"
    direction: Literal["top", "bottom"] = "top"


TextOperator = Literal[
    "equals",
    "not_equals",
    "contains",
    "not_contains",
    "starts_with",
    "not_starts_with",
    "ends_with",
    "not_ends_with",
    "like",
    "not_like",
    "regexp",
    "not_regexp",
]
NumberOperator = Literal["<=", "=", ">="]


class Control(SpecModel):
    """A named input value (filter, parameter) that formulas read as ``[Control/id]``.

    ``default`` is the published value. A control filters the ``targets`` columns: a
    list keeps (or, with ``exclude``, drops) its chosen values; text matches with
    ``operator``; number compares with ``operator``; ranges, sliders and date ranges keep
    values between their bounds; a switch keeps true (and false, unless ``switch_mode``
    is ``true_all``, where off means "all"); top_n keeps the best ``default`` rows by
    ``top_n.by``.
    """

    id: Identifier
    type: ControlType
    label: str | None = None
    default: JsonValue = None
    options: list[Scalar] | None = None
    options_from: OptionsFrom | None = None
    targets: list[ControlTarget] = []
    operator: TextOperator | NumberOperator | None = None
    multiple: bool = False
    exclude: bool = False
    switch_mode: Literal["true_false", "true_all"] = "true_false"
    top_n: TopN | None = None


class InputColumn(SpecModel):
    """A column of an input table. Further keys are kept for the input-table service."""

    model_config = ConfigDict(extra="allow")

    name: str = Field(min_length=1)
    type: InputColumnType = "text"
    label: str | None = None
    required: bool = False


class InputTable(SpecModel):
    """An editable table written back to the warehouse (seed 004 §3.1).

    ``kind`` is ``empty`` (created by the app), ``csv`` (seeded from ``source``, a file)
    or ``linked`` (rows keyed by ``key`` on the warehouse table ``source``). Further keys
    are kept for the input-table service.
    """

    model_config = ConfigDict(extra="allow")

    id: Identifier
    name: str = Field(min_length=1)
    kind: Literal["empty", "csv", "linked"] = "empty"
    columns: list[InputColumn] = []
    source: str | None = None
    key: str | None = None

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]


class RowSecurity(SpecModel):
    """Row-level security: a formula over a source's columns that every read of that source
    keeps true for users of `roles` (`CurrentUserEmail()`, `CurrentUserAttributeText()` …
    tell who is asking)."""

    source: str = Field(min_length=1)
    predicate: str = Field(min_length=1)
    roles: list[Literal["viewer", "editor", "admin"]] = ["viewer", "editor"]


class SqlStatement(SpecModel):
    """A statement an admin declares for `run_sql` actions: named `:parameters` only."""

    id: Identifier
    sql: str = Field(min_length=1)
    description: str | None = None


class SqlSource(SpecModel):
    """A query elements read like a table (`source: <id>`); `:control_id` placeholders
    take those controls' values as bound parameters."""

    id: Identifier
    sql: str = Field(min_length=1)
    dialect: str | None = None  # the SQL's dialect; the warehouse's when unset
    description: str | None = None


class Theme(SpecModel):
    mode: Literal["light", "dark"] = "light"
    primary_color: str | None = None
    background_color: str | None = None
    font_family: str | None = None


class Page(SpecModel):
    id: Identifier
    title: str = ""
    elements: list[Element] = []


class App(SpecModel):
    """A data app: the root of a spec file."""

    id: Identifier
    title: str
    description: str | None = None
    pages: list[Page] = Field(min_length=1)
    controls: list[Control] = []
    input_tables: list[InputTable] = []
    actions: list[ActionSequence] = []
    statements: list[SqlStatement] = []
    sources: list[SqlSource] = []
    row_security: list[RowSecurity] = []
    theme: Theme | None = None
