"""The export encoders, without a server: what reusers parse out of each format is exactly the public view."""
from __future__ import annotations

import csv
import gzip
import io
import json

import pytest

from formats.bases import BASES
from formats.notice import Notice, public_view, validate_notice
from formats.tabular import decode_row
from protocols.export.layout import DELETED_MARKER, Layout, columns_of
from protocols.export.writers import gzip_stream, make_encoder, stream

from .data import SECRET, all_bases, variants


def notices(base, count=6):
    return [validate_notice(base, raw) for raw in variants(base, count)]


def export(fmt, layout, items, **options) -> bytes:
    return b"".join(stream(make_encoder(fmt, layout, **options), items, batch=2))


def csv_records(data: bytes, base, delimiter=","):
    text = data.decode("utf-8-sig")
    if text.startswith("sep="):
        text = text.split("\r\n", 1)[1]
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    header, body = rows[0], rows[1:]
    return header, [decode_row(base, header, row) for row in body]


@pytest.mark.parametrize("base", all_bases(), ids=lambda b: b.name)
def test_every_format_parses_back_to_the_public_view(base):
    items = notices(base)
    expected = [public_view(base, n.fields) for n in items]
    layout = Layout.full(base)

    header, records = csv_records(export("csv", layout, items), base)
    assert header == [f.code for f in base.published_fields]
    assert records == expected
    assert [json.loads(line) for line in export("jsonl", layout, items).decode().splitlines()] == expected
    assert json.loads(export("json", layout, items)) == expected


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json"])
@pytest.mark.parametrize("base", [BASES["palissy"], BASES["mnr"]], ids=lambda b: b.name)
def test_hidden_fields_never_appear_even_when_asked_for(base, fmt):
    items = notices(base)
    assert all(SECRET.encode() in json.dumps(dict(n.fields)).encode() for n in items)  # the store has them
    layout = Layout(base, tuple(f.code for f in base.fields))  # a layout naming every field, hidden ones too
    data = export(fmt, layout, items) + export(fmt, Layout.full(base), items)
    assert SECRET.encode() not in data
    if fmt != "csv":
        for code in base.hidden_codes:
            assert f'"{code}":'.encode() not in data


def test_multi_values_survive_separators_and_backslashes_in_csv():
    base = BASES["joconde"]
    raw = {"REF": "000PE000001", "AUTR": ["a|b", "c\\", "\\|", "d"], "TICO": "x|y\\z"}
    header, records = csv_records(export("csv", Layout.full(base), [validate_notice(base, raw)]), base)
    assert records == [public_view(base, validate_notice(base, raw).fields)]
    assert records[0]["AUTR"] == ["a|b", "c\\", "\\|", "d"]


def test_csv_for_spreadsheets_has_sep_line_semicolons_and_bom():
    base = BASES["merimee"]
    items = notices(base, 3)
    data = export("csv", Layout.full(base), items, delimiter=";", bom=True)
    assert data.startswith("\ufeffsep=;\r\n".encode())
    header, records = csv_records(data, base, delimiter=";")
    assert records == [public_view(base, n.fields) for n in items]


def test_a_column_subset_keeps_ref_and_dictionary_order():
    base = BASES["joconde"]
    columns = columns_of(base, ["TICO", "AUTR"])
    assert columns == tuple(c for c in (f.code for f in base.published_fields) if c in {"REF", "TICO", "AUTR"})
    items = notices(base, 2)
    for record in json.loads(export("json", Layout(base, columns), items)):
        assert set(record) <= {"REF", "TICO", "AUTR"} and "REF" in record


def test_tombstones_carry_only_ref_and_the_marker():
    base = BASES["mnr"]
    live, dead = notices(base, 2)
    dead = Notice(base=dead.base, ref=dead.ref, fields=dead.fields, deleted=True)
    layout = Layout.full(base, include_deleted=True)
    records = [json.loads(line) for line in export("jsonl", layout, [live, dead]).decode().splitlines()]
    assert records[1] == {"REF": dead.ref, DELETED_MARKER: True} and DELETED_MARKER not in records[0]
    rows = list(csv.DictReader(io.StringIO(export("csv", layout, [live, dead]).decode(), newline="")))
    assert rows[0][DELETED_MARKER] == "" and rows[1][DELETED_MARKER] == "true"
    assert {k for k, v in rows[1].items() if v} == {"REF", DELETED_MARKER}


def test_empty_exports_are_still_valid_files():
    base = BASES["autor"]
    assert json.loads(export("json", Layout.full(base), [])) == []
    assert export("jsonl", Layout.full(base), []) == b""
    assert export("csv", Layout.full(base), []).decode().count("\r\n") == 1


def test_a_failure_while_reading_propagates_after_the_head_and_is_never_written_as_data():
    base = BASES["joconde"]
    items = notices(base, 3)

    def failing():
        yield items[0]
        raise RuntimeError("database went away")

    chunks = stream(make_encoder("csv", Layout.full(base)), failing(), batch=1)
    assert next(chunks).startswith(b"PRODUCTEUR,")  # the head comes alone, first
    received = [next(chunks)]
    with pytest.raises(RuntimeError):
        received.extend(chunks)
    assert b"database" not in b"".join(received)


def test_gzip_stream_is_the_same_bytes_compressed():
    base = BASES["palissy"]
    items = notices(base, 4)
    plain = export("jsonl", Layout.full(base), items)
    compressed = b"".join(gzip_stream(stream(make_encoder("jsonl", Layout.full(base)), items)))
    assert gzip.decompress(compressed) == plain


@pytest.mark.parametrize("base", all_bases(), ids=lambda b: b.name)
def test_the_fast_row_encoder_writes_the_cells_of_encode_row(base):
    from formats.tabular import encode_row, row_encoder

    columns = columns_of(base, None)
    encode = row_encoder(base, columns)
    for notice in notices(base, 10):
        view = public_view(base, notice.fields)
        assert encode(view) == encode_row(base, view, columns)


def csv_module_rows(layout, items, delimiter=",") -> bytes:
    """What the CSV encoder wrote before it wrote rows by hand: the public view of each notice, cells by
    `encode_row`, rows by the csv module. The reference the fast encoder must equal byte for byte."""
    from formats.tabular import encode_row

    sink = io.StringIO(newline="")
    writer = csv.writer(sink, delimiter=delimiter, lineterminator="\r\n")
    for item in items:
        if item.deleted:
            cells = ["" if code != "REF" else item.ref for code in layout.columns] + ["true"]
        else:
            cells = encode_row(layout.base, public_view(layout.base, item.fields), layout.columns)
            cells += [""] if layout.include_deleted else []
        writer.writerow(cells)
    return sink.getvalue().encode("utf-8")


def tricky_notices(base, count, seed):
    """Demo notices of the base whose values are laced with what CSV and the cell encoding must escape, and
    with values of unexpected shapes (numbers in texts, a text where a list is due, lists of numbers, tiny
    floats in objects), as stored notices could hold them."""
    import random

    from store.demo import generate

    from .data import QUIRKS

    rnd = random.Random(seed)
    pieces = QUIRKS + [",", ";", '"', "\r", "\n", "|", "\\", "", " ", "a,b", 'x"y', "é|\\", "\t"]
    shapes = [
        lambda: rnd.choice(pieces) + rnd.choice(pieces),
        lambda: [rnd.choice(pieces) for _ in range(rnd.randint(0, 3))],
        lambda: [rnd.choice(pieces), 12, 3.5],
        lambda: rnd.choice([7, 1e-05, 2.0, -0.0, 1e16, 10**30]),
        lambda: {"lat": rnd.choice([48.85, 1e-07, 0.00012, 5e-324]), "lon": 2, "s": rnd.choice(pieces)},
        lambda: [{"a": rnd.choice(pieces)}, None],
        lambda: None,
    ]
    for index, raw in enumerate(generate(base, count, seed)):
        fields = dict(validate_notice(base, raw).fields)
        if index % 2:
            for code in rnd.sample(sorted(fields), min(4, len(fields))):
                if code != "REF":
                    fields[code] = rnd.choice(shapes)()
        for spec in base.fields:
            if spec.kind == "object" and index % 3 == 0:
                fields[spec.code] = [shapes[4](), shapes[4]()] if spec.multi else shapes[4]()
        for code in rnd.sample([f.code for f in base.fields], 3):
            if code != "REF":
                fields.setdefault(code, rnd.choice(shapes)())
        yield Notice(base=base.name, ref=fields["REF"], fields=fields, deleted=index % 11 == 5)


@pytest.mark.parametrize("base", all_bases(), ids=lambda b: b.name)
@pytest.mark.parametrize("delimiter", [",", ";"])
def test_csv_rows_are_byte_for_byte_those_of_the_csv_module(base, delimiter):
    items = list(tricky_notices(base, 150, seed=len(base.name) + ord(delimiter))) + notices(base, 10)
    subset = tuple(f.code for f in base.published_fields[::3])
    for layout in (Layout.full(base, include_deleted=True), Layout(base, columns_of(base, subset)),
                   Layout(base, ("REF",))):
        live = [item for item in items if layout.include_deleted or not item.deleted]
        expected = csv_module_rows(layout, live, delimiter)
        for size in (1, 7, 256):
            encoder = make_encoder("csv", layout, delimiter=delimiter)
            encoder.head()
            written = b"".join(encoder.rows(live[i:i + size]) for i in range(0, len(live), size))
            assert written == expected, (base.name, layout.columns[:3], size)


def test_a_row_of_one_empty_cell_is_quoted_as_the_csv_module_does():
    base = BASES["joconde"]
    layout = Layout(base, ("REF",))
    empty = Notice(base="joconde", ref="", fields={"REF": ""})
    assert make_encoder("csv", layout).rows([empty]) == csv_module_rows(layout, [empty]) == b'""\r\n'
