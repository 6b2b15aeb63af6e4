"""Who is making a request."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, get_args

from trilith.formula.scope import UserContext

__all__ = ["ROLES", "ROLE_RANK", "Actor", "Role", "user_context"]

Role = Literal["viewer", "editor", "admin"]
ROLES: tuple[Role, ...] = get_args(Role)  # lowest first
ROLE_RANK: dict[Role, int] = {role: rank for rank, role in enumerate(ROLES)}


@dataclass(frozen=True, slots=True)
class Actor:
    """An authenticated caller.

    `email`, `teams` and `attributes` feed the formula functions `CurrentUserEmail()`,
    `CurrentUserInTeam()` and `CurrentUserAttributeText()`, and through them the
    row-level security predicates; embed tokens and user records fill them.
    """

    id: str
    name: str
    role: Role
    email: str | None = None
    teams: frozenset[str] = frozenset()
    attributes: Mapping[str, str] = field(default_factory=dict)
    # An embed session reaches only the app it embeds (and that app's input tables).
    app_scope: str | None = None


def user_context(actor: Actor) -> UserContext:
    """What the formula functions know about the actor (`CurrentUserEmail()` …)."""
    email = actor.email or (actor.name if "@" in actor.name else None)
    return UserContext(email=email, teams=actor.teams, attributes=actor.attributes)
