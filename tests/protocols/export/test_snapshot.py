"""Snapshot files: one pass writes every format and its gzip twin, atomically, reproducibly."""
from __future__ import annotations

import gzip
import hashlib
import json

import pytest

from formats.bases import BASES
from formats.notice import validate_notice
from protocols.export.snapshot import write_manifest, write_snapshots
from protocols.export.layout import Layout
from protocols.export.writers import EXPORT_FORMATS, make_encoder, stream

from .data import variants

BASE = BASES["museo"]


def encoders():
    return {fmt: make_encoder(fmt, Layout.full(BASE)) for fmt in EXPORT_FORMATS}


def test_snapshots_hold_the_streamed_bytes_with_sizes_and_hashes(tmp_path):
    items = [validate_notice(BASE, raw) for raw in variants(BASE, 5)]
    written = write_snapshots(tmp_path, "museo", encoders(), iter(items))
    for fmt, info in written.items():
        data = (tmp_path / f"museo.{fmt}").read_bytes()
        assert data == b"".join(stream(make_encoder(fmt, Layout.full(BASE)), items))
        assert (info.records, info.bytes, info.sha256) == (5, len(data), hashlib.sha256(data).hexdigest())
        if not EXPORT_FORMATS[fmt].gzip_twin:  # Parquet: compressed inside, no .gz twin
            assert (info.gzip_path, info.gzip_bytes) == ("", 0)
            continue
        packed = (tmp_path / f"museo.{fmt}.gz").read_bytes()
        assert gzip.decompress(packed) == data
        assert (info.gzip_bytes, info.gzip_sha256) == (len(packed), hashlib.sha256(packed).hexdigest())
    again = write_snapshots(tmp_path, "museo", encoders(), iter(items))
    assert again == written  # same notices, same bytes, same .gz (no timestamp inside)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"museo.{fmt}{gz}" for fmt in EXPORT_FORMATS for gz in ("", ".gz") if not gz or EXPORT_FORMATS[fmt].gzip_twin)


def test_a_failed_build_leaves_the_previous_snapshot_and_no_temporary_file(tmp_path):
    items = [validate_notice(BASE, raw) for raw in variants(BASE, 3)]
    write_snapshots(tmp_path, "museo", encoders(), iter(items))
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def failing():
        yield items[0]
        raise OSError("disk full")

    with pytest.raises(OSError):
        write_snapshots(tmp_path, "museo", encoders(), failing())
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_manifest_lists_snapshots(tmp_path):
    from datetime import datetime

    path = write_manifest(tmp_path, [{"base": "museo", "format": "csv", "records": 3,
                                      "generated_at": datetime(2024, 1, 2, 3, 4, 5)}], datetime(2024, 1, 2))
    body = json.loads(path.read_text())
    assert body["snapshots"][0]["generated_at"] == "2024-01-02T03:04:05Z"


def test_a_build_lock_is_exclusive_and_the_sweep_removes_only_temporary_files(tmp_path):
    from protocols.export.snapshot import BuildInProgress, build_lock, sweep_temporary

    kept = ["museo.csv", "manifest.json", ".build.lock", ".hidden", "notes.tmp-1"]
    swept = [".museo.csv.tmp-4242", ".museo.csv.gz.tmp-1", ".manifest.json.tmp-77"]
    for name in kept + swept:
        (tmp_path / name).write_bytes(b"x")
    with build_lock(tmp_path):
        with pytest.raises(BuildInProgress):
            with build_lock(tmp_path):
                pass
        assert sorted(p.name for p in sweep_temporary(tmp_path)) == sorted(swept)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(kept)
    with build_lock(tmp_path):  # released
        pass
