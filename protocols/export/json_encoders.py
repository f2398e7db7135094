"""The JSON export encoders.

- JSON Lines: one notice per line, an object of its published fields (multi-valued fields as arrays),
  compact, UTF-8 (non-ASCII characters as they are), keys in dictionary order.
- JSON: one array of those objects, one per line.
A tombstone (`deleted=include`) is `{"REF": …, "_deleted": true}`.
"""
from __future__ import annotations

from typing import Sequence

import orjson

from .layout import ExportedNotice, Layout

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
