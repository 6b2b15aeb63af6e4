"""Signing embed URLs from the command line (`trilith embed-url`) and in tests."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from trilith.embed.store import EmbedClientStore
from trilith.embed.tokens import MAX_LIFETIME, sign_embed_jwt
from trilith.errors import ConfigurationError, ValidationFailed

__all__ = ["SignedUrl", "embed_url", "parse_ttl", "sign_url"]

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_ttl(text: str) -> dt.timedelta:
    """`90s`, `15m`, `1h`, `7d` (at most 30 days)."""
    match = re.fullmatch(r"\s*(\d+)\s*([smhd])\s*", text)
    if match is None:
        raise ValidationFailed(
            f"--ttl takes a number and a unit (s, m, h, d), like 1h; not {text!r}"
        )
    ttl = dt.timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])
    if ttl <= dt.timedelta(0) or ttl > MAX_LIFETIME:
        raise ValidationFailed(f"--ttl must be between 1s and 30d, not {text!r}")
    return ttl


def embed_url(base_url: str, app_id: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/embed/{quote(app_id, safe='')}?{urlencode({'jwt': token})}"


@dataclass(frozen=True)
class SignedUrl:
    url: str
    client_id: str
    created_client: bool


def sign_url(
    store: EmbedClientStore,
    app_id: str,
    email: str,
    *,
    base_url: str,
    ttl: dt.timedelta,
    client_id: str | None = None,
    account_type: str = "viewer",
    teams: list[str] | None = None,
    attributes: Mapping[str, str] | None = None,
) -> SignedUrl:
    """A signed URL for `email`, with `client_id`, the only enabled client, or a new one."""
    created = False
    if client_id is None:
        enabled = [c for c in store.summaries() if not c["disabled"]]
        if len(enabled) > 1:
            names = ", ".join(f"{c['client_id']} ({c['name']})" for c in enabled)
            raise ConfigurationError(
                f"several embed clients exist; pick one with --client: {names}"
            )
        if enabled:
            client_id = str(enabled[0]["client_id"])
        else:
            client_id = str(store.create("cli", "cli")["client_id"])
            created = True
    found = store.secret_for(client_id)
    if found is None:
        raise ConfigurationError(
            f"embed client '{client_id}' is unknown, disabled, or was made under another "
            "TRILITH_JWT_SECRET (rotate it)"
        )
    token = sign_embed_jwt(
        client_id,
        found[0],
        email,
        ttl=ttl,
        jti=uuid.uuid4().hex,
        account_type=account_type,
        teams=teams,
        attributes=attributes,
        issuer=client_id,
    )
    return SignedUrl(embed_url(base_url, app_id, token), client_id, created)
