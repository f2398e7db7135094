"""No export leaks what POP does not publish: demo notices fill Palissy's masked location fields, MNR's internal
fields and the platform's internal ones; every download of every base, in every format, plain and gzipped,
snapshot and live, filtered or not, must be without them."""
from __future__ import annotations

import csv
import gzip
import json

import pytest
import requests
from sqlalchemy import select

from app.cli import cli
from store.models import NoticeRow
from store.notices import write_notices
from formats.bases import BASES
from formats.notice import validate_notice

demo = pytest.importorskip("store.demo")

HIDDEN = {"palissy": ("ADRS2", "COM2", "EDIF2", "EMPL2", "INSEE2", "LBASE2"), "mnr": ("SALLES", "RCL", "NET", "CARTELS")}


def hidden_values(db) -> dict[str, set[str]]:
    """Stored values of hidden fields, per base, that no published field contains (a masked commune may also
    be a published one): finding one of them in an export is a leak."""
    values: dict[str, set[str]] = {name: set() for name in BASES}
    published: dict[str, list[str]] = {name: [] for name in BASES}
    with db.session() as session:
        for base_name, fields in session.execute(select(NoticeRow.base, NoticeRow.fields)):
            base = BASES[base_name]
            for code, value in fields.items():
                texts = [item if isinstance(item, str) else json.dumps(item, ensure_ascii=False)
                         for item in (value if isinstance(value, list) else [value])]
                if code in base.hidden_codes:
                    values[base_name].update(text for text in texts if len(text) > 6)
                else:
                    published[base_name].extend(texts)
    for base_name, texts in published.items():
        everything = "\n".join(texts)
        values[base_name] = {value for value in values[base_name] if value not in everything}
    return values


def test_hidden_fields_of_demo_notices_never_appear_in_any_export(db, runner, live_server):
    with db.session() as session:
        for base in BASES.values():
            count = 300 if base.name in HIDDEN else 40
            write_notices(session, [validate_notice(base, raw) for raw in demo.generate(base, count, 7)])
    with db.session() as session:
        stored = [fields for (fields,) in session.execute(
            select(NoticeRow.fields).where(NoticeRow.base.in_(list(HIDDEN))))]
    for base_name, codes in HIDDEN.items():  # the demo data does fill them
        filled = {code for fields in stored for code in codes if code in fields}
        assert filled == set(codes), (base_name, filled)
    secrets = hidden_values(db)
    assert len(secrets["palissy"]) > 50 and len(secrets["mnr"]) > 50

    def check(base: str, data: bytes, what: str) -> None:
        text = data.decode("utf-8-sig")
        if ".csv" in what:
            lines = text.split("\r\n", 2)
            spreadsheet = lines[0] == "sep=;"
            header = next(csv.reader([lines[1] if spreadsheet else lines[0]], delimiter=";" if spreadsheet else ","))
            assert len(header) > 10 and not set(header) & BASES[base].hidden_codes, what
        else:
            assert not [code for code in BASES[base].hidden_codes if f'"{code}":' in text], what
        leaked = [value for value in secrets[base] if value in text]
        assert not leaked, (what, leaked[:3])

    for phase in ("live", "snapshot"):
        if phase == "snapshot":
            assert runner.invoke(cli, ["export", "build"]).exit_code == 0
        for base in BASES:
            for fmt in ("csv", "jsonl", "json"):
                url = f"{live_server}/exports/{base}.{fmt}"
                check(base, requests.get(url, timeout=60).content, f"{phase} {base}.{fmt}")
                check(base, gzip.decompress(requests.get(url + ".gz", timeout=60).content),
                      f"{phase} {base}.{fmt}.gz")
    for base in HIDDEN:
        for params in ({"deleted": "include"}, {"since": "2000-01-01"}, {"sep": ";", "bom": "1"}):
            response = requests.get(f"{live_server}/exports/{base}.csv", params=params, timeout=60)
            check(base, response.content, f"{base}.csv?{params}")
        response = requests.get(f"{live_server}/exports/{base}.json", params={"fields": HIDDEN[base][0]},
                                timeout=60)
        assert response.status_code == 400 and response.json()["parameter"] == "fields"
