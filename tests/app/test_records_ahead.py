"""GetRecord read-ahead (store/records_ahead.py): a harvester walking a list one GetRecord at a time (Europeana's
Metis: ListIdentifiers of a base's set, then GetRecord of each identifier in order) gets byte for byte the
records it would get without it, with one statement per batch instead of one per record on PostgreSQL; random
GetRecords read no batch; a notice changed under a walk is sent as it is now once its row is too old or the
walk no longer finds it where it was."""
from __future__ import annotations

import re
import time

from formats.bases import get_base
from formats.notice import validate_notice
from protocols.oaipmh import Provider, ProviderConfig
from store.notices import write_notices
from store.oai import SqlRepository
from store.records_ahead import WINDOW, RecordsAhead

from ..shared import pop_sample
from .oai_demo import load
from .oai_xml import NS, parse

_RECORD = re.compile(rb"<record>.*?</record>", re.DOTALL)


def provider(db, ahead: RecordsAhead | None = None) -> Provider:
    config = ProviderConfig(base_url="http://testserver/oai", site_url="http://testserver",
                            repository_identifier="pop.culture.gouv.fr", repository_name="POP",
                            admin_email="pop@culture.gouv.fr", secret_key="k", commit_lag=0,
                            records_page_size=100, identifiers_page_size=100)
    return Provider(SqlRepository(db.engine, records_ahead=ahead), config)


def listed(db, base: str) -> list[str]:
    """ListIdentifiers of the base's set, as Metis asks it first."""
    body = b"".join(provider(db).handle([("verb", "ListIdentifiers"), ("metadataPrefix", "oai_dc"),
                                         ("set", base)]).body)
    return [e.text for e in parse(body).iterfind(".//oai:header/oai:identifier", NS)]


def record(oai: Provider, identifier: str) -> bytes:
    body = b"".join(oai.handle([("verb", "GetRecord"), ("metadataPrefix", "oai_dc"), ("identifier", identifier)]).body)
    found = _RECORD.findall(body)
    assert len(found) == 1, body[:400]
    return found[0]


def test_a_walk_down_a_list_reads_batches_and_gets_the_same_records(db):
    load(db, per_base=12)
    walk = listed(db, "joconde")
    assert len(walk) == 12 and any(":joconde:" in i for i in walk)
    alone = [record(provider(db), identifier) for identifier in walk]
    ahead = RecordsAhead(batch=4)
    oai = provider(db, ahead)
    assert [record(oai, identifier) for identifier in walk] == alone  # tombstones and a partner's notice among them
    if db.is_postgresql:
        # the first read alone; its successor's read brings 3 more, and expects the 5th after it; and so on
        assert (ahead.batches, ahead.used) == (3, 8)
    else:  # SQLite: reads are in-process, nothing to save
        assert (ahead.batches, ahead.used) == (0, 0)


def test_random_getrecords_read_no_batch(db):
    load(db, per_base=12)
    walk = listed(db, "palissy")
    ahead = RecordsAhead(batch=4)
    oai = provider(db, ahead)
    shuffled = walk[::-1]  # never the one after the one before
    assert sorted(record(oai, i) for i in shuffled) == sorted(record(provider(db), i) for i in walk)
    assert (ahead.batches, ahead.used) == (0, 0)


def _change(db, identifier: str, title: str) -> None:
    base, number = identifier.split(":")[-2:]
    raw = pop_sample(base)
    raw.update(REF=number, TICO=title)
    with db.session() as session:
        write_notices(session, [validate_notice(get_base(base), raw)])


def test_a_notice_changed_under_a_walk_is_sent_as_it_is_now_once_its_row_is_too_old(db):
    if not db.is_postgresql:
        return  # no read-ahead on SQLite (the first test)
    load(db, per_base=12)
    walk = listed(db, "joconde")  # the live notices first, the two tombstones last (deleted a day later)
    ahead = RecordsAhead(batch=8, lifetime=0.5)
    oai = provider(db, ahead)
    record(oai, walk[1])
    record(oai, walk[2])  # the walk: the next ones are read with it
    for n in (3, 4):
        _change(db, walk[n], f"Changé pendant la moisson {n}")
    # read ahead, it is sent as it was when read (as if asked a moment earlier) …
    assert "Changé".encode() not in record(oai, walk[3])
    time.sleep(0.6)  # … and once its row is older than the lifetime, as it is now
    assert "Changé pendant la moisson 4".encode() in record(oai, walk[4])


def test_a_notice_moved_out_of_the_walk_is_read_alone(db):
    if not db.is_postgresql:
        return
    load(db, per_base=20)
    walk = listed(db, "joconde")
    ahead = RecordsAhead(batch=4)
    oai = provider(db, ahead)
    record(oai, walk[0])  # expects the next ones
    _change(db, walk[1], "Déplacé en fin de liste")  # its new datestamp puts it last, past the walk's read
    assert "Déplacé en fin de liste".encode() in record(oai, walk[1])
    assert ahead.batches == 0  # the walk's read did not find it: read alone
    record(oai, walk[2])  # the walk goes on
    assert ahead.batches == 1


def test_a_walk_spread_over_two_workers_is_read_in_batches_by_each(db):
    if not db.is_postgresql:
        return
    load(db, per_base=20)
    walk = listed(db, "joconde")
    workers = [RecordsAhead(batch=4), RecordsAhead(batch=4)]
    oais = [provider(db, ahead) for ahead in workers]
    alone = [record(provider(db), identifier) for identifier in walk]
    # a balancer's turns: each worker sees one request in two, or two in a row, never the whole walk
    turns = [0, 1, 1, 0, 1, 0, 0, 1] * 3
    assert [record(oais[turn], identifier) for turn, identifier in zip(turns, walk)] == alone
    for ahead in workers:
        assert ahead.batches >= 2 and ahead.used >= 4, (ahead.batches, ahead.used)


def test_rows_are_taken_once_expectations_and_rows_are_bounded():
    ahead = RecordsAhead(batch=3, walks=2)
    ahead.expect("joconde", "B", (1, 1))
    assert ahead.walked_to("joconde", "B") == (1, 1) and ahead.walked_to("joconde", "B") is None
    rows = [("B", 2), ("C", 3), ("D", 4), ("E", 5), ("F", 6)]  # a batch of 3, and the window after it
    ahead.keep("joconde", rows, "B", lambda row: row[0], lambda row: (row[1], row[1]))
    assert ahead.take("joconde", "B") is None  # the one asked: answered, not kept
    assert ahead.take("joconde", "C") == ("C", 3) and ahead.take("joconde", "C") is None
    assert ahead.take("palissy", "D") is None  # another base, another walk
    assert ahead.take("joconde", "E") is None  # past the batch: expected, its walk reads on after D
    assert ahead.walked_to("joconde", "F") == (4, 4) and ahead.walked_to("joconde", "E") == (4, 4)
    for n in range(WINDOW * 2 + 2):  # at most `walks` windows of expectations, and `walks` × `batch` rows
        ahead.expect("joconde", [f"X{n}"], (n, n))
        ahead.keep("merimee", [(f"M{n}.{k}", k) for k in range(2)], "", lambda row: row[0], lambda row: row)
    assert [ahead.walked_to("joconde", f"X{n}") is not None for n in range(WINDOW * 2 + 2)] == \
        [False] * 2 + [True] * WINDOW * 2
    assert sum(ahead.take("merimee", f"M{n}.{k}") is not None for n in range(WINDOW * 2 + 2) for k in range(2)) == 6


def test_the_app_reads_walks_ahead_unless_read_ahead_is_off(app, client, database_url, tmp_path):
    from app import create_app
    from tests.conftest import make_settings

    db = app.extensions["pop"].db
    load(db, per_base=12)
    walk = listed(db, "merimee")

    def records(test_client) -> list[list[bytes]]:
        return [_RECORD.findall(test_client.get("/oai", query_string={
            "verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": identifier}).data) for identifier in walk]

    got = records(client)
    assert all(len(found) == 1 for found in got)
    ahead = app.extensions["pop.oai_records_ahead"]
    # on PostgreSQL: the first read alone, the second with the rest of the base (a batch holds 64)
    assert (ahead.batches, ahead.used) == ((1, len(walk) - 2) if db.is_postgresql else (0, 0))
    off = create_app(make_settings(database_url, tmp_path, oai_read_ahead=False))
    try:
        assert off.extensions["pop.oai_records_ahead"] is None and off.extensions["pop.oai_read_ahead"] is None
        assert records(off.test_client()) == got
    finally:
        off.extensions["pop"].db.dispose()
