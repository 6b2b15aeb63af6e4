"""Browser sessions: a user signs in once with an API token and the browser then carries
a random session id in an HttpOnly cookie.

The warehouse keeps only the id's SHA-256, the user, the token it was opened with, a CSRF
token and an expiry (the sooner of the session lifetime and the token's own expiry).
Revoking the token, disabling the user or signing out ends the session. Requests
authenticated by the cookie that change state must echo the CSRF token in the
`X-CSRF-Token` header (a synchronizer token: a cross-site page cannot read it).
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from dataclasses import dataclass

from sqlglot import exp

from trilith.auth.actors import Actor
from trilith.auth.tokens import ADMIN
from trilith.auth.users import UserStore, hash_token, moment, token_actor
from trilith.engines.base import Engine
from trilith.errors import AuthenticationRequired, PermissionDenied
from trilith.metadata.clock import utc_now
from trilith.sql.ddl import table
from trilith.sql.dml import insert_values
from trilith.sql.render import param

__all__ = ["COOKIE", "CSRF_HEADER", "OpenedSession", "SessionStore", "check_csrf"]

COOKIE = "trilith_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class OpenedSession:
    session_id: str  # goes in the cookie, never stored
    csrf_token: str
    actor: Actor
    expires_at: dt.datetime


@dataclass(frozen=True)
class ActiveSession:
    actor: Actor
    csrf_token: str
    expires_at: dt.datetime


class SessionStore:
    def __init__(self, engine: Engine, schema: str) -> None:
        self.engine = engine
        self.schema = schema
        self.table = table(schema, "sessions")

    def open(
        self,
        actor: Actor,
        token_id: str | None,
        lifetime: dt.timedelta,
        token_expires: dt.datetime | None = None,
    ) -> OpenedSession:
        session_id = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        expires = utc_now() + lifetime
        if token_expires is not None:
            expires = min(expires, token_expires)
        row = {
            "session_hash": hash_token(session_id),
            "user_id": actor.id,
            "token_id": token_id,
            "csrf_token": csrf,
            "created_at": utc_now(),
            "expires_at": expires,
            "revoked_at": None,
        }
        with self.engine.transaction() as session:
            session.execute(insert_values(self.table, row), row)
        return OpenedSession(session_id, csrf, actor, expires)

    def active(self, session_id: str) -> ActiveSession:
        """The session a cookie names; unknown, ended or expired: 401."""
        users = UserStore(self.engine, self.schema)
        query = (
            exp.select(
                "s.user_id",
                "s.csrf_token",
                "s.expires_at",
                "s.revoked_at",
                "u.name",
                "u.role",
                "u.email",
                "u.disabled",
                exp.column("scopes", "t").as_("scopes"),
                exp.column("revoked_at", "t").as_("token_revoked_at"),
            )
            .from_(self.table.as_("s"))
            .join(
                users.users.as_("u"),
                on=exp.column("user_id", "s").eq(exp.column("user_id", "u")),
                join_type="left",
            )
            .join(
                users.tokens.as_("t"),
                on=exp.column("token_id", "s").eq(exp.column("token_id", "t")),
                join_type="left",
            )
            .where(exp.column("session_hash", "s").eq(param("h")))
        )
        row = self.engine.fetch_one(query, {"h": hash_token(session_id)})
        ended = AuthenticationRequired("the session has ended; sign in again")
        if row is None or row["revoked_at"] is not None or row["token_revoked_at"] is not None:
            raise ended
        expires = moment(row["expires_at"])
        if expires < utc_now():
            raise AuthenticationRequired("the session has expired; sign in again")
        if row["user_id"] == ADMIN.id and row["name"] is None:
            return ActiveSession(ADMIN, str(row["csrf_token"]), expires)
        if row["name"] is None or row["disabled"]:
            raise ended
        return ActiveSession(token_actor(row), str(row["csrf_token"]), expires)

    def close(self, session_id: str) -> None:
        update = exp.update(
            self.table,
            {"revoked_at": param("now")},
            where=exp.column("session_hash").eq(param("h")),
        )
        with self.engine.transaction() as session:
            session.execute(update, {"now": utc_now(), "h": hash_token(session_id)})


def check_csrf(method: str, expected: str, sent: str | None) -> None:
    """A state-changing request authenticated by the cookie must echo the CSRF token."""
    if method.upper() in SAFE_METHODS:
        return
    if not sent:
        raise PermissionDenied(
            f"CSRF token missing: a cookie-authenticated {method.upper()} must send the "
            f"{CSRF_HEADER} header with the csrf_token of GET /api/session"
        )
    if not hmac.compare_digest(sent.encode(), expected.encode()):
        raise PermissionDenied(
            f"CSRF token mismatch: the {CSRF_HEADER} header does not match this session's "
            "csrf_token (GET /api/session)"
        )
