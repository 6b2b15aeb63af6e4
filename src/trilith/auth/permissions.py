"""Permissions as data: each action names the least role that may take it.

`require(actor, action)` is the one check a route makes; roles are ordered viewer <
editor < admin. Per-app and per-table grants refine this later without changing callers.
"""

from __future__ import annotations

from trilith.auth.actors import Actor, Role
from trilith.errors import PermissionDenied

__all__ = ["ACTIONS", "allowed", "require"]

_RANK: dict[Role, int] = {"viewer": 0, "editor": 1, "admin": 2}

ACTIONS: dict[str, Role] = {
    "view-app": "viewer",
    "manage-app": "admin",
    "view-input-table": "viewer",
    "edit-input-table": "editor",
    "manage-input-table": "admin",
    "execute-action": "viewer",
    "manage-action": "admin",
    "manage-users": "admin",
    # Which models a role may use is governed further by TRILITH_AI_MODEL_ACCESS.
    "run-ai": "viewer",
    "view-ai-usage": "admin",
}


def allowed(actor: Actor, action: str) -> bool:
    try:
        needed = ACTIONS[action]
    except KeyError:
        raise KeyError(f"unknown action {action!r}; known: {', '.join(sorted(ACTIONS))}") from None
    return _RANK[actor.role] >= _RANK[needed]


def require(actor: Actor, action: str) -> None:
    if not allowed(actor, action):
        raise PermissionDenied(
            f"{actor.name} ({actor.role}) may not {action.replace('-', ' ')}; "
            f"that needs the {ACTIONS[action]} role"
        )
