"""Bearer-token authentication against the built-in admin token."""

from __future__ import annotations

import hmac

from trilith.auth.actors import Actor
from trilith.errors import AuthenticationRequired
from trilith.settings import Settings

__all__ = ["ADMIN", "LOCAL_DEVELOPER", "authenticate"]

ADMIN = Actor(id="admin", name="admin", role="admin")
LOCAL_DEVELOPER = Actor(id="local", name="local developer", role="admin")


def authenticate(settings: Settings, authorization: str | None) -> Actor:
    if settings.auth == "none":
        return LOCAL_DEVELOPER
    if not authorization:
        raise AuthenticationRequired(
            "this route needs a token: send the header 'Authorization: Bearer <token>'"
        )
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationRequired("malformed Authorization header; expected 'Bearer <token>'")
    if hmac.compare_digest(token.strip().encode(), settings.effective_admin_token.encode()):
        return ADMIN
    raise AuthenticationRequired("the token is not valid")
