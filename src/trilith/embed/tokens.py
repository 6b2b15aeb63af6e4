"""Signed embed URLs: verifying the host's JWT, and the session the embedded page uses.

The host application signs an HS256 JWT with an embed client's secret; its header `kid`
names the client. The claims are Sigma's: `sub` (the user's email), `iss`, `jti` (used
once), `iat`, `exp` (at most 30 days after `iat`), `account_type`, `teams` and
`user_attributes`. A verified token becomes an `Actor`; the embedded page then talks to
the API with a session token (`trle_…`, signed with `TRILITH_JWT_SECRET`) that carries
the same actor until the JWT's expiry.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import jwt

from trilith.auth.actors import ROLE_RANK, Actor, Role
from trilith.errors import AuthenticationRequired

__all__ = [
    "MAX_LIFETIME",
    "ROLE_BY_ACCOUNT_TYPE",
    "SESSION_PREFIX",
    "EmbedClaims",
    "EmbedTokenError",
    "cap_role",
    "issue_session",
    "read_session",
    "sign_embed_jwt",
    "verify_embed_jwt",
]

MAX_LIFETIME = dt.timedelta(days=30)
LEEWAY_S = 30
SESSION_PREFIX = "trle_"
SESSION_AUDIENCE = "trilith-embed-session"

# Sigma's account types, and the role each gets (capped by the embed client's max role).
ROLE_BY_ACCOUNT_TYPE: dict[str, Role] = {
    "viewer": "viewer",
    "view": "viewer",
    "explorer": "editor",
    "explore": "editor",
    "editor": "editor",
    "creator": "editor",
    "build": "editor",
    "admin": "admin",
}


class EmbedTokenError(AuthenticationRequired):
    """A refused embed token; `kind` says why (shown on the 401 page)."""

    error_type = "embed_token_invalid"

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class EmbedClaims:
    client_id: str
    email: str
    issuer: str
    jti: str
    issued_at: dt.datetime
    expires_at: dt.datetime
    role: Role
    account_type: str
    teams: frozenset[str] = frozenset()
    attributes: Mapping[str, str] = field(default_factory=dict)

    def actor(self) -> Actor:
        return Actor(
            id=f"embed:{self.email}",
            name=self.email,
            role=self.role,
            email=self.email,
            teams=self.teams,
            attributes=dict(self.attributes),
        )


SecretLookup = Callable[[str], "tuple[str, Role] | None"]
JtiClaim = Callable[[str, str, dt.datetime], bool]


def cap_role(role: Role, cap: Role) -> Role:
    return role if ROLE_RANK[role] <= ROLE_RANK[cap] else cap


def _moment(value: Any, name: str) -> dt.datetime:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise EmbedTokenError("bad_claim", f"the claim '{name}' must be a number of seconds")
    return dt.datetime.fromtimestamp(value, dt.UTC)


def _teams(value: Any) -> frozenset[str]:
    if value is None:
        return frozenset()
    if isinstance(value, str):
        return frozenset({value})
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise EmbedTokenError("bad_claim", "the claim 'teams' must be a list of team names")
    return frozenset(value)


def _attributes(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise EmbedTokenError("bad_claim", "the claim 'user_attributes' must be an object")
    return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in value.items()}


def verify_embed_jwt(
    token: str, secrets: SecretLookup, claim_jti: JtiClaim, now: dt.datetime | None = None
) -> EmbedClaims:
    """The claims of a valid token; otherwise an `EmbedTokenError` naming what is wrong.

    `secrets(kid)` answers the client's secret and max role (None: unknown client);
    `claim_jti(kid, jti, expires_at)` records the token id, False when it was seen before.
    """
    now = now or dt.datetime.now(dt.UTC)
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise EmbedTokenError("malformed", "the embed token is not a JWT") from None
    if header.get("alg") != "HS256":
        raise EmbedTokenError(
            "bad_algorithm", f"the embed token is signed with {header.get('alg')!r}; use HS256"
        )
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise EmbedTokenError("unknown_client", "the embed token's header has no 'kid'")
    found = secrets(kid)
    if found is None:
        raise EmbedTokenError("unknown_client", f"no embed client '{kid}' (header 'kid')")
    secret, max_role = found
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            options={"require": ["sub", "iss", "jti", "iat", "exp"], "verify_exp": False},
        )
    except jwt.InvalidSignatureError:
        raise EmbedTokenError(
            "bad_signature", f"the embed token's signature does not match client '{kid}'"
        ) from None
    except jwt.MissingRequiredClaimError as exc:
        raise EmbedTokenError("missing_claim", f"the embed token has no '{exc.claim}'") from None
    except jwt.PyJWTError as exc:
        raise EmbedTokenError("malformed", f"the embed token is not valid: {exc}") from None
    issued, expires = _moment(claims["iat"], "iat"), _moment(claims["exp"], "exp")
    leeway = dt.timedelta(seconds=LEEWAY_S)
    if expires + leeway < now:
        raise EmbedTokenError("expired", f"the embed token expired at {expires:%Y-%m-%d %H:%M} UTC")
    if issued - leeway > now:
        raise EmbedTokenError("not_yet_valid", "the embed token's 'iat' is in the future")
    if expires - issued > MAX_LIFETIME:
        raise EmbedTokenError(
            "too_long", "the embed token lives longer than 30 days ('exp' - 'iat')"
        )
    email, issuer, jti = claims["sub"], claims["iss"], claims["jti"]
    if not isinstance(email, str) or "@" not in email:
        raise EmbedTokenError("bad_claim", "the claim 'sub' must be the user's email")
    if not isinstance(jti, str) or not jti or len(jti) > 200:
        raise EmbedTokenError("bad_claim", "the claim 'jti' must be a string of 1-200 characters")
    account_type = str(claims.get("account_type") or "viewer").lower()
    role = ROLE_BY_ACCOUNT_TYPE.get(account_type)
    if role is None:
        known = ", ".join(sorted(ROLE_BY_ACCOUNT_TYPE))
        raise EmbedTokenError("bad_claim", f"unknown account_type {account_type!r}; known: {known}")
    result = EmbedClaims(
        client_id=kid,
        email=email.lower(),
        issuer=str(issuer),
        jti=jti,
        issued_at=issued,
        expires_at=expires,
        role=cap_role(role, max_role),
        account_type=account_type,
        teams=_teams(claims.get("teams")),
        attributes=_attributes(claims.get("user_attributes")),
    )
    if not claim_jti(kid, jti, expires):
        raise EmbedTokenError("replayed", f"the embed token '{jti}' was used before")
    return result


def sign_embed_jwt(
    client_id: str,
    secret: str,
    email: str,
    *,
    ttl: dt.timedelta,
    jti: str,
    account_type: str = "viewer",
    teams: list[str] | None = None,
    attributes: Mapping[str, str] | None = None,
    issuer: str = "trilith",
    now: dt.datetime | None = None,
) -> str:
    now = now or dt.datetime.now(dt.UTC)
    claims: dict[str, Any] = {
        "sub": email,
        "iss": issuer,
        "jti": jti,
        "iat": int(now.timestamp()),
        "exp": int((now + ttl).timestamp()),
        "account_type": account_type,
        "teams": list(teams or []),
        "user_attributes": dict(attributes or {}),
    }
    return jwt.encode(claims, secret, algorithm="HS256", headers={"kid": client_id})


def issue_session(claims: EmbedClaims, app_id: str, master_secret: str) -> str:
    payload = {
        "aud": SESSION_AUDIENCE,
        "sub": claims.email,
        "cid": claims.client_id,
        "app": app_id,
        "role": claims.role,
        "teams": sorted(claims.teams),
        "attrs": dict(claims.attributes),
        "iat": int(claims.issued_at.timestamp()),
        "exp": int(claims.expires_at.timestamp()),
    }
    return SESSION_PREFIX + jwt.encode(payload, master_secret, algorithm="HS256")


def read_session(token: str, master_secret: str) -> tuple[Actor, str, str]:
    """The actor, embed client and app of a session token; invalid or expired: 401."""
    try:
        payload = jwt.decode(
            token.removeprefix(SESSION_PREFIX),
            master_secret,
            algorithms=["HS256"],
            audience=SESSION_AUDIENCE,
        )
    except jwt.ExpiredSignatureError:
        raise AuthenticationRequired(
            "the embed session has expired; reload the page with a new signed URL"
        ) from None
    except jwt.PyJWTError:
        raise AuthenticationRequired("the embed session token is not valid") from None
    role = payload.get("role")
    if role not in ROLE_RANK:
        raise AuthenticationRequired("the embed session token is not valid")
    email = str(payload["sub"])
    actor = Actor(
        id=f"embed:{email}",
        name=email,
        role=role,
        email=email,
        teams=frozenset(payload.get("teams") or []),
        attributes=dict(payload.get("attrs") or {}),
        app_scope=str(payload.get("app")),
    )
    return actor, str(payload.get("cid")), str(payload.get("app"))
