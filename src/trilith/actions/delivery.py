"""Delivery to systems outside the warehouse: HTTP requests and email.

HTTP goes only to hosts on the allowlist (`TRILITH_ALLOWED_HOSTS`): exact host names or
IP addresses, and `*.example.com` wildcards (any subdomain, never the bare domain). A host
is compared as text, label by label, never turned into a pattern. A loopback or
link-local address (the machine itself, cloud metadata services) is reachable only when
it is listed exactly: a host matched by a wildcard is resolved first and refused if it
points there. Redirects are not followed (a redirect could leave the allowlist).

Every request has an overall time limit, and transient failures (a timeout, a refused
connection, 408/425/429/5xx answers) are retried with exponential back-off. Email goes
through the SMTP server of `TRILITH_SMTP_URL`
(`smtp://user:pass@host:587?starttls=true&from=app@example.com`, or `smtps://` for TLS
from the start), retried on 4xx answers and dropped connections.

The server installs its configuration with `configure()`; until then it is read from
the environment.
"""

from __future__ import annotations

import ipaddress
import json
import re
import smtplib
import socket
import ssl
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import IO, TYPE_CHECKING, Any, Literal, TypeVar
from urllib.parse import parse_qs, unquote, urlsplit

import httpx

from trilith.errors import ConfigurationError, PermissionDenied, TrilithError, ValidationFailed

if TYPE_CHECKING:
    from trilith.settings import Settings

__all__ = [
    "DeliveryConfig",
    "DeliveryFailed",
    "FileField",
    "HostAllowlist",
    "HostNotAllowed",
    "HttpRequest",
    "HttpResponse",
    "SmtpServer",
    "configure",
    "current",
    "safe_url",
    "send_email",
    "send_http",
]

RETRY_BASE_S = 0.25
RETRY_MAX_S = 5.0
MAX_RESPONSE_BYTES = 2 * 1024 * 1024
RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
_LABEL = re.compile(r"^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$")


class DeliveryFailed(TrilithError):
    """The other system did not take the request or the message."""

    status_code = 502
    error_type = "delivery_failed"


class HostNotAllowed(PermissionDenied):
    error_type = "host_not_allowed"


# --- the allowlist -----------------------------------------------------------------------


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _internal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """The machine itself or its link (loopback, link-local, unspecified)."""
    return address.is_loopback or address.is_link_local or address.is_unspecified


def _host_name(text: str) -> str:
    """A host name in its ASCII (IDNA) form, or ValueError."""
    try:
        ascii_name = text.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise ValueError(f"{text!r} is not a host name") from None
    labels = ascii_name.split(".")
    if len(ascii_name) > 253 or not all(_LABEL.match(label) for label in labels):
        raise ValueError(f"{text!r} is not a host name")
    return ascii_name


def _normalised(host: str) -> str:
    address = _ip(host)
    return str(address) if address is not None else _host_name(host.rstrip("."))


@dataclass(frozen=True, slots=True)
class HostAllowlist:
    exact: frozenset[str] = frozenset()
    # "*.example.com" is kept as ".example.com": a host matches when it ends with it.
    suffixes: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> HostAllowlist:
        exact: set[str] = set()
        suffixes: list[str] = []
        for raw in text.split(","):
            entry = raw.strip().lower()
            if not entry:
                continue
            try:
                if entry.startswith("*."):
                    suffix = _host_name(entry[2:].rstrip("."))
                    if "." not in suffix:
                        raise ValueError(f"{entry!r} is too broad; name a domain: *.example.com")
                    suffixes.append("." + suffix)
                elif _ip(entry) is not None:
                    exact.add(str(_ip(entry)))
                elif any(c in entry for c in "*/:@"):
                    raise ValueError(
                        f"{entry!r} is not a host name; write api.example.com or *.example.com "
                        "(no scheme, port or path)"
                    )
                else:
                    exact.add(_host_name(entry.rstrip(".")))
            except ValueError as exc:
                raise ValueError(f"TRILITH_ALLOWED_HOSTS: {exc}") from None
        return cls(frozenset(exact), tuple(suffixes))

    def match(self, host: str) -> Literal["exact", "wildcard"] | None:
        try:
            name = _normalised(host)
        except ValueError:
            return None
        if name in self.exact:
            return "exact"
        if _ip(name) is None and any(
            name.endswith(suffix) and len(name) > len(suffix) for suffix in self.suffixes
        ):
            return "wildcard"
        return None

    def check(self, url: str) -> None:
        """Refuse a URL whose host is not on the list (or that is not http/https).

        The URL is read by the HTTP client's own parser, so the host checked is the host
        the request goes to."""
        try:
            parsed = httpx.URL(url)
            host, port = parsed.raw_host.decode("ascii"), parsed.port
        except (httpx.InvalidURL, UnicodeError) as exc:
            raise ValidationFailed(f"{safe_url(url)!r} is not a URL: {exc}") from None
        if parsed.scheme not in ("http", "https") or not host:
            raise ValidationFailed(f"{safe_url(url)!r} is not an http or https URL")
        how = self.match(host)
        if how is None:
            listed = ", ".join(sorted(self.exact) + [f"*{s}" for s in self.suffixes]) or "none"
            raise HostNotAllowed(
                f"host {host!r} is not in TRILITH_ALLOWED_HOSTS (allowed: {listed})"
            )
        if how == "wildcard":
            _refuse_internal_resolution(host, port or (443 if parsed.scheme == "https" else 80))


def _refuse_internal_resolution(host: str, port: int) -> None:
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except OSError as exc:
        raise DeliveryFailed(f"cannot resolve host {host!r}: {exc}") from None
    for info in infos:
        address = _ip(str(info[4][0]))
        if address is not None and _internal(address):
            raise HostNotAllowed(
                f"host {host!r} resolves to {address}, an address of this machine or its "
                "link; list the host itself in TRILITH_ALLOWED_HOSTS to allow it"
            )


def safe_url(url: str) -> str:
    """A URL for messages: no credentials, no query string (it may hold tokens)."""
    parts = urlsplit(url[:500])
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return f"{parts.scheme}://{netloc}{parts.path}" if parts.scheme else url[:100]


# --- SMTP --------------------------------------------------------------------------------

_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True, slots=True)
class SmtpServer:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    security: Literal["none", "starttls", "tls"] = "none"

    @classmethod
    def parse(cls, url: str) -> SmtpServer:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError(
                "TRILITH_SMTP_URL must look like "
                "smtp://user:pass@host:587?starttls=true&from=app@example.com (or smtps://)"
            )
        options = {k.lower(): v[-1] for k, v in parse_qs(parts.query).items()}
        sender = options.get("from", "")
        if "@" not in sender:
            raise ValueError("TRILITH_SMTP_URL needs the sender: ?from=app@example.com")
        starttls = options.get("starttls", "").lower() in _TRUE
        security: Literal["none", "starttls", "tls"] = (
            "tls" if parts.scheme == "smtps" else "starttls" if starttls else "none"
        )
        default_port = {"tls": 465, "starttls": 587, "none": 25}[security]
        return cls(
            host=parts.hostname,
            port=parts.port or default_port,
            sender=sender,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            security=security,
        )


# --- configuration -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeliveryConfig:
    allowlist: HostAllowlist = HostAllowlist()
    smtp: SmtpServer | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> DeliveryConfig:
        return cls(
            HostAllowlist.parse(settings.allowed_hosts),
            SmtpServer.parse(settings.smtp_url) if settings.smtp_url else None,
        )


_config: DeliveryConfig | None = None
_config_lock = threading.Lock()


def configure(config: DeliveryConfig | None) -> None:
    """Install the configuration (None: read the environment again when next needed)."""
    global _config
    with _config_lock:
        _config = config


def current() -> DeliveryConfig:
    global _config
    with _config_lock:
        if _config is None:
            from trilith.settings import Settings

            _config = DeliveryConfig.from_settings(Settings())
        return _config


# --- retries -----------------------------------------------------------------------------

T = TypeVar("T")


class _Transient(Exception):
    def __init__(self, reason: str, wait_s: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.wait_s = wait_s


def _with_retries(attempt: Callable[[], T], retries: int, what: str) -> T:
    for number in range(retries + 1):
        try:
            return attempt()
        except _Transient as exc:
            if number == retries:
                tries = f" (after {retries + 1} attempts)" if retries else ""
                raise DeliveryFailed(f"{what}: {exc.reason}{tries}") from None
            backoff = RETRY_BASE_S * 2**number
            time.sleep(min(RETRY_MAX_S, max(backoff, exc.wait_s or 0.0)))
    raise AssertionError("unreachable")


# --- HTTP --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FileField:
    """A file sent as one field of a multipart form."""

    field: str
    filename: str
    content_type: str
    file: IO[bytes]


@dataclass(frozen=True, slots=True)
class HttpRequest:
    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    params: Mapping[str, Any] = field(default_factory=dict)
    json_body: Any = None
    has_json: bool = False
    form: Mapping[str, str] = field(default_factory=dict)
    files: Sequence[FileField] = ()


@dataclass(frozen=True, slots=True)
class HttpResponse:
    status: int
    headers: Mapping[str, str]
    content: bytes

    def body(self) -> Any:
        """The JSON the answer holds, else its text; None when it is empty."""
        if not self.content:
            return None
        text = self.content.decode(_charset(self.headers), errors="replace")
        if "json" in self.headers.get("content-type", ""):
            try:
                return json.loads(text)
            except ValueError:
                return text
        return text


def _charset(headers: Mapping[str, str]) -> str:
    for part in headers.get("content-type", "").split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset" and value:
            return value.strip('"')
    return "utf-8"


def _json_default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} cannot be sent as JSON")


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    return float(value) if value.isdigit() else None


def _attempt(
    request: HttpRequest, timeout_s: float, expected: Callable[[int], bool]
) -> HttpResponse:
    deadline = time.monotonic() + timeout_s
    content: bytes | None = None
    headers = dict(request.headers)
    if request.has_json:
        content = json.dumps(request.json_body, default=_json_default).encode()
        headers.setdefault("Content-Type", "application/json")
    files = []
    for item in request.files:
        item.file.seek(0)
        files.append((item.field, (item.filename, item.file, item.content_type)))
    try:
        with (
            httpx.Client(timeout=timeout_s, follow_redirects=False, trust_env=False) as client,
            client.stream(
                request.method,
                request.url,
                params=dict(request.params) or None,
                headers=headers,
                content=content,
                data=dict(request.form) or None,
                files=files or None,
            ) as response,
        ):
            received = bytearray()
            for chunk in response.iter_bytes():
                received += chunk
                if len(received) > MAX_RESPONSE_BYTES:
                    raise DeliveryFailed(
                        f"the answer is larger than {MAX_RESPONSE_BYTES // 1024 // 1024} MB"
                    )
                if time.monotonic() > deadline:
                    raise httpx.ReadTimeout("the answer took too long", request=response.request)
    except httpx.TimeoutException:
        raise _Transient(f"timed out after {round(timeout_s * 1000)} ms") from None
    except httpx.TransportError as exc:
        raise _Transient(f"could not connect: {exc or type(exc).__name__}") from None
    # A status the caller expects is an answer, even one that is otherwise retried.
    if response.status_code in RETRYABLE_STATUS and not expected(response.status_code):
        raise _Transient(f"answered {response.status_code}", _retry_after(response))
    return HttpResponse(response.status_code, dict(response.headers), bytes(received))


def send_http(
    request: HttpRequest,
    *,
    timeout_s: float,
    retries: int = 0,
    expected: Callable[[int], bool] = lambda status: 200 <= status < 300,
) -> HttpResponse:
    """Send a request to an allowed host; raise unless the answer's status is expected."""
    current().allowlist.check(request.url)
    what = f"{request.method} {safe_url(request.url)}"
    response = _with_retries(lambda: _attempt(request, timeout_s, expected), retries, what)
    if not expected(response.status):
        snippet = response.content[:300].decode("utf-8", errors="replace")
        raise DeliveryFailed(f"{what} answered {response.status}: {snippet}".rstrip(": "))
    return response


# --- email -------------------------------------------------------------------------------


def _smtp_attempt(message: EmailMessage, server: SmtpServer, timeout_s: float) -> list[str]:
    context = ssl.create_default_context()
    connection: smtplib.SMTP
    try:
        if server.security == "tls":
            connection = smtplib.SMTP_SSL(
                server.host, server.port, timeout=timeout_s, context=context
            )
        else:
            connection = smtplib.SMTP(server.host, server.port, timeout=timeout_s)
        with connection:
            if server.security == "starttls":
                connection.starttls(context=context)
            if server.username:
                connection.login(server.username, server.password or "")
            refused = connection.send_message(message, from_addr=server.sender)
    except smtplib.SMTPResponseException as exc:
        error = exc.smtp_error
        text = error.decode(errors="replace") if isinstance(error, bytes) else str(error)
        reason = f"answered {exc.smtp_code} {text}"
        if 400 <= exc.smtp_code < 500:
            raise _Transient(reason) from None
        raise DeliveryFailed(f"the SMTP server {server.host} {reason}") from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise DeliveryFailed(
            f"the SMTP server refused every recipient: {', '.join(exc.recipients)}"
        ) from None
    except smtplib.SMTPServerDisconnected as exc:
        raise _Transient(f"the SMTP server hung up: {exc}") from None
    except smtplib.SMTPException as exc:  # before OSError, its base class
        raise DeliveryFailed(f"the SMTP server {server.host} refused the message: {exc}") from None
    except OSError as exc:
        raise _Transient(f"could not reach {server.host}:{server.port}: {exc}") from None
    return sorted(refused)


def send_email(message: EmailMessage, *, timeout_s: float, retries: int = 0) -> list[str]:
    """Send through `TRILITH_SMTP_URL`; return the recipients the server refused."""
    server = current().smtp
    if server is None:
        raise ConfigurationError(
            "email needs an SMTP server: set TRILITH_SMTP_URL, e.g. "
            "smtp://user:pass@mail.example.com:587?starttls=true&from=app@example.com"
        )
    if "From" not in message:
        message["From"] = server.sender
    return _with_retries(
        lambda: _smtp_attempt(message, server, timeout_s),
        retries,
        f"email through {server.host}:{server.port}",
    )
