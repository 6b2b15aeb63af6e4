"""Bearer-token authentication: the built-in admin token, or a user's API token."""

from __future__ import annotations

import hmac
from collections.abc import Callable

from trilith.auth.actors import Actor
from trilith.errors import AuthenticationRequired
from trilith.settings import Settings

__all__ = ["ADMIN", "LOCAL_DEVELOPER", "authenticate", "built_in_actor"]

ADMIN = Actor(id="admin", name="admin", role="admin")
LOCAL_DEVELOPER = Actor(id="local", name="local developer", role="admin")


UserLookup = Callable[[str], Actor]


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
    if hmac.compare_digest(token.encode(), settings.effective_admin_token.encode()):
        return ADMIN
    return token


def authenticate(
    settings: Settings, authorization: str | None, users: UserLookup | None = None
) -> Actor:
    """The actor a request's `Authorization` header names; `users` looks up user tokens."""
    found = built_in_actor(settings, authorization)
    if isinstance(found, Actor):
        return found
    if users is not None:
        return users(found)
    raise AuthenticationRequired("the token is not valid")
