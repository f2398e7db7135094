"""Encoders of the three export formats, and the streaming loop that turns notices into byte chunks.

Every encoder writes `public_view(base, fields)` of a notice, projected on the export's columns: the
non-diffusable and internal fields of a base cannot reach an export, whatever the columns asked.

- CSV: UTF-8, RFC 4180 (byte for byte what Python's `csv` module writes: `,`, `"` quoting when needed,
  CRLF), a header row of field codes, one column per published field in the base's dictionary order; cells
  encoded by `formats.tabular` (multi-values joined by `|`, `|` and `\\` inside values escaped with `\\`).
  Options for spreadsheets: a `;` delimiter announced by a first line `sep=;`, and a byte-order mark.
- JSON Lines: one notice per line, an object of its published fields (multi-valued fields as arrays),
  compact, UTF-8 (non-ASCII characters as they are), keys in dictionary order.
- JSON: one array of those objects, one per line.

With tombstones included, a deleted notice is a row carrying only its REF and the marker `_deleted`
(`true` in JSON; a trailing `_deleted` column holding `true` in CSV, empty for live notices).
"""
from __future__ import annotations

import csv
import io
import re
import zlib
from itertools import compress, islice
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
BATCH = 256  # notices encoded together: one chunk of a stream


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
    def rows(self, notices: Sequence[ExportedNotice]) -> bytes: ...  # several rows at once: less overhead
    def tail(self) -> bytes: ...


class _Lines(io.StringIO):
    """csv.writer's file: what it wrote since the last `take()`."""

    def take(self) -> str:
        text = self.getvalue()
        self.seek(0)
        self.truncate()
        return text


class CsvEncoder:
    """Rows are written by hand, byte for byte what `csv.writer(delimiter=…, lineterminator="\\r\\n")` writes
    (QUOTE_MINIMAL, doubled quotes): cells joined by the delimiter, and only a cell holding the delimiter, a `"`,
    a CR or a LF quoted, its quotes doubled. Most rows need no quoting at all, which one look at the joined row
    tells (no `"`, CR or LF, and exactly one delimiter per cell boundary). Cells come from `row_encoder` on the
    stored fields: it only visits the layout's columns, all published, so hidden fields are skipped by
    construction, without building the public view. tests/protocols/export/test_writers.py checks these rows
    against the csv module's."""

    def __init__(self, layout: Layout, *, delimiter: str = ",", bom: bool = False):
        self.layout = layout
        self.delimiter = delimiter
        self.bom = bom
        self._sink = _Lines()
        self._writer = csv.writer(self._sink, delimiter=delimiter, lineterminator="\r\n")
        self._width = len(layout.columns) + (1 if layout.include_deleted else 0)
        self._encode = row_encoder(layout.base, layout.columns)
        self._ref_index = layout.columns.index("REF")
        self._needs_quotes = re.compile("[" + re.escape(delimiter) + '"\r\n]').search

    def head(self) -> bytes:
        header = list(self.layout.columns) + ([DELETED_MARKER] if self.layout.include_deleted else [])
        self._writer.writerow(header)
        prefix = (BOM if self.bom else "") + (f"sep={self.delimiter}\r\n" if self.delimiter != "," else "")
        return (prefix + self._sink.take()).encode("utf-8")

    def _cells(self, notice: ExportedNotice) -> list[str]:
        if notice.deleted:
            cells = [""] * self._width
            cells[self._ref_index] = notice.ref
            cells[-1] = "true"
            return cells
        cells = self._encode(notice.fields)
        if self.layout.include_deleted:
            cells.append("")
        return cells

    def _line(self, cells: list[str]) -> str:
        delimiter = self.delimiter
        line = delimiter.join(cells)
        if not line:  # one empty cell: csv.writer quotes it, or the row would read as a blank line
            return '""'
        if '"' not in line and "\r" not in line and "\n" not in line and line.count(delimiter) == len(cells) - 1:
            return line
        for position in compress(range(len(cells)), map(self._needs_quotes, cells)):
            cells[position] = '"' + cells[position].replace('"', '""') + '"'
        return delimiter.join(cells)

    def row(self, notice: ExportedNotice) -> bytes:
        return self.rows([notice])

    def rows(self, notices: Sequence[ExportedNotice]) -> bytes:
        line, cells = self._line, self._cells
        return "".join([line(cells(notice)) + "\r\n" for notice in notices]).encode("utf-8")

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

    def rows(self, notices: Sequence[ExportedNotice]) -> bytes:
        record = self.layout.record
        return b"".join([_json(record(notice), option=orjson.OPT_APPEND_NEWLINE) for notice in notices])

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

    def rows(self, notices: Sequence[ExportedNotice]) -> bytes:
        if not notices:
            return b""
        record = self.layout.record
        data = b",\n".join([_json(record(notice)) for notice in notices])
        separator = b"\n" if self._first else b",\n"
        self._first = False
        return separator + data

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


def batches(notices: Iterable[ExportedNotice], size: int = BATCH) -> Iterator[list[ExportedNotice]]:
    iterator = iter(notices)
    while batch := list(islice(iterator, size)):
        yield batch


def stream(encoder: Encoder, notices: Iterable[ExportedNotice], batch: int = BATCH) -> Iterator[bytes]:
    """The export as byte chunks (one per batch of notices). The head comes first, alone, so an HTTP response
    starts at once; an error while reading notices propagates (the caller aborts the download), it is never
    written as data."""
    yield encoder.head()
    for group in batches(notices, batch):
        yield encoder.rows(group)
    tail = encoder.tail()
    if tail:
        yield tail


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
