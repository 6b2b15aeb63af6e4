"""Action sequences as data (seed 004 §4.1, §4.3).

One action's JSON is the seed's: `id`, `type`, `name`, `parameters`, `output_variable`,
with snake_case parameter names; values come from a `ValueSource`
(`{"type": "static" | "column" | "control" | "formula" | "variable", …}`). camelCase
spellings (`outputVariable`, `stopOnError`, `timeoutMs` …) are accepted as aliases.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from croniter import croniter
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

__all__ = [
    "Action",
    "ActionSequence",
    "Branch",
    "ColumnValue",
    "Condition",
    "ControlValueSource",
    "FormulaValue",
    "StaticValue",
    "SuccessAlert",
    "Trigger",
    "ValueSource",
    "VariableValue",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, alias_generator=to_camel)


class StaticValue(_Model):
    type: Literal["static"]
    value: Any = None


class ColumnValue(_Model):
    """A column of the selected rows: one value, or a list when several rows are selected."""

    type: Literal["column"]
    column_name: str


class ControlValueSource(_Model):
    type: Literal["control"]
    control_id: str


class FormulaValue(_Model):
    type: Literal["formula"]
    formula: str


class VariableValue(_Model):
    type: Literal["variable"]
    name: str


ValueSource = Annotated[
    StaticValue | ColumnValue | ControlValueSource | FormulaValue | VariableValue,
    Field(discriminator="type"),
]

TriggerType = Literal[
    "click",
    "select",
    "change",
    "context_menu",
    "modal_primary",
    "modal_secondary",
    "modal_close",
    "schedule",
    "plugin",
    # Browser events the spec also names: a form submitted, a page loaded, a tab chosen,
    # a modal opened.
    "submit",
    "load",
    "tab_change",
    "open",
]


class Trigger(_Model):
    type: TriggerType = "click"
    element_id: str | None = None
    column_name: str | None = None  # select: one column only
    menu_item_id: str | None = None  # context_menu
    label: str | None = Field(None, max_length=200)  # context_menu: the item's text
    cron: str | None = None  # schedule
    plugin_event: str | None = None  # plugin

    @model_validator(mode="after")
    def _needs(self) -> Trigger:
        if self.type == "schedule" and not self.cron:
            raise ValueError("a schedule trigger needs cron, e.g. '0 7 * * MON-FRI'")
        if self.cron is not None and not croniter.is_valid(self.cron):
            raise ValueError(f"cron {self.cron!r} is not a cron expression, e.g. '0 7 * * MON-FRI'")
        if self.type == "context_menu" and not self.menu_item_id:
            raise ValueError("a context_menu trigger needs menu_item_id")
        return self


class Condition(_Model):
    type: Literal[
        "custom_formula", "control_value", "selection_value", "selection_contains", "ai_result"
    ]
    formula: str | None = None
    control_id: str | None = None
    column_name: str | None = None
    variable: str | None = None  # ai_result: the output variable of an earlier action
    expected_value: Any = None
    threshold: float | None = None

    @model_validator(mode="after")
    def _needs(self) -> Condition:
        required = {
            "custom_formula": "formula",
            "control_value": "control_id",
            "selection_value": "column_name",
            "selection_contains": "column_name",
            "ai_result": "variable",
        }[self.type]
        if getattr(self, required) is None:
            raise ValueError(f"a {self.type} condition needs {required}")
        return self


class Action(_Model):
    id: str | None = None
    type: str
    name: str | None = None
    parameters: dict[str, Any] = {}
    output_variable: str | None = None
    error_handling: Literal["fail", "continue", "retry"] = "fail"
    retries: int = Field(3, ge=1, le=10)

    @model_validator(mode="before")
    @classmethod
    def _inline_parameters(cls, data: Any) -> Any:
        # Specs may write parameters inline: {type: open_modal, modal: help}.
        if isinstance(data, dict) and "parameters" not in data:
            known = set(cls.model_fields) | {to_camel(f) for f in cls.model_fields}
            inline = {k: v for k, v in data.items() if k not in known}
            if inline:
                data = {k: v for k, v in data.items() if k in known} | {"parameters": inline}
        return data


class Branch(_Model):
    """One arm of if/else: the first branch whose condition holds runs; no condition = else."""

    condition: Condition | None = None
    actions: list[Action] = Field(min_length=1)


class SuccessAlert(_Model):
    title: str  # may be a formula starting with "="
    text: str | None = None


class ActionSequence(_Model):
    id: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_\-]{0,127}$")
    name: str = ""
    app_id: str | None = None
    element_id: str | None = None
    trigger: Trigger = Trigger()
    condition: Condition | None = None
    branches: list[Branch] = []
    actions: list[Action] = []
    is_paused: bool = False
    stop_on_error: bool = True
    timeout_ms: int = Field(30_000, ge=100, le=3_600_000)
    success_alert: SuccessAlert | None = None
    atomic: bool = False

    @model_validator(mode="after")
    def _something_to_do(self) -> ActionSequence:
        if not self.actions and not self.branches:
            raise ValueError("a sequence needs actions (or branches)")
        return self

    def all_actions(self) -> list[tuple[str, Action]]:
        """Every action with its path: `actions[2]`, `branches[0].actions[1]`."""
        found = [(f"actions[{i}]", a) for i, a in enumerate(self.actions)]
        for b, branch in enumerate(self.branches):
            found += [(f"branches[{b}].actions[{i}]", a) for i, a in enumerate(branch.actions)]
        return found
