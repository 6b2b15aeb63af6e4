"""Layout: modals, popovers and tabs. All are effects the browser applies in order."""

from __future__ import annotations

from pydantic import AliasChoices, Field

from trilith.actions.context import RunContext
from trilith.actions.registry import Parameters, Reference, handler
from trilith.spec.actions import param_spellings


class ModalTarget(Parameters):
    modal: str = Field(validation_alias=AliasChoices(*param_spellings("modal")))

    def references(self) -> list[Reference]:
        return [Reference("modal", self.modal, "modal")]


class PopoverTarget(Parameters):
    popover: str = Field(alias="popoverId")

    def references(self) -> list[Reference]:
        return [Reference("popover", self.popover, "popover")]


class TabTarget(Parameters):
    tabs: str = Field(alias="tabsId")  # the tabbed container
    tab: str = Field(alias="tabId")

    def references(self) -> list[Reference]:
        return [Reference("tabs", self.tabs, "tabs")]


@handler("open_modal", "layout", ModalTarget)
def open_modal(params: ModalTarget, ctx: RunContext) -> None:
    ctx.effect("open_modal", modal_id=params.modal)


@handler("close_modal", "layout", ModalTarget)
def close_modal(params: ModalTarget, ctx: RunContext) -> None:
    ctx.effect("close_modal", modal_id=params.modal)


@handler("open_popover", "layout", PopoverTarget)
def open_popover(params: PopoverTarget, ctx: RunContext) -> None:
    ctx.effect("open_popover", popover_id=params.popover)


@handler("close_popover", "layout", PopoverTarget)
def close_popover(params: PopoverTarget, ctx: RunContext) -> None:
    ctx.effect("close_popover", popover_id=params.popover)


@handler("select_tab", "layout", TabTarget)
def select_tab(params: TabTarget, ctx: RunContext) -> None:
    ctx.effect("select_tab", tabs_id=params.tabs, tab_id=params.tab)
