"""Real harvesters (pyoai's Client and Sickle) harvest /oai over real HTTP, GET and POST, every format and set,
and get exactly the identifiers in the store; incremental windows; a notice updated mid-harvest."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest
import requests
from oaipmh.client import Client
from oaipmh.metadata import MetadataReader, MetadataRegistry, oai_dc_reader
from sickle import Sickle
from sickle.oaiexceptions import NoRecordsMatch
from sqlalchemy import select

from store.models import NoticeRow, Rendition
from store.clock import utcnow
from store.notices import write_notices
from formats.bases import BASES, get_base
from formats.notice import validate_notice
from formats.registry import FORMATS

from .oai_demo import PARTNER, T0, ref, served_demo
from .oai_xml import NS, assert_valid, parse

POP_NS = "https://pop.culture.gouv.fr/ns/pop/1.0"
PREFIXES = ("oai_dc", "pop")  # every base offers them (validated page by page below)


def in_format(app, prefix: str) -> set[str]:
    """Identifiers a format's lists must hold: notices with a rendition in it, and tombstones of its bases."""
    fmt = FORMATS[prefix]
    with app.extensions["pop"].db.session() as session:
        rows = session.execute(select(NoticeRow.base, NoticeRow.ref).outerjoin(
            Rendition, (Rendition.notice_id == NoticeRow.id) & (Rendition.format == prefix))
            .where(NoticeRow.base.in_(fmt.bases), Rendition.notice_id.is_not(None) | NoticeRow.deleted)).all()
    return {f"oai:pop.culture.gouv.fr:{base}:{ref_}" for base, ref_ in rows}


@pytest.fixture
def oai(database_url, tmp_path):
    with served_demo(database_url, tmp_path, oai_page_size=9, oai_identifiers_page_size=13) as served:
        yield served


def all_set_specs(demo) -> list[tuple[str, dict]]:
    """Every set, with the filter it means for Demo.identifiers."""
    specs = [(base, {"base": base}) for base in BASES]
    specs += [(f"{b}:{p}", {"base": b, "producer": p}) for b, p in {(b, demo.producers[b, r])
                                                                     for b, r in demo.producers}]
    specs += [("partner", {"source": "*"}), (f"partner:{PARTNER}", {"source": PARTNER})]
    return specs


def pyoai_client(url: str, method: str) -> Client:
    registry = MetadataRegistry()
    registry.registerReader("oai_dc", oai_dc_reader)
    for prefix in set(FORMATS) - {"oai_dc", "pop"}:
        registry.registerReader(prefix, MetadataReader(fields={}, namespaces={}))
    registry.registerReader("pop", MetadataReader(fields={"ref": ("textList", "pop:notice/@ref")},
                                                  namespaces={"pop": POP_NS}))
    return Client(url, registry, force_http_get=method == "GET")


def pyoai_harvest(client: Client, verb: str, **kwargs) -> list[str]:
    try:
        if verb == "ListRecords":
            return [header.identifier() for header, _metadata, _about in client.listRecords(**kwargs)]
        return [header.identifier() for header in client.listIdentifiers(**kwargs)]
    except Exception as error:  # pyoai raises oaipmh.error.NoRecordsMatchError
        if type(error).__name__ == "NoRecordsMatchError":
            return []
        raise


def sickle_harvest(client: Sickle, verb: str, **kwargs) -> list[str]:
    try:
        if verb == "ListRecords":
            return [record.header.identifier for record in client.ListRecords(ignore_deleted=False, **kwargs)]
        return [header.identifier for header in client.ListIdentifiers(ignore_deleted=False, **kwargs)]
    except NoRecordsMatch:
        return []


class PyoaiHarvester:
    def __init__(self, url: str, method: str):
        self.client = pyoai_client(url, method)

    def set_specs(self) -> set[str]:
        return {spec for spec, _name, _description in self.client.listSets()}

    def identifiers(self, verb: str, **kwargs) -> list[str]:
        return pyoai_harvest(self.client, verb, **kwargs)


class SickleHarvester:
    def __init__(self, url: str, method: str):
        self.client = Sickle(url, http_method=method)

    def set_specs(self) -> set[str]:
        return {s.setSpec for s in self.client.ListSets()}

    def identifiers(self, verb: str, **kwargs) -> list[str]:
        return sickle_harvest(self.client, verb, **kwargs)


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("harvester", [PyoaiHarvester, SickleHarvester], ids=["pyoai", "sickle"])
def test_harvesters_get_exactly_the_store_in_every_format_and_set(oai, harvester, method):
    url, demo, app = oai
    client = harvester(url, method)
    assert client.set_specs() >= {spec for spec, _ in all_set_specs(demo)}
    for prefix in FORMATS:
        eligible = in_format(app, prefix)
        if prefix in PREFIXES:
            assert eligible == demo.identifiers()  # every notice, in every base
        else:
            assert eligible  # lido, edm: the notices of their bases they could render
        for verb in ("ListRecords", "ListIdentifiers"):
            harvested = client.identifiers(verb, metadataPrefix=prefix)
            assert sorted(harvested) == sorted(demo.identifiers() & eligible), (prefix, verb)
        for spec, where in all_set_specs(demo):
            harvested = client.identifiers("ListRecords", metadataPrefix=prefix, set=spec)
            assert sorted(harvested) == sorted(demo.identifiers(**where) & eligible), (prefix, spec)


def test_harvesters_read_deletions_and_pop_records(oai):
    url, demo, _ = oai
    deleted = [r.header.identifier for r in Sickle(url).ListRecords(metadataPrefix="oai_dc", ignore_deleted=False)
               if r.header.deleted]
    assert sorted(deleted) == sorted(f"oai:pop.culture.gouv.fr:{b}:{r}" for b, r in demo.deleted)
    _, metadata, _ = pyoai_client(url, "GET").getRecord(
        identifier=f"oai:pop.culture.gouv.fr:museo:{ref('museo', 0)}", metadataPrefix="pop")
    assert metadata.getField("ref") == [ref("museo", 0)]


def stamp(moment, day=False):
    return moment.strftime("%Y-%m-%d" if day else "%Y-%m-%dT%H:%M:%SZ")


def test_incremental_windows_return_exactly_the_notices_changed_in_them(oai):
    url, demo, _ = oai
    client = Sickle(url)
    windows = [
        (T0 + timedelta(minutes=1), T0 + timedelta(minutes=3)),  # seconds granularity, inclusive bounds
        (T0 + timedelta(minutes=2), None),
        (None, T0 + timedelta(minutes=4)),
        (T0 + timedelta(days=1), T0 + timedelta(days=1)),  # exactly the deletions
    ]
    for start, end in windows:
        args = {k: stamp(v) for k, v in (("from", start), ("until", end)) if v}
        got = sickle_harvest(client, "ListRecords", metadataPrefix="oai_dc", **args)
        assert sorted(got) == sorted(demo.identifiers(start=start, end=end)), args
    # Day granularity: from the day's first second, until its last.
    day = T0.replace(hour=0)
    got = sickle_harvest(client, "ListIdentifiers", metadataPrefix="pop", **{"from": stamp(T0, True),
                                                                              "until": stamp(T0, True)})
    assert sorted(got) == sorted(demo.identifiers(start=day, end=day + timedelta(days=1, seconds=-1)))
    deletions = sickle_harvest(client, "ListIdentifiers", metadataPrefix="pop",
                               **{"from": stamp(T0 + timedelta(days=1), True)})
    assert sorted(deletions) == sorted(f"oai:pop.culture.gouv.fr:{b}:{r}" for b, r in demo.deleted)


def test_a_notice_updated_mid_harvest_is_neither_lost_nor_duplicated(oai):
    url, demo, app = oai
    first = parse(requests.get(url, params={"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}, timeout=30).content)
    seen = [e.text for e in first.iterfind(".//oai:identifier", NS)]
    started = utcnow()
    # One notice already sent and one not yet sent change while the harvest is under way.
    already, pending = seen[0], f"oai:pop.culture.gouv.fr:museo:{ref('museo', 4)}"
    assert pending not in seen
    with app.extensions["pop"].db.session() as session:
        for identifier in (already, pending):
            base, ref_ = identifier.split(":")[-2:]
            raw = {"REF": ref_, "PRODUCTEUR": get_base(base).producers[0]}
            raw[get_base(base).title_fields[0]] = "Titre modifié pendant la moisson"
            write_notices(session, [validate_notice(get_base(base), raw)])
    token = first.find(".//oai:resumptionToken", NS).text
    while token:
        page = parse(requests.get(url, params={"verb": "ListIdentifiers", "resumptionToken": token}, timeout=30).content)
        seen += [e.text for e in page.iterfind(".//oai:identifier", NS)]
        token = page.find(".//oai:resumptionToken", NS).text
    assert len(seen) == len(set(seen))  # no duplicate within the frozen window
    # The next incremental harvest (from the first responseDate, minus the documented commit lag) has both.
    lag = app.extensions["pop"].settings.oai_commit_lag
    since = started - timedelta(seconds=lag)
    time.sleep(lag + 1)  # the next harvest comes later; lists stop `lag` seconds before their first request
    later = sickle_harvest(Sickle(url), "ListIdentifiers", metadataPrefix="oai_dc", **{"from": stamp(since)})
    assert pending in later and already in later
    assert set(seen) | set(later) == demo.identifiers() | {already, pending}


def test_every_list_page_validates(oai):
    url, _, _ = oai
    for prefix in PREFIXES:
        for verb in ("ListRecords", "ListIdentifiers"):
            params = {"verb": verb, "metadataPrefix": prefix}
            while params:
                root = assert_valid(requests.get(url, params=params, timeout=30).content, prefix)
                token = root.find(".//oai:resumptionToken", NS)
                params = {"verb": verb, "resumptionToken": token.text} if token is not None and token.text else None
