"""`GET /api/events`: server-sent events (row changes, staged edits, import progress)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from trilith.api.deps import CurrentActor
from trilith.auth.permissions import require
from trilith.events import Event, EventBus

router = APIRouter(tags=["events"])

HEARTBEAT_S = 15.0


def _frame(event: Event) -> str:
    return f"id: {event.id}\nevent: {event.type}\ndata: {json.dumps(event.data, default=str)}\n\n"


@router.get("/api/events")
async def events(
    request: Request, actor: CurrentActor, table_id: str | None = None
) -> StreamingResponse:
    """Stream events as `text/event-stream`; `?table_id=` keeps one table's events only."""
    require(actor, "view-input-table")
    bus: EventBus = request.app.state.events

    async def stream() -> AsyncIterator[str]:
        yield ": connected\n\n"
        subscription = bus.subscribe().__aiter__()
        next_event = asyncio.ensure_future(subscription.__anext__())
        try:
            while not await request.is_disconnected():
                done, _ = await asyncio.wait({next_event}, timeout=HEARTBEAT_S)
                if not done:
                    yield ": heartbeat\n\n"
                    continue
                event = next_event.result()
                next_event = asyncio.ensure_future(subscription.__anext__())
                if table_id is None or event.data.get("table_id") in (None, table_id):
                    yield _frame(event)
        finally:
            next_event.cancel()
            await subscription.aclose()  # type: ignore[attr-defined]

    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)
