"""api_call, notify and export against real servers started here: an HTTP server and an
SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import csv
import email
import io
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.actions.conftest import make_context, run, sequence
from trilith.actions import delivery
from trilith.actions.definitions import check_sequence
from trilith.actions.delivery import DeliveryConfig, HostAllowlist, SmtpServer
from trilith.actions.engine import ActionEngine
from trilith.errors import ValidationFailed
from trilith.input_tables.rows import WriteContext
from trilith.input_tables.service import InputTables

# Tests that do not touch a table run on DuckDB alone.
duckdb_only = pytest.mark.parametrize("engine_name", ["duckdb"])


# --- an HTTP server ------------------------------------------------------------------------


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> Message:
        """A multipart body as an email message (its parts are the fields)."""
        head = f"Content-Type: {self.headers['content-type']}\r\n\r\n".encode()
        return email.message_from_bytes(head + self.body)


@dataclass
class Web:
    url: str
    seen: list[Seen] = field(default_factory=list)
    failures: dict[str, int] = field(default_factory=dict)  # path -> 503s left

    def on(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path == path]


def _handler(web: Web) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _answer(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("content-length") or 0)
            seen = Seen(
                self.command,
                parts.path,
                parse_qs(parts.query),
                {k.lower(): v for k, v in self.headers.items()},
                self.rfile.read(length),
            )
            web.seen.append(seen)
            if web.failures.get(parts.path, 0) > 0:
                web.failures[parts.path] -= 1
                return self._send(503, b"busy", "text/plain")
            if parts.path == "/slow":
                time.sleep(1.0)
            if parts.path.startswith("/status/"):
                return self._send(int(parts.path.rsplit("/", 1)[1]), b'{"gone": true}')
            if parts.path == "/redirect":
                self.send_response(302)
                self.send_header("Location", "http://localhost/elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            if parts.path == "/text":
                return self._send(200, "plain ✓".encode(), "text/plain; charset=utf-8")
            if parts.path == "/empty":
                return self._send(204, b"")
            echo = {"ok": True, "path": parts.path, "query": seen.query}
            if seen.headers.get("content-type") == "application/json":
                echo["got"] = seen.json()
            return self._send(200, json.dumps(echo).encode())

        def _send(self, status: int, body: bytes, kind: str = "application/json") -> None:
            self.send_response(status)
            if body:
                self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

    return Handler


@pytest.fixture
def web() -> Iterator[Web]:
    web = Web("")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(web))
    web.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield web
    server.shutdown()
    server.server_close()


# --- an SMTP server ------------------------------------------------------------------------


@dataclass
class Mailbox:
    received: list[tuple[str, list[str], Message]] = field(default_factory=list)
    busy: int = 0  # 451 answers to give first

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.busy > 0:
            self.busy -= 1
            return "451 4.3.0 try again later"
        content = envelope.content if isinstance(envelope.content, bytes) else b""
        self.received.append(
            (str(envelope.mail_from), list(envelope.rcpt_tos), email.message_from_bytes(content))
        )
        return "250 OK"


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


@pytest.fixture
def outside(web: Web, mailbox: tuple[Mailbox, int]) -> Iterator[tuple[Web, Mailbox]]:
    """Delivery configured for the test servers: 127.0.0.1 listed, SMTP on its port."""
    box, port = mailbox
    delivery.configure(
        DeliveryConfig(
            HostAllowlist.parse("127.0.0.1, *.example.com"),
            SmtpServer.parse(f"smtp://127.0.0.1:{port}?from=app@example.com"),
        )
    )
    yield web, box
    delivery.configure(None)


def step(result: dict[str, Any], index: int = 0) -> dict[str, Any]:
    return dict(result["steps"][index])


# --- api_call ------------------------------------------------------------------------------


@duckdb_only
def test_api_call_sends_values_as_data_and_keeps_the_answer(
    action_engine: ActionEngine, tables: InputTables, outside: tuple[Web, Mailbox]
) -> None:
    web, _ = outside
    seq = sequence(
        {
            "type": "api_call",
            "method": "post",
            "url": f'="{web.url}/orders/" & [Control/order]',
            "headers": {"X-Region": "=[Control/region]", "Authorization": "Bearer t0k"},
            "query": {"q": "=[Control/order]", "n": 2},
            "body": {
                "order": {"type": "control", "control_id": "order"},
                "total": "=[Control/qty] * 2",
                "lines": [{"type": "static", "value": "a&b"}, "plain"],
            },
            "output_variable": "answer",
        },
        {
            "type": "set_variable",
            "variable": "copy",
            "value": {"type": "variable", "name": "answer"},
        },
    )
    controls = {"order": "a b/../c?x=1#f", "region": "EU", "qty": 21}
    types = {"order": "text", "region": "text", "qty": "number"}
    result = run(action_engine, seq, make_context(tables, controls=controls, control_types=types))
    assert result["status"] == "completed", result["error"]
    (seen,) = web.seen
    assert seen.method == "POST"
    assert seen.path == "/orders/a%20b%2F..%2Fc%3Fx%3D1%23f"  # one path segment, encoded
    assert seen.query == {"q": ["a b/../c?x=1#f"], "n": ["2"]}
    assert (seen.headers["x-region"], seen.headers["authorization"]) == ("EU", "Bearer t0k")
    assert seen.json() == {"order": "a b/../c?x=1#f", "total": 42, "lines": ["a&b", "plain"]}
    answer = result["output_variables"]["answer"]
    assert answer["ok"] is True
    assert answer["got"]["total"] == 42
    assert result["output_variables"]["copy"] == answer


@duckdb_only
def test_api_call_answers_text_empty_and_expected_statuses(
    action_engine: ActionEngine, tables: InputTables, outside: tuple[Web, Mailbox]
) -> None:
    web, _ = outside
    seq = sequence(
        {"type": "api_call", "url": f"{web.url}/text", "output_variable": "text"},
        {"type": "api_call", "method": "DELETE", "url": f"{web.url}/empty", "output_variable": "e"},
        {
            "type": "api_call",
            "url": f"{web.url}/status/404",
            "expected_status": 404,
            "output_variable": "gone",
        },
    )
    result = run(action_engine, seq, make_context(tables))
    assert result["status"] == "completed", result["error"]
    assert result["output_variables"] == {"text": "plain ✓", "e": None, "gone": {"gone": True}}
    failed = run(
        action_engine,
        sequence({"type": "api_call", "url": f"{web.url}/status/404"}, id="unexpected"),
        make_context(tables),
    )
    assert failed["status"] == "failed"
    assert f"GET {web.url}/status/404 answered 404" in step(failed)["error"]
    redirected = run(
        action_engine,
        sequence({"type": "api_call", "url": f"{web.url}/redirect"}, id="redirected"),
        make_context(tables),
    )
    assert "answered 302" in step(redirected)["error"]  # not followed off the allowlist
    assert [s.path for s in web.seen if s.path in ("/redirect", "/elsewhere")] == ["/redirect"]


@duckdb_only
def test_api_call_retries_a_503_then_succeeds(
    action_engine: ActionEngine, tables: InputTables, outside: tuple[Web, Mailbox]
) -> None:
    web, _ = outside
    web.failures["/flaky"] = 2
    seq = sequence(
        {"type": "api_call", "url": f"{web.url}/flaky", "max_retries": 2, "output_variable": "r"}
    )
    result = run(action_engine, seq, make_context(tables))
    assert result["status"] == "completed", result["error"]
    assert result["output_variables"]["r"]["ok"] is True
    assert len(web.on("/flaky")) == 3

    web.failures["/flaky"] = 5
    gave_up = run(
        action_engine,
        sequence({"type": "api_call", "url": f"{web.url}/flaky", "max_retries": 1}, id="g"),
        make_context(tables),
    )
    assert gave_up["status"] == "failed"
    assert "answered 503 (after 2 attempts)" in step(gave_up)["error"]
    assert len(web.on("/flaky")) == 5


@duckdb_only
def test_api_call_times_out(
    action_engine: ActionEngine, tables: InputTables, outside: tuple[Web, Mailbox]
) -> None:
    web, _ = outside
    started = time.monotonic()
    result = run(
        action_engine,
        sequence({"type": "api_call", "url": f"{web.url}/slow", "timeout_ms": 200}),
        make_context(tables),
    )
    assert result["status"] == "failed"
    assert "timed out after 200 ms" in step(result)["error"]
    assert time.monotonic() - started < 0.9


@duckdb_only
@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:{port}/x",  # the same machine, but not the listed name
        "http://127.0.0.2:{port}/x",
        "https://example.com/x",  # the bare domain of *.example.com
        "https://api.example.com.evil.test/x",
        "https://evilexample.com/x",
    ],
)
def test_api_call_refuses_hosts_not_on_the_allowlist(
    action_engine: ActionEngine, tables: InputTables, outside: tuple[Web, Mailbox], url: str
) -> None:
    web, _ = outside
    port = urlsplit(web.url).port
    result = run(
        action_engine,
        sequence({"type": "api_call", "url": url.format(port=port)}),
        make_context(tables),
    )
    assert result["status"] == "failed"
    assert "is not in TRILITH_ALLOWED_HOSTS" in step(result)["error"]
    assert web.seen == []


@duckdb_only
def test_a_url_formula_must_give_an_http_url(
    action_engine: ActionEngine, tables: InputTables, outside: tuple[Web, Mailbox]
) -> None:
    result = run(
        action_engine,
        sequence({"type": "api_call", "url": '="file:///etc/" & [Control/f]'}),
        make_context(tables, controls={"f": "passwd"}, control_types={"f": "text"}),
    )
    assert result["status"] == "failed"
    assert "not an http or https URL" in step(result)["error"]


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ({"type": "api_call", "url": "ftp://x.example.com/"}, "not an http or https URL"),
        ({"type": "api_call", "url": "https://x.example.com", "body": {}}, "has no body"),
        (
            {"type": "api_call", "url": "https://x.example.com", "headers": {"Host": "a"}},
            "set by the client",
        ),
        (
            {"type": "api_call", "url": "https://x.example.com", "headers": {"a b": "c"}},
            "not a header name",
        ),
        ({"type": "api_call", "url": "https://x.example.com", "timeout_ms": 60001}, "60000"),
        ({"type": "api_call", "url": "https://x.example.com", "max_retries": 6}, "5"),
        ({"type": "notify", "channel": "email", "message": "hi"}, "needs `to`"),
        ({"type": "notify", "channel": "email", "to": "not-an-address"}, "not an email"),
        ({"type": "notify", "channel": "slack", "message": "hi"}, "needs webhook_url"),
        ({"type": "notify", "channel": "sms", "message": "hi"}, "channel"),
        (
            {"type": "export", "destination": "email", "to": "a@b.co"},
            "needs input_table or element_id",
        ),
        (
            {
                "type": "export",
                "element_id": "grid",
                "destination": "email",
                "to": "a@b.co",
                "filters": ["amount:gt:1"],
            },
            "an element's controls filter it",
        ),
        (
            {"type": "export", "input_table": "t", "destination": "webhook", "to": "a@b.co"},
            "needs webhook_url",
        ),
        (
            {
                "type": "export",
                "input_table": "t",
                "destination": "email",
                "to": "a@b.co",
                "filters": ["amount"],
            },
            "column:op:value",
        ),
    ],
)
def test_bad_definitions_are_refused_when_defined(action: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        check_sequence(sequence(action))
    assert message in info.value.message


# --- the allowlist -------------------------------------------------------------------------


def test_allowlist_matches_names_not_patterns() -> None:
    allow = HostAllowlist.parse(" API.Example.com., *.hooks.example.org, 10.0.0.5, [::1] ")
    assert allow.match("api.example.com") == "exact"
    assert allow.match("API.EXAMPLE.COM.") == "exact"
    assert allow.match("www.example.com") is None
    assert allow.match("a.hooks.example.org") == "wildcard"
    assert allow.match("a.b.hooks.example.org") == "wildcard"
    assert allow.match("hooks.example.org") is None
    assert allow.match("xhooks.example.org") is None
    assert allow.match("hooks.example.org.evil.test") is None
    assert allow.match("10.0.0.5") == "exact"
    assert allow.match("::1") == "exact"
    assert allow.match("127.0.0.1") is None
    assert HostAllowlist.parse("").match("example.com") is None


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("*", "not a host name"),
        ("*.com", "too broad"),
        ("https://api.example.com", "no scheme, port or path"),
        ("api.example.com:443", "no scheme, port or path"),
        ("*.ex(a)mple.com", "not a host name"),
        ("a*.example.com", "not a host name"),
        ("exa mple.com", "not a host name"),
    ],
)
def test_allowlist_refuses_what_is_not_a_host(entry: str, message: str) -> None:
    with pytest.raises(ValueError, match="TRILITH_ALLOWED_HOSTS") as info:
        HostAllowlist.parse(entry)
    assert message in str(info.value)


def test_a_wildcard_host_resolving_to_this_machine_is_refused() -> None:
    from trilith.actions.delivery import HostNotAllowed, _refuse_internal_resolution

    with pytest.raises(HostNotAllowed, match=r"resolves to 127\.0\.0\.1"):
        _refuse_internal_resolution("localhost", 80)


@pytest.mark.parametrize(
    ("url", "server"),
    [
        (
            "smtp://u%40x:p%3Aw@mail.example.com?starttls=true&from=app@example.com",
            SmtpServer("mail.example.com", 587, "app@example.com", "u@x", "p:w", "starttls"),
        ),
        (
            "smtps://mail.example.com?from=a@example.com",
            SmtpServer("mail.example.com", 465, "a@example.com", security="tls"),
        ),
        (
            "smtp://127.0.0.1:2525?from=a@example.com",
            SmtpServer("127.0.0.1", 2525, "a@example.com"),
        ),
    ],
)
def test_smtp_urls(url: str, server: SmtpServer) -> None:
    assert SmtpServer.parse(url) == server


def test_bad_settings_are_refused_at_start() -> None:
    from pydantic import ValidationError

    from trilith.settings import Settings

    with pytest.raises(ValidationError, match="TRILITH_SMTP_URL needs the sender"):
        Settings(smtp_url="smtp://mail.example.com")
    with pytest.raises(ValidationError, match="TRILITH_ALLOWED_HOSTS"):
        Settings(allowed_hosts="http://x.example.com/")
    with pytest.raises(ValidationError, match="TRILITH_SCHEDULER_TIMEZONE"):
        Settings(scheduler_timezone="Mars/Olympus")


# --- notify --------------------------------------------------------------------------------


@duckdb_only
def test_notify_sends_an_email(
    action_engine: ActionEngine, tables: InputTables, outside: tuple[Web, Mailbox]
) -> None:
    _, box = outside
    seq = sequence(
        {
            "type": "notify",
            "channel": "email",
            "to": "=[Control/owner]",
            "cc": ["boss@example.com", "ops@example.com"],
            "subject": '="Request " & [Control/title] & " approved"',
            "message": '="Hello,\nyour request for " & [Control/title] & " is approved."',
            "output_variable": "sent",
        }
    )
    controls = {"owner": "ana@example.com", "title": "Laptops\r\nBcc: evil@x.test"}
    ctx = make_context(tables, controls=controls, control_types={"owner": "text", "title": "text"})
    result = run(action_engine, seq, ctx)
    assert result["status"] == "completed", result["error"]
    ((sender, recipients, message),) = box.received
    assert sender == "app@example.com"
    assert sorted(recipients) == ["ana@example.com", "boss@example.com", "ops@example.com"]
    assert message["From"] == "app@example.com"
    assert message["To"] == "ana@example.com"
    assert message["Cc"] == "boss@example.com, ops@example.com"
    assert message["Subject"] == "Request Laptops Bcc: evil@x.test approved"  # one line
    assert message["Bcc"] is None
    body = message.get_payload(decode=True)
    assert isinstance(body, bytes)
    assert "your request for Laptops" in body.decode()
    assert result["output_variables"]["sent"]["to"] == ["ana@example.com"]


@duckdb_only
def test_email_is_retried_when_the_server_is_busy(
    action_engine: ActionEngine, tables: InputTables, outside: tuple[Web, Mailbox]
) -> None:
    _, box = outside
    box.busy = 1
    mail = {"type": "notify", "channel": "email", "to": "a@example.com", "message": "x"}
    refused = run(action_engine, sequence(mail, id="once"), make_context(tables))
    assert refused["status"] == "failed"
    assert "answered 451" in step(refused)["error"]
    box.busy = 1
    retried = run(
        action_engine, sequence({**mail, "max_retries": 1}, id="twice"), make_context(tables)
    )
    assert retried["status"] == "completed", retried["error"]
    assert len(box.received) == 1


@duckdb_only
def test_email_without_an_smtp_server_names_the_setting(
    action_engine: ActionEngine, tables: InputTables
) -> None:
    delivery.configure(DeliveryConfig())
    try:
        result = run(
            action_engine,
            sequence({"type": "notify", "channel": "email", "to": "a@example.com"}),
            make_context(tables),
        )
    finally:
        delivery.configure(None)
    assert result["status"] == "failed"
    assert "set TRILITH_SMTP_URL" in step(result)["error"]


@duckdb_only
def test_notify_posts_to_slack_teams_and_webhooks(
    action_engine: ActionEngine, tables: InputTables, outside: tuple[Web, Mailbox]
) -> None:
    web, _ = outside
    common = {"type": "notify", "subject": "Deal won", "message": '="Acme: " & [Control/n]'}
    seq = sequence(
        {**common, "channel": "slack", "webhook_url": f"{web.url}/slack"},
        {**common, "channel": "teams", "webhook_url": f"{web.url}/teams"},
        {
            **common,
            "channel": "webhook",
            "webhook_url": f"{web.url}/hook",
            "data": {"amount": "=[Control/n]", "fixed": {"type": "static", "value": [1, 2]}},
            "output_variable": "posted",
        },
    )
    ctx = make_context(tables, controls={"n": 5}, control_types={"n": "number"})
    result = run(action_engine, seq, ctx)
    assert result["status"] == "completed", result["error"]
    assert web.on("/slack")[0].json() == {"text": "*Deal won*\nAcme: 5"}
    card = web.on("/teams")[0].json()["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert [b["text"] for b in card["content"]["body"]] == ["Deal won", "Acme: 5"]
    hook = web.on("/hook")[0].json()
    assert hook["subject"] == "Deal won"
    assert hook["text"] == "Acme: 5"
    assert hook["data"] == {"amount": 5, "fixed": [1, 2]}
    assert hook["actor"] == "ed"
    assert hook["run_id"] == result["run_id"]
    assert result["output_variables"]["posted"] == {"channel": "webhook", "status": 200}


# --- export --------------------------------------------------------------------------------


@pytest.fixture
def deals(tables: InputTables) -> str:
    from trilith.input_tables.definition import InputTableDefinition

    definition = InputTableDefinition.model_validate(
        {
            "id": "deals",
            "name": "Deals",
            "columns": [
                {"name": "title", "type": "text"},
                {"name": "amount", "type": "number"},
                {"name": "closes", "type": "date"},
            ],
        }
    )
    tables.create(definition, WriteContext("setup"))
    rows = [
        {"title": "Acme", "amount": 10.5, "closes": "2025-01-31"},
        {"title": "Bolt, Inc.", "amount": 99, "closes": None},
        {"title": "Cirrus", "amount": 3},
    ]
    tables.insert("deals", rows, WriteContext("setup"))
    return "deals"


def test_export_attaches_a_table_to_an_email(
    action_engine: ActionEngine,
    tables: InputTables,
    deals: str,
    outside: tuple[Web, Mailbox],
) -> None:
    _, box = outside
    seq = sequence(
        {
            "type": "export",
            "input_table": deals,
            "format": "csv",
            "filename": '="deals-" & [Control/day]',
            "filters": ["amount:gt:5"],
            "sort": "-amount",
            "destination": "email",
            "to": "team@example.com",
            "message": "The deals.",
            "output_variable": "exported",
        }
    )
    ctx = make_context(tables, controls={"day": "2025-02-01"}, control_types={"day": "text"})
    result = run(action_engine, seq, ctx)
    assert result["status"] == "completed", result["error"]
    ((_, recipients, message),) = box.received
    assert recipients == ["team@example.com"]
    assert message["Subject"] == "deals-2025-02-01.csv (deals)"
    (attachment,) = [p for p in message.walk() if p.get_filename()]
    assert attachment.get_filename() == "deals-2025-02-01.csv"
    assert attachment.get_content_type() == "text/csv"
    payload = attachment.get_payload(decode=True)
    assert isinstance(payload, bytes)
    rows = list(csv.DictReader(io.StringIO(payload.decode())))
    assert [(r["title"], r["amount"], r["closes"]) for r in rows] == [
        ("Bolt, Inc.", "99", ""),
        ("Acme", "10.5", "2025-01-31"),
    ]
    assert rows[0]["_created_by"] == "setup"
    exported = result["output_variables"]["exported"]
    assert (exported["rows"], exported["filename"]) == (2, "deals-2025-02-01.csv")


def test_export_posts_a_table_to_a_webhook(
    action_engine: ActionEngine,
    tables: InputTables,
    deals: str,
    outside: tuple[Web, Mailbox],
) -> None:
    web, _ = outside
    seq = sequence(
        {
            "type": "export",
            "input_table": deals,
            "format": "parquet",
            "destination": "webhook",
            "webhook_url": f"{web.url}/upload",
            "data": {"who": "=[Control/who]", "n": 3},
            "file_field": "table",
        }
    )
    ctx = make_context(tables, controls={"who": "ana"}, control_types={"who": "text"})
    result = run(action_engine, seq, ctx)
    assert result["status"] == "completed", result["error"]
    (seen,) = web.on("/upload")
    assert seen.headers["content-type"].startswith("multipart/form-data")
    fields = {
        part.get_param("name", header="content-disposition"): part
        for part in seen.form().walk()
        if not part.is_multipart()
    }
    assert fields["who"].get_payload() == "ana"
    assert fields["n"].get_payload() == "3"
    upload = fields["table"]
    assert upload.get_filename() == "deals.parquet"
    data = upload.get_payload(decode=True)
    assert isinstance(data, bytes)
    got = pq.read_table(pa.BufferReader(data))
    assert sorted(got.column("title").to_pylist()) == ["Acme", "Bolt, Inc.", "Cirrus"]
    assert got.schema.field("amount").type == pa.float64()


@duckdb_only
def test_export_of_an_unknown_table_fails_clearly(
    action_engine: ActionEngine, tables: InputTables, outside: tuple[Web, Mailbox]
) -> None:
    result = run(
        action_engine,
        sequence({"type": "export", "input_table": "nope", "destination": "email", "to": "a@b.co"}),
        make_context(tables),
    )
    assert result["status"] == "failed"
    assert "nope" in step(result)["error"]
