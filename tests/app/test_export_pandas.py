"""What a reuser gets in pandas: every base's CSV (plain, and the spreadsheet flavour `sep=;&bom=1`), JSON Lines
and JSON, downloaded over HTTP and read with pandas' own readers, hold exactly the store's published notices —
each CSV cell as `formats.tabular` documents it, each JSON record as the notice's public view."""
from __future__ import annotations

import io
import math

import pandas
import pytest
import requests

from formats.bases import BASES, get_base
from formats.tabular import encode_row

from .export_helpers import published, stock


@pytest.fixture
def stocked(db):
    return stock(db)


def cells(base_name: str, records: list[dict]) -> list[list[str]]:
    base = get_base(base_name)
    columns = [f.code for f in base.published_fields]
    return [encode_row(base, record, columns) for record in records]


def without_missing(records: list[dict]) -> list[dict]:
    """pandas fills a field a record lacks with NaN: the record as exported has no such key."""
    return [{key: value for key, value in record.items() if not (isinstance(value, float) and math.isnan(value))}
            for record in records]


def test_every_export_reads_in_pandas_as_the_published_notices(db, stocked, live_server):
    for base in BASES:
        expected = published(db, base)
        columns = [f.code for f in get_base(base).published_fields]

        data = requests.get(f"{live_server}/exports/{base}.csv", timeout=30).content
        frame = pandas.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
        assert list(frame.columns) == columns
        assert frame.values.tolist() == cells(base, expected), base

        data = requests.get(f"{live_server}/exports/{base}.csv?sep=;&bom=1", timeout=30).content
        frame = pandas.read_csv(io.BytesIO(data), sep=";", skiprows=1, encoding="utf-8-sig", dtype=str,
                                keep_default_na=False)
        assert list(frame.columns) == columns
        assert frame.values.tolist() == cells(base, expected), base

        for fmt, lines in (("jsonl", True), ("json", False)):
            data = requests.get(f"{live_server}/exports/{base}.{fmt}", timeout=30).content
            frame = pandas.read_json(io.BytesIO(data), lines=lines, dtype=False)
            assert without_missing(frame.to_dict("records")) == expected, (base, fmt)
