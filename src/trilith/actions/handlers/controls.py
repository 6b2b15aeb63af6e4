"""Controls: set, clear, enable and disable (seed 004 §3.3 and the ControlActionHandler)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from pydantic import AliasChoices, Field, model_validator

from trilith.actions.context import RunContext
from trilith.actions.registry import Parameters, Reference, ReferenceKind, handler
from trilith.spec.actions import param_spellings
from trilith.spec.scopes import ControlScope, controls_in


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _replace(current: Any, value: Any) -> Any:
    return value


def _add(current: Any, value: Any) -> Any:
    merged = _as_list(current)
    merged += [v for v in _as_list(value) if v not in merged]
    return merged


def _remove(current: Any, value: Any) -> Any:
    if isinstance(current, list):
        gone = _as_list(value)
        return [v for v in current if v not in gone]
    return None if current == value else current


MODES: dict[str, Callable[[Any, Any], Any]] = {"replace": _replace, "add": _add, "remove": _remove}


class SetControl(Parameters):
    target_control: str = Field(
        validation_alias=AliasChoices(*param_spellings("control", first="target_control"))
    )
    value: Any = None  # a value source or a plain value
    selection_mode: Literal["replace", "add", "remove"] = Field("replace", alias="selectionMode")

    def references(self) -> list[Reference]:
        return [Reference("control", self.target_control, "target_control")]


@handler("set_control", "controls", SetControl, aliases=("set_value",))
def set_control(params: SetControl, ctx: RunContext) -> Any:
    current = ctx.controls.get(params.target_control)
    value = MODES[params.selection_mode](current, ctx.resolve(params.value))
    ctx.controls[params.target_control] = value
    ctx.effect("set_control", control_id=params.target_control, value=value)
    return value


class ClearControl(Parameters):
    target_control: str | None = Field(
        None, validation_alias=AliasChoices(*param_spellings("control", first="target_control"))
    )
    scope: ControlScope = "control"
    scope_id: str | None = Field(None, alias="scopeId")
    reset_to_published: bool = Field(False, alias="resetToPublished")

    @model_validator(mode="after")
    def _scope_named(self) -> ClearControl:
        if self.scope == "control" and not self.target_control:
            raise ValueError("clear_control needs target_control (or a scope other than 'control')")
        if self.scope not in ("control", "all") and not self.scope_id:
            raise ValueError(f"clear_control of scope '{self.scope}' needs scope_id")
        return self

    def references(self) -> list[Reference]:
        if self.scope == "control" and self.target_control:
            return [Reference("control", self.target_control, "target_control")]
        kinds: dict[str, ReferenceKind] = {
            "page": "page",
            "modal": "modal",
            "container": "container",
        }
        kind = kinds.get(self.scope)
        return [Reference(kind, self.scope_id, "scope_id")] if kind and self.scope_id else []


@handler("clear_control", "controls", ClearControl, aliases=("clear_value",))
def clear_control(params: ClearControl, ctx: RunContext) -> dict[str, Any]:
    """Clears every control of the scope (to empty, or to its published value) and tells
    the UI which controls and values."""
    scope_id = params.target_control if params.scope == "control" else params.scope_id
    if ctx.app is not None:
        targets = controls_in(ctx.app, params.scope, scope_id)
    elif params.scope == "all":
        targets = list(ctx.control_types)
    else:
        targets = [params.target_control] if params.target_control else []
    published = ctx.published if params.reset_to_published else {}
    values = {control: published.get(control) for control in targets}
    ctx.controls.update(values)
    ctx.effect(
        "clear_control",
        control_id=params.target_control,
        scope=params.scope,
        scope_id=params.scope_id,
        reset_to_published=params.reset_to_published,
        controls=values,
    )
    return values


class ToggleControl(Parameters):
    target_control: str = Field(
        validation_alias=AliasChoices(*param_spellings("control", first="target_control"))
    )

    def references(self) -> list[Reference]:
        return [Reference("control", self.target_control, "target_control")]


@handler("enable_control", "controls", ToggleControl, aliases=("enable",))
def enable_control(params: ToggleControl, ctx: RunContext) -> None:
    ctx.effect("enable_control", control_id=params.target_control)


@handler("disable_control", "controls", ToggleControl, aliases=("disable",))
def disable_control(params: ToggleControl, ctx: RunContext) -> None:
    ctx.effect("disable_control", control_id=params.target_control)
