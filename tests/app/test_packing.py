"""Renditions are stored packed (store/packing.py): Zstandard frames, with a dictionary per format that the store
trains on its own renditions once it has enough of them. What a harvester receives never changes with how it is
stored; every frame stays readable, whatever dictionaries come later and whichever process reads it."""
from __future__ import annotations

from typing import Iterator

import pytest
import zstandard
from alembic import command
from lxml import etree
from sqlalchemy import func, select, text

from app.cli import cli
from store.db import make_engine
from store.migrate import alembic_config, upgrade
from store.models import NoticeRow, Rendition, RenditionDictionary
from store.notices import row_to_notice
from store.packing import Packer, UnknownDictionary, train_and_repack

from ..pg import scratch_database
from .oai_demo import load

OAI = "{http://www.openarchives.org/OAI/2.0/}"


def stored(db) -> list[tuple[int, str, bytes]]:
    with db.session() as session:
        return session.execute(select(Rendition.notice_id, Rendition.format, Rendition.packed)
                               .order_by(Rendition.notice_id, Rendition.format)).all()


def dictionaries(db) -> dict[str, int]:
    with db.session() as session:
        return dict(session.execute(select(RenditionDictionary.format, func.count()).group_by(
            RenditionDictionary.format)).all())


def list_records(client, prefix: str) -> list[bytes]:
    """Every record's metadata in a whole ListRecords, as the bytes a harvester receives."""
    records, arguments = [], f"verb=ListRecords&metadataPrefix={prefix}"
    while arguments:
        root = etree.fromstring(client.get(f"/oai?{arguments}").data)
        for metadata in root.iter(f"{OAI}metadata"):
            records.append(etree.tostring(metadata[0], method="c14n"))
        token = root.findtext(f".//{OAI}resumptionToken")
        arguments = f"verb=ListRecords&resumptionToken={token}" if token else None
    return records


def test_a_demo_store_trains_its_dictionaries_and_packs_every_rendition_with_them(app, db, runner):
    result = runner.invoke(cli, ["demo", "load", "--size", "1500", "--seed", "1", "--workers", "0"])
    assert result.exit_code == 0, result.output
    rows = stored(db)
    with db.session() as session:
        counts = dict(session.execute(select(Rendition.format, func.count()).group_by(Rendition.format)).all())
        notices = {row.id: row_to_notice(row) for row in session.scalars(select(NoticeRow))}
    trained = dictionaries(db)
    assert {prefix for prefix, count in counts.items() if count >= 1000} <= set(trained) and trained
    packer = Packer(db.engine)  # another process's: it has loaded nothing yet
    raw = packed = 0
    for notice_id, prefix, frame in rows:
        xml = packer.unpack_text(frame)
        assert etree.fromstring(xml.encode()) is not None and notices[notice_id].ref in xml
        if prefix in trained:  # repacked once its dictionary was trained: none left without
            assert zstandard.get_frame_parameters(frame).dict_id == db.packer.dictionary_of(prefix)
        raw, packed = raw + len(xml.encode()), packed + len(frame)
    assert packed * 4 < raw, (packed, raw)


def test_frames_of_every_dictionary_stay_readable_and_are_served_alike(app, db, client):
    load(db, per_base=6)
    before = {prefix: list_records(client, prefix) for prefix in ("oai_dc", "lido", "pop")}
    assert all(zstandard.get_frame_parameters(frame).dict_id == 0 for _, _, frame in stored(db))
    # a dictionary trained on these few renditions (the store itself waits for 1,000), some frames repacked
    train_and_repack(db.engine, db.packer, ["oai_dc", "pop"], min_samples=10)
    frames = stored(db)
    assert {zstandard.get_frame_parameters(frame).dict_id for _, prefix, frame in frames if prefix == "oai_dc"} == \
        {db.packer.dictionary_of("oai_dc")} != {0}
    assert any(zstandard.get_frame_parameters(frame).dict_id == 0 for _, prefix, frame in frames if prefix == "lido")
    assert {prefix: list_records(client, prefix) for prefix in before} == before
    # a later dictionary: the frames of the first stay readable beside the new ones
    first = db.packer.dictionary_of("oai_dc")
    with db.engine.begin() as connection:
        samples = [db.packer.unpack(frame) for _, prefix, frame in frames if prefix == "oai_dc"]
        db.packer.train(connection, "oai_dc", samples)
    db.packer.load()
    assert db.packer.dictionary_of("oai_dc") not in (0, first)
    newer = db.packer.pack("oai_dc", "<oai_dc:dc>une autre</oai_dc:dc>")
    reader = Packer(db.engine)
    assert reader.unpack_text(newer) == "<oai_dc:dc>une autre</oai_dc:dc>"
    assert [reader.unpack(frame) for _, prefix, frame in frames if prefix == "oai_dc"] == samples


def test_a_frame_naming_a_dictionary_the_store_lacks_is_refused(db):
    foreign = zstandard.train_dictionary(2048, [f"<dc>{n} {n * 7} notice</dc>".encode() * 4 for n in range(400)],
                                         dict_id=123456)
    frame = zstandard.ZstdCompressor(dict_data=foreign).compress(b"<dc>1 7 notice</dc>")
    with pytest.raises(UnknownDictionary, match="123456"):
        db.packer.unpack(frame)


def test_pop_renditions_pack_retrains_and_repacks_and_harvesters_see_no_change(app, db, client, runner,
                                                                              monkeypatch):
    load(db, per_base=6)
    before = list_records(client, "oai_dc")
    live = sum(1 for _, prefix, _ in stored(db) if prefix == "oai_dc")
    monkeypatch.setattr("store.packing.MIN_SAMPLES", live)  # the store's floor (1,000) scaled to this one
    monkeypatch.setattr("app.commands.renditions.MIN_SAMPLES", live)
    with db.session() as session:  # one lido rendition fewer than the floor
        session.execute(text("DELETE FROM rendition WHERE format = 'lido' AND notice_id = "
                             "(SELECT min(notice_id) FROM rendition WHERE format = 'lido')"))
    result = runner.invoke(cli, ["renditions", "pack", "--format", "oai_dc", "--format", "lido"])
    assert result.exit_code == 0, result.output
    assert f"oai_dc: {live} renditions repacked" in result.output
    assert f"lido: fewer than {live} renditions, left as they are" in result.output
    assert dictionaries(db) == {"oai_dc": 1}
    assert list_records(client, "oai_dc") == before


@pytest.fixture(params=["sqlite", "postgresql"])
def unmigrated_url(request, tmp_path) -> Iterator[str]:
    """An empty database of its own, no table in it."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'unmigrated.sqlite3'}"
        return
    with scratch_database(request.getfixturevalue("postgres_server"), "pop_migration") as url:
        yield url


def test_the_migration_packs_text_renditions_and_its_downgrade_gives_them_back(unmigrated_url):
    url = unmigrated_url
    upgrade(url, "0015_storage")
    engine = make_engine(url)
    xml = {n: f'<oai_dc:dc xmlns:oai_dc="x"><dc:title>notice {n} — é</dc:title></oai_dc:dc>' for n in range(1, 1201)}
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO notice (id, base, ref, fields, producer, producer_slug, source, "
                                "content_hash, fields_hash, created, datestamp, deleted, rendered) "
                                "VALUES (:id, 'joconde', :ref, '{}', 'p', 'p', 'local', '', '', "
                                "'2026-01-01', '2026-01-01', false, true)"),
                           [{"id": n, "ref": f"M{n:07d}"} for n in xml])
        connection.execute(text("INSERT INTO rendition (notice_id, format, version, xml) "
                                "VALUES (:id, 'oai_dc', '1', :xml)"), [{"id": n, "xml": x} for n, x in xml.items()])
    upgrade(url)
    packer = Packer(engine)
    with engine.connect() as connection:
        frames = dict(connection.execute(text("SELECT notice_id, packed FROM rendition")).all())
        (dictionary,) = connection.execute(text("SELECT id FROM rendition_dictionary")).scalars()
        # the new table took the old one's place, constraints included: a notice's deletion cascades
        connection.execute(text("DELETE FROM notice WHERE id = 1"))
        assert connection.execute(text("SELECT count(*) FROM rendition")).scalar() == len(xml) - 1
        connection.rollback()
    assert {n: packer.unpack_text(bytes(frame)) for n, frame in frames.items()} == xml
    assert {zstandard.get_frame_parameters(bytes(frame)).dict_id for frame in frames.values()} == {dictionary}
    command.downgrade(alembic_config(url), "0015_storage")
    with engine.connect() as connection:
        assert dict(connection.execute(text("SELECT notice_id, xml FROM rendition")).all()) == xml
    engine.dispose()
