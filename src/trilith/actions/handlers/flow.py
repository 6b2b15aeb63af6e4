"""Flow: variables, alerts, and waiting for a condition."""

from __future__ import annotations

import time
from typing import Any, Literal

from pydantic import AliasChoices, Field

from trilith.actions.context import RunContext
from trilith.actions.registry import Parameters, handler
from trilith.errors import TrilithError


class SetVariable(Parameters):
    # `variable`, not `name`: an action's own `name` is its label.
    variable: str = Field(
        pattern=r"^[A-Za-z_][A-Za-z0-9_ ]{0,63}$",
        validation_alias=AliasChoices("variable", "variableName"),
    )
    value: Any = None


@handler("set_variable", "flow", SetVariable)
def set_variable(params: SetVariable, ctx: RunContext) -> Any:
    value = ctx.resolve(params.value)
    ctx.variables[params.variable] = value
    return value


class ShowAlert(Parameters):
    title: str
    text: str | None = None
    level: Literal["info", "success", "warning", "error"] = "info"


@handler("show_alert", "flow", ShowAlert)
def show_alert(params: ShowAlert, ctx: RunContext) -> None:
    text = ctx.resolve_text(params.text) if params.text is not None else None
    ctx.effect("show_alert", title=ctx.resolve_text(params.title), text=text, level=params.level)


class WaitFor(Parameters):
    condition: str  # a formula over controls, variables and the selection
    timeout_ms: int = Field(5000, ge=10, le=600_000, alias="timeoutMs")
    interval_ms: int = Field(200, ge=10, le=60_000, alias="intervalMs")


class WaitTimedOut(TrilithError):
    status_code = 504
    error_type = "timeout"


@handler("wait_for", "flow", WaitFor)
def wait_for(params: WaitFor, ctx: RunContext) -> bool:
    deadline = time.monotonic() + params.timeout_ms / 1000
    while True:
        if ctx.formula(params.condition) is True:
            return True
        if time.monotonic() >= deadline:
            raise WaitTimedOut(f"{params.condition} was not true within {params.timeout_ms} ms")
        time.sleep(params.interval_ms / 1000)
