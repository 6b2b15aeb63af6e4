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
from dataclasses import dataclass
from typing import Any

from sqlglot import exp

from trilith.auth.actors import Actor, Role
from trilith.engines.base import Engine
from trilith.errors import AuthenticationRequired, Conflict, NotFound, ValidationFailed
from trilith.metadata.audit import record
from trilith.sql.ddl import table
from trilith.sql.dml import insert_values
from trilith.sql.render import param

__all__ = ["TOKEN_PREFIX", "IssuedToken", "UserStore", "hash_token"]

TOKEN_PREFIX = "trl_"
ROLES: tuple[Role, ...] = ("viewer", "editor", "admin")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


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
    ) -> tuple[dict[str, Any], IssuedToken]:
        name = name.strip()
        if not name or len(name) > 200:
            raise ValidationFailed("a user needs a name of 1 to 200 characters")
        if role not in ROLES:
            raise ValidationFailed(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        user_id = uuid.uuid4().hex
        user: dict[str, Any] = {
            "user_id": user_id,
            "name": name,
            "role": role,
            "email": email,
            "created_at": _now(),
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
            issued = self._issue(session, user_id, expires_in_days)
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

    def _issue(self, session: Any, user_id: str, expires_in_days: int | None) -> IssuedToken:
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        expires = _now() + dt.timedelta(days=expires_in_days) if expires_in_days else None
        token_id = uuid.uuid4().hex[:16]
        row: dict[str, Any] = {
            "token_id": token_id,
            "user_id": user_id,
            "token_hash": hash_token(token),
            "scopes": json.dumps(["api"]),
            "created_at": _now(),
            "expires_at": expires,
            "revoked_at": None,
            "last_used_at": None,
        }
        session.execute(insert_values(self.tokens, row), row)
        return IssuedToken(token_id, token, expires)

    def issue_token(self, user_id: str, expires_in_days: int | None = None) -> IssuedToken:
        self.get(user_id)
        with self.engine.transaction() as session:
            return self._issue(session, user_id, expires_in_days)

    def revoke(self, token_id: str, actor: str | None, request_id: str | None = None) -> None:
        update = exp.update(
            self.tokens,
            {"revoked_at": param("now")},
            where=exp.and_(
                exp.column("token_id").eq(param("t")), exp.column("revoked_at").is_(exp.null())
            ),
        )
        with self.engine.transaction() as session:
            if session.execute(update, {"now": _now(), "t": token_id}) == 0:
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
        query = (
            exp.select(
                "u.user_id", "u.name", "u.role", "u.disabled", "t.expires_at", "t.revoked_at"
            )
            .from_(self.tokens.as_("t"))
            .join(self.users.as_("u"), on=exp.column("user_id", "t").eq(exp.column("user_id", "u")))
            .where(exp.column("token_hash", "t").eq(param("h")))
        )
        row = self.engine.fetch_one(query, {"h": hash_token(token)})
        if row is None or row["revoked_at"] is not None or row["disabled"]:
            raise AuthenticationRequired("the token is not valid")
        expires = row["expires_at"]
        if expires is not None and _moment(expires) < _now():
            raise AuthenticationRequired("the token has expired; ask an admin for a new one")
        return Actor(id=str(row["user_id"]), name=str(row["name"]), role=row["role"])


def _moment(value: Any) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "user_id": row["user_id"],
        "name": row["name"],
        "role": row["role"],
        "email": row["email"],
        "disabled": bool(row["disabled"]),
        "created_at": _moment(row["created_at"]).isoformat(),
    }
