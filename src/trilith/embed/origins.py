"""Trusted origins, with wildcards matched label by label (never as a regular expression).

A pattern is an origin (`https://app.example.com`, `http://127.0.0.1:5173`) whose host may
start with `*.`: `https://*.example.com` matches `https://a.example.com` and
`https://a.b.example.com`, not `https://example.com`, `https://evilexample.com` or
`http://a.example.com`. The scheme and the port must match exactly (no port means the
scheme's default). A pattern is parsed once; other characters in it are literal.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from trilith.errors import ConfigurationError

__all__ = ["OriginPattern", "origin_allowed", "parse_patterns"]

_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True, slots=True)
class OriginPattern:
    scheme: str
    host: str  # without the leading "*." of a wildcard
    port: int
    wildcard: bool

    def matches(self, origin: str) -> bool:
        parsed = _split(origin)
        if parsed is None:
            return False
        scheme, host, port = parsed
        if scheme != self.scheme or port != self.port:
            return False
        if self.wildcard:
            return host.endswith("." + self.host) and len(host) > len(self.host) + 1
        return host == self.host


def _split(origin: str) -> tuple[str, str, int] | None:
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if scheme not in _DEFAULT_PORTS or not host or parts.path not in ("", "/"):
        return None
    if parts.query or parts.fragment or parts.username or parts.password:
        return None
    return scheme, host, port if port is not None else _DEFAULT_PORTS[scheme]


def parse_pattern(text: str) -> OriginPattern:
    wildcard = "://*." in text
    probe = text.replace("://*.", "://", 1) if wildcard else text
    if "*" in probe:
        raise ConfigurationError(
            f"trusted origin {text!r}: a wildcard may only start the host, as in "
            "'https://*.example.com'"
        )
    parsed = _split(probe)
    if parsed is None:
        raise ConfigurationError(
            f"trusted origin {text!r} is not an origin; write scheme://host[:port], "
            "for example 'https://app.example.com'"
        )
    scheme, host, port = parsed
    if wildcard and "." not in host:
        raise ConfigurationError(
            f"trusted origin {text!r}: a wildcard needs a domain under it ('*.example.com')"
        )
    return OriginPattern(scheme, host, port, wildcard)


def parse_patterns(texts: list[str]) -> list[OriginPattern]:
    return [parse_pattern(text) for text in texts]


def origin_allowed(origin: str, patterns: list[OriginPattern]) -> bool:
    return any(pattern.matches(origin) for pattern in patterns)
