from __future__ import annotations

import pytest

from trilith.embed.origins import origin_allowed, parse_patterns
from trilith.errors import ConfigurationError

PATTERNS = parse_patterns(["https://*.example.com", "http://127.0.0.1:5173", "https://app.acme.io"])


@pytest.mark.parametrize(
    "origin",
    [
        "https://a.example.com",
        "https://a.b.example.com",
        "https://A.Example.com",
        "https://a.example.com:443",
        "http://127.0.0.1:5173",
        "https://app.acme.io",
    ],
)
def test_trusted(origin: str) -> None:
    assert origin_allowed(origin, PATTERNS)


@pytest.mark.parametrize(
    "origin",
    [
        "https://example.com",  # the wildcard needs a subdomain
        "https://evilexample.com",
        "https://a.example.com.evil.io",
        "http://a.example.com",  # scheme
        "https://a.example.com:8443",  # port
        "http://127.0.0.1:5174",
        "https://appXacme.io",  # a dot in a pattern is not "any character"
        "null",
        "",
        "https://a.example.com/path",
    ],
)
def test_untrusted(origin: str) -> None:
    assert not origin_allowed(origin, PATTERNS)


@pytest.mark.parametrize(
    "pattern", ["https://a.*.example.com", "*", "example.com", "https://*", "ftp://x.io"]
)
def test_malformed_patterns_name_the_pattern(pattern: str) -> None:
    with pytest.raises(ConfigurationError, match="trusted origin"):
        parse_patterns([pattern])
