"""Action sequences as the app spec declares them (seed 004 §3.3, §4).

A sequence belongs to an element, fires on a trigger and runs its steps in order. Step
parameters are open here (the action engine defines and checks each step type); what
this module knows is which parameters of which step types name something else in the
app, in ``STEP_REFERENCES``, so cross-reference checks can follow them.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

from trilith.spec.base import Identifier, ReferenceKind, SpecModel, to_snake

__all__ = [
    "STEP_REFERENCES",
    "ActionSequence",
    "ActionStep",
    "Trigger",
    "TriggerType",
    "param_spellings",
    "register_step_references",
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
    "submit",
    "open",
    "close",
    "load",
    "primary_click",
    "secondary_click",
    "tab_change",
]

#: Step type → its parameters that hold ids, and the kind of thing each must name.
STEP_REFERENCES: dict[str, tuple[tuple[str, ReferenceKind], ...]] = {
    "open_modal": (("modal", "modal"),),
    "close_modal": (("modal", "modal"),),
    "set_control": (("control", "control"),),
    "insert_row": (("input_table", "input_table"),),
    "update_row": (("input_table", "input_table"),),
    "delete_row": (("input_table", "input_table"),),
}


#: Other names a referencing parameter goes by (the seeds' and the action handlers').
PARAM_ALIASES: dict[str, tuple[str, ...]] = {
    "control": ("target_control", "control_id"),
    "input_table": ("target_table", "table_id"),
    "modal": ("modal_id",),
}


def param_spellings(name: str, first: str | None = None) -> tuple[str, ...]:
    """Every key a referencing parameter is read under: its name and its other names
    (`PARAM_ALIASES`), each in snake_case and camelCase. The spec's checks and the action
    handlers' parameter models both read parameters by these; a handler puts its field's
    own name `first`, which its errors then name."""
    names = (*((first,) if first else ()), name, *PARAM_ALIASES.get(name, ()))
    return tuple(dict.fromkeys(spelling for n in names for spelling in (n, to_camel(n))))


def register_step_references(step_type: str, *params: tuple[str, ReferenceKind]) -> None:
    """Declare which parameters of ``step_type`` name elements, controls, tables …"""
    STEP_REFERENCES[step_type] = tuple(params)


class Trigger(SpecModel):
    """What starts a sequence; ``trigger: click`` is short for ``trigger: {type: click}``.

    Further keys (``column_name``, ``menu_item_id``, ``cron`` …) are the action engine's."""

    model_config = ConfigDict(extra="allow")

    type: TriggerType = "click"

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return {"type": data} if isinstance(data, str) else data


class ActionStep(SpecModel):
    """One step: a ``type`` and that type's parameters (snake_case, camelCase read too)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(min_length=1, pattern=r"^[a-z][a-z0-9_]*$")

    @model_validator(mode="before")
    @classmethod
    def _snake_case_params(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {to_snake(key) if isinstance(key, str) else key: v for key, v in data.items()}
        return data

    @property
    def params(self) -> dict[str, Any]:
        """The step's parameters, everything but ``type``."""
        return dict(self.model_extra or {})

    def param(self, name: str) -> tuple[tuple[str, ...], Any]:
        """A parameter by its name or one of the names the seeds give it, written at the
        top level or inside the seed's ``parameters`` mapping: its path within the step
        and its value (``((name,), None)`` when it is absent)."""
        nested = self.params.get("parameters")
        places: list[tuple[tuple[str, ...], dict[str, Any]]] = [((), self.params)]
        if isinstance(nested, dict):
            places.append((("parameters",), nested))
        for prefix, place in places:
            for spelling in param_spellings(name):
                if spelling in place:
                    return (*prefix, spelling), place[spelling]
        return (name,), None


class ActionSequence(SpecModel):
    """Steps run in order when ``trigger`` fires on ``element``.

    Further keys (``condition``, ``branches``, ``stop_on_error``, ``timeout_ms``,
    ``atomic``, ``success_alert`` …) are checked by the action engine when the app is
    applied."""

    model_config = ConfigDict(extra="allow")

    id: Identifier
    name: str | None = None
    element: Identifier | None = None
    trigger: Trigger = Trigger()
    actions: list[ActionStep] = Field(min_length=1)
