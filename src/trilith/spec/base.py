"""Building blocks shared by every spec model: the base class, grid positions, styles.

Every model forbids unknown keys (a typo is an error, not a silently ignored setting),
reads snake_case names and their camelCase aliases (``cornerStyle`` for
``corner_style``, as the seeds spell them) and dumps snake_case.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pydantic.alias_generators import to_camel

__all__ = [
    "PAGE_GRID_COLUMNS",
    "SPACING_PX",
    "Border",
    "Density",
    "ElementStyle",
    "GridPosition",
    "Identifier",
    "ReferenceKind",
    "Size",
    "Spacing",
    "SpecModel",
    "to_snake",
    "with_article",
]

#: Columns of a page's grid, and of the grid inside tabs, modals and popovers.
PAGE_GRID_COLUMNS = 24

Density = Literal[6, 12, 24]
Spacing = Literal["small", "medium", "large"]
Size = Literal["small", "medium", "large"]

#: Pixels of gap (and padding) for each spacing step, as in the seed's container.
SPACING_PX: dict[str, int] = {"small": 8, "medium": 16, "large": 24}

#: Ids name elements, controls, input tables, actions and pages in references.
Identifier = Annotated[
    str,
    StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z_][A-Za-z0-9_\-]*$"),
]

#: What an id-valued field may point at. ``button`` and ``modal`` are element types;
#: ``element`` is any element.
ReferenceKind = Literal["element", "button", "modal", "control", "input_table", "action", "page"]

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def to_snake(name: str) -> str:
    """``primaryButton`` → ``primary_button``; snake_case names pass unchanged."""
    return _CAMEL_BOUNDARY.sub("_", name).lower()


def with_article(noun: str) -> str:
    """``image element`` → ``an image element``."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


class SpecModel(BaseModel):
    """Base of all spec models: strict keys, camelCase aliases, snake_case output."""

    model_config = ConfigDict(
        extra="forbid",
        alias_generator=to_camel,
        populate_by_name=True,
    )


class GridPosition(SpecModel):
    """Where an element sits on its parent's grid, in grid units (``x`` is 0-based)."""

    x: Annotated[int, Field(ge=0)]
    y: Annotated[int, Field(ge=0)]
    w: Annotated[int, Field(ge=1, le=PAGE_GRID_COLUMNS)]
    h: Annotated[int, Field(ge=1)]


class Border(SpecModel):
    width: Annotated[int, Field(ge=0)] = 1
    color: str = "#e5e7eb"
    style: Literal["solid", "dashed", "dotted"] = "solid"


class ElementStyle(SpecModel):
    """The styling keys an element may set (seed 004 §5.1 ``ElementStyling``)."""

    background_color: str | None = None
    text_color: str | None = None
    border: Border | None = None
    padding: Annotated[int, Field(ge=0)] | None = None
    margin: Annotated[int, Field(ge=0)] | None = None
    border_radius: Annotated[int, Field(ge=0)] | None = None
    box_shadow: str | None = None
    z_index: int | None = None
