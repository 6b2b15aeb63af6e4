"""Actors and authentication."""

from trilith.auth.actors import Actor, Role, user_context
from trilith.auth.tokens import ADMIN, LOCAL_DEVELOPER

__all__ = ["ADMIN", "LOCAL_DEVELOPER", "Actor", "Role", "user_context"]
