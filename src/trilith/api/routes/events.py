"""`GET /api/events`: server-sent events (row changes, staged edits, import progress).

A subscriber receives an input table's events only while it may view the table (grants,
an embed session's app), and an app's run events only while it may view the app. Under
row-level security a `rows.changed` event names only the rows it may see: inserts and
updates of other rows are not sent at all, deletes are sent without row ids (so a client
refreshes, learning no id). What a subscriber may see of a table or an app is decided
again every `DECISION_TTL_S` seconds, so a grant change reaches an open stream within
that.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from trilith.api.deps import actor_from, permissions_for
from trilith.auth import Actor
from trilith.auth.permissions import Resource, require
from trilith.errors import NotFound
from trilith.events import Event, EventBus
from trilith.input_tables.rows import RowStore
from trilith.input_tables.service import InputTables
from trilith.warehouse import Warehouse

router = APIRouter(tags=["events"])
log = logging.getLogger("trilith.api.events")

HEARTBEAT_S = 15.0
DECISION_TTL_S = 30.0
_ROW_LISTS = ("row_ids", "versions", "edit_nums")


class Audience:
    """What one subscriber may see of input-table and app events. A decision or a row
    check the warehouse cannot answer withholds the event (the stream goes on)."""

    def __init__(self, warehouse: Warehouse, events: EventBus, actor: Actor) -> None:
        self.warehouse = warehouse
        self.events = events
        self.actor = actor
        # (decided at, may view, a table's rows under the subscriber's row rules)
        self._decided: dict[Resource, tuple[float, bool, RowStore | None]] = {}

    async def view(self, event: Event) -> Event | None:
        """`event` as this subscriber may see it; None when it may not see it at all."""
        table_id, app_id = event.data.get("table_id"), event.data.get("app_id")
        if isinstance(table_id, str):
            resource = Resource("input_table", table_id)
        elif isinstance(app_id, str):
            resource = Resource("app", app_id)
        else:
            return event
        decided = self._decided.get(resource)
        if decided is None or time.monotonic() - decided[0] > DECISION_TTL_S:
            try:
                decided = (time.monotonic(), *await run_in_threadpool(self._decide, resource))
            except Exception:
                log.warning("events: cannot decide who sees %s", resource, exc_info=True)
                return None  # asked again at the next event
            self._decided[resource] = decided
        _, may_view, secured = decided
        if not may_view:
            return None
        if secured is None or event.type != "rows.changed":
            return event
        try:
            return await run_in_threadpool(self._narrowed, event, secured)
        except Exception:
            log.warning("events: cannot check the rows of %s", resource, exc_info=True)
            return None

    def _decide(self, resource: Resource) -> tuple[bool, RowStore | None]:
        permissions = permissions_for(self.warehouse, self.actor)
        action = "view-input-table" if resource.type == "input_table" else "view-app"
        if not permissions.allowed(action, resource):
            return False, None
        if resource.type != "input_table":
            return True, None
        table_id = resource.id
        self.warehouse.ensure_ready()
        tables = InputTables(self.warehouse.engine, self.warehouse.schema, self.events)
        try:
            store = tables.rows(table_id, cached=True, actor=self.actor)
        except NotFound:  # deleted since: its last events name no rows
            return True, None
        return True, store if store.row_filter is not None else None

    @staticmethod
    def _narrowed(event: Event, secured: RowStore) -> Event | None:
        data = event.data
        if data.get("op") == "delete":
            return replace(event, data={**data, **{name: [] for name in _ROW_LISTS}})
        row_ids = list(data.get("row_ids") or [])
        shown = secured.visible(row_ids)
        if not shown:
            return None
        keep = [i for i, row_id in enumerate(row_ids) if row_id in shown]
        lists = {
            name: [values[i] for i in keep]
            for name in _ROW_LISTS
            if isinstance(values := data.get(name), list) and len(values) == len(row_ids)
        }
        return replace(event, data={**data, **lists})


def _frame(event: Event) -> str:
    return f"id: {event.id}\nevent: {event.type}\ndata: {json.dumps(event.data, default=str)}\n\n"


@router.get("/api/events")
async def events(
    request: Request,
    authorization: Annotated[str | None, Header()] = None,
    access_token: Annotated[str | None, Query(description="for EventSource clients")] = None,
    table_id: str | None = None,
) -> StreamingResponse:
    """Stream events as `text/event-stream`; `?table_id=` keeps one table's events only.

    Browsers' EventSource cannot send headers, so the token may come as `access_token`.
    """
    header = authorization or (f"Bearer {access_token}" if access_token else None)
    actor = await actor_from(request, header)
    require(actor, "view-input-table")
    audience = Audience(request.app.state.warehouse, request.app.state.events, actor)
    subscription = request.app.state.events.open()

    async def stream() -> AsyncIterator[str]:
        try:
            yield ": connected\n\n"
            while not await request.is_disconnected():
                try:
                    event = await asyncio.wait_for(subscription.get(), HEARTBEAT_S)
                except TimeoutError:
                    yield ": heartbeat\n\n"
                    continue
                if table_id is not None and event.data.get("table_id") not in (None, table_id):
                    continue
                shown = await audience.view(event)
                if shown is not None:
                    yield _frame(shown)
        finally:
            subscription.close()

    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)
