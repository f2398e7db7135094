"""Export snapshots: per-base fingerprints that tell whether a snapshot is stale, the export_snapshot table,
and the build of `pop export build` (notices read through store/exports/reader.py).

A build survives being killed at any point: it runs under the directory's lock, starts by removing what a
killed build left (its temporary files) and by rewriting the manifest from the table, and after each base it
commits the rows of the files it renamed, then rewrites the manifest (temporary file, fsync, rename): the
manifest always lists files that exist and agrees with the table."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from formats.bases import get_base
from protocols.export.coverage import Coverage, CoverageGatherer
from protocols.export.query import ExportQuery
from protocols.export.snapshot import SnapshotFile, build_lock, sweep_temporary, write_manifest, write_snapshots
from protocols.export.layout import Layout
from protocols.export.writers import EXPORT_FORMATS, formats_of

from ..clock import utcnow
from ..db import Database
from ..models import ExportSnapshot, NoticeRow
from ..notices import store_version
from .reader import iter_export_rows


@dataclass(frozen=True)
class BaseState:
    """What a base's full export depends on: if the fingerprint is unchanged, so are its snapshots."""

    records: int  # published (not deleted) notices
    high_water: datetime | None  # newest datestamp, tombstones included
    fingerprint: str  # sha256 over (id, content hash, deleted) of every notice of the base


def base_state(session: Session, base: str) -> BaseState:
    """Per base (store_version is global): a write elsewhere does not make this base's snapshots stale, and a
    write here always does, even one committed late with an old datestamp."""
    digest = hashlib.sha256()
    records = 0
    rows = session.execute(
        select(NoticeRow.id, NoticeRow.content_hash, NoticeRow.deleted)
        .where(NoticeRow.base == base).order_by(NoticeRow.id).execution_options(yield_per=10_000)
    )
    for notice_id, content_hash, deleted in rows:
        digest.update(f"{notice_id}:{content_hash}:{int(deleted)}\n".encode("ascii"))
        records += not deleted
    high_water = session.execute(select(func.max(NoticeRow.datestamp)).where(NoticeRow.base == base)).scalar()
    return BaseState(records=records, high_water=high_water, fingerprint=digest.hexdigest())


def snapshots(session: Session) -> dict[tuple[str, str], ExportSnapshot]:
    return {(row.base, row.format): row for row in session.scalars(select(ExportSnapshot))}


def snapshot(session: Session, base: str, fmt: str) -> ExportSnapshot | None:
    return session.scalars(
        select(ExportSnapshot).where(ExportSnapshot.base == base, ExportSnapshot.format == fmt)).one_or_none()


def save_snapshot(
    session: Session, written: SnapshotFile, *, state: BaseState, generated_at: datetime, state_version: int,
    coverage: Coverage | None = None,
) -> ExportSnapshot:
    row = snapshot(session, written.base, written.format) or ExportSnapshot(base=written.base, format=written.format)
    row.path = written.path
    row.records = written.records
    row.left_out = written.left_out
    row.bytes = written.bytes
    row.sha256 = written.sha256
    row.gzip_bytes = written.gzip_bytes
    row.gzip_sha256 = written.gzip_sha256
    row.generated_at = generated_at
    row.high_water = state.high_water
    row.state_version = state_version
    row.fingerprint = state.fingerprint
    row.coverage_start = coverage.start if coverage else None
    row.coverage_end = coverage.end if coverage else None
    session.add(row)
    return row


@dataclass(frozen=True)
class BuildResult:
    base: str
    built: bool  # False: unchanged since the last build, not rewritten
    records: int


def build_snapshots(
    db: Database, directory: str | Path, bases: Iterable[str], *, force: bool = False,
    progress: Callable[[int], None] | None = None,
) -> list[BuildResult]:
    """Write the snapshots of `bases` whose published notices changed since their last build (all with
    `force`), each followed by the manifest of every snapshot. `BuildInProgress` if another build holds the
    directory."""
    directory = Path(directory)
    with build_lock(directory):
        sweep_temporary(directory)  # the leftovers of killed builds: no other build is writing here
        write_snapshot_manifest(db, directory)
        results = []
        for name in bases:
            result = _build_base(db, directory, name, force=force, progress=progress)
            if result.built:
                write_snapshot_manifest(db, directory)  # after the rows are committed: it agrees with them
            results.append(result)
    return results


def _build_base(db: Database, directory: Path, name: str, *, force: bool,
                progress: Callable[[int], None] | None) -> BuildResult:
    base = get_base(name)
    with db.session() as session:
        # The state is read before the notices: a write landing in between makes the next build redo
        # this base, never leaves it stale.
        state = base_state(session, name)
        version = store_version(session)
        built = snapshots(session)
        existing = [(fmt, built.get((name, fmt.name))) for fmt in formats_of(base)]
        fresh = all(row is not None and row.fingerprint == state.fingerprint
                    and _size(directory / fmt.filename(name)) == row.bytes
                    and (not fmt.gzip_twin or _size(directory / fmt.filename(name, gzip=True)) == row.gzip_bytes)
                    for fmt, row in existing)
        if fresh and not force:
            return BuildResult(name, False, state.records)
        generated_at = utcnow()
        layout = Layout.full(base)
        coverage = CoverageGatherer(base, until_year=generated_at.year)  # the years of the notices it reads
        rows = coverage.notices(iter_export_rows(session, ExportQuery(base=base, format="csv")))
        if progress:
            rows = _counting(rows, progress)
        encoders = {fmt.name: fmt.make_encoder(layout) for fmt in formats_of(base)}
        written = write_snapshots(directory, name, encoders, rows)
        # Files first, then their rows (committed when the session ends): the rows describe files that exist.
        for snapshot_file in written.values():
            save_snapshot(session, snapshot_file, state=state, generated_at=generated_at, state_version=version,
                          coverage=coverage.coverage)
    return BuildResult(name, True, state.records)


def write_snapshot_manifest(db: Database, directory: str | Path) -> Path:
    """`manifest.json` from the export_snapshot table, as committed."""
    order = list(EXPORT_FORMATS)
    with db.session() as session:
        # a row of a format no longer in the registry (a downgrade) describes nothing served: left out
        saved = sorted((row for row in snapshots(session).values() if row.format in EXPORT_FORMATS),
                       key=lambda r: (r.base, order.index(r.format)))
    return write_manifest(directory, [_manifest_entry(row) for row in saved], utcnow())


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None


def _manifest_entry(row: ExportSnapshot) -> dict:
    fmt = EXPORT_FORMATS[row.format]
    return {"base": row.base, "format": row.format, "file": fmt.filename(row.base), "records": row.records,
            "left_out": row.left_out,
            "bytes": row.bytes, "sha256": row.sha256,
            "gzip_file": fmt.filename(row.base, gzip=True) if fmt.gzip_twin else None,
            "gzip_bytes": row.gzip_bytes if fmt.gzip_twin else None,
            "gzip_sha256": row.gzip_sha256 if fmt.gzip_twin else None, "generated_at": row.generated_at,
            "high_water": row.high_water}


def _counting(rows, progress: Callable[[int], None]):
    count = 0
    for row in rows:
        yield row
        count += 1
        if count % 1000 == 0:
            progress(1000)
    progress(count % 1000)


def latest_datestamps(session: Session) -> dict[str, datetime]:
    """The newest datestamp of each base (tombstones included: a deletion changes the base): the DCAT
    catalog's `dct:modified`."""
    rows = session.execute(select(NoticeRow.base, func.max(NoticeRow.datestamp)).group_by(NoticeRow.base))
    return {base: latest for base, latest in rows if latest is not None}
