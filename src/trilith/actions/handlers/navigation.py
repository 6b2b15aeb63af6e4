"""Navigation: open a link, go to a page or element of this app, open another app."""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import Field

from trilith.actions.context import RunContext
from trilith.actions.registry import Parameters, Reference, handler
from trilith.errors import ValidationFailed

Window = Literal["new_window", "same_window", "parent_window"]
SAFE_SCHEMES = ("http", "https", "mailto")


class OpenLink(Parameters):
    url: str  # text, or a formula starting with "="
    open_in: Window = Field("new_window", alias="openIn")


def _safe_url(url: str) -> str:
    scheme = urlsplit(url).scheme.lower()
    if scheme not in SAFE_SCHEMES:
        raise ValidationFailed(f"open_link only opens {', '.join(SAFE_SCHEMES)} links, not {url!r}")
    return url


@handler("open_link", "navigation", OpenLink)
def open_link(params: OpenLink, ctx: RunContext) -> str:
    url = _safe_url(str(ctx.resolve_text(params.url)))
    ctx.effect("open_link", url=url, open_in=params.open_in)
    return url


class Navigate(Parameters):
    page_id: str | None = Field(None, alias="pageId")
    element_id: str | None = Field(None, alias="elementId")
    # control id → value source; the target sees these control values.
    pass_controls: dict[str, Any] = Field(default_factory=dict, alias="passControls")

    def references(self) -> list[Reference]:
        found = [Reference("control", c, "pass_controls") for c in self.pass_controls]
        if self.page_id:
            found.append(Reference("page", self.page_id, "page_id"))
        if self.element_id:
            found.append(Reference("element", self.element_id, "element_id"))
        return found


@handler("navigate", "navigation", Navigate, aliases=("navigate_workbook",))
def navigate(params: Navigate, ctx: RunContext) -> None:
    if not params.page_id and not params.element_id:
        raise ValidationFailed("navigate needs page_id or element_id")
    values = {name: ctx.resolve(source) for name, source in params.pass_controls.items()}
    ctx.controls.update(values)
    ctx.effect("navigate", page_id=params.page_id, element_id=params.element_id, controls=values)


class OpenApp(Parameters):
    app_id: str = Field(alias="appId")
    page_id: str | None = Field(None, alias="pageId")
    open_in: Window = Field("same_window", alias="openIn")
    pass_controls: dict[str, Any] = Field(default_factory=dict, alias="passControls")

    def references(self) -> list[Reference]:
        return [Reference("app", self.app_id, "app_id")]


@handler("open_app", "navigation", OpenApp, aliases=("open_sigma_doc",))
def open_app(params: OpenApp, ctx: RunContext) -> None:
    values = {name: ctx.resolve(source) for name, source in params.pass_controls.items()}
    ctx.effect(
        "open_app",
        app_id=params.app_id,
        page_id=params.page_id,
        open_in=params.open_in,
        controls=values,
    )
