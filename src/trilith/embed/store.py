"""Embed clients and used token ids, in the write-back schema.

A client's secret is never stored: it is derived as HMAC-SHA256(TRILITH_JWT_SECRET,
client id + nonce), so the table holds a nonce and a SHA-256 fingerprint of the secret.
A leaked table names no secret; rotating draws a new nonce; changing TRILITH_JWT_SECRET
invalidates every secret (the fingerprint then no longer matches, and the client is
reported as needing rotation). Token ids (`jti`) are kept until their token expires.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
import uuid
from typing import Any

from sqlglot import exp

from trilith.auth.actors import ROLES, Role
from trilith.auth.users import hash_token
from trilith.engines.base import Engine
from trilith.errors import (
    ConfigurationError,
    Conflict,
    NotFound,
    ValidationFailed,
    WarehouseError,
)
from trilith.metadata.audit import record
from trilith.metadata.clock import utc_now
from trilith.sql.ddl import table
from trilith.sql.dml import insert_values
from trilith.sql.render import param

__all__ = ["EmbedClientStore", "IssuedSecret"]


def _naive(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(tzinfo=None) if moment.tzinfo else moment


class IssuedSecret(dict[str, Any]):
    """A client as the API shows it, plus its `secret` (shown once)."""


class EmbedClientStore:
    def __init__(self, engine: Engine, schema: str, master_secret: str | None) -> None:
        self.engine = engine
        self.schema = schema
        self.master = master_secret
        self.clients = table(schema, "embed_clients")
        self.jtis = table(schema, "embed_jti")

    # --- secrets -----------------------------------------------------------------------

    def _derive(self, client_id: str, nonce: str) -> str:
        if not self.master:
            raise ConfigurationError(
                "embed clients need TRILITH_JWT_SECRET: their secrets are derived from it, "
                "so it must be set (and the same) in every server process"
            )
        digest = hmac.new(self.master.encode(), f"{client_id}:{nonce}".encode(), hashlib.sha256)
        return "tes_" + base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")

    # --- clients -----------------------------------------------------------------------

    def create(
        self,
        name: str,
        actor: str | None,
        *,
        max_role: str = "editor",
        request_id: str | None = None,
    ) -> IssuedSecret:
        name = name.strip()
        if not name or len(name) > 200:
            raise ValidationFailed("an embed client needs a name of 1 to 200 characters")
        if max_role not in ROLES:
            raise ValidationFailed(f"max_role must be one of {', '.join(ROLES)}, not {max_role!r}")
        client_id = "emb_" + uuid.uuid4().hex[:20]
        nonce = secrets.token_hex(16)
        secret = self._derive(client_id, nonce)
        row: dict[str, Any] = {
            "client_id": client_id,
            "name": name,
            "max_role": max_role,
            "secret_nonce": nonce,
            "secret_fingerprint": hash_token(secret),
            "created_at": utc_now(),
            "created_by": actor,
            "rotated_at": None,
            "disabled": False,
        }
        with self.engine.transaction() as session:
            session.execute(insert_values(self.clients, row), row)
            record(
                session,
                self.schema,
                actor=actor,
                action="create-embed-client",
                target_type="embed_client",
                target_id=client_id,
                after={"name": name, "max_role": max_role},
                request_id=request_id,
            )
        return IssuedSecret(_public(row), secret=secret)

    def rotate(
        self, client_id: str, actor: str | None, request_id: str | None = None
    ) -> IssuedSecret:
        row = self._row(client_id)
        nonce = secrets.token_hex(16)
        secret = self._derive(client_id, nonce)
        values = {"n": nonce, "f": hash_token(secret), "at": utc_now(), "c": client_id}
        update = exp.update(
            self.clients,
            {
                "secret_nonce": param("n"),
                "secret_fingerprint": param("f"),
                "rotated_at": param("at"),
            },
            where=exp.column("client_id").eq(param("c")),
        )
        with self.engine.transaction() as session:
            session.execute(update, values)
            record(
                session,
                self.schema,
                actor=actor,
                action="rotate-embed-client",
                target_type="embed_client",
                target_id=client_id,
                request_id=request_id,
            )
        row.update(secret_nonce=nonce, secret_fingerprint=values["f"], rotated_at=values["at"])
        return IssuedSecret(_public(row), secret=secret)

    def set_disabled(
        self, client_id: str, disabled: bool, actor: str | None, request_id: str | None = None
    ) -> dict[str, Any]:
        row = self._row(client_id)
        update = exp.update(
            self.clients, {"disabled": param("d")}, where=exp.column("client_id").eq(param("c"))
        )
        with self.engine.transaction() as session:
            session.execute(update, {"d": disabled, "c": client_id})
            record(
                session,
                self.schema,
                actor=actor,
                action="disable-embed-client" if disabled else "enable-embed-client",
                target_type="embed_client",
                target_id=client_id,
                request_id=request_id,
            )
        row["disabled"] = disabled
        return _public(row)

    def _row(self, client_id: str) -> dict[str, Any]:
        query = exp.select("*").from_(self.clients).where(exp.column("client_id").eq(param("c")))
        row = self.engine.fetch_one(query, {"c": client_id})
        if row is None:
            raise NotFound(f"no embed client '{client_id}'")
        return dict(row)

    def get(self, client_id: str) -> dict[str, Any]:
        return _public(self._row(client_id))

    def summaries(self) -> list[dict[str, Any]]:
        query = exp.select("*").from_(self.clients).order_by("created_at")
        return [_public(row) for row in self.engine.fetch_dicts(query)]

    def secret_for(self, client_id: str) -> tuple[str, Role] | None:
        """The secret and max role of an enabled client whose secret is current; else None."""
        query = exp.select("*").from_(self.clients).where(exp.column("client_id").eq(param("c")))
        row = self.engine.fetch_one(query, {"c": client_id})
        if row is None or row["disabled"]:
            return None
        secret = self._derive(client_id, str(row["secret_nonce"]))
        if not hmac.compare_digest(hash_token(secret), str(row["secret_fingerprint"])):
            return None  # made under another TRILITH_JWT_SECRET: rotate it
        role: Role = row["max_role"]
        return secret, role

    def enabled(self, client_id: str) -> bool:
        query = (
            exp.select("disabled").from_(self.clients).where(exp.column("client_id").eq(param("c")))
        )
        row = self.engine.fetch_one(query, {"c": client_id})
        return row is not None and not row["disabled"]

    # --- token ids ---------------------------------------------------------------------

    def claim_jti(self, client_id: str, jti: str, expires_at: dt.datetime) -> bool:
        """Record a token id; False when this client's token with that id was seen before."""
        key = exp.and_(exp.column("client_id").eq(param("c")), exp.column("jti").eq(param("j")))
        now = utc_now()
        try:
            return self._claim(key, client_id, jti, expires_at, now)
        except (Conflict, WarehouseError):
            # Two processes inserting the same id at once: the primary key refused the second.
            seen = self.engine.fetch_scalar(
                exp.select("jti").from_(self.jtis).where(key), {"c": client_id, "j": jti}
            )
            if seen is None:
                raise
            return False

    def _claim(
        self,
        key: exp.Condition,
        client_id: str,
        jti: str,
        expires_at: dt.datetime,
        now: dt.datetime,
    ) -> bool:
        with self.engine.transaction() as session:
            session.execute(
                exp.delete(self.jtis).where(exp.column("expires_at") < param("now")),
                {"now": now - dt.timedelta(minutes=5)},
            )
            seen = session.fetch_scalar(
                exp.select("jti").from_(self.jtis).where(key), {"c": client_id, "j": jti}
            )
            if seen is not None:
                return False
            row = {
                "client_id": client_id,
                "jti": jti,
                "expires_at": _naive(expires_at),
                "used_at": now,
            }
            session.execute(insert_values(self.jtis, row), row)
        return True


def _public(row: dict[str, Any]) -> dict[str, Any]:
    def moment(value: Any) -> str | None:
        if value is None:
            return None
        return value.isoformat() if isinstance(value, dt.datetime) else str(value)

    return {
        "client_id": row["client_id"],
        "name": row["name"],
        "max_role": row["max_role"],
        "disabled": bool(row["disabled"]),
        "created_at": moment(row["created_at"]),
        "created_by": row.get("created_by"),
        "rotated_at": moment(row.get("rotated_at")),
    }
