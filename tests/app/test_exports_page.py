"""The /exports/ page for people: every format of each base (Parquet, GeoJSON where there are places) with
its size in a unit that fits, and each base's licences."""
from __future__ import annotations

import re

from app.cli import cli
from app.views.exports import filesize

from .export_helpers import stock


def test_sizes_read_in_bytes_kb_mb_and_gb():
    assert [filesize(n) for n in (0, 1, 900, 1024, 12_600, 1_048_575, 5_000_000, 3 * 1024 ** 3)] == [
        "0 bytes", "1 byte", "900 bytes", "1.0 KB", "12.3 KB", "1.0 MB", "4.8 MB", "3.0 GB"]


def test_the_page_lists_parquet_and_geojson_with_sizes_and_licences(db, client, runner):
    stock(db)
    assert runner.invoke(cli, ["export", "build"]).exit_code == 0
    page = client.get("/exports/", headers={"Accept": "text/html"}).text
    assert "/exports/joconde.parquet" in page and "/exports/joconde.geojson.gz" in page
    assert "/exports/memoire.geojson" not in page  # no places in Mémoire
    assert "0.0 MB" not in page and re.search(r"\(\d+(\.\d)? (bytes|KB|MB)\)", page)
    assert "7 without a place left out" in page  # Mérimée's samples have no coordinates
    assert 'id="merimee"' in page and "Licence Ouverte 2.0</a>" in page
