"""Embedding: `GET /embed/{app_id}?jwt=…` and the embed clients admins manage.

A valid signed URL answers the UI's `index.html` with the embed session in a `<meta>` tag
(the strict CSP allows no inline script); the page may be framed only by
`TRILITH_TRUSTED_ORIGINS` (the `frame-ancestors` of every response). A refused token
answers a 401 page that says why: expired, badly signed, replayed, unknown client …
"""

from __future__ import annotations

import html
import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from trilith.api.deps import CurrentActor, WarehouseDep
from trilith.api.routes.ui import STATIC
from trilith.auth.permissions import require
from trilith.embed.store import EmbedClientStore
from trilith.embed.tokens import EmbedTokenError, issue_session, verify_embed_jwt
from trilith.settings import Settings
from trilith.warehouse import Warehouse

router = APIRouter(tags=["embed"])

NO_STORE = {"Cache-Control": "no-store"}

REASONS: dict[str, str] = {
    "missing": "No signed token",
    "malformed": "The token is malformed",
    "bad_algorithm": "The token uses the wrong algorithm",
    "unknown_client": "Unknown embed client",
    "bad_signature": "The signature is wrong",
    "missing_claim": "A claim is missing",
    "bad_claim": "A claim is not valid",
    "expired": "The link has expired",
    "not_yet_valid": "The link is not valid yet",
    "too_long": "The link lives too long",
    "replayed": "The link was used before",
}


class ClientCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: str = Field(min_length=1, max_length=200)
    max_role: Literal["viewer", "editor", "admin"] = Field("editor", alias="maxRole")


class ClientUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    disabled: bool


def embed_store(warehouse: Warehouse, settings: Settings) -> EmbedClientStore:
    return EmbedClientStore(warehouse.engine, warehouse.schema, settings.jwt_secret)


def _refused(kind: str, message: str) -> HTMLResponse:
    title = REASONS.get(kind, "The link is not valid")
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)} · Trilith</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 3rem auto">
<h1 data-reason="{html.escape(kind)}">{html.escape(title)}</h1>
<p>{html.escape(message)}</p>
<p>Ask the site that shows this page for a new link.</p>
</body></html>
"""
    return HTMLResponse(page, status_code=401, headers=NO_STORE)


def _page(app_id: str, session: str, settings: Settings) -> HTMLResponse:
    built = STATIC / "index.html"
    if not built.is_file():
        return HTMLResponse(
            "<!doctype html><title>Trilith</title><p>This build has no web UI.</p>",
            status_code=503,
            headers=NO_STORE,
        )
    config = {"app_id": app_id, "session": session, "origins": settings.trusted_origin_list}
    meta = f'<meta name="trilith-embed" content="{html.escape(json.dumps(config), quote=True)}">'
    text = built.read_text(encoding="utf-8").replace("</head>", meta + "</head>", 1)
    return HTMLResponse(text, headers=NO_STORE)


@router.api_route("/embed/{app_id}", methods=["GET"], include_in_schema=False)
async def embed_page(
    app_id: str,
    request: Request,
    jwt: Annotated[str | None, Query(max_length=8192)] = None,
) -> HTMLResponse:
    settings: Settings = request.app.state.settings
    warehouse: Warehouse = request.app.state.warehouse
    if not jwt:
        return _refused("missing", "The address has no 'jwt' parameter.")
    if not settings.jwt_secret:
        return _refused("unknown_client", "Embedding is not configured: set TRILITH_JWT_SECRET.")

    def verify() -> str:
        warehouse.ensure_ready()
        store = embed_store(warehouse, settings)
        claims = verify_embed_jwt(jwt, store.secret_for, store.claim_jti)
        return issue_session(claims, app_id, settings.effective_jwt_secret)

    try:
        session = await run_in_threadpool(verify)
    except EmbedTokenError as exc:
        return _refused(exc.kind, exc.message)
    return _page(app_id, session, settings)


# --- embed clients (admins) ------------------------------------------------------------

clients = APIRouter(prefix="/api/embed/clients", tags=["embed"])


def _request_id(request: Request) -> str | None:
    return getattr(request.state, "request_id", None)


@clients.get("")
async def list_clients(
    request: Request, warehouse: WarehouseDep, actor: CurrentActor
) -> dict[str, Any]:
    require(actor, "manage-users")
    store = embed_store(warehouse, request.app.state.settings)
    found = await run_in_threadpool(store.summaries)
    return {"clients": found, "total": len(found)}


@clients.post("", status_code=201)
async def create_client(
    body: ClientCreate, request: Request, warehouse: WarehouseDep, actor: CurrentActor
) -> dict[str, Any]:
    require(actor, "manage-users")
    store = embed_store(warehouse, request.app.state.settings)
    issued = await run_in_threadpool(
        lambda: store.create(
            body.name, actor.id, max_role=body.max_role, request_id=_request_id(request)
        )
    )
    return dict(issued)


@clients.get("/{client_id}")
async def get_client(
    client_id: str, request: Request, warehouse: WarehouseDep, actor: CurrentActor
) -> dict[str, Any]:
    require(actor, "manage-users")
    store = embed_store(warehouse, request.app.state.settings)
    return await run_in_threadpool(store.get, client_id)


@clients.post("/{client_id}/rotate")
async def rotate_client(
    client_id: str, request: Request, warehouse: WarehouseDep, actor: CurrentActor
) -> dict[str, Any]:
    require(actor, "manage-users")
    store = embed_store(warehouse, request.app.state.settings)
    issued = await run_in_threadpool(
        lambda: store.rotate(client_id, actor.id, request_id=_request_id(request))
    )
    return dict(issued)


@clients.patch("/{client_id}")
async def update_client(
    client_id: str,
    body: ClientUpdate,
    request: Request,
    warehouse: WarehouseDep,
    actor: CurrentActor,
) -> dict[str, Any]:
    require(actor, "manage-users")
    store = embed_store(warehouse, request.app.state.settings)
    return await run_in_threadpool(
        lambda: store.set_disabled(client_id, body.disabled, actor.id, _request_id(request))
    )
