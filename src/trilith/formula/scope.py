"""What a formula can see: columns, controls, action variables, selections and the user.

The caller (an element query, an action step, the CLI) builds a `Scope`. Columns become
quoted column references; every other value becomes a bound parameter, so user-supplied
values never enter SQL text. Window functions take their ordering and partitioning from
`order_by` and `partition_by`, which name columns.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ControlValue", "Scope", "Sort", "UserContext", "selection_value"]


@dataclass(frozen=True, slots=True)
class ControlValue:
    """A control's type and current value.

    Range controls hold a mapping with `min` and `max` (`[Range].min`); date-range controls
    one with `start` and `end` (`[Dates].start`); `type` is then the type of those bounds.
    Multi-select list controls hold a list.
    """

    type: str
    value: Any = None


@dataclass(frozen=True, slots=True)
class UserContext:
    email: str | None = None
    teams: frozenset[str] = frozenset()
    attributes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Sort:
    column: str
    descending: bool = False


@dataclass
class Scope:
    """Everything a formula may reference.

    `columns` maps column names to formula types (`number`, `integer`, `text`, `logical`,
    `date`, `datetime`, `variant`). `variables` (action variables) hold plain values or
    `ControlValue`s. `selections` map a column of the selected element to the values of
    the selected rows. `[Element/Column]` needs the element in `element_aliases` (name to
    SQL alias); its column types come from `element_columns` when known.
    """

    columns: dict[str, str] = field(default_factory=dict)
    controls: dict[str, ControlValue] = field(default_factory=dict)
    variables: dict[str, Any] = field(default_factory=dict)
    selections: dict[str, Any] = field(default_factory=dict)
    user: UserContext = field(default_factory=UserContext)
    element_aliases: dict[str, str] = field(default_factory=dict)
    element_columns: dict[str, dict[str, str]] = field(default_factory=dict)
    order_by: list[Sort | str] = field(default_factory=list)
    partition_by: list[str] = field(default_factory=list)
    # Qualifies bare column references (`[Amount]` -> "t"."Amount") when set.
    table_alias: str | None = None
    # The element whose rows are selected (or whose form was submitted): in an action,
    # `[that_element/Column]` reads the selection, like `[Selection/Column]`.
    selection_element: str | None = None
    # `[Element/Column]` as values rather than SQL: an action reads another element's
    # column (its distinct values, found by an element query) as a bound list.
    element_values: dict[tuple[str, str], list[Any]] = field(default_factory=dict)

    def sorts(self) -> list[Sort]:
        return [s if isinstance(s, Sort) else Sort(s) for s in self.order_by]


def selection_value(values: Any) -> Any:
    """The seed's rule: no selected value is null, one is that value, several a list."""
    if not isinstance(values, list | tuple):
        return values
    present = [v for v in values if v is not None]
    if not present:
        return None
    return present[0] if len(present) == 1 else present
