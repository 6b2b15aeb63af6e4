"""A CSV file's layout, read before any data moves: encoding, delimiter, header, width.

One sequential pass checks that the file is UTF-8 (a BOM is allowed) and names the first
bad byte with its line; the first few kilobytes decide the delimiter; the first record
gives the column names. Line numbers are physical lines of the file, counted from 1, as
a text editor shows them.

Also here: turning positions the engine reports (a byte offset, a record number) back
into line numbers, which only the error paths need.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trilith.errors import UnsupportedMediaType, ValidationFailed
from trilith.input_tables.csv.options import CsvOptions
from trilith.input_tables.edit_log import IMPORT_PREFIX

__all__ = [
    "FileLayout",
    "column_name",
    "inspect_file",
    "line_of_offset",
    "lines_of_records",
]

CHUNK = 1 << 20
SAMPLE_BYTES = 64 * 1024
CANDIDATES = (",", ";", "\t")
BOM = codecs.BOM_UTF8
_NOT_UTF8 = {
    codecs.BOM_UTF16_LE: "UTF-16",
    codecs.BOM_UTF16_BE: "UTF-16",
    codecs.BOM_UTF32_LE: "UTF-32",
    codecs.BOM_UTF32_BE: "UTF-32",
}
_NAME_CHARS = re.compile(r"[^A-Za-z0-9_]+")
# The engines accept fields of megabytes; Python's reader (used on error paths) must too.
csv.field_size_limit(max(csv.field_size_limit(), 1 << 26))

BytesProgress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class FileLayout:
    path: Path
    size: int
    bom: bool
    delimiter: str
    header: bool
    # The header row's values, or column_1 … column_N when the file has none.
    names: tuple[str, ...]
    # SHA-256 of the file's bytes, hex: the edit log names the file an import loaded.
    sha256: str = ""
    # Every row an import of this file creates has an id starting with this (see
    # `reader.typed_select`), so the import's edit-log entry stands for its rows.
    row_prefix: str = ""

    @property
    def width(self) -> int:
        return len(self.names)


def inspect_file(
    path: Path, options: CsvOptions, progress: BytesProgress | None = None
) -> FileLayout:
    size = path.stat().st_size
    digest = hashlib.sha256()
    bom = _check_utf8(path, progress, digest)
    if size - (len(BOM) if bom else 0) == 0:
        raise ValidationFailed("the file is empty; nothing to import")
    delimiter = options.delimiter or _detect_delimiter(path)
    first = _first_record(path, delimiter)
    if not first:
        raise ValidationFailed("the file holds only blank lines; nothing to import")
    names = (
        tuple(first) if options.header else tuple(f"column_{i}" for i in range(1, len(first) + 1))
    )
    return FileLayout(
        path,
        size,
        bom,
        delimiter,
        options.header,
        names,
        sha256=digest.hexdigest(),
        row_prefix=uuid.uuid4().hex[:IMPORT_PREFIX],
    )


def column_name(header: str, position: int) -> str:
    """A header value as a column name: letters, digits and _, starting with a letter."""
    name = _NAME_CHARS.sub("_", header.strip()).strip("_")[:63]
    if not name:
        return f"column_{position}"
    if not name[0].isalpha():
        name = f"c_{name}"[:63]
    return name


# --- encoding ----------------------------------------------------------------------------


def _check_utf8(path: Path, progress: BytesProgress | None, digest: Any) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    offset = 0
    bom = False
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            if offset == 0:
                for mark, name in _NOT_UTF8.items():
                    if chunk.startswith(mark):
                        raise UnsupportedMediaType(
                            f"the file is {name} (it starts with a {name} byte-order mark); "
                            "save it as UTF-8 (in Excel: CSV UTF-8) and upload it again"
                        )
                bom = chunk.startswith(BOM)
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                _not_utf8(path, offset + exc.start, chunk[exc.start : exc.start + 1])
            digest.update(chunk)
            offset += len(chunk)
            if progress:
                progress(offset)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            _not_utf8(path, offset - 1, b"")
    return bom


def _not_utf8(path: Path, offset: int, byte: bytes) -> None:
    line = line_of_offset(path, offset)
    start = _line_start(path, offset)
    shown = f"byte 0x{byte.hex().upper()}" if byte else "a truncated character"
    raise UnsupportedMediaType(
        f"the file is not UTF-8 ({shown} at line {line}, position {offset - start + 1}); "
        "save it as UTF-8 (in Excel: CSV UTF-8) and upload it again",
        details=[{"line": line, "byte_offset": offset, "rule": "encoding"}],
    )


# --- delimiter and header --------------------------------------------------------------


def _sample(path: Path) -> str:
    with path.open("rb") as handle:
        raw = handle.read(SAMPLE_BYTES + 1)
    truncated = len(raw) > SAMPLE_BYTES
    if truncated:
        # Keep whole lines only, so no record is judged by a cut-off end.
        raw = raw[: raw.rfind(b"\n", 0, SAMPLE_BYTES) + 1] or raw[:SAMPLE_BYTES]
    return raw.decode("utf-8-sig", errors="replace")


def _detect_delimiter(path: Path) -> str:
    """The candidate that splits the sample into the most consistent, widest records."""
    sample = _sample(path).splitlines(keepends=True)
    best: tuple[float, int, int] = (-1.0, 0, 0)
    chosen = ","
    for preference, candidate in enumerate(CANDIDATES):
        try:
            widths = [len(r) for r in csv.reader(sample, delimiter=candidate) if r]
        except csv.Error:
            continue
        if not widths:
            continue
        # Drop the last record: a quoted field may run past the sample.
        widths = widths[:-1] or widths
        consistency = widths.count(widths[0]) / len(widths)
        score = (consistency if widths[0] > 1 else 0.0, widths[0], -preference)
        if score > best:
            best, chosen = score, candidate
    return chosen


def _first_record(path: Path, delimiter: str) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        try:
            for record in csv.reader(handle, delimiter=delimiter, strict=False):
                if record:
                    return record
        except csv.Error as exc:
            raise ValidationFailed(f"line 1: the first row cannot be read: {exc}") from None
    return []


# --- positions back to lines ------------------------------------------------------------


def line_of_offset(path: Path, offset: int) -> int:
    """The 1-based line holding byte `offset`."""
    newlines = 0
    with path.open("rb") as handle:
        remaining = offset
        while remaining > 0 and (chunk := handle.read(min(CHUNK, remaining))):
            newlines += chunk.count(b"\n")
            remaining -= len(chunk)
    return newlines + 1


def _line_start(path: Path, offset: int) -> int:
    with path.open("rb") as handle:
        start = max(0, offset - CHUNK)
        handle.seek(start)
        before = handle.read(offset - start)
    return start + before.rfind(b"\n") + 1


def lines_of_records(layout: FileLayout, records: Iterable[int]) -> dict[int, int]:
    """Data record number (1-based, as the engine numbers rows) → the line it starts on.

    Blank lines hold no record, as for the engine; the header is not a data record.
    Lines are counted by line feeds, so a lone carriage return starts no line.
    """
    wanted = set(records)
    found: dict[int, int] = {}
    if not wanted:
        return found
    seen = [0]  # line feeds read so far

    def counted(handle: Iterable[str]) -> Iterator[str]:
        for text in handle:
            seen[0] += text.count("\n")
            yield text

    with layout.path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(counted(handle), delimiter=layout.delimiter, strict=False)
        before = 0
        number = -1 if layout.header else 0
        try:
            for record in reader:
                start, before = before + 1, seen[0]
                if not record:
                    continue
                number += 1
                if number in wanted:
                    found[number] = start
                    if len(found) == len(wanted):
                        break
        except csv.Error:
            pass  # the engine read the file; past this point lines stay unnamed
    return found
