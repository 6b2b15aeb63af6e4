"""Integration: messages to an embedding page, plugins and the clipboard."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from trilith.actions.context import RunContext
from trilith.actions.registry import Parameters, handler


class IframeEvent(Parameters):
    # `event`, not `name`: an action's own `name` is its label.
    event: str = Field(min_length=1, max_length=100)
    values: dict[str, Any] = {}


@handler("iframe_event", "integration", IframeEvent)
def iframe_event(params: IframeEvent, ctx: RunContext) -> dict[str, Any]:
    values = {key: ctx.resolve(source) for key, source in params.values.items()}
    message = {"type": "action:outbound", "name": params.event, "values": values}
    ctx.effect("iframe_event", message=message)
    return values


class TriggerPlugin(Parameters):
    plugin_id: str = Field(alias="pluginId")
    event: str
    payload: dict[str, Any] = {}


@handler("trigger_plugin", "integration", TriggerPlugin)
def trigger_plugin(params: TriggerPlugin, ctx: RunContext) -> None:
    payload = {key: ctx.resolve(source) for key, source in params.payload.items()}
    ctx.effect("trigger_plugin", plugin_id=params.plugin_id, event=params.event, payload=payload)


class CopyToClipboard(Parameters):
    value: Any


@handler("copy_to_clipboard", "integration", CopyToClipboard)
def copy_to_clipboard(params: CopyToClipboard, ctx: RunContext) -> str:
    text = str(
        ctx.resolve_text(params.value)
        if isinstance(params.value, str)
        else ctx.resolve(params.value)
    )
    ctx.effect("copy_to_clipboard", text=text)
    return text
