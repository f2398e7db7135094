"""`pop import`: read notices from a JSON Lines, JSON or CSV file (the shapes exports write) into the store.

A record carrying the export marker `_deleted: true` (JSON) or `_deleted` = `true` (CSV column), as
`/exports/{base}.{format}?deleted=include` writes tombstones, deletes that REF from the store (a tombstone
for a REF the store does not have, or has already deleted, changes nothing); `_deleted` empty or false is
a live notice. The marker is not a field: it is never stored.

All-or-nothing: the whole file is written in one transaction, so a file with any rejected record stores
nothing (unless `partial=True`, which stores the valid records and reports the others). Importing the same
file twice changes nothing, datestamps included. Memory stays flat: records are streamed in batches.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterator

import ijson
from sqlalchemy import select
from sqlalchemy.orm import Session

from formats.bases import Base
from formats.notice import InvalidNotice, validate_notice
from formats.tabular import decode_row

from .db import Database
from .models import NoticeRow
from .clock import utcnow
from .notices import WriteSummary, delete_notices, write_notices
from .packing import ensure_dictionaries

DELETED_MARKER = "_deleted"  # protocols.export.writers.DELETED_MARKER

FORMATS = ("jsonl", "json", "csv")


class ImportError_(Exception):
    """The file itself cannot be read (not one bad record: those are rejections)."""


@dataclass
class RawRecord:
    position: str  # "line 12" / "record 3" / "row 7", for the report
    fields: dict[str, Any] | None
    error: str | None = None


def detect_format(path: Path) -> str:
    name = path.name.lower()
    for suffix in (".gz",):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    for fmt in FORMATS:
        if name.endswith("." + fmt) or (fmt == "jsonl" and name.endswith(".ndjson")):
            return fmt
    raise ImportError_(f"cannot tell the format of {path.name}: name it .jsonl, .json or .csv, or pass --format")


def _open(path: Path) -> io.BufferedIOBase:
    """The file's bytes (gunzipped for .gz), past a UTF-8 byte order mark if it has one."""
    if path.name.lower().endswith(".gz"):
        import gzip

        handle = gzip.open(path, "rb")
    else:
        handle = open(path, "rb")
    if handle.read(3) != b"\xef\xbb\xbf":
        handle.seek(0)
    return handle


def read_records(path: Path, fmt: str, base: Base) -> Iterator[RawRecord]:
    """Stream the raw records of a file. A record that cannot be parsed is yielded with its error."""
    try:
        handle = _open(path)
    except OSError as error:
        raise ImportError_(f"cannot open {path}: {error.strerror}") from None
    with handle:
        text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
        try:
            if fmt == "jsonl":
                yield from _read_jsonl(text)
            elif fmt == "json":
                yield from _read_json(handle)
            else:
                yield from _read_csv(text, base)
        except UnicodeDecodeError as error:
            raise ImportError_(f"{path.name} is not UTF-8 text ({error.reason} at byte {error.start})") from None


def _read_jsonl(handle) -> Iterator[RawRecord]:
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            yield RawRecord(f"line {number}", None, f"not JSON: {error.msg} (column {error.colno})")
            continue
        yield RawRecord(f"line {number}", record)


def _read_json(handle) -> Iterator[RawRecord]:
    number = 0
    try:
        for number, record in enumerate(ijson.items(handle, "item", use_float=True), start=1):
            yield RawRecord(f"record {number}", record)
    except ijson.JSONError as error:
        raise ImportError_(f"not a JSON array of notices (after record {number}): {error}") from None


def _read_csv(handle, base: Base) -> Iterator[RawRecord]:
    first = handle.readline()
    delimiter = ","
    if first.lower().startswith("sep=") and len(first.strip()) == 5:
        delimiter = first.strip()[4]  # the spreadsheet hint line written with sep=;
        first = ""
    reader = csv.reader(_chain(first, handle), delimiter=delimiter, strict=True)
    rows = _csv_rows(reader)
    header = next(rows, None)
    if header is None:
        return
    for row in rows:
        position = f"line {reader.line_num}"
        if len(row) != len(header):
            yield RawRecord(position, None, f"{len(row)} cells where the header has {len(header)}")
            continue
        try:
            yield RawRecord(position, decode_row(base, header, row))
        except ValueError as error:
            yield RawRecord(position, None, str(error))


def _csv_rows(reader) -> Iterator[list[str]]:
    """The rows of a csv.reader; a malformed one ends the file (csv cannot find the next row after it)."""
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            where = "header" if reader.line_num <= 1 else f"at line {reader.line_num}"
            raise ImportError_(f"unreadable CSV {where}: {error}") from None


def _chain(first: str, handle) -> Iterator[str]:
    if first:
        yield first
    yield from handle


def import_file(
    db: Database,
    path: Path,
    base: Base,
    *,
    fmt: str | None = None,
    partial: bool = False,
    batch_size: int = 1000,
    progress: Callable[[int], None] | None = None,
) -> WriteSummary:
    """Import a file into `base`; see the module docstring for the rules. Returns what was (or would have
    been) done; when anything is rejected and not `partial`, nothing is stored and created/updated are 0."""
    fmt = fmt or detect_format(path)
    total = WriteSummary()
    now = utcnow()
    with db.session() as session:
        batch: list = []
        tombstones: list[str] = []

        def flush() -> None:
            total.add(write_notices(session, batch, now=now))
            if tombstones:
                total.add(_apply_tombstones(session, base, tombstones, now))
            session.flush()
            batch.clear()
            tombstones.clear()

        for record in read_records(path, fmt, base):
            tombstone = _tombstone_ref(record)
            if record.error is not None:
                total.reject(None, f"{record.position}: {record.error}")
            elif tombstone is not None:
                tombstones.append(tombstone)
            else:
                try:
                    batch.append(validate_notice(base, record.fields))
                except InvalidNotice as error:
                    total.reject(error.ref, f"{record.position}: {error.reason}")
            if len(batch) + len(tombstones) >= batch_size:
                flush()
            if progress:
                progress(1)
        flush()
        if total.rejected_count and not partial:
            session.rollback()
            return WriteSummary(rejected=total.rejected, unlisted_rejections=total.unlisted_rejections)
    ensure_dictionaries(db.engine, db.renderers.prefixes, db.packer, force=True)  # once there are enough renditions
    return total


def _tombstone_ref(record: RawRecord) -> str | None:
    """The REF of a tombstone record; removes the marker from a live one."""
    if record.fields is None or not isinstance(record.fields, dict) or DELETED_MARKER not in record.fields:
        return None
    marker = record.fields.pop(DELETED_MARKER)
    if marker is True or marker == "true":
        ref = record.fields.get("REF")
        if not isinstance(ref, str) or not ref:
            record.error = "a deleted notice (_deleted) without a REF"
            return None
        return ref
    if marker in (False, "false", ""):
        return None
    record.error = f"_deleted must be true or false, not {marker!r}"
    return None


def _apply_tombstones(session: Session, base: Base, refs: list[str], now: datetime) -> WriteSummary:
    present = set(session.scalars(select(NoticeRow.ref).where(
        NoticeRow.base == base.name, NoticeRow.ref.in_(refs), NoticeRow.deleted.is_(False))))
    summary = delete_notices(session, base.name, [ref for ref in refs if ref in present], now=now)
    summary.unchanged += sum(ref not in present for ref in refs)
    return summary
