"""The export formats are one table: names, extensions, media types and encoders all come from it, so adding
a format is an encoder and one line."""
from __future__ import annotations

import pytest

from formats.bases import BASES
from formats.notice import validate_notice
from protocols.export.csv_encoder import CsvEncoder
from protocols.export.json_encoders import JsonLinesEncoder
from protocols.export.layout import Layout
from protocols.export.query import ExportProblem, parse_query
from protocols.export.writers import EXPORT_FORMATS, ExportFormat, make_encoder, stream

from .data import variants

BASE = BASES["museo"]


def test_the_table_lists_csv_json_lines_and_json_with_their_media_types():
    assert [(f.name, f.extension, f.media_type) for f in EXPORT_FORMATS.values()] == [
        ("csv", "csv", "text/csv; charset=utf-8; header=present"),
        ("jsonl", "jsonl", "application/jsonl; charset=utf-8"),
        ("json", "json", "application/json"),
        ("parquet", "parquet", "application/vnd.apache.parquet"),
        ("geojson", "geojson", "application/geo+json"),
    ]
    assert EXPORT_FORMATS["csv"].filename("joconde", gzip=True) == "joconde.csv.gz"


def test_make_encoder_passes_spreadsheet_options_to_delimited_formats_only():
    layout = Layout.full(BASE)
    csv = make_encoder("csv", layout, delimiter=";", bom=True)
    assert isinstance(csv, CsvEncoder) and csv.head().startswith("\ufeffsep=;\r\n".encode())
    assert isinstance(make_encoder("jsonl", layout, delimiter=";"), JsonLinesEncoder)
    with pytest.raises(ValueError, match="unknown export format 'xml'"):
        make_encoder("xml", layout)


def test_a_format_added_to_the_table_is_served_by_name_and_encoded(monkeypatch):
    class TabEncoder(CsvEncoder):
        def __init__(self, layout, *, delimiter=",", bom=False):
            super().__init__(layout, delimiter="\t", bom=bom)

    with pytest.raises(ExportProblem):
        parse_query("museo.tsv", {})
    monkeypatch.setitem(EXPORT_FORMATS, "tsv", ExportFormat("tsv", "tsv", "text/tab-separated-values", TabEncoder,
                                                            delimited=True))
    query = parse_query("museo.tsv.gz", {"bom": "1"})
    assert (query.format, query.gzip, query.filename) == ("tsv", True, "museo-filtered.tsv.gz")
    items = [validate_notice(BASE, raw) for raw in variants(BASE, 2)]
    data = b"".join(stream(make_encoder("tsv", query.layout, bom=query.bom), items)).decode("utf-8")
    assert data.startswith("\ufeffsep=\t\r\nREF\t")
    with pytest.raises(ExportProblem, match="sep applies to CSV and TSV exports only"):
        parse_query("museo.json", {"sep": ";"})
