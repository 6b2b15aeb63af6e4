"""Elements: refresh one, or download an element's or an input table's data."""

from __future__ import annotations

import json
from typing import Literal
from urllib.parse import quote, urlencode

from pydantic import Field, model_validator

from trilith.actions.context import RunContext
from trilith.actions.registry import Parameters, Reference, handler
from trilith.errors import ValidationFailed


class RefreshElement(Parameters):
    element_id: str = Field(alias="elementId")

    def references(self) -> list[Reference]:
        return [Reference("element", self.element_id, "element_id")]


@handler("refresh_element", "elements", RefreshElement)
def refresh_element(params: RefreshElement, ctx: RunContext) -> None:
    ctx.effect("refresh_element", element_id=params.element_id)


class Download(Parameters):
    input_table: str | None = Field(None, alias="inputTable")
    element_id: str | None = Field(None, alias="elementId")
    format: Literal["csv", "xlsx", "parquet", "json"] = "csv"
    filename: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Download:
        if (self.input_table is None) == (self.element_id is None):
            raise ValueError("download needs input_table or element_id")
        return self

    def references(self) -> list[Reference]:
        if self.input_table:
            return [Reference("input_table", self.input_table, "input_table")]
        return [Reference("element", self.element_id or "", "element_id")]


@handler("download", "elements", Download, aliases=("export_data",))
def download(params: Download, ctx: RunContext) -> str:
    """The browser downloads from the export route; an element's export carries the run's
    control values, so the file holds what the user sees."""
    named = {"filename": params.filename} if params.filename else {}
    if params.element_id:
        if ctx.app_id is None:
            raise ValidationFailed("downloading an element needs the app the run belongs to")
        controls = json.dumps(ctx.controls, default=str, separators=(",", ":"))
        query = urlencode({"format": params.format, **named, "controls": controls})
        url = f"/api/apps/{quote(ctx.app_id)}/elements/{quote(params.element_id)}/export?{query}"
    else:
        table_id = params.input_table or ""
        ctx.tables.catalog.get(table_id)  # exists, or a clear 404
        query = urlencode({"format": params.format, **named})
        url = f"/api/sigma/input-tables/{quote(table_id)}/export?{query}"
    ctx.effect("download", url=url, format=params.format)
    return url
