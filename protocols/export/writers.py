"""Encoders of the three export formats, and the streaming loop that turns notices into byte chunks.

Every encoder writes `public_view(base, fields)` of a notice, projected on the export's columns: the
non-diffusable and internal fields of a base cannot reach an export, whatever the columns asked.

- CSV: UTF-8, RFC 4180 (Python's `csv` module: `,`, `"` quoting when needed, CRLF), a header row of field
  codes, one column per published field in the base's dictionary order; cells encoded by `formats.tabular`
  (multi-values joined by `|`, `|` and `\\` inside values escaped with `\\`). Options for spreadsheets: a
  `;` delimiter announced by a first line `sep=;`, and a byte-order mark.
- JSON Lines: one notice per line, an object of its published fields (multi-valued fields as arrays),
  compact, UTF-8 (non-ASCII characters as they are), keys in dictionary order.
- JSON: one array of those objects, one per line.

With tombstones included, a deleted notice is a row carrying only its REF and the marker `_deleted`
(`true` in JSON; a trailing `_deleted` column holding `true` in CSV, empty for live notices).
"""
from __future__ import annotations

import csv
import zlib
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Mapping, Protocol, Sequence

import orjson

from formats.bases import Base
from formats.notice import public_view
from formats.tabular import row_encoder

FORMATS = ("csv", "jsonl", "json")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8; header=present",
    "jsonl": "application/jsonl; charset=utf-8",
    "json": "application/json",
}
GZIP_MEDIA_TYPE = "application/gzip"
DELETED_MARKER = "_deleted"
BOM = "\ufeff"
CHUNK_SIZE = 64 * 1024  # bytes buffered before a chunk is yielded


class ExportedNotice(Protocol):
    """What an encoder needs of a notice (`formats.notice.Notice` is one)."""

    ref: str
    fields: Mapping[str, Any]
    deleted: bool


@dataclass(frozen=True)
class Layout:
    """What an export holds: the base, its columns (published codes, dictionary order), and options."""

    base: Base
    columns: tuple[str, ...]
    include_deleted: bool = False

    def __post_init__(self) -> None:
        # Belt and braces: whatever columns are asked, only published ones can be written.
        published = {f.code for f in self.base.published_fields}
        object.__setattr__(self, "columns", tuple(code for code in self.columns if code in published))

    @classmethod
    def full(cls, base: Base, include_deleted: bool = False) -> "Layout":
        return cls(base, tuple(f.code for f in base.published_fields), include_deleted)

    @property
    def is_full(self) -> bool:
        return len(self.columns) == len(self.base.published_fields)

    def record(self, notice: ExportedNotice) -> dict[str, Any]:
        """The exported object of a notice: its public view on the layout's columns (or its tombstone)."""
        if notice.deleted:
            return {"REF": notice.ref, DELETED_MARKER: True}
        view = public_view(self.base, notice.fields)
        if self.is_full:
            return view
        return {code: view[code] for code in self.columns if code in view}


class Encoder(Protocol):
    """Turns notices into the bytes of one format: `head()`, then `row(notice)` for each, then `tail()`."""

    layout: Layout

    def head(self) -> bytes: ...
    def row(self, notice: ExportedNotice) -> bytes: ...
    def tail(self) -> bytes: ...


class _Lines:
    """A file-like sink for csv.writer: keeps what it is given."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def take(self) -> str:
        text = "".join(self.parts)
        self.parts.clear()
        return text


class CsvEncoder:
    def __init__(self, layout: Layout, *, delimiter: str = ",", bom: bool = False):
        self.layout = layout
        self.delimiter = delimiter
        self.bom = bom
        self._sink = _Lines()
        self._writer = csv.writer(self._sink, delimiter=delimiter, lineterminator="\r\n")
        self._empty = [""] * len(layout.columns)
        self._encode = row_encoder(layout.base, layout.columns)
        self._ref_index = layout.columns.index("REF")

    def head(self) -> bytes:
        header = list(self.layout.columns) + ([DELETED_MARKER] if self.layout.include_deleted else [])
        self._writer.writerow(header)
        prefix = (BOM if self.bom else "") + (f"sep={self.delimiter}\r\n" if self.delimiter != "," else "")
        return (prefix + self._sink.take()).encode("utf-8")

    def row(self, notice: ExportedNotice) -> bytes:
        layout = self.layout
        if notice.deleted:
            cells = list(self._empty)
            cells[self._ref_index] = notice.ref
            cells.append("true")
        else:
            cells = self._encode(public_view(layout.base, notice.fields))
            if layout.include_deleted:
                cells.append("")
        self._writer.writerow(cells)
        return self._sink.take().encode("utf-8")

    def tail(self) -> bytes:
        return b""


# orjson: compact UTF-8 JSON, keys in insertion (dictionary) order, several times faster than the json module.
_json = orjson.dumps


class JsonLinesEncoder:
    def __init__(self, layout: Layout):
        self.layout = layout

    def head(self) -> bytes:
        return b""

    def row(self, notice: ExportedNotice) -> bytes:
        return _json(self.layout.record(notice), option=orjson.OPT_APPEND_NEWLINE)

    def tail(self) -> bytes:
        return b""


class JsonEncoder:
    """`[`, then one object per line separated by commas, then `]`: valid JSON, still readable line by line."""

    def __init__(self, layout: Layout):
        self.layout = layout
        self._first = True

    def head(self) -> bytes:
        return b"["

    def row(self, notice: ExportedNotice) -> bytes:
        separator = b"\n" if self._first else b",\n"
        self._first = False
        return separator + _json(self.layout.record(notice))

    def tail(self) -> bytes:
        return b"\n]\n"


def make_encoder(fmt: str, layout: Layout, *, delimiter: str = ",", bom: bool = False) -> Encoder:
    if fmt == "csv":
        return CsvEncoder(layout, delimiter=delimiter, bom=bom)
    if fmt == "jsonl":
        return JsonLinesEncoder(layout)
    if fmt == "json":
        return JsonEncoder(layout)
    raise ValueError(f"unknown export format {fmt!r} (known: {', '.join(FORMATS)})")


def stream(encoder: Encoder, notices: Iterable[ExportedNotice], chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """The export as byte chunks. The head comes first, alone, so an HTTP response starts at once; an error
    while reading notices propagates (the caller aborts the download), it is never written as data."""
    yield encoder.head()
    parts: list[bytes] = []
    size = 0
    row = encoder.row
    for notice in notices:
        data = row(notice)
        parts.append(data)
        size += len(data)
        if size >= chunk_size:
            yield b"".join(parts)
            parts.clear()
            size = 0
    parts.append(encoder.tail())
    yield b"".join(parts)


def gzip_stream(chunks: Iterable[bytes], level: int = 6) -> Iterator[bytes]:
    """Gzip a byte stream on the fly (a `.gz` download of a live export)."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, 31)
    for chunk in chunks:
        compressed = compressor.compress(chunk)
        if compressed:
            yield compressed
    yield compressor.flush()


def columns_of(base: Base, requested: Sequence[str] | None) -> tuple[str, ...]:
    """The export's columns: every published field, or REF plus the requested ones, in dictionary order."""
    published = [f.code for f in base.published_fields]
    if not requested:
        return tuple(published)
    wanted = set(requested) | {"REF"}
    return tuple(code for code in published if code in wanted)
