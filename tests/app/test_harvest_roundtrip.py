"""POP-to-POP: harvesting a POP instance's `pop` feed reproduces the source notices' published fields
exactly, with their provenance (partner, OAI identifier, datestamp)."""
from __future__ import annotations

from typing import Iterator

import pytest

from formats.bases import BASES, get_base
from formats.notice import Notice, validate_notice
from tests.harvest.fixtures import harvest_app, harvester  # noqa: F401  (fixtures)
from tests.harvest.oai_partner import PartnerServer, ScriptedPartner
from tests.harvest.records import identifier, pages_of, pop_record, published
from tests.shared import pop_sample


def sample_notices(base: str) -> list[Notice]:
    """The real sample of the base (with its quirks), and a variant with a carriage return in a text."""
    first = validate_notice(get_base(base), pop_sample(base))
    code = get_base(base).title_fields[0] if get_base(base).title_fields[0] in first.fields else "REF"
    ref = first.ref[:-1] + ("1" if first.ref[-1] != "1" else "2")
    variant = dict(first.fields, REF=ref)
    if code != "REF":
        variant[code] = "ligne 1\r\nligne 2 « & < > »"
    return [first, validate_notice(get_base(base), variant)]


@pytest.fixture
def pop_provider_feed() -> Iterator:
    """A POP instance publishing notices in `pop` over OAI-PMH: yields serve(notices) → base URL.

    Until this project's own provider (/oai) is on this branch, a scripted partner serves the pages,
    rendered with formats/pop.py exactly as the provider's renditions are. Point this fixture at a second
    app's live /oai loaded with the same notices when the provider lands: the tests stay as they are."""
    servers = []

    def serve(notices: list[Notice]) -> str:
        partner = ScriptedPartner(pages_of([pop_record(n, "2026-01-01T10:00:00Z") for n in notices], 2))
        server = PartnerServer(partner)
        servers.append(server)
        return server.__enter__()

    yield serve
    for server in servers:
        server.__exit__(None, None, None)


@pytest.mark.parametrize("base", list(BASES))
def test_pop_to_pop_round_trip_reproduces_published_fields_exactly(harvester, pop_provider_feed, base):
    notices = sample_notices(base)
    url = pop_provider_feed(notices)
    harvester.add(url, name="other-pop", base=base)
    report = harvester.run("other-pop")
    assert report.status == "succeeded", report.error
    assert harvester.issues() == []
    assert harvester.store("other-pop") == {n.ref: published(n) for n in notices}
    rows = harvester.rows("other-pop")
    for notice in notices:
        row = rows[notice.ref]
        assert (row.source, row.source_identifier, row.source_datestamp) == \
            ("other-pop", identifier(notice.ref, base), "2026-01-01T10:00:00Z")
    # a second run changes nothing, so aggregators downstream have nothing to re-fetch
    datestamps = {ref: row.datestamp for ref, row in rows.items()}
    again = harvester.run("other-pop", full=True)
    assert (again.counters.created, again.counters.updated, again.counters.unchanged) == (0, 0, len(notices))
    assert {ref: row.datestamp for ref, row in harvester.rows("other-pop").items()} == datestamps


def test_an_oai_dc_partner_feeds_merimee(harvester):
    from tests.harvest.oai_partner import PartnerRecord

    dc = ('<oai_dc:dc><dc:title>Château de Pierrefonds</dc:title><dc:creator>Viollet-le-Duc</dc:creator>'
          '<dc:date>XIXe siècle</dc:date><dc:coverage>Pierrefonds</dc:coverage></oai_dc:dc>').encode()
    partner = ScriptedPartner([[PartnerRecord("oai:inventaire.example:PA00114479", "2026-01-01", dc),
                                PartnerRecord("oai:inventaire.example:not-a-ref", "2026-01-01", dc)]],
                              prefixes=("oai_dc",))
    with PartnerServer(partner) as url:
        harvester.add(url, name="inventaire", prefix="oai_dc", base="merimee")
        report = harvester.run("inventaire")
    assert report.status == "succeeded"
    assert harvester.store("inventaire") == {"PA00114479": {
        "REF": "PA00114479", "AUTR": ["Viollet-le-Duc"], "DATE": ["XIXe siècle"], "LOCA": "Pierrefonds",
        "TICO": "Château de Pierrefonds"}}
    assert [reason for _, reason in harvester.issues()] == [
        "invalid notice: REF: 'not-a-ref' is not a merimee reference (expected ^[A-Z]{2}[0-9A-Z]{8}$)"]


def test_a_lido_partner_feeds_joconde(harvester, shared_dir):
    from tests.harvest.oai_partner import PartnerRecord

    lido = (shared_dir / "samples/lido/LIDO-Example_FMobj00154983-LaPrimavera.xml").read_bytes()
    lido = lido.split(b"?>", 1)[1]  # the record, without its XML declaration
    partner = ScriptedPartner([[PartnerRecord("oai:uffizi.example:000PE154983", "2026-01-01", lido)]],
                              prefixes=("lido",))
    with PartnerServer(partner) as url:
        harvester.add(url, name="uffizi", prefix="lido", base="joconde")
        report = harvester.run("uffizi")
    assert (report.status, report.counters.created) == ("succeeded", 1)
    stored = harvester.store("uffizi")["000PE154983"]
    assert stored["TICO"] == "La Primavera / Spring ; La Primavera / Der Frühling"
    assert stored["AUTR"][0] == "Botticelli, Sandro"
