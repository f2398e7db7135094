"""export → `pop import` into an empty store → export gives the same bytes, for every base and format (the real
samples and their quirky variants), and `pop import` applies the tombstones of `deleted=include`."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from app.cli import cli
from store.notices import write_notices
from formats.bases import BASES
from formats.notice import validate_notice
from tests.protocols.export.data import variants

from .export_helpers import published, stock

VARIANTS = {  # file name suffix → (URL name suffix, query string)
    "csv": ("csv", ""),
    "jsonl": ("jsonl", ""),
    "json": ("json", ""),
    "excel.csv": ("csv", "?sep=;&bom=1"),
    "csv.gz": ("csv.gz", ""),
}


def empty_store(db) -> None:
    with db.engine.begin() as connection:
        connection.execute(text("DELETE FROM rendition"))
        connection.execute(text("DELETE FROM notice"))
        connection.execute(text("DELETE FROM export_snapshot"))


def download(client, base: str, variant: str) -> bytes:
    suffix, query = VARIANTS[variant]
    response = client.get(f"/exports/{base}.{suffix}{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data()


def import_file(runner, path: Path, base: str) -> str:
    result = runner.invoke(cli, ["import", str(path), "--base", base])
    assert result.exit_code == 0, result.output
    return result.output


def test_export_import_export_is_byte_identical(db, client, runner, tmp_path):
    stock(db)
    exported = {(base, variant): download(client, base, variant) for base in BASES for variant in VARIANTS}
    for (base, variant), data in exported.items():
        (tmp_path / f"{base}.{variant}").write_bytes(data)
    for variant in VARIANTS:
        empty_store(db)
        for base in BASES:
            output = import_file(runner, tmp_path / f"{base}.{variant}", base)
            assert "created: 7, updated: 0, unchanged: 0, rejected: 0" in output, (base, variant)
        for base in BASES:
            assert download(client, base, variant) == exported[base, variant], (base, variant)


def test_snapshots_are_the_bytes_of_the_live_stream(app, db, client, runner):
    stock(db)
    live = {(base, fmt): download(client, base, fmt) for base in BASES for fmt in ("csv", "jsonl", "json")}
    result = runner.invoke(cli, ["export", "build"])
    assert result.exit_code == 0, result.output
    directory = Path(app.extensions["pop"].settings.export_dir)
    for (base, fmt), data in live.items():
        assert (directory / f"{base}.{fmt}").read_bytes() == data
        served = client.get(f"/exports/{base}.{fmt}")
        assert served.headers.get("ETag") and served.get_data() == data


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json"])
def test_import_applies_the_tombstones_of_an_export_with_deleted_notices(db, client, runner, tmp_path, fmt):
    base = BASES["merimee"]
    ref = stock(db)["merimee"]
    path = tmp_path / f"merimee.{fmt}"
    path.write_bytes(client.get(f"/exports/merimee.{fmt}?deleted=include").get_data())
    revived = next(raw for raw in variants(base, 8) if raw["REF"] == ref)
    with db.session() as session:
        write_notices(session, [validate_notice(base, revived)])
    assert ref in [r["REF"] for r in published(db, "merimee")]

    import_file(runner, path, "merimee")
    assert ref not in [r["REF"] for r in published(db, "merimee")]
    assert {"REF": ref, "_deleted": True} in published(db, "merimee", deleted=True)

    empty_store(db)  # a tombstone for a REF the store does not have changes nothing
    assert "created: 7, updated: 0, unchanged: 1, rejected: 0" in import_file(runner, path, "merimee")
    assert ref not in [r["REF"] for r in published(db, "merimee", deleted=True)]
