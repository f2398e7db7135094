"""Parquet exports as reusers read them (DuckDB, pandas): typed columns, the same notices as the JSON Lines
snapshot, notice by notice; served with ETag and Range; filtered ones streamed live, `.parquet.gz` refused."""
from __future__ import annotations

import io
import json
import math

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest
import requests

from app.cli import cli
from formats.bases import BASES, get_base

from .export_helpers import stock


def _build(runner) -> None:
    result = runner.invoke(cli, ["export", "build"])
    assert result.exit_code == 0, result.output


def _as_record(base_name: str, row: dict) -> dict:
    """A Parquet row back into the JSON Lines object: nulls dropped, objects parsed, lists as lists."""
    field_map = get_base(base_name).field_map
    record = {}
    for code, value in row.items():
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        spec = field_map[code]
        if spec.kind == "object":
            value = json.loads(value)
        elif spec.multi:
            value = list(value)
        record[code] = value
    return record


@pytest.fixture
def built(db, runner):
    stock(db)
    _build(runner)


def test_parquet_snapshot_holds_the_jsonl_notices_read_by_duckdb_and_pandas(built, app, live_server):
    for base_name in BASES:
        jsonl = requests.get(f"{live_server}/exports/{base_name}.jsonl", timeout=30).content
        expected = [json.loads(line) for line in jsonl.splitlines()]
        response = requests.get(f"{live_server}/exports/{base_name}.parquet", timeout=30)
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "application/vnd.apache.parquet"
        path = app.extensions["pop"].settings.export_dir + f"/{base_name}.parquet"
        rows = duckdb.connect().execute(f"SELECT * FROM read_parquet('{path}')").fetchdf().to_dict("records")
        frame = pd.read_parquet(io.BytesIO(response.content))
        assert [_as_record(base_name, row) for row in rows] == expected, base_name
        assert [_as_record(base_name, row) for row in frame.to_dict("records")] == expected, base_name
        schema = pq.read_schema(io.BytesIO(response.content))
        assert schema.names == [f.code for f in get_base(base_name).published_fields]
        ref = schema.field("REF")
        assert str(ref.type) == "string" and ref.metadata[b"label"]


def test_parquet_column_types_follow_the_field_dictionary(built, live_server):
    data = requests.get(f"{live_server}/exports/merimee.parquet", timeout=30).content
    schema = pq.read_schema(io.BytesIO(data))
    assert str(schema.field("DENO").type) == "list<element: string>"  # multi-valued text
    assert str(schema.field("POP_DATE").type) == "list<element: double>"  # multi-valued number
    assert str(schema.field("POP_COORDONNEES").type) == "string"  # an object, as JSON text


def test_parquet_snapshot_serves_etag_and_range(built, live_server):
    url = f"{live_server}/exports/joconde.parquet"
    whole = requests.get(url, timeout=30)
    assert whole.headers["ETag"] and whole.headers["Accept-Ranges"] == "bytes"
    part = requests.get(url, headers={"Range": "bytes=-8"}, timeout=30)  # the footer's length and magic
    assert part.status_code == 206 and part.content == whole.content[-8:] and part.content.endswith(b"PAR1")
    again = requests.get(url, headers={"If-None-Match": whole.headers["ETag"]}, timeout=30)
    assert again.status_code == 304


def test_filtered_parquet_streams_live_and_gz_is_refused(db, live_server):
    stock(db)
    response = requests.get(f"{live_server}/exports/palissy.parquet?fields=TICO&deleted=include", timeout=30)
    assert response.status_code == 200
    table = pq.read_table(io.BytesIO(response.content))
    assert table.column_names == ["REF", "TICO", "_deleted"]
    assert table.num_rows == 8 and table.column("_deleted").to_pylist().count(True) == 1
    refused = requests.get(f"{live_server}/exports/palissy.parquet.gz", timeout=30)
    assert refused.status_code == 404 and "compressed inside" in refused.json()["detail"]
