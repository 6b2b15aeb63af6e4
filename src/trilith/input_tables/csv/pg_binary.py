"""Arrow record batches in PostgreSQL's binary COPY format, built a column at a time.

PostgreSQL reads binary COPY faster than CSV: no text to parse into numbers, dates and
timestamps. Each field is its length (int32, -1 for NULL) then its bytes in network
order; each row is its field count (int16) then its fields. Here every column becomes
one Arrow binary array of whole fields (numpy writes the fixed-width ones, Arrow joins
lengths to text), and `binary_join_element_wise` joins a batch's columns into rows: no
Python runs per row or per cell.

Only the types input tables store are encoded (`ENCODERS`, by PostgreSQL type name);
`BinaryRows.for_types` answers None for anything else, and the caller copies CSV.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["ENCODERS", "HEADER", "TRAILER", "BinaryRows"]

HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # signature, flags 0, no header extension
TRAILER = b"\xff\xff"  # a field count of -1

_NULL = pa.scalar(b"\xff\xff\xff\xff", pa.binary())
_EPOCH_DAYS = 10_957  # 2000-01-01, PostgreSQL's epoch, in days after 1970-01-01
_EPOCH_MICROS = _EPOCH_DAYS * 86_400 * 1_000_000

Encoder = Callable[[pa.Array], pa.Array]


def _fields(payload: np.ndarray, valid: pa.Array | None) -> pa.Array:
    """Whole fields of a fixed width: `payload` (one row of big-endian bytes per value)
    after its length; NULL where `valid` is false."""
    count, width = payload.shape
    whole = np.empty((count, 4 + width), dtype=np.uint8)
    whole[:, :4] = np.frombuffer(width.to_bytes(4, "big"), dtype=np.uint8)
    whole[:, 4:] = payload
    fixed = pa.FixedSizeBinaryArray.from_buffers(
        pa.binary(4 + width), count, [None, pa.py_buffer(whole)]
    )
    fields = fixed.cast(pa.binary())
    return fields if valid is None else pc.if_else(valid, fields, _NULL)


def _fixed(
    arrow_type: pa.DataType, numpy_type: str, shift: int = 0, storage: pa.DataType | None = None
) -> Encoder:
    """Values of `arrow_type` (stored as `storage`, less `shift`) as `numpy_type`."""

    def encode(column: pa.Array) -> pa.Array:
        typed = column.cast(arrow_type)
        valid = typed.is_valid() if typed.null_count else None
        numbers = typed.cast(storage or arrow_type)
        if valid is not None:
            numbers = pc.fill_null(numbers, 0)
        values = numbers.to_numpy()
        if shift:
            values = values - shift
        payload = values.astype(numpy_type).view(np.uint8).reshape(len(column), -1)
        return _fields(payload, valid)

    return encode


def _boolean(column: pa.Array) -> pa.Array:
    typed = column.cast(pa.bool_())
    valid = typed.is_valid() if typed.null_count else None
    values = pc.fill_null(typed, False) if valid is not None else typed
    payload = values.to_numpy(zero_copy_only=False).astype(np.uint8).reshape(-1, 1)
    return _fields(payload, valid)


def _text(column: pa.Array) -> pa.Array:
    data = column.cast(pa.string()).cast(pa.binary())
    lengths = pc.fill_null(pc.binary_length(data), -1).to_numpy().astype(">i4")
    prefix = pa.FixedSizeBinaryArray.from_buffers(
        pa.binary(4), len(column), [None, pa.py_buffer(lengths.view(np.uint8))]
    ).cast(pa.binary())
    return pc.binary_join_element_wise(
        prefix, data, b"", null_handling="replace", null_replacement=b""
    )


ENCODERS: dict[str, Encoder] = {
    "text": _text,
    "varchar": _text,
    "bpchar": _text,
    "int8": _fixed(pa.int64(), ">i8"),
    "int4": _fixed(pa.int32(), ">i4"),
    "int2": _fixed(pa.int16(), ">i2"),
    "float8": _fixed(pa.float64(), ">f8"),
    "float4": _fixed(pa.float32(), ">f4"),
    "bool": _boolean,
    "date": _fixed(pa.date32(), ">i4", _EPOCH_DAYS, pa.int32()),
    "timestamp": _fixed(pa.timestamp("us"), ">i8", _EPOCH_MICROS, pa.int64()),
}


@dataclass(frozen=True, slots=True)
class BinaryRows:
    """Encodes batches whose columns are, in order, those of a COPY column list."""

    encoders: tuple[Encoder, ...]

    @classmethod
    def for_types(cls, types: Sequence[str]) -> BinaryRows | None:
        """For the COPY's columns' PostgreSQL type names; None if one has no encoder."""
        found = [ENCODERS.get(name.lower()) for name in types]
        if any(encoder is None for encoder in found):
            return None
        return cls(tuple(encoder for encoder in found if encoder is not None))

    @classmethod
    def for_columns(cls, types: Mapping[str, str], names: Sequence[str]) -> BinaryRows | None:
        return cls.for_types([types[name] for name in names]) if set(names) <= set(types) else None

    def encode(self, batch: pa.RecordBatch) -> pa.Buffer:
        if batch.num_columns != len(self.encoders):
            raise ValueError(f"{batch.num_columns} columns for {len(self.encoders)} encoders")
        if batch.num_rows == 0:
            return pa.py_buffer(b"")
        count = pa.scalar(len(self.encoders).to_bytes(2, "big"), pa.binary())
        fields = [
            encode(column) for encode, column in zip(self.encoders, batch.columns, strict=True)
        ]
        rows = pc.binary_join_element_wise(count, *fields, b"")
        offsets = np.frombuffer(
            rows.buffers()[1], dtype=np.int32, count=len(rows) + 1, offset=4 * rows.offset
        )
        return rows.buffers()[2].slice(int(offsets[0]), int(offsets[-1] - offsets[0]))
