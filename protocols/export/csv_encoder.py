"""The CSV export encoder: UTF-8, RFC 4180 (byte for byte what Python's `csv` module writes: `,`, `"` quoting
when needed, CRLF), a header row of field codes, one column per published field in the base's dictionary
order; cells encoded by `formats.tabular` (multi-values joined by `|`, `|` and `\\` inside values escaped with
`\\`). Options for spreadsheets: a `;` delimiter announced by a first line `sep=;`, and a byte-order mark.
A tombstone (`deleted=include`) has a trailing `_deleted` column holding `true` (empty for live notices).
"""
from __future__ import annotations

import csv
import io
import re
from itertools import compress
from typing import Sequence

from formats.tabular import row_encoder

from .layout import DELETED_MARKER, ExportedNotice, Layout, shared_cells

BOM = "\ufeff"


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

    def _cells(self, notice: ExportedNotice, cells: list[str] | None = None) -> list[str]:
        """The row's cells; `cells`: the notice's, already encoded (a shared list: not modified here)."""
        if notice.deleted:
            cells = [""] * self._width
            cells[self._ref_index] = notice.ref
            cells[-1] = "true"
            return cells
        if cells is None:
            cells = self._encode(notice.fields)
        if self.layout.include_deleted:
            cells = cells + [""]
        return cells

    def _line(self, cells: list[str]) -> str:
        delimiter = self.delimiter
        line = delimiter.join(cells)
        if not line:  # one empty cell: csv.writer quotes it, or the row would read as a blank line
            return '""'
        if '"' not in line and "\r" not in line and "\n" not in line and line.count(delimiter) == len(cells) - 1:
            return line
        quoted = list(cells)  # `cells` may be shared with another encoder (`shared_cells`): left as it is
        for position in compress(range(len(cells)), map(self._needs_quotes, cells)):
            quoted[position] = '"' + cells[position].replace('"', '""') + '"'
        return delimiter.join(quoted)

    def row(self, notice: ExportedNotice) -> bytes:
        return self.rows([notice])

    def rows(self, notices: Sequence[ExportedNotice]) -> bytes:
        line, cells = self._line, self._cells
        shared = shared_cells(notices, self.layout, self._encode)  # a snapshot build's batch: GeoJSON's too
        if shared is not None:
            return "".join([line(cells(notice, encoded)) + "\r\n"
                            for notice, encoded in zip(notices, shared)]).encode("utf-8")
        return "".join([line(cells(notice)) + "\r\n" for notice in notices]).encode("utf-8")

    def tail(self) -> bytes:
        return b""
