"""CSV exports made by PostgreSQL's COPY (store/exports/copy.py) are byte for byte those of the Python encoder
(`CsvEncoder` over `iter_export_rows`) — on the real samples, on notices carrying every value that could tell
them apart (numbers Python writes in another form, JSON objects with separators in their strings, escapes),
with every export option — and the notices that can take the fast path do take it."""
from __future__ import annotations

import json
from datetime import datetime

import orjson
import pytest
from sqlalchemy import select

from store.exports.copy import copy_statement, csv_stream
from store.exports.reader import iter_export_rows
from store.models import NoticeRow
from store.notices import write_notices
from formats.bases import BASES, get_base
from formats.notice import validate_notice
from protocols.export.query import parse_query
from protocols.export.writers import make_encoder, stream
from tests.protocols.export.data import sample

from .export_helpers import stock

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)

FLOATS = [48.8566, 2.0, -0.0, 0.0, 0.1 + 0.2, 1e-05, 0.0001, 0.00012, 1e16, 1.5e300, 123456789.12345679,
          1234567890123456.0, 10.05, 2.5, -179.99999, 7]
TRICKY_TEXTS = ['a: b, c', '{"x": 1}', 'Sainte-Marie, e-1', 'quote " and, comma', 'back\\slash', 'pipe | here',
                'ligne\nsuivante', 'é à ç 🎨', '2.50 ', '0.00001', 'tab\there']


def _tricky(base_name: str, index: int) -> dict:
    """A notice of the base whose objects and numbers hold the values above (one per notice, in turn)."""
    base = get_base(base_name)
    raw = sample(base)
    raw["REF"] = raw["REF"][:-3] + f"{900 + index:03d}"
    number = FLOATS[index % len(FLOATS)]
    words = TRICKY_TEXTS[index % len(TRICKY_TEXTS)]
    fields = base.field_map
    if "POP_COORDONNEES" in fields:
        raw["POP_COORDONNEES"] = {"lat": number, "lon": -number if number else 1}
    if "POP_COORDINATES_POLYGON" in fields:
        raw["POP_COORDINATES_POLYGON"] = {"type": "Polygon", "coordinates": [[[number, 1.25], [2, 3.5]]]}
    if "MEMOIRE" in fields:
        raw["MEMOIRE"] = [{"ref": f"AP{index}", "copy": words, "name": words, "n": number, "ok": True,
                           "none": None}, {"url": "a/b.jpg"}]
    if "POP_DATE" in fields:
        raw["POP_DATE"] = [number, -3500, 1900.5]
    single = next(f.code for f in base.published_fields if f.kind == "string" and not f.multi and not f.enum
                  and f.code not in ("REF", "PRODUCTEUR") and not f.generated)
    multi = next(f.code for f in base.published_fields if f.kind == "string" and f.multi and not f.enum
                 and not f.generated)
    raw[single] = words
    raw[multi] = [words, "plain", "encore: une, valeur"]
    return raw


@pytest.fixture
def stocked(db):
    stock(db)  # the samples and their quirky variants, a tombstone per base
    with db.session() as session:
        for name in BASES:
            notices = [validate_notice(get_base(name), _tricky(name, i)) for i in range(len(FLOATS) * 2)]
            write_notices(session, notices, now=datetime(2024, 5, 1, 8))
    return db


def both(db, name: str, args: dict) -> tuple[bytes, bytes]:
    query = parse_query(name, args)
    with db.session() as session:
        python = b"".join(stream(make_encoder("csv", query.layout, delimiter=query.delimiter, bom=query.bom),
                                 iter_export_rows(session, query)))
    with db.session() as session:
        copied = b"".join(csv_stream(session, query, make_encoder("csv", query.layout, delimiter=query.delimiter,
                                                                  bom=query.bom)))
    return python, copied


OPTIONS = [{}, {"sep": ";", "bom": "1"}, {"deleted": "include"}, {"producer": "Monuments historiques"},
           {"since": "2024-02-01", "until": "2024-04-30", "deleted": "include", "sep": ";"}]


@pytest.mark.parametrize("base", list(BASES))
def test_copy_writes_the_encoders_bytes(stocked, base):
    for options in OPTIONS:
        python, copied = both(stocked, f"{base}.csv", options)
        assert copied == python, options
    columns = ",".join(f.code for f in get_base(base).published_fields if f.kind != "string")
    if columns:  # a subset of columns: the objects and numbers alone
        python, copied = both(stocked, f"{base}.csv", {"fields": columns, "deleted": "include"})
        assert copied == python
        assert len(copied.splitlines()) > 20


def fallbacks(db, name: str) -> list[str]:
    """REFs of the notices the COPY of a base's full CSV leaves to Python."""
    with db.session() as session:
        connection = session.connection().connection.driver_connection
        with connection.cursor() as cursor, cursor.copy(copy_statement(parse_query(name, {}))) as copy:
            rows = [bytes(data) for data in copy]
    return [orjson.loads(bytes.fromhex(row.split(b",", 1)[0].decode()))["REF"] for row in rows
            if not row.startswith(b",")]


def test_everyday_notices_take_the_fast_path(stocked):
    """The fallback is for notices PostgreSQL cannot write as Python does, not for everyday ones: the real
    samples go through COPY alone, as does any notice whose lists and objects hold no escaped character (a
    `"`, a backslash, a line break) nor a number Python writes otherwise — quotes, `|` and line breaks in its
    texts included."""
    for name in BASES:
        base = get_base(name)
        with stocked.session() as session:
            notices = {row.ref: row.fields for row in session.scalars(
                select(NoticeRow).where(NoticeRow.base == name, NoticeRow.deleted.is_(False)))}
        lists_and_objects = {
            ref: json.dumps([value for code, value in fields.items()
                               if base.field_map[code].published
                               and (base.field_map[code].multi or base.field_map[code].kind != "string")])
            for ref, fields in notices.items()}
        may_fall_back = {ref for ref, data in lists_and_objects.items()
                         if "\\" in data or 900 <= int(ref[-3:]) < 900 + 2 * len(FLOATS)}
        slow = set(fallbacks(stocked, f"{name}.csv"))
        assert slow <= may_fall_back, name
        assert sample(base)["REF"] not in slow
        if name in ("merimee", "palissy"):
            assert slow & {ref for ref in notices if 900 <= int(ref[-3:])}  # tricky numbers do fall back
