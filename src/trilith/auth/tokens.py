"""Bearer-token authentication: the built-in admin token, or a user's API token."""

from __future__ import annotations

import hmac

from trilith.auth.actors import Actor
from trilith.errors import AuthenticationRequired
from trilith.settings import Settings

__all__ = ["ADMIN", "LOCAL_DEVELOPER", "built_in_actor", "is_admin_token"]

ADMIN = Actor(id="admin", name="admin", role="admin")
LOCAL_DEVELOPER = Actor(id="local", name="local developer", role="admin")


def built_in_actor(settings: Settings, authorization: str | None) -> Actor | str:
    """The actor when no lookup is needed (authentication off, the admin token), else the
    bearer token to look up; a missing or malformed header is refused here."""
    if settings.auth == "none":
        return LOCAL_DEVELOPER
    if not authorization:
        raise AuthenticationRequired(
            "this route needs a token: send the header 'Authorization: Bearer <token>'"
        )
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationRequired("malformed Authorization header; expected 'Bearer <token>'")
    token = token.strip()
    return ADMIN if is_admin_token(settings, token) else token


def is_admin_token(settings: Settings, token: str) -> bool:
    return hmac.compare_digest(token.encode(), settings.effective_admin_token.encode())
