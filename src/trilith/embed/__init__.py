"""Embedding Trilith in other sites: signed embed URLs, embed clients, trusted origins."""

from trilith.embed.origins import OriginPattern, origin_allowed, parse_patterns
from trilith.embed.store import EmbedClientStore
from trilith.embed.tokens import (
    EmbedClaims,
    EmbedTokenError,
    issue_session,
    read_session,
    sign_embed_jwt,
    verify_embed_jwt,
)

__all__ = [
    "EmbedClaims",
    "EmbedClientStore",
    "EmbedTokenError",
    "OriginPattern",
    "issue_session",
    "origin_allowed",
    "parse_patterns",
    "read_session",
    "sign_embed_jwt",
    "verify_embed_jwt",
]
