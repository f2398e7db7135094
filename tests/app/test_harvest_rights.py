"""Partners' rights, end to end: a CC BY-NC-SA partner harvested over real HTTP is served by /oai in every
format (rendered on read from the backlog, then from stored renditions), in the exports and in the catalog
with its own licence and rights texts — never POP's Licence Ouverte. A partner that states nothing is left
out of EDM, counted by `pop renditions rebuild`; a licence change reaches the partner's notices at once."""
from __future__ import annotations

import pytest

from dataclasses import replace

from app.cli import cli
from harvest.partner import parse_config
from store.backlog import render_pending
from store.partners import get_partner, save_partner, to_config
from tests.harvest.fixtures import harvest_app, harvester  # noqa: F401  (fixtures)
from tests.harvest.oai_partner import PartnerRecord, PartnerServer, ScriptedPartner

from .oai_xml import NS, parse

POP_LICENCE = ("Licence Ouverte", "licence-ouverte", "etalab")
CC_BY_NC_SA = "https://creativecommons.org/licenses/by-nc-sa/4.0/"
RIGHTS = "© Musée de la céramique, photo J. Dupont"
FORMATS = ("oai_dc", "pop", "lido", "edm")


def dc(title: str, rights: str | None) -> bytes:
    return (f"<oai_dc:dc><dc:title>{title}</dc:title><dc:type>vase</dc:type>"
            + (f"<dc:rights>{rights}</dc:rights>" if rights else "") + "</oai_dc:dc>").encode()


def harvest(harvester, name: str, records: list[PartnerRecord], licence: str | None) -> None:
    with PartnerServer(ScriptedPartner([records], prefixes=("oai_dc",))) as url:
        with harvester.db.session() as session:
            save_partner(session, parse_config(name, url, "oai_dc", "joconde", licence=licence))
        assert harvester.run(name).status == "succeeded"


def oai(client, **arguments) -> bytes:
    response = client.get("/oai", query_string=arguments)
    assert response.status_code == 200
    return response.data


def served(client, spec: str) -> dict[str, bytes]:
    """What /oai serves of a partner's records: ListRecords and each GetRecord, in every format."""
    answers = {}
    for prefix in FORMATS:
        answers[f"ListRecords {prefix}"] = oai(client, verb="ListRecords", metadataPrefix=prefix, set=spec)
        for identifier in parse(answers[f"ListRecords {prefix}"]).xpath("//oai:header/oai:identifier/text()",
                                                                        namespaces=NS):
            answers[f"GetRecord {prefix} {identifier}"] = oai(client, verb="GetRecord", metadataPrefix=prefix,
                                                             identifier=identifier)
    return answers


def assert_no_pop_licence(answers: dict[str, bytes]) -> None:
    for what, body in answers.items():
        assert not any(word.encode() in body for word in POP_LICENCE), what


@pytest.fixture
def client(harvest_app):
    # /oai lists what was written this very second (no commit lag): /oai reads its settings per request
    state = harvest_app.extensions["pop"]
    state.settings = replace(state.settings, oai_commit_lag=0)
    return harvest_app.test_client()


def test_a_cc_by_nc_sa_partner_never_says_licence_ouverte(harvester, harvest_app, client):
    harvest(harvester, "museum", [PartnerRecord("oai:museum.example:000PE000001", "2026-01-01", dc("Vase", RIGHTS)),
                                  PartnerRecord("oai:museum.example:000PE000002", "2026-01-01", dc("Coupe", RIGHTS))],
            licence="CC-BY-NC-SA-4.0")
    on_read = served(client, "partner:museum")  # the backlog: rendered on read
    assert len(on_read) == 4 + 4 * 2
    assert_no_pop_licence(on_read)
    record = parse(on_read["GetRecord oai_dc oai:pop.culture.gouv.fr:joconde:000PE000001"])
    assert record.xpath("//dc:rights/text()", namespaces=NS) == [RIGHTS, CC_BY_NC_SA]
    lido = on_read["GetRecord lido oai:pop.culture.gouv.fr:joconde:000PE000001"]
    assert CC_BY_NC_SA.encode() in lido and RIGHTS.encode() in lido
    edm = on_read["GetRecord edm oai:pop.culture.gouv.fr:joconde:000PE000001"]
    assert b'<edm:rights rdf:resource="http://creativecommons.org/licenses/by-nc-sa/4.0/"/>' in edm
    render_pending(harvester.db)  # stored renditions: the same records
    stored = served(client, "partner:museum")
    assert all(b"<error" not in body for body in stored.values())  # every format serves both records
    assert [body.split(b"</responseDate>")[1] for body in stored.values()] == \
        [body.split(b"</responseDate>")[1] for body in on_read.values()]
    exports = {fmt: client.get(f"/exports/joconde.{fmt}").data for fmt in ("json", "csv", "jsonl")}
    assert_no_pop_licence(exports)
    assert all(RIGHTS.encode() in body for body in exports.values())
    catalog = client.get("/exports/catalog.json").json
    joconde = next(entry for entry in catalog["bases"] if entry["base"] == "joconde")
    assert joconde["licences"] == [{"source": "museum", "records": 2, "licence": "CC-BY-NC-SA-4.0",
                                    "name": "CC BY-NC-SA 4.0", "url": CC_BY_NC_SA}]
    page = client.get("/exports/", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "CC BY-NC-SA 4.0</a>\n(partner <code>museum</code>, 2)" in page


def test_a_partner_stating_nothing_is_left_out_of_edm_and_counted(harvester, harvest_app, client):
    harvest(harvester, "silent", [PartnerRecord("oai:silent.example:000PE000009", "2026-01-01", dc("Plat", None))],
            licence=None)
    render_pending(harvester.db)
    answers = served(client, "partner:silent")
    assert_no_pop_licence(answers)
    assert b'code="noRecordsMatch"' in answers["ListRecords edm"]
    assert parse(answers["ListRecords oai_dc"]).xpath("//dc:rights", namespaces=NS) == []
    edm = oai(client, verb="GetRecord", metadataPrefix="edm", identifier="oai:pop.culture.gouv.fr:joconde:000PE000009")
    assert b'code="cannotDisseminateFormat"' in edm
    result = harvest_app.test_cli_runner().invoke(cli, ["renditions", "rebuild", "--base", "joconde"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == ("checked: 1, renditions changed: 0, datestamps moved: 0, "
                                              "left out of edm: 1 (no rights statement Europeana accepts)")
    joconde = next(entry for entry in client.get("/exports/catalog.json").json["bases"] if entry["base"] == "joconde")
    assert joconde["licences"] == [{"source": "silent", "records": 1, "licence": None,
                                    "name": "rights as stated by the partner", "url": None}]
    # The partner states a licence after all: its notices state it at once, and harvesters re-fetch them
    before = harvester.rows("silent")["000PE000009"].datestamp
    with harvester.db.session() as session:
        row = get_partner(session, "silent")
        config = to_config(row)
        save_partner(session, config.__class__(**{**config.__dict__, "licence": "CC0-1.0"}), existing=row)
    after = harvester.rows("silent")["000PE000009"]
    assert (after.licence, after.rendered) == ("CC0-1.0", False) and after.datestamp >= before
    edm = oai(client, verb="GetRecord", metadataPrefix="edm", identifier="oai:pop.culture.gouv.fr:joconde:000PE000009")
    assert b'<edm:rights rdf:resource="http://creativecommons.org/publicdomain/zero/1.0/"/>' in edm
