"""`/api/ai`: run one AI function, and read what AI has cost (seed 004 §6).

`POST /api/ai/query` takes an `AIQuery` (function, model, prompt, parameters,
cost_budget) and answers an `AIResult`. `POST /api/ai/documents` reads a text, PDF or
image upload (OCR for images and scanned pages), may analyse it and stores the outcome in
`sigds.ai_documents` (`trilith.ai.documents`, `trilith.ai.document_analysis`).
`GET /api/ai/usage` aggregates `sigds.ai_usage` by day, actor and model (admins;
`?since=YYYY-MM-DD&actor=`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from trilith.ai import config, usage_summary
from trilith.ai.document_analysis import analyse
from trilith.ai.documents import read_document
from trilith.ai.model import AIParameters, AIQuery, AIResult
from trilith.api.deps import CurrentActor, WarehouseDep
from trilith.api.uploads import receive_upload
from trilith.auth.permissions import require

router = APIRouter(prefix="/api/ai", tags=["ai"])


class AIQueryRequest(AIQuery):
    app_id: str | None = Field(None, alias="appId", max_length=200)


@router.post("/query")
async def run_query(
    body: AIQueryRequest, request: Request, actor: CurrentActor, warehouse: WarehouseDep
) -> AIResult:
    require(actor, "run-ai")
    engine = config.current().engine_for(warehouse.engine, warehouse.schema)
    query = AIQuery.model_validate(body.model_dump(exclude={"app_id"}))
    request_id = getattr(request.state, "request_id", None)
    result: AIResult = await run_in_threadpool(
        engine.execute, query, actor, app_id=body.app_id, request_id=request_id
    )
    return result


@router.post("/documents")
async def documents(
    request: Request, actor: CurrentActor, warehouse: WarehouseDep
) -> dict[str, Any]:
    """A text, PDF or image file (multipart field `file`) → its text, and with the form
    field `analysis` (extraction, classification, summarization, entity_extraction,
    sentiment) what AI found; `categories` and `entities` are comma-separated."""
    require(actor, "run-ai")
    engine = config.current().engine_for(warehouse.engine, warehouse.schema)
    request_id = getattr(request.state, "request_id", None)
    async with receive_upload(request) as upload:
        fields = upload.fields
        parameters = AIParameters(
            categories=_split(fields.get("categories")), entities=_split(fields.get("entities"))
        )

        def run() -> dict[str, Any]:
            data = upload.path.read_bytes()
            return analyse(
                engine,
                read_document(data, upload.filename),
                fields.get("analysis", "none"),
                actor,
                parameters=parameters,
                data=data,
                filename=upload.filename,
                app_id=fields.get("app_id"),
                request_id=request_id,
            )

        return await run_in_threadpool(run)


def _split(text: str | None) -> list[str] | None:
    items = [item.strip() for item in (text or "").split(",") if item.strip()]
    return items or None


@router.get("/usage")
async def usage(
    actor: CurrentActor,
    warehouse: WarehouseDep,
    since: Annotated[dt.date | None, Query()] = None,
    of: Annotated[str | None, Query(alias="actor", max_length=200)] = None,
) -> dict[str, Any]:
    require(actor, "view-ai-usage")
    start = dt.datetime.combine(since, dt.time()) if since else None
    rows = await run_in_threadpool(
        usage_summary, warehouse.engine, warehouse.schema, since=start, actor=of
    )
    return {"usage": rows}
