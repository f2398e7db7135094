"""The export formats, in one table (`EXPORT_FORMATS`: name, file extension, media type, encoder), and the
streaming loop that turns notices into byte chunks.

Adding a format is one encoder (a class following `layout.Encoder`, in its own module) and one line in the
table; the catalog, the download URLs, the query parser and the snapshot build all read the table.
Encoders: `csv_encoder` (CSV, RFC 4180, with spreadsheet options), `json_encoders` (JSON Lines, JSON),
`parquet_encoder` (Parquet, typed columns: no `.gz` twin, it is compressed inside), `geojson_encoder`
(GeoJSON, the bases with places only).
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass
from itertools import islice
from typing import Callable, Iterable, Iterator, Mapping

from formats.bases import Base

from .csv_encoder import CsvEncoder
from .geojson_encoder import GeoJsonEncoder, located
from .json_encoders import JsonEncoder, JsonLinesEncoder
from .layout import Encoder, ExportedNotice, Layout

GZIP_MEDIA_TYPE = "application/gzip"  # of every `.gz` twin
BATCH = 256  # notices encoded together: one chunk of a stream


@dataclass(frozen=True)
class ExportFormat:
    """An export format: its name (`/exports/{base}.{extension}`, the snapshot table's `format`), its file
    extension, its media type and its encoder class."""

    name: str
    extension: str
    media_type: str
    encoder: Callable[..., Encoder]  # encoder(layout) — or, when `delimited`, encoder(layout, delimiter=, bom=)
    delimited: bool = False  # takes a delimiter and a byte-order mark (the `sep` and `bom` parameters)
    gzip_twin: bool = True  # its snapshot has a `.gz` twin (not Parquet: compressed inside, gzip gains nothing)
    applies_to: Callable[[Base], bool] = lambda base: True  # the bases it exports (GeoJSON: those with places)

    def filename(self, stem: str, gzip: bool = False) -> str:
        """`{stem}.{extension}`, with `.gz` for the gzip twin."""
        return f"{stem}.{self.extension}" + (".gz" if gzip else "")

    def make_encoder(self, layout: Layout, *, delimiter: str = ",", bom: bool = False) -> Encoder:
        """A fresh encoder of one export (encoders keep state between rows: one per stream or file)."""
        if self.delimited:
            return self.encoder(layout, delimiter=delimiter, bom=bom)
        return self.encoder(layout)


# The export formats, in the order the catalog lists them. One line per format.
def _parquet_encoder(layout: Layout) -> Encoder:
    # pyarrow (with numpy) takes ~0.5 s and ~60 MB to import: only the processes that write Parquet pay it,
    # not every `pop` command nor the harvester
    from .parquet_encoder import ParquetEncoder

    return ParquetEncoder(layout)


EXPORT_FORMATS: Mapping[str, ExportFormat] = {fmt.name: fmt for fmt in (
    ExportFormat("csv", "csv", "text/csv; charset=utf-8; header=present", CsvEncoder, delimited=True),
    ExportFormat("jsonl", "jsonl", "application/jsonl; charset=utf-8", JsonLinesEncoder),
    ExportFormat("json", "json", "application/json", JsonEncoder),
    ExportFormat("parquet", "parquet", "application/vnd.apache.parquet", _parquet_encoder, gzip_twin=False),
    ExportFormat("geojson", "geojson", "application/geo+json", GeoJsonEncoder, applies_to=located),
)}


def get_export_format(name: str) -> ExportFormat:
    """The export format called `name`; ValueError for an unknown one."""
    try:
        return EXPORT_FORMATS[name]
    except KeyError:
        raise ValueError(f"unknown export format {name!r} (known: {', '.join(EXPORT_FORMATS)})") from None


def formats_of(base: Base) -> list[ExportFormat]:
    """The export formats of a base, in catalog order."""
    return [fmt for fmt in EXPORT_FORMATS.values() if fmt.applies_to(base)]


def by_extension(extension: str) -> ExportFormat | None:
    """The export format whose files end in `.{extension}` (None: none does)."""
    return next((fmt for fmt in EXPORT_FORMATS.values() if fmt.extension == extension), None)


def make_encoder(fmt: str, layout: Layout, *, delimiter: str = ",", bom: bool = False) -> Encoder:
    """A fresh encoder of export format `fmt` (its name); the CSV options are ignored by other formats."""
    return get_export_format(fmt).make_encoder(layout, delimiter=delimiter, bom=bom)


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
