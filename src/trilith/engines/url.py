"""Warehouse URLs: `scheme://user:password@host:port/path?option=value`."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from trilith.errors import ConfigurationError

__all__ = ["WarehouseURL"]


@dataclass(frozen=True)
class WarehouseURL:
    scheme: str
    username: str | None = None
    password: str | None = None
    host: str | None = None
    port: int | None = None
    path: str = ""
    options: dict[str, str] = field(default_factory=dict)
    raw: str = ""

    @classmethod
    def parse(cls, url: str) -> WarehouseURL:
        if "://" not in url:
            raise ConfigurationError(
                f"malformed warehouse URL {_redact(url)!r}: expected scheme://…, "
                "e.g. duckdb:///./trilith.duckdb or postgresql://user@host/db"
            )
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if not scheme:
            raise ConfigurationError(f"malformed warehouse URL {_redact(url)!r}: no scheme")
        try:
            port = parts.port
        except ValueError as exc:
            raise ConfigurationError(f"malformed warehouse URL {_redact(url)!r}: {exc}") from None
        return cls(
            scheme=scheme,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            host=parts.hostname,
            port=port,
            path=unquote(parts.path),
            options=dict(parse_qsl(parts.query)),
            raw=url,
        )

    @property
    def database_path(self) -> str:
        """The file path of an embedded database: `duckdb:///x.db` → `x.db`."""
        path = self.path[1:] if self.path.startswith("/") else self.path
        if self.host and self.host not in ("", "localhost"):
            # duckdb://relative/x.db — the host part is the first path segment.
            return f"{self.host}/{path}" if path else self.host
        return path or ":memory:"

    def redacted(self) -> str:
        return _redact(self.raw)


SECRET_OPTIONS = frozenset(
    {
        "password",
        "token",
        "access_token",
        "private_key_file_pwd",
        "client_secret",
        "secret_access_key",
        "session_token",
        "passcode",
    }
)


def _redact(url: str) -> str:
    parts = urlsplit(url) if "://" in url else None
    if parts is None:
        return url
    if parts.password:
        url = url.replace(f":{parts.password}@", ":***@", 1)
    pairs = parse_qsl(parts.query)
    if any(key in SECRET_OPTIONS for key, _ in pairs):
        masked = urlencode(
            [(key, "***" if key in SECRET_OPTIONS else value) for key, value in pairs], safe="*/"
        )
        url = f"{url.split('?', 1)[0]}?{masked}"
    return url
