"""List pages as store/oai.py reads them: the next notices of the selection read whole, then their renditions in
the format, the notices the format cannot carry skipped — so pages of any size send every listed notice once, in
order; and on PostgreSQL the renditions copied as the UTF-8 bytes they are stored as, so a record of a list is
byte for byte the record GetRecord sends."""
from __future__ import annotations

import re

from sqlalchemy import insert, select

from formats.bases import get_base
from formats.notice import validate_notice
from formats.registry import FORMATS, MetadataFormat
from protocols.oaipmh import Provider, ProviderConfig
from store.models import NoticeRow, Rendition
from store.notices import write_notices
from store.oai import SqlRepository
from store.read_ahead import ReadAhead

from ..shared import pop_sample
from .oai_demo import load, ref
from .oai_xml import NS, parse

# Two bases offer it, and only a few of their notices have a rendition in it: pages read past the others.
SPARSE = MetadataFormat(prefix="sparse", namespace="urn:test:sparse", schema="urn:test:sparse.xsd",
                        render=lambda notice: None, bases=frozenset({"joconde", "palissy"}))
_RECORD = re.compile(rb"<record>.*?</record>", re.DOTALL)
_IDENTIFIER = re.compile(rb"<identifier>([^<]*)</identifier>")


def provider(db, page_size: int = 100, read_ahead: ReadAhead | None = None, commit_lag: int = 0) -> Provider:
    config = ProviderConfig(base_url="http://testserver/oai", site_url="http://testserver",
                            repository_identifier="pop.culture.gouv.fr", repository_name="POP",
                            admin_email="pop@culture.gouv.fr", secret_key="k", commit_lag=commit_lag,
                            records_page_size=page_size, identifiers_page_size=page_size)
    return Provider(SqlRepository(db.engine, read_ahead=read_ahead), config, formats={**FORMATS, "sparse": SPARSE})


def harvest(db, verb: str, prefix: str, page_size: int, read_ahead: ReadAhead | None = None,
            between_pages=lambda page: None) -> tuple[list[bytes], int]:
    """The bodies of a whole list, following its tokens; and how many pages it took. `between_pages(n)` runs
    after the n-th page (from 1)."""
    oai = provider(db, page_size, read_ahead, commit_lag=2)
    pairs, bodies = [("verb", verb), ("metadataPrefix", prefix)], []
    while True:
        body = b"".join(oai.handle(pairs).body)
        bodies.append(body)
        between_pages(len(bodies))
        token = parse(body).find(".//oai:resumptionToken", NS)
        if token is None or not token.text:
            return bodies, len(bodies)
        pairs = [("verb", verb), ("resumptionToken", token.text)]


def identifiers(bodies: list[bytes]) -> list[str]:
    return [e.text for body in bodies for e in parse(body).iterfind(".//oai:header/oai:identifier", NS)]


def test_pages_of_every_size_send_each_notice_of_the_format_once_in_order(db):
    load(db)
    carried = [("joconde", 0), ("joconde", 4), ("palissy", 3)]
    with db.session() as session:
        ids = session.execute(select(NoticeRow.id).where(
            NoticeRow.ref.in_([ref(base, n) for base, n in carried]))).scalars().all()
        session.execute(insert(Rendition), [{"notice_id": i, "format": "sparse", "version": "1",
                                             "packed": db.packer.pack("sparse", "<s>é</s>")}
                                            for i in ids])
        order = session.execute(select(NoticeRow.base, NoticeRow.ref, NoticeRow.deleted, NoticeRow.id)
                                .where(NoticeRow.base.in_(SPARSE.bases))
                                .order_by(NoticeRow.datestamp, NoticeRow.id)).all()
    expected = [f"oai:pop.culture.gouv.fr:{b}:{r}" for b, r, deleted, i in order if deleted or i in ids]
    assert len(expected) == 3 + 4  # the three carried, and the tombstones of both bases
    for page_size in (1, 2, 3, 5, 100):
        for verb in ("ListIdentifiers", "ListRecords"):
            bodies, pages = harvest(db, verb, "sparse", page_size)
            assert identifiers(bodies) == expected, (verb, page_size)
            assert pages == -(-len(expected) // page_size)
    # the rendition in the OAI namespace: it declares none
    assert [e.text for e in parse(harvest(db, "ListRecords", "sparse", 100)[0][0]).iterfind(".//oai:s", NS)] == ["é"] * 3


def test_a_record_of_a_list_is_byte_for_byte_the_record_getrecord_sends(db):
    load(db)  # POP's notices and a partner's, tombstones, accented texts
    bodies, _ = harvest(db, "ListRecords", "oai_dc", 7)
    records = [record for body in bodies for record in _RECORD.findall(body)]
    assert len(records) == len(identifiers(bodies)) > 7
    assert any(b'status="deleted"' in record for record in records) and any("é".encode() in r for r in records)
    oai = provider(db)
    for record in records:
        identifier = _IDENTIFIER.search(record).group(1).decode()
        got = b"".join(oai.handle([("verb", "GetRecord"), ("metadataPrefix", "oai_dc"),
                                   ("identifier", identifier)]).body)
        assert _RECORD.findall(got) == [record], identifier


def test_pages_read_ahead_are_the_pages_the_harvester_would_have_read(db):
    load(db)
    for page_size in (1, 3, 7, 100):
        for verb in ("ListIdentifiers", "ListRecords"):
            plain, pages = harvest(db, verb, "oai_dc", page_size)
            ahead = ReadAhead()
            read, read_pages = harvest(db, verb, "oai_dc", page_size, ahead)
            assert [_RECORD.findall(b) or identifiers([b]) for b in read] == \
                [_RECORD.findall(b) or identifiers([b]) for b in plain], (verb, page_size)
            assert read_pages == pages
            # on PostgreSQL every page but the first was read while the one before it was sent
            assert ahead.used == (pages - 1 if db.is_postgresql else 0), (verb, page_size)
            ahead.clear()


def test_a_notice_changed_while_its_page_is_read_ahead_is_sent_once(db):
    load(db)
    plain, _ = harvest(db, "ListIdentifiers", "oai_dc", 5)
    expected = identifiers(plain)
    # a live Joconde notice of the second page, read ahead while the first is sent
    changed = next(i for i in expected[5:10] if ":joconde:" in i)
    base, number = "joconde", changed.rsplit(":", 1)[1]

    def change(page: int) -> None:
        if page == 1:
            ahead.settle()  # the second page read ahead before the change, even on a loaded machine
            raw = pop_sample(base)
            raw.update(REF=number, TICO="Changé pendant la moisson")
            with db.session() as session:
                write_notices(session, [validate_notice(get_base(base), raw)])

    ahead = ReadAhead()
    got = identifiers(harvest(db, "ListIdentifiers", "oai_dc", 5, ahead, between_pages=change)[0])
    ahead.clear()
    assert len(got) == len(set(got))  # never twice
    # read ahead, it is sent as it was when read; read when asked, it has left the list's window (its new
    # datestamp is past `until`) and the next incremental harvest sends it
    assert set(got) - {changed} == set(expected) - {changed}
    assert (changed in got) == db.is_postgresql
