"""Streamed file uploads: a multipart body written to disk as it arrives.

The file part goes to a temporary file under `TRILITH_UPLOAD_DIR` (the system's temp
directory by default) chunk by chunk, never whole in memory, and is counted on the way:
past `TRILITH_MAX_UPLOAD_MB` (200 by default) the upload stops with a 413 at once. A
`Content-Length` already over the limit is refused before a byte is read. The other
parts are short form fields. The file is deleted when the request is done.

`MultipartRoute` lets one path take both JSON and multipart bodies: it matches only
multipart requests, so a JSON request falls through to the next route on the path.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi.routing import APIRoute
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.routing import Match
from starlette.types import Scope

from trilith.errors import (
    BadRequest,
    ConfigurationError,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
)

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

__all__ = [
    "MultipartRoute",
    "SpooledUpload",
    "receive_upload",
    "upload_directory",
    "upload_limit",
]

MAX_UPLOAD_ENV = "TRILITH_MAX_UPLOAD_MB"
UPLOAD_DIR_ENV = "TRILITH_UPLOAD_DIR"
DEFAULT_MAX_UPLOAD_MB = 200.0
MAX_FIELD_BYTES = 64 * 1024
MAX_FIELDS = 32
# Room for the multipart boundaries and part headers around the file.
ENVELOPE_BYTES = 64 * 1024

BytesProgress = Callable[[int, int], None]  # (file bytes so far, request Content-Length)


def upload_limit() -> int:
    """The largest file accepted, in bytes (`TRILITH_MAX_UPLOAD_MB`, fractions allowed)."""
    text = os.environ.get(MAX_UPLOAD_ENV, "").strip()
    try:
        megabytes = float(text) if text else DEFAULT_MAX_UPLOAD_MB
    except ValueError:
        raise ConfigurationError(
            f"{MAX_UPLOAD_ENV} must be a number of megabytes, got {text!r}"
        ) from None
    if megabytes <= 0:
        raise ConfigurationError(f"{MAX_UPLOAD_ENV} must be positive, got {text!r}")
    return int(megabytes * 1024 * 1024)


def upload_directory() -> Path:
    path = Path(os.environ.get(UPLOAD_DIR_ENV) or tempfile.gettempdir())
    path.mkdir(parents=True, exist_ok=True)
    return path


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.3g} MB"


@dataclass
class SpooledUpload:
    """The uploaded file on disk, and the form fields sent with it."""

    path: Path
    filename: str | None = None
    size: int = 0
    received: bool = False
    fields: dict[str, str] = field(default_factory=dict)


class _Parts:
    """python-multipart callbacks: the file part to disk, other parts to `fields`."""

    def __init__(self, upload: SpooledUpload, sink: Any, file_field: str, limit: int) -> None:
        self.upload = upload
        self.sink = sink
        self.file_field = file_field
        self.limit = limit
        self._header_name = b""
        self._header_value = b""
        self._disposition = b""
        self._name = ""
        self._is_file = False
        self._data = bytearray()

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self.on_part_begin,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
        }

    def on_part_begin(self) -> None:
        self._disposition = b""
        self._data = bytearray()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        if self._header_name.lower() == b"content-disposition":
            self._disposition = self._header_value
        self._header_name = self._header_value = b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        name = options.get(b"name")
        if name is None:
            raise BadRequest('a multipart part has no name (Content-Disposition: name="…")')
        self._name = name.decode("utf-8", errors="replace")
        self._is_file = self._name == self.file_field
        if self._is_file:
            if self.upload.received:
                raise ValidationFailed(f"send one file only, in the field {self.file_field!r}")
            self.upload.received = True
            filename = options.get(b"filename")
            self.upload.filename = filename.decode("utf-8", errors="replace") if filename else None
        elif len(self.upload.fields) >= MAX_FIELDS:
            raise ValidationFailed(f"too many form fields (at most {MAX_FIELDS})")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._is_file:
            self.upload.size += end - start
            if self.upload.size > self.limit:
                raise PayloadTooLarge(
                    f"the file is larger than the {_megabytes(self.limit)} limit "
                    f"({MAX_UPLOAD_ENV}); split it, or ask an administrator to raise the limit"
                )
            self.sink.write(data[start:end])
            return
        self._data += data[start:end]
        if len(self._data) > MAX_FIELD_BYTES:
            raise PayloadTooLarge(
                f"form field {self._name!r} is longer than {MAX_FIELD_BYTES // 1024} KB"
            )

    def on_part_end(self) -> None:
        if not self._is_file:
            self.upload.fields[self._name] = self._data.decode("utf-8", errors="replace")


def _boundary(headers: Headers, file_field: str) -> bytes:
    content_type = headers.get("content-type", "")
    kind, options = parse_options_header(content_type)
    if kind != b"multipart/form-data":
        raise UnsupportedMediaType(
            f"send multipart/form-data with the file in the field {file_field!r} (got "
            f"{content_type or 'no Content-Type'}); e.g. curl -F {file_field}=@data.csv …"
        )
    boundary = options.get(b"boundary")
    if not boundary:
        raise BadRequest("the multipart Content-Type has no boundary")
    return boundary


@asynccontextmanager
async def receive_upload(
    request: Request, *, file_field: str = "file", progress: BytesProgress | None = None
) -> AsyncIterator[SpooledUpload]:
    """Receive the request's multipart body; yield the spooled file and the fields."""
    boundary = _boundary(request.headers, file_field)
    limit = upload_limit()
    declared = int(request.headers.get("content-length") or 0)
    if declared > limit + ENVELOPE_BYTES:
        raise PayloadTooLarge(
            f"the upload is {_megabytes(declared)}, over the {_megabytes(limit)} limit "
            f"({MAX_UPLOAD_ENV}); split the file, or ask an administrator to raise the limit"
        )
    sink = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed and deleted in finally
        dir=upload_directory(), prefix="trilith-upload-", suffix=".csv", delete=False
    )
    upload = SpooledUpload(Path(sink.name))
    parts = _Parts(upload, sink, file_field, limit)
    try:
        parser = MultipartParser(boundary, parts.callbacks())
        async for chunk in request.stream():
            try:
                parser.write(chunk)
            except FormParserError as exc:
                raise BadRequest(f"the multipart body is malformed: {exc}") from None
            if progress:
                progress(upload.size, declared)
        parser.finalize()
        sink.close()
        if not upload.received:
            raise ValidationFailed(
                f"no file: send the CSV in the multipart field {file_field!r}",
                details=[{"field": file_field, "message": "required"}],
            )
        yield upload
    finally:
        sink.close()
        with contextlib.suppress(FileNotFoundError):
            upload.path.unlink()


class MultipartRoute(APIRoute):
    """A route that matches only `multipart/form-data` requests."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child = super().matches(scope)
        if match is Match.NONE:
            return match, child
        content_type = Headers(scope=scope).get("content-type", "")
        if not content_type.lower().startswith("multipart/form-data"):
            return Match.NONE, {}
        return match, child
