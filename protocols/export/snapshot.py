"""Full-base snapshot files: every format of a base written in one pass over its notices, each with its gzip
twin, atomically (written under a temporary name, fsynced, then renamed), and a manifest of all snapshots.

A reader never sees a half-written file: until the rename, the previous snapshot stays in place (and a
download already under way keeps reading the file it opened).

Crash safety: temporary files are named `.{name}.tmp-{pid}`. A build holds `build_lock` on the directory
(an exclusive `flock` of `.build.lock`) for its whole run, so when it starts, every temporary file there is
the leftover of a build that was killed, and `sweep_temporary` removes it (a pid check would not do: in a
container, every build may run under the same pid).
"""
from __future__ import annotations

import fcntl
import gzip
import hashlib
import json
import os
import re
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

from .layout import Encoder, ExportedNotice, SharedBatch
from .writers import batches, get_export_format

MANIFEST = "manifest.json"
LOCK = ".build.lock"
TEMPORARY = re.compile(r"\..+\.tmp-[0-9]+")  # what temporary_path names


class BuildInProgress(Exception):
    """Another build holds the directory's lock."""


def temporary_path(directory: Path, name: str) -> Path:
    """Where `name` is written before its rename: hidden, and recognisably temporary (`TEMPORARY`)."""
    return directory / f".{name}.tmp-{os.getpid()}"


@contextmanager
def build_lock(directory: str | Path) -> Iterator[Path]:
    """Hold the directory's build lock (released when the process ends, however it ends); BuildInProgress
    at once if another process holds it."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / LOCK
    with open(path, "a") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildInProgress(f"another build is writing into {directory} (it holds {path})") from None
        try:
            yield directory
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def sweep_temporary(directory: str | Path) -> list[Path]:
    """Remove the temporary files left in `directory` by killed builds (call it holding `build_lock`)."""
    removed = []
    for path in Path(directory).iterdir():
        if TEMPORARY.fullmatch(path.name) and path.is_file():
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


@dataclass(frozen=True)
class SnapshotFile:
    """One written snapshot (a base in one format) and its gzip twin (none for a format without one, such as
    Parquet: `gzip_path` and `gzip_sha256` empty, `gzip_bytes` 0)."""

    base: str
    format: str
    path: str
    records: int
    bytes: int
    sha256: str
    gzip_path: str
    gzip_bytes: int
    gzip_sha256: str
    left_out: int = 0  # notices read but not written (GeoJSON: those without a place)


class _HashingFile:
    """Counts and hashes what is written through it (the gzip stream's output)."""

    def __init__(self, handle):
        self.handle = handle
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.sha256.update(data)
        self.size += len(data)
        return self.handle.write(data)

    def flush(self) -> None:
        self.handle.flush()


class _Output:
    """One snapshot file and its gzip twin, being written under temporary names."""

    def __init__(self, directory: Path, name: str, encoder: Encoder, level: int, twin: bool = True):
        self.encoder = encoder
        self.final = directory / name
        self.final_gz = directory / (name + ".gz")
        self.temp = temporary_path(directory, name)
        self.temp_gz = temporary_path(directory, name + ".gz")
        self.plain = open(self.temp, "wb")
        self.gz_file = _HashingFile(open(self.temp_gz, "wb")) if twin else None
        # mtime=0 and no file name: the same content always gives the same .gz bytes (and sha256).
        self.gz = (gzip.GzipFile(filename="", fileobj=self.gz_file, mode="wb", compresslevel=level, mtime=0)
                   if twin else None)
        self.sha256 = hashlib.sha256()
        self.size = 0

    def _handles(self) -> list:
        return [self.plain] + ([self.gz_file.handle] if self.gz_file else [])

    def add(self, data: bytes) -> None:
        self.sha256.update(data)
        self.size += len(data)
        self.plain.write(data)
        if self.gz:
            self.gz.write(data)

    def close(self) -> None:
        if self.gz:
            self.gz.close()
        for handle in self._handles():
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()

    def discard(self) -> None:
        for handle in self._handles():
            handle.close()
        for path in (self.temp, self.temp_gz):
            path.unlink(missing_ok=True)

    def commit(self) -> None:
        os.replace(self.temp, self.final)
        if self.gz_file:
            os.replace(self.temp_gz, self.final_gz)


def write_snapshots(
    directory: str | Path, base: str, encoders: Mapping[str, Encoder], notices: Iterable[ExportedNotice],
    *, level: int = 6,
) -> dict[str, SnapshotFile]:
    """Write `{base}.{extension}` and its `.gz` for every encoder (keyed by export format name) in one pass
    over `notices`. On any error, the temporary files are removed and the previous snapshots stay untouched."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    outputs: dict[str, _Output] = {}
    records = 0
    try:
        for fmt, encoder in encoders.items():
            export_format = get_export_format(fmt)
            outputs[fmt] = output = _Output(directory, export_format.filename(base), encoder, level,
                                            twin=export_format.gzip_twin)
            output.add(encoder.head())
        for batch in map(SharedBatch, batches(notices)):  # what several encoders derive, derived once
            records += len(batch)
            for output in outputs.values():
                output.add(output.encoder.rows(batch))
        for output in outputs.values():
            output.add(output.encoder.tail())
            output.close()
    except BaseException:
        for output in outputs.values():
            output.discard()
        raise
    for output in outputs.values():
        output.commit()
    # `records` are the notices read; an encoder that leaves some out (GeoJSON: those without a place) says
    # how many (`left_out`).
    return {
        fmt: SnapshotFile(base=base, format=fmt, path=str(o.final), records=records,
                          left_out=getattr(o.encoder, "left_out", 0),
                          bytes=o.size, sha256=o.sha256.hexdigest(),
                          gzip_path=str(o.final_gz) if o.gz_file else "", gzip_bytes=o.gz_file.size if o.gz_file else 0,
                          gzip_sha256=o.gz_file.sha256.hexdigest() if o.gz_file else "")
        for fmt, o in outputs.items()
    }


def write_manifest(directory: str | Path, entries: Iterable[Mapping[str, Any]], generated_at: datetime) -> Path:
    """`manifest.json`: every snapshot of the directory with its record count, sizes, sha256s, generation time
    and source high-water datestamp — what a mirror needs to check its copies. Written atomically."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    body = {"generated_at": _iso(generated_at), "snapshots": [_jsonable(entry) for entry in entries]}
    path = directory / MANIFEST
    temp = temporary_path(directory, MANIFEST)
    with open(temp, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(body, ensure_ascii=False, indent=1) + "\n")
        handle.flush()
        os.fsync(handle.fileno())  # on disk before the rename, as the snapshot files are
    os.replace(temp, path)
    return path


def _iso(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def _jsonable(entry: Mapping[str, Any] | SnapshotFile) -> dict[str, Any]:
    data = asdict(entry) if isinstance(entry, SnapshotFile) else dict(entry)
    return {key: _iso(value) if isinstance(value, datetime) else value for key, value in data.items()}
