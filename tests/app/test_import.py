"""`pop import`: the eight real samples, idempotence, all-or-nothing, and each file format."""
from __future__ import annotations

import csv
import json

import pytest
from sqlalchemy import func, select

from app.cli import cli
from store.models import NoticeRow
from formats.bases import get_base
from formats.notice import normalize, public_view
from formats.tabular import encode_row

SAMPLES = ["autor", "enluminures", "joconde", "memoire", "merimee", "mnr", "museo", "palissy"]


def sample(shared_dir, name):
    return json.loads((shared_dir / "pop-bases" / "samples" / f"{name}-1.json").read_text(encoding="utf-8"))


def write_jsonl(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def stored(db, base=None):
    with db.session() as session:
        query = select(NoticeRow).order_by(NoticeRow.id)
        if base:
            query = query.where(NoticeRow.base == base)
        return session.execute(query).scalars().all()


def count(db):
    with db.session() as session:
        return session.execute(select(func.count()).select_from(NoticeRow)).scalar_one()


@pytest.mark.parametrize("name", SAMPLES)
def test_real_samples_import_and_come_back_identical_through_the_public_view(runner, db, shared_dir, tmp_path, name):
    raw = sample(shared_dir, name)
    result = runner.invoke(cli, ["import", str(write_jsonl(tmp_path / f"{name}.jsonl", [raw])), "--base", name])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "created: 1, updated: 0, unchanged: 0, rejected: 0"
    [row] = stored(db, name)
    base = get_base(name)
    assert public_view(base, row.fields) == public_view(base, normalize(base, raw))
    assert row.ref == raw["REF"]


def test_importing_the_same_file_twice_changes_nothing_datestamps_included(runner, db, shared_dir, tmp_path):
    path = write_jsonl(tmp_path / "joconde.jsonl", [sample(shared_dir, "joconde")])
    runner.invoke(cli, ["import", str(path), "--base", "joconde"])
    before = [(r.id, r.datestamp, r.fields_hash) for r in stored(db)]
    result = runner.invoke(cli, ["import", str(path), "--base", "joconde"])
    assert result.stdout.splitlines()[-1] == "created: 0, updated: 0, unchanged: 1, rejected: 0"
    assert [(r.id, r.datestamp, r.fields_hash) for r in stored(db)] == before


def test_a_malformed_file_gets_per_record_reasons_and_stores_nothing(runner, db, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(
        '{"REF": "000PE000001", "TICO": "Vase"}\n'
        '{"REF": "000PE000002", "TICO": ["deux", "titres"]}\n'
        '{"REF": "000PE000003", "TICO": "Coupe"\n'
        '{"REF": "pas une ref", "FOO": "bar"}\n'
        '{"REF": "000PE000004", "TICO": "Bol"}\n', encoding="utf-8")
    result = runner.invoke(cli, ["import", str(path), "--base", "joconde"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "created: 0, updated: 0, unchanged: 0, rejected: 3"
    assert lines[1].startswith("rejected 000PE000002: line 2: TICO: expected a single text value")
    assert lines[2].startswith("rejected -: line 3: not JSON")
    assert "FOO: is not a field of this base" in lines[3] and "'pas une ref' is not a joconde reference" in lines[3]
    assert count(db) == 0


def test_partial_import_stores_the_valid_records(runner, db, tmp_path):
    path = write_jsonl(tmp_path / "mixed.jsonl", [{"REF": "000PE000001"}, {"REF": "nope"}])
    result = runner.invoke(cli, ["import", str(path), "--base", "joconde", "--partial"])
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == "created: 1, updated: 0, unchanged: 0, rejected: 1"
    assert [r.ref for r in stored(db)] == ["000PE000001"]


def test_json_array_and_csv_files_import_like_json_lines(runner, db, shared_dir, tmp_path):
    base = get_base("merimee")
    raw = sample(shared_dir, "merimee")
    (tmp_path / "m.json").write_text(json.dumps([raw], ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(cli, ["import", str(tmp_path / "m.json"), "--base", "merimee"])
    assert result.exit_code == 0, result.output
    expected = public_view(base, normalize(base, raw))
    columns = [f.code for f in base.published_fields]
    with open(tmp_path / "m.csv", "w", encoding="utf-8-sig", newline="") as handle:
        handle.write("sep=;\r\n")
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(columns)
        writer.writerow(encode_row(base, {**expected, "TICO": "Chapelle Saint-Avit | remaniée"}, columns))
    result = runner.invoke(cli, ["import", str(tmp_path / "m.csv"), "--base", "merimee"])
    assert result.stdout.splitlines()[0] == "created: 0, updated: 1, unchanged: 0, rejected: 0", result.output
    [row] = stored(db)
    assert public_view(base, row.fields) == {**expected, "TICO": "Chapelle Saint-Avit | remaniée"}


def test_an_unreadable_file_is_a_one_line_error(runner, tmp_path):
    path = tmp_path / "latin1.jsonl"
    path.write_bytes('{"REF": "000PE000001", "TICO": "Épée"}\n'.encode("latin-1"))
    result = runner.invoke(cli, ["import", str(path), "--base", "joconde"])
    assert result.exit_code == 1
    assert "is not UTF-8 text" in result.output
    result = runner.invoke(cli, ["import", str(tmp_path / "notes.txt"), "--base", "joconde"])
    assert result.exit_code == 2  # click: the file does not exist


def test_a_local_import_cannot_overwrite_a_partner_notice(runner, db, tmp_path):
    from store.notices import write_notices
    from formats.notice import validate_notice

    with db.session() as session:
        write_notices(session, [validate_notice(get_base("joconde"), {"REF": "000PE000001"}, source="musee-x")])
    result = runner.invoke(cli, ["import", str(write_jsonl(tmp_path / "j.jsonl", [{"REF": "000PE000001",
                                                                                  "TICO": "x"}])), "--base", "joconde"])
    assert result.exit_code == 1
    assert "owned by partner 'musee-x'" in result.output
