"""The actor of an embed session token.

A session is refused once its embed client is disabled, and it reaches only what the
embedded app needs: that app (spec, element data, exports), running actions, input
tables, AI functions and the event stream. Other routes (the app list, other apps,
users, embed clients …) answer 403.
"""

from __future__ import annotations

from urllib.parse import quote

from trilith.auth.actors import Actor
from trilith.embed.store import EmbedClientStore
from trilith.embed.tokens import read_session
from trilith.errors import AuthenticationRequired, PermissionDenied
from trilith.settings import Settings
from trilith.warehouse import Warehouse

__all__ = ["check_scope", "embed_session_actor"]

SHARED_PREFIXES = ("/api/actions/", "/api/events", "/api/sigma/input-tables/", "/api/ai/")


def check_scope(path: str, app_id: str) -> None:
    own = f"/api/apps/{quote(app_id, safe='')}"
    if path == own or path.startswith(own + "/") or path.startswith(SHARED_PREFIXES):
        return
    raise PermissionDenied(f"an embed session of app '{app_id}' may not use {path}")


def embed_session_actor(warehouse: Warehouse, settings: Settings, token: str, path: str) -> Actor:
    if not settings.jwt_secret:
        raise AuthenticationRequired("embed sessions need TRILITH_JWT_SECRET on the server")
    actor, client_id, app_id = read_session(token, settings.effective_jwt_secret)
    check_scope(path, app_id)
    warehouse.ensure_ready()
    store = EmbedClientStore(warehouse.engine, warehouse.schema, settings.jwt_secret)
    if not store.enabled(client_id):
        raise AuthenticationRequired(f"the embed client '{client_id}' is disabled or deleted")
    return actor
