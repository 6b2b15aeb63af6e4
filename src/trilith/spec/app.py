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
    "ControlType",
    "InputColumn",
    "InputColumnType",
    "InputTable",
    "Page",
    "SqlStatement",
    "Theme",
]

ControlType = Literal[
    "text",
    "number",
    "list",
    "date",
    "date_range",
    "range",
    "checkbox",
    "switch",
    "segmented",
    "slider",
]

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


class Control(SpecModel):
    """A named input value (filter, parameter) that formulas read as ``[Control/id]``."""

    id: Identifier
    type: ControlType
    label: str | None = None
    default: JsonValue = None
    options: list[Scalar] | None = None


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


class SqlStatement(SpecModel):
    """A statement an admin declares for `run_sql` actions: named `:parameters` only."""

    id: Identifier
    sql: str = Field(min_length=1)
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
    theme: Theme | None = None
