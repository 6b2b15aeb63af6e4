"""Integration: the embedding page, plugins, the clipboard, and systems outside.

`api_call` sends an HTTP request to an allowed host and returns the answer's JSON (or
text), `notify` sends an email or posts to a Slack, Teams or plain webhook, and `export`
sends an input table as a file (attached to an email, or posted as a multipart form).
Values reach other systems as data (JSON, form fields, query parameters, headers); a URL
is the admin's text, or a formula whose substituted values are URL-encoded. Delivery
(the allowlist, time limits, retries, SMTP) is `trilith.actions.delivery`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import tempfile
from collections.abc import Callable, Mapping
from email.headerregistry import Address
from email.message import EmailMessage
from typing import IO, Any, Literal
from urllib.parse import quote, urlsplit

from pydantic import AliasChoices, ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_camel

from trilith.actions.context import RunContext
from trilith.actions.delivery import (
    FileField,
    HttpRequest,
    send_email,
    send_http,
)
from trilith.actions.registry import Parameters, Reference, handler
from trilith.auth.grants import GrantStore
from trilith.auth.permissions import Resource, current, require
from trilith.elements.export import ElementExport
from trilith.elements.service import ElementQueries
from trilith.errors import BadRequest, PayloadTooLarge, ValidationFailed
from trilith.formula import ControlValue, Scope, evaluate
from trilith.input_tables.export import FORMATS, SPOOL_IN_MEMORY_BYTES, TableExport
from trilith.input_tables.query import parse_filter, parse_sort

# --- messages to the embedding page, plugins, the clipboard -------------------------------


class IframeEvent(Parameters):
    name: str = Field(min_length=1, max_length=100)
    values: dict[str, Any] = {}


@handler("iframe_event", "integration", IframeEvent)
def iframe_event(params: IframeEvent, ctx: RunContext) -> dict[str, Any]:
    values = {key: ctx.resolve(source) for key, source in params.values.items()}
    ctx.effect(
        "iframe_event", message={"type": "action:outbound", "name": params.name, "values": values}
    )
    return values


class TriggerPlugin(Parameters):
    plugin_id: str = Field(alias="pluginId")
    event: str
    payload: dict[str, Any] = {}


@handler("trigger_plugin", "integration", TriggerPlugin)
def trigger_plugin(params: TriggerPlugin, ctx: RunContext) -> None:
    payload = {key: ctx.resolve(source) for key, source in params.payload.items()}
    ctx.effect("trigger_plugin", plugin_id=params.plugin_id, event=params.event, payload=payload)


class CopyToClipboard(Parameters):
    value: Any


@handler("copy_to_clipboard", "integration", CopyToClipboard)
def copy_to_clipboard(params: CopyToClipboard, ctx: RunContext) -> str:
    text = str(
        ctx.resolve_text(params.value)
        if isinstance(params.value, str)
        else ctx.resolve(params.value)
    )
    ctx.effect("copy_to_clipboard", text=text)
    return text


# --- values on their way out ---------------------------------------------------------------

_SOURCE_TYPES = frozenset({"static", "column", "control", "formula", "variable"})
_HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$")
# Set by the HTTP client itself; a definition may not override them.
_RESERVED_HEADERS = frozenset({"host", "content-length", "transfer-encoding", "connection"})
MAX_RECIPIENTS = 100
MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024


def _resolved(value: Any, ctx: RunContext) -> Any:
    """A value with every value source and `=` formula inside it replaced by its value."""
    if isinstance(value, Mapping):
        if value.get("type") in _SOURCE_TYPES:
            return ctx.resolve(value)
        return {str(key): _resolved(inner, ctx) for key, inner in value.items()}
    if isinstance(value, list):
        return [_resolved(inner, ctx) for inner in value]
    return ctx.resolve(value)


def _text(value: Any, ctx: RunContext) -> str:
    resolved = _resolved(value, ctx)
    return "" if resolved is None else str(resolved)


def _url_encoded(value: Any) -> Any:
    if isinstance(value, str):
        return quote(value, safe="")
    if isinstance(value, ControlValue):
        return ControlValue(value.type, _url_encoded(value.value))
    if isinstance(value, list | tuple):
        return [_url_encoded(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _url_encoded(v) for k, v in value.items()}
    return value


def _url_scope(ctx: RunContext) -> Scope:
    """The run's scope with every text value URL-encoded, for URL formulas."""
    scope = ctx.scope()
    return dataclasses.replace(
        scope,
        controls={k: _url_encoded(v) for k, v in scope.controls.items()},
        variables={k: _url_encoded(v) for k, v in scope.variables.items()},
        selections={k: _url_encoded(v) for k, v in scope.selections.items()},
        user=dataclasses.replace(scope.user, email=_url_encoded(scope.user.email)),
    )


def _check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{url[:100]!r} is not an http or https URL with a host")
    return url


def _url(text: str, ctx: RunContext) -> str:
    if not text.startswith("="):
        return text
    url = evaluate(text[1:], _url_scope(ctx))
    if not isinstance(url, str):
        raise ValidationFailed(f"the URL formula gave {type(url).__name__}, not text")
    try:
        return _check_url(url)
    except ValueError as exc:
        raise ValidationFailed(f"the URL formula gave {exc}") from None


def _header_value(name: str, value: Any, ctx: RunContext) -> str:
    text = _text(value, ctx)
    if any(c in text for c in "\r\n\0"):
        raise ValidationFailed(f"header {name} may not hold line breaks")
    return text


def _addresses(value: Any, ctx: RunContext | None, field: str) -> list[str]:
    resolved = _resolved(value, ctx) if ctx is not None else value
    items = resolved if isinstance(resolved, list) else [resolved]
    found: list[str] = []
    for item in items:
        if item is None:
            continue
        found += [part.strip() for part in re.split(r"[,;]", str(item)) if part.strip()]
    for address in found:
        try:
            parsed = Address(addr_spec=address)
        except (ValueError, IndexError):
            parsed = None
        if parsed is None or not parsed.domain or any(c in address for c in "\r\n<>"):
            raise ValidationFailed(f"{field}: {address!r} is not an email address")
    if len(found) > MAX_RECIPIENTS:
        raise ValidationFailed(f"{field}: at most {MAX_RECIPIENTS} recipients")
    return found


def _is_static(value: Any) -> bool:
    if isinstance(value, list):
        return all(_is_static(v) for v in value)
    return isinstance(value, str) and not value.startswith("=")


def _query_value(value: Any) -> Any:
    """A query-string value: text, a number or true/false, or a list of them."""
    if isinstance(value, list):
        return [_query_value(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return _form_value(value)


def _form_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, default=str)
    return value.isoformat() if isinstance(value, dt.date) else str(value)


# --- parameters ----------------------------------------------------------------------------


class _Outbound(Parameters):
    """What every outbound action has: a time limit and retries of transient failures.

    (`max_retries`, not `retries`: an action's own `retries` is the engine's.)"""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, alias_generator=to_camel)

    timeout_ms: int = Field(5000, ge=100, le=60_000)
    max_retries: int = Field(0, ge=0, le=5)

    @property
    def timeout_s(self) -> float:
        return self.timeout_ms / 1000


def _url_text(value: str | None) -> str | None:
    return value if value is None or value.startswith("=") else _check_url(value)


class ApiCall(_Outbound):
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"] = "GET"
    url: str = Field(min_length=1, max_length=2000)
    headers: dict[str, Any] = {}
    query: dict[str, Any] = {}  # query-string parameters, URL-encoded
    body: Any = None  # sent as JSON; value sources and formulas inside are resolved
    expected_status: list[int] = []  # empty: any 2xx

    @field_validator("method", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return _url_text(value) or value

    @field_validator("headers")
    @classmethod
    def _header_names(cls, value: dict[str, Any]) -> dict[str, Any]:
        for name in value:
            if not _HEADER_NAME.match(name):
                raise ValueError(f"{name!r} is not a header name")
            if name.lower() in _RESERVED_HEADERS:
                raise ValueError(f"the {name} header is set by the client, not the action")
        return value

    @field_validator("expected_status", mode="before")
    @classmethod
    def _statuses(cls, value: Any) -> Any:
        statuses = [value] if isinstance(value, int) else value
        for status in statuses or []:
            if not isinstance(status, int) or not 100 <= status <= 599:
                raise ValueError(f"{status!r} is not an HTTP status")
        return statuses

    @model_validator(mode="after")
    def _no_body_to_read(self) -> ApiCall:
        if self.body is not None and self.method in ("GET", "HEAD"):
            raise ValueError(f"a {self.method} request has no body; use POST, PUT or PATCH")
        return self


@handler("api_call", "integration", ApiCall, aliases=("http_request", "call_api"))
def api_call(params: ApiCall, ctx: RunContext) -> Any:
    expected = set(params.expected_status)
    request = HttpRequest(
        method=params.method,
        url=_url(params.url, ctx),
        headers={name: _header_value(name, v, ctx) for name, v in params.headers.items()},
        params={name: _query_value(_resolved(v, ctx)) for name, v in params.query.items()},
        json_body=_resolved(params.body, ctx),
        has_json=params.body is not None,
    )
    response = send_http(
        request,
        timeout_s=params.timeout_s,
        retries=params.max_retries,
        expected=(lambda s: s in expected) if expected else (lambda s: 200 <= s < 300),
    )
    return response.body()


class _Message(_Outbound):
    """Who hears of it: email recipients, or a webhook URL."""

    to: Any = None
    cc: Any = None
    subject: str | None = Field(None, max_length=1000)
    message: str = Field("", validation_alias=AliasChoices("message", "body", "text"))
    webhook_url: str | None = Field(None, max_length=2000)
    data: dict[str, Any] = {}  # more values for a webhook

    @field_validator("webhook_url")
    @classmethod
    def _webhook(cls, value: str | None) -> str | None:
        return _url_text(value)

    @field_validator("to", "cc")
    @classmethod
    def _static_addresses(cls, value: Any) -> Any:
        if value is not None and _is_static(value):
            try:
                _addresses(value, None, "address")
            except ValidationFailed as exc:
                raise ValueError(exc.message) from None
        return value

    def _check_channel(self, channel: str) -> None:
        if channel == "email":
            if self.to is None:
                raise ValueError("an email needs `to`")
            if self.webhook_url is not None:
                raise ValueError("an email has no webhook_url")
        else:
            if self.webhook_url is None:
                raise ValueError(f"a {channel} notification needs webhook_url")
            if self.to is not None or self.cc is not None:
                raise ValueError(f"a {channel} notification has no `to` or `cc`")


class Notify(_Message):
    channel: Literal["email", "slack", "teams", "webhook"]

    @model_validator(mode="after")
    def _channel(self) -> Notify:
        self._check_channel(self.channel)
        return self


@dataclasses.dataclass(frozen=True, slots=True)
class _Text:
    subject: str
    body: str


def _email(
    params: _Message, ctx: RunContext, text: _Text, attachment: _Attachment | None = None
) -> dict[str, Any]:
    to = _addresses(params.to, ctx, "to")
    cc = _addresses(params.cc, ctx, "cc")
    if not to:
        raise ValidationFailed("to: no recipient (the value was empty)")
    message = EmailMessage()
    message["To"] = ", ".join(to)
    if cc:
        message["Cc"] = ", ".join(cc)
    message["Subject"] = " ".join(text.subject.split())
    message.set_content(text.body or "")
    if attachment is not None:
        maintype, _, subtype = attachment.content_type.split(";")[0].partition("/")
        attachment.file.seek(0)
        message.add_attachment(
            attachment.file.read(), maintype=maintype, subtype=subtype, filename=attachment.name
        )
    refused = send_email(message, timeout_s=params.timeout_s, retries=params.max_retries)
    return {
        "channel": "email",
        "to": to,
        "cc": cc,
        "subject": message["Subject"],
        "refused": refused,
    }


def _slack(text: _Text, data: dict[str, Any]) -> dict[str, Any]:
    return {"text": f"*{text.subject}*\n{text.body}" if text.subject else text.body}


def _teams(text: _Text, data: dict[str, Any]) -> dict[str, Any]:
    blocks = [{"type": "TextBlock", "text": text.body, "wrap": True}]
    if text.subject:
        blocks.insert(0, {"type": "TextBlock", "text": text.subject, "weight": "Bolder"})
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": blocks,
    }
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
        ],
    }


def _webhook(text: _Text, data: dict[str, Any]) -> dict[str, Any]:
    return {"subject": text.subject or None, "text": text.body, "data": data}


# Channel → the JSON its webhook takes.
WEBHOOK_PAYLOADS: dict[str, Callable[[_Text, dict[str, Any]], dict[str, Any]]] = {
    "slack": _slack,
    "teams": _teams,
    "webhook": _webhook,
}


def _post_json(params: Notify, ctx: RunContext, text: _Text) -> dict[str, Any]:
    data = {key: _resolved(value, ctx) for key, value in params.data.items()}
    payload = WEBHOOK_PAYLOADS[params.channel](text, data)
    if params.channel == "webhook":
        payload.update(app_id=ctx.app_id, run_id=ctx.run_id, actor=ctx.actor.id)
    response = send_http(
        HttpRequest("POST", _url(params.webhook_url or "", ctx), json_body=payload, has_json=True),
        timeout_s=params.timeout_s,
        retries=params.max_retries,
    )
    return {"channel": params.channel, "status": response.status}


def _notify_email(params: Notify, ctx: RunContext, text: _Text) -> dict[str, Any]:
    return _email(params, ctx, text)


NOTIFIERS: dict[str, Callable[[Notify, RunContext, _Text], dict[str, Any]]] = {
    "email": _notify_email,
    "slack": _post_json,
    "teams": _post_json,
    "webhook": _post_json,
}


@handler("notify", "integration", Notify, aliases=("send_notification",))
def notify(params: Notify, ctx: RunContext) -> dict[str, Any]:
    text = _Text(_text(params.subject, ctx), _text(params.message, ctx))
    return NOTIFIERS[params.channel](params, ctx, text)


# --- export --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class _Attachment:
    name: str
    content_type: str
    file: IO[bytes]


class Export(_Message):
    input_table: str | None = None
    element_id: str | None = None
    format: Literal["csv", "xlsx", "parquet", "json"] = "csv"
    filename: str | None = Field(None, max_length=255)  # text or formula
    sort: str | None = None  # as the rows route: "amount,-_updated_at"
    filters: list[str] = []  # as the rows route: "status:eq:open"
    destination: Literal["email", "webhook"]
    file_field: str = Field("file", pattern=r"^[A-Za-z0-9_.-]{1,100}$")

    @field_validator("filters")
    @classmethod
    def _filters(cls, value: list[str]) -> list[str]:
        for text in value:
            try:
                parse_filter(text)
            except BadRequest as exc:
                raise ValueError(exc.message) from None
        return value

    @model_validator(mode="after")
    def _source(self) -> Export:
        if (self.input_table is None) == (self.element_id is None):
            raise ValueError("export needs input_table or element_id (one of them)")
        if self.element_id is not None and self.filters:
            raise ValueError("filters apply to input tables; an element's controls filter it")
        self._check_channel(self.destination)
        return self

    def references(self) -> list[Reference]:
        if self.element_id is not None:
            return [Reference("element", self.element_id, "element_id")]
        return [Reference("input_table", self.input_table or "", "input_table")]


def _export_email(params: Export, ctx: RunContext, attachment: _Attachment) -> dict[str, Any]:
    default = f"{attachment.name} ({params.input_table or params.element_id})"
    text = _Text(_text(params.subject, ctx) or default, _text(params.message, ctx))
    return _email(params, ctx, text, attachment)


def _export_webhook(params: Export, ctx: RunContext, attachment: _Attachment) -> dict[str, Any]:
    form = {key: _form_value(_resolved(value, ctx)) for key, value in params.data.items()}
    request = HttpRequest(
        "POST",
        _url(params.webhook_url or "", ctx),
        form=form,
        files=[
            FileField(params.file_field, attachment.name, attachment.content_type, attachment.file)
        ],
    )
    response = send_http(request, timeout_s=params.timeout_s, retries=params.max_retries)
    return {"channel": "webhook", "status": response.status}


EXPORT_DESTINATIONS: dict[str, Callable[[Export, RunContext, _Attachment], dict[str, Any]]] = {
    "email": _export_email,
    "webhook": _export_webhook,
}


def _file_export(params: Export, ctx: RunContext) -> TableExport | ElementExport:
    """The export of the input table, or of the element with the run's control values."""
    if params.element_id is not None:
        require(ctx.actor, "view-app")
        if ctx.app_id is None:
            raise ValidationFailed("exporting an element needs the app the run belongs to")
        return ElementExport(
            ElementQueries(ctx.tables),
            ctx.app_id,
            params.element_id,
            FORMATS[params.format],
            actor=ctx.actor,
            controls=ctx.controls,
            sort=parse_sort(params.sort),
        )
    table_id = params.input_table or ""
    grants = GrantStore(ctx.tables.engine, ctx.tables.schema)
    current(ctx.actor, grants).require("view-input-table", Resource("input_table", table_id))
    filters = [parse_filter(text) for text in params.filters]
    return TableExport(
        ctx.tables.rows(table_id, actor=ctx.actor),
        FORMATS[params.format],
        parse_sort(params.sort),
        filters,
    )


@handler("export", "integration", Export, aliases=("export_input_table", "export_element"))
def export(params: Export, ctx: RunContext) -> dict[str, Any]:
    source = params.input_table or params.element_id or ""
    file_export = _file_export(params, ctx)
    name = file_export.filename(_text(params.filename, ctx) if params.filename else None)
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY_BYTES) as file:
        size = 0
        for chunk in file_export.chunks():
            size += len(chunk)
            if size > MAX_ATTACHMENT_BYTES:
                raise PayloadTooLarge(
                    f"the export of '{source}' is larger than "
                    f"{MAX_ATTACHMENT_BYTES // 1024 // 1024} MB; filter it or use parquet"
                )
            file.write(chunk)
        attachment = _Attachment(name, file_export.format.media_type, file)
        sent = EXPORT_DESTINATIONS[params.destination](params, ctx, attachment)
    origin = {"element_id": source} if params.element_id else {"input_table": source}
    return {
        **sent,
        **origin,
        "format": params.format,
        "filename": name,
        "rows": file_export.rows,
        "bytes": size,
    }
