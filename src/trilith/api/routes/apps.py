"""Apps: `GET,POST /api/apps`, `GET,DELETE /api/apps/{id}`.

`POST` takes the spec as JSON, or as YAML with `Content-Type: application/yaml`; it is
validated like a file (every problem listed, with its spec path) and applied
idempotently: 201 when the app is new, 200 otherwise, with what changed.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from trilith.api.deps import AppStoreDep, CurrentActor, WarehouseDep
from trilith.apply import apply_app
from trilith.auth.permissions import require, visible_apps
from trilith.errors import BadRequest, UnsupportedMediaType
from trilith.spec import App, app_from_data, load_app_text

router = APIRouter(tags=["apps"])

_YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")


async def _spec_from_request(request: Request) -> App:
    content_type = request.headers.get("content-type", "application/json").split(";")[0].strip()
    raw = await request.body()
    if content_type in _YAML_TYPES:
        return load_app_text(raw.decode("utf-8", errors="replace"), "request body")
    if content_type != "application/json":
        raise UnsupportedMediaType(
            f"send the app spec as application/json or application/yaml, not {content_type}"
        )
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise BadRequest(f"malformed JSON body: {exc}") from None
    return app_from_data(data)


@router.get("/api/apps")
async def list_apps(store: AppStoreDep, actor: CurrentActor) -> dict[str, Any]:
    require(actor, "view-app")
    rows = await run_in_threadpool(store.summaries)
    rows = await run_in_threadpool(visible_apps, actor, rows)  # grants narrow the list
    return {"apps": rows, "total": len(rows)}


@router.post("/api/apps", status_code=201)
async def post_app(
    request: Request, store: AppStoreDep, warehouse: WarehouseDep, actor: CurrentActor
) -> JSONResponse:
    require(actor, "manage-app")
    app = await _spec_from_request(request)
    report = await run_in_threadpool(
        apply_app,
        store.engine,
        warehouse.schema,
        app,
        actor.id,
        getattr(request.state, "request_id", None),
        request.app.state.events,
    )
    return JSONResponse(report.as_dict(), status_code=201 if report.app.created else 200)


@router.get("/api/apps/{app_id}")
async def get_app(app_id: str, store: AppStoreDep, actor: CurrentActor) -> dict[str, Any]:
    """The resolved spec the UI renders: every default filled in."""
    require(actor, "view-app")
    stored = await run_in_threadpool(store.get, app_id)
    return {
        "app": stored.app.model_dump(mode="json"),
        "version": stored.version,
        "updated_at": stored.updated_at,
        "updated_by": stored.updated_by,
    }


@router.delete("/api/apps/{app_id}", status_code=204)
async def delete_app(
    app_id: str, request: Request, store: AppStoreDep, actor: CurrentActor
) -> None:
    await run_in_threadpool(
        store.delete, app_id, actor.id, getattr(request.state, "request_id", None)
    )
