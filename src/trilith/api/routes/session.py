"""Browser sessions: sign in with an API token, get an HttpOnly cookie and a CSRF token.

`POST /api/session` {"token": "trl_…"} sets the `trilith_session` cookie (Secure unless
TRILITH_SESSION_COOKIE_SECURE=false, HttpOnly, SameSite per TRILITH_SESSION_SAMESITE) and
answers the user and the `csrf_token` that cookie-authenticated POST/PUT/PATCH/DELETE
requests send back in `X-CSRF-Token`. `GET /api/session` says who is signed in (and the
CSRF token again); `DELETE /api/session` signs out and ends the session.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from trilith.api.deps import CurrentActor, SettingsDep, WarehouseDep
from trilith.auth import ADMIN, Actor
from trilith.auth.sessions import COOKIE, ActiveSession, SessionStore
from trilith.auth.tokens import is_admin_token
from trilith.auth.users import TOKEN_PREFIX, UserStore
from trilith.errors import AuthenticationRequired, BadRequest
from trilith.metadata.clock import utc_now

router = APIRouter(prefix="/api/session", tags=["session"])


class SignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=1, max_length=500)


def _who(actor: Actor) -> dict[str, Any]:
    return {"id": actor.id, "name": actor.name, "role": actor.role, "email": actor.email}


@router.post("", status_code=201)
async def sign_in(
    body: SignIn, response: Response, settings: SettingsDep, warehouse: WarehouseDep
) -> dict[str, Any]:
    if settings.auth == "none":
        raise BadRequest(
            "authentication is off (TRILITH_AUTH=none): there is nothing to sign in to"
        )
    token = body.token.strip()

    def sign() -> Any:
        users = UserStore(warehouse.engine, warehouse.schema)
        store = SessionStore(warehouse.engine, warehouse.schema)
        lifetime = dt.timedelta(hours=settings.session_hours)
        if token.startswith(TOKEN_PREFIX):
            actor, token_id, expires = users.lookup(token)
            return store.open(actor, token_id, lifetime, expires)
        if is_admin_token(settings, token):  # authentication is on (refused above if off)
            return store.open(ADMIN, None, lifetime)
        raise AuthenticationRequired("the token is not valid")

    opened = await run_in_threadpool(sign)
    max_age = max(1, int((opened.expires_at - utc_now()).total_seconds()))
    response.set_cookie(
        COOKIE,
        opened.session_id,
        max_age=max_age,
        path="/",
        secure=settings.session_cookie_secure,
        httponly=True,
        samesite=settings.session_samesite,
    )
    return {
        "user": _who(opened.actor),
        "csrf_token": opened.csrf_token,
        "expires_at": opened.expires_at.isoformat(),
    }


@router.get("")
async def who_am_i(request: Request, actor: CurrentActor) -> dict[str, Any]:
    """The signed-in user; `csrf_token` is set when the request came with the cookie."""
    active: ActiveSession | None = getattr(request.state, "session", None)
    return {
        "user": _who(actor),
        "authenticated_by": "session" if active else "token",
        "csrf_token": active.csrf_token if active else None,
        "expires_at": active.expires_at.isoformat() if active else None,
    }


@router.delete("", status_code=204)
async def sign_out(
    request: Request, settings: SettingsDep, warehouse: WarehouseDep, actor: CurrentActor
) -> Response:
    """End the cookie's session (needs the CSRF header, like every cookie-authenticated
    change) and clear the cookie."""
    cookie = request.cookies.get(COOKIE)
    if cookie and getattr(request.state, "session", None) is not None:
        await run_in_threadpool(SessionStore(warehouse.engine, warehouse.schema).close, cookie)
    response = Response(status_code=204)
    response.delete_cookie(
        COOKIE,
        path="/",
        secure=settings.session_cookie_secure,
        httponly=True,
        samesite=settings.session_samesite,
    )
    return response
