"""`GET /api/events`: server-sent events (row changes, staged edits, import progress)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse

from trilith.api.deps import actor_from
from trilith.auth.permissions import require
from trilith.events import Event

router = APIRouter(tags=["events"])

HEARTBEAT_S = 15.0


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
    require(await actor_from(request, header), "view-input-table")
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
                if table_id is None or event.data.get("table_id") in (None, table_id):
                    yield _frame(event)
        finally:
            subscription.close()

    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)
