"""Users and their API tokens, in the write-back schema.

A token is 32 random bytes shown once, when it is made; the warehouse keeps only its
SHA-256 (the token is as long as a key, so a fast hash is the right one), its scopes, an
optional expiry and when it was revoked. A request's token is looked up by its hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlglot import exp

from trilith.auth.actors import ROLE_RANK, ROLES, Actor, Role
from trilith.engines.base import Engine
from trilith.errors import AuthenticationRequired, Conflict, NotFound, ValidationFailed
from trilith.metadata.audit import record
from trilith.metadata.clock import utc_now
from trilith.sql.ddl import table
from trilith.sql.dml import insert_values
from trilith.sql.render import param

__all__ = ["SCOPES", "TOKEN_PREFIX", "IssuedToken", "UserStore", "check_scopes", "hash_token"]

TOKEN_PREFIX = "trl_"
# A token's scopes cap what it may do: the highest role any of them allows (never above
# the user's own role). `api` is every scope.
SCOPES: dict[str, Role] = {"read": "viewer", "write": "editor", "admin": "admin", "api": "admin"}


def check_scopes(scopes: list[str] | None) -> list[str]:
    chosen = list(dict.fromkeys(scopes or ["api"]))
    unknown = [s for s in chosen if s not in SCOPES]
    if unknown or not chosen:
        raise ValidationFailed(
            f"unknown token scopes {', '.join(map(repr, unknown))}; use {', '.join(SCOPES)}",
            details=[{"field": "scopes", "message": f"any of {', '.join(SCOPES)}"}],
        )
    return chosen


def scoped_role(role: Role, scopes: list[str]) -> Role:
    cap = max((ROLE_RANK[SCOPES[s]] for s in scopes if s in SCOPES), default=0)
    return ROLES[min(ROLE_RANK[role], cap)]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token_id: str
    token: str  # shown once
    expires_at: dt.datetime | None


class UserStore:
    def __init__(self, engine: Engine, schema: str) -> None:
        self.engine = engine
        self.schema = schema
        self.users = table(schema, "users")
        self.tokens = table(schema, "api_tokens")

    def create(
        self,
        name: str,
        role: str,
        actor: str | None,
        *,
        email: str | None = None,
        expires_in_days: int | None = None,
        request_id: str | None = None,
        scopes: list[str] | None = None,
    ) -> tuple[dict[str, Any], IssuedToken]:
        name = name.strip()
        if not name or len(name) > 200:
            raise ValidationFailed("a user needs a name of 1 to 200 characters")
        if role not in ROLES:
            raise ValidationFailed(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        scopes = check_scopes(scopes)
        user_id = uuid.uuid4().hex
        user: dict[str, Any] = {
            "user_id": user_id,
            "name": name,
            "role": role,
            "email": email,
            "created_at": utc_now(),
            "created_by": actor,
            "disabled": False,
        }
        with self.engine.transaction() as session:
            taken = session.fetch_scalar(
                exp.select("user_id").from_(self.users).where(exp.column("name").eq(param("n"))),
                {"n": name},
            )
            if taken is not None:
                raise Conflict(f"a user named {name!r} exists")
            session.execute(insert_values(self.users, user), user)
            issued = self._issue(session, user_id, expires_in_days, scopes)
            record(
                session,
                self.schema,
                actor=actor,
                action="create-user",
                target_type="user",
                target_id=user_id,
                after={"name": name, "role": role},
                request_id=request_id,
            )
        return _public(user), issued

    def _issue(
        self,
        session: Any,
        user_id: str,
        expires_in_days: int | None,
        scopes: list[str] | None = None,
    ) -> IssuedToken:
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        expires = utc_now() + dt.timedelta(days=expires_in_days) if expires_in_days else None
        token_id = uuid.uuid4().hex[:16]
        row: dict[str, Any] = {
            "token_id": token_id,
            "user_id": user_id,
            "token_hash": hash_token(token),
            "scopes": json.dumps(check_scopes(scopes)),
            "created_at": utc_now(),
            "expires_at": expires,
            "revoked_at": None,
            "last_used_at": None,
        }
        session.execute(insert_values(self.tokens, row), row)
        return IssuedToken(token_id, token, expires)

    def issue_token(
        self, user_id: str, expires_in_days: int | None = None, scopes: list[str] | None = None
    ) -> IssuedToken:
        self.get(user_id)
        scopes = check_scopes(scopes)
        with self.engine.transaction() as session:
            return self._issue(session, user_id, expires_in_days, scopes)

    def tokens_of(self, user_id: str) -> list[dict[str, Any]]:
        """The user's tokens as an admin sees them: never the token or its hash."""
        self.get(user_id)
        query = (
            exp.select("token_id", "scopes", "created_at", "expires_at", "revoked_at")
            .from_(self.tokens)
            .where(exp.column("user_id").eq(param("u")))
            .order_by("created_at")
        )
        return [
            {
                "token_id": row["token_id"],
                "scopes": json.loads(row["scopes"]),
                "created_at": moment(row["created_at"]).isoformat(),
                "expires_at": _iso(row["expires_at"]),
                "revoked_at": _iso(row["revoked_at"]),
            }
            for row in self.engine.fetch_dicts(query, {"u": user_id})
        ]

    def revoke(self, token_id: str, actor: str | None, request_id: str | None = None) -> None:
        update = exp.update(
            self.tokens,
            {"revoked_at": param("now")},
            where=exp.and_(
                exp.column("token_id").eq(param("t")), exp.column("revoked_at").is_(exp.null())
            ),
        )
        with self.engine.transaction() as session:
            if session.execute(update, {"now": utc_now(), "t": token_id}) == 0:
                raise NotFound(f"no active token '{token_id}'")
            record(
                session,
                self.schema,
                actor=actor,
                action="revoke-token",
                target_type="token",
                target_id=token_id,
                request_id=request_id,
            )

    def get(self, user_id: str) -> dict[str, Any]:
        query = exp.select("*").from_(self.users).where(exp.column("user_id").eq(param("u")))
        row = self.engine.fetch_one(query, {"u": user_id})
        if row is None:
            raise NotFound(f"no user '{user_id}'")
        return _public(row)

    def summaries(self) -> list[dict[str, Any]]:
        query = exp.select("*").from_(self.users).order_by("name")
        return [_public(row) for row in self.engine.fetch_dicts(query)]

    def actor_for(self, token: str) -> Actor:
        """The user a token belongs to; unknown, revoked, expired or disabled: 401."""
        return self.lookup(token)[0]

    def lookup(self, token: str) -> tuple[Actor, str, dt.datetime | None]:
        """The token's actor (its role capped by the token's scopes), id and expiry."""
        query = (
            exp.select(
                "u.user_id",
                "u.name",
                "u.role",
                "u.email",
                "u.disabled",
                "t.token_id",
                "t.scopes",
                "t.expires_at",
                "t.revoked_at",
            )
            .from_(self.tokens.as_("t"))
            .join(self.users.as_("u"), on=exp.column("user_id", "t").eq(exp.column("user_id", "u")))
            .where(exp.column("token_hash", "t").eq(param("h")))
        )
        row = self.engine.fetch_one(query, {"h": hash_token(token)})
        if row is None or row["revoked_at"] is not None or row["disabled"]:
            raise AuthenticationRequired("the token is not valid")
        expires = moment(row["expires_at"]) if row["expires_at"] is not None else None
        if expires is not None and expires < utc_now():
            raise AuthenticationRequired("the token has expired; ask an admin for a new one")
        return token_actor(row), str(row["token_id"]), expires


def token_actor(row: Mapping[str, Any]) -> Actor:
    """The actor of a row holding a user's `user_id`, `name`, `role` and `email` and the
    `scopes` of the token they signed in with (its role capped by them)."""
    role = scoped_role(row["role"], json.loads(row["scopes"] or '["api"]'))
    return Actor(id=str(row["user_id"]), name=str(row["name"]), role=role, email=row["email"])


def moment(value: Any) -> dt.datetime:
    """A timestamp as the warehouse returns it (a datetime, or text on SQLite)."""
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))


def _iso(value: Any) -> str | None:
    return moment(value).isoformat() if value is not None else None


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "user_id": row["user_id"],
        "name": row["name"],
        "role": row["role"],
        "email": row["email"],
        "disabled": bool(row["disabled"]),
        "created_at": moment(row["created_at"]).isoformat(),
    }
