"""REF policies against a real HTTP partner whose identifiers are not POP REFs (`oai:museum.example:12345`):
quarantined under `--refs identifier`, minted under `--refs mint` — one stable REF per source identifier, so
updates and deletions of a second run find the same notices, and nothing is duplicated."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.cli import cli
from formats.bases import get_base
from formats.notice import validate_notice
from harvest.partner import parse_config
from store.models import MintedRef
from store.notices import write_notices
from store.partners import save_partner
from tests.harvest.fixtures import harvest_app, harvester  # noqa: F401  (fixtures)
from tests.harvest.oai_partner import PartnerRecord, PartnerServer, ScriptedPartner

DC = ('<oai_dc:dc><dc:title>{}</dc:title><dc:creator>Atelier de Sèvres</dc:creator>'
      '<dc:rights>© Musée de la céramique</dc:rights></oai_dc:dc>')


def record(number: int, title: str, datestamp: str = "2026-01-01T00:00:00Z", deleted: bool = False) -> PartnerRecord:
    return PartnerRecord(f"oai:museum.example:{number}", datestamp,
                         None if deleted else DC.format(title).encode(), deleted=deleted)


@pytest.fixture
def runner(harvest_app):
    return harvest_app.test_cli_runner()


def test_identifiers_that_are_not_refs_are_quarantined_under_the_identifier_policy(harvester):
    with PartnerServer(ScriptedPartner([[record(12345, "Vase")]], prefixes=("oai_dc",))) as url:
        harvester.add(url, prefix="oai_dc")
        report = harvester.run()
    assert (report.status, report.counters.quarantined) == ("succeeded", 1)
    assert harvester.issues() == [("oai:museum.example:12345", "invalid notice: REF: '12345' is not a joconde "
                                   "reference (expected ^[0-9A-Z]{11}$)")]


def test_mint_gives_each_source_identifier_one_stable_ref_across_updates_and_deletions(runner, harvester):
    partner = ScriptedPartner([[record(12345, "Vase"), record(12346, "Coupe")], [record(12347, "Plat")]],
                              prefixes=("oai_dc",))
    with PartnerServer(partner) as url:
        added = runner.invoke(cli, ["harvest", "add", "museum", "--url", url, "--prefix", "oai_dc", "--base",
                                    "joconde", "--refs", "mint"])
        assert added.output == f"partner museum added: {url} (oai_dc → joconde), by hand, REFs minted by POP\n"
        assert "refs: mint" in runner.invoke(cli, ["harvest", "show", "museum"]).output
        first = harvester.run()
        assert (first.status, first.counters.created, first.counters.quarantined) == ("succeeded", 3, 0)
        minted = {row.source_identifier: ref for ref, row in harvester.rows().items()}
        assert sorted(minted.values()) == ["POPH0000001", "POPH0000002", "POPH0000003"]
        assert all(get_base("joconde").ref_regex.match(ref) for ref in minted.values())
        # The partner changes one record, deletes one, adds one; a deleted header names one never harvested
        partner.pages = [[record(12345, "Vase couvert", "2026-01-03T00:00:00Z"),
                          record(12346, "", "2026-01-03T00:00:00Z", deleted=True)],
                         [record(12348, "Assiette", "2026-01-03T00:00:00Z"),
                          record(99999, "", "2026-01-03T00:00:00Z", deleted=True)]]
        second = harvester.run()
        assert (second.counters.created, second.counters.updated, second.counters.deleted,
                second.counters.unchanged) == (1, 1, 1, 1)
        again = harvester.run(full=True)  # everything once more: nothing changes, nothing is minted twice
        assert (again.counters.created, again.counters.updated, again.counters.unchanged) == (0, 0, 4)
    rows = harvester.rows()
    assert len(rows) == 4 and {row.source_identifier: ref for ref, row in rows.items()} == {
        **minted, "oai:museum.example:12348": "POPH0000004"}
    assert rows[minted["oai:museum.example:12345"]].fields["TICO"] == "Vase couvert"
    assert rows[minted["oai:museum.example:12346"]].deleted
    assert harvester.store()[minted["oai:museum.example:12347"]]["TICO"] == "Plat"
    with harvester.db.session() as session:
        assert session.execute(select(func.count()).select_from(MintedRef)).scalar_one() == 4


def test_minted_refs_never_land_on_a_notice_another_source_holds(harvester):
    with harvester.db.session() as session:  # a local notice that happens to sit in the reserved space
        write_notices(session, [validate_notice(get_base("joconde"), {"REF": "POPH0000001", "TICO": "Local"})])
    with PartnerServer(ScriptedPartner([[record(1, "Vase")]], prefixes=("oai_dc",))) as url:
        for name in ("museum", "other-museum"):  # the same source identifier, from two partners
            with harvester.db.session() as session:
                save_partner(session, parse_config(name, url, "oai_dc", "joconde", refs="mint"))
            assert harvester.run(name).counters.created == 1
    assert list(harvester.rows("museum")) == ["POPH0000002"] and list(harvester.rows("other-museum")) == [
        "POPH0000003"]
    assert harvester.store("local") == {"POPH0000001": {"REF": "POPH0000001", "TICO": "Local"}}


def test_the_admin_api_takes_refs_and_licence_and_keeps_a_partner_policy_once_it_owns_notices(harvest_app,
                                                                                             harvester):
    client = harvest_app.test_client()
    token = harvest_app.test_cli_runner().invoke(cli, ["token", "create", "tests"]).stdout.strip()
    auth = {"Authorization": f"Bearer {token}"}
    schema = client.get("/api/admin/openapi.json").json["components"]["schemas"]["Partner"]["properties"]
    assert schema["refs"]["enum"] == ["identifier", "mint"] and "SPDX" in schema["licence"]["description"]
    with PartnerServer(ScriptedPartner([[record(12345, "Vase")]], prefixes=("oai_dc", "pop"))) as url:
        body = {"name": "museum", "url": url, "metadata_prefix": "oai_dc", "base": "joconde", "refs": "mint",
                "licence": "CC-BY-NC-SA-4.0"}
        created = client.post("/api/admin/partners", json=body, headers=auth)
        assert created.status_code == 201, created.json
        assert (created.json["refs"], created.json["licence"]) == ("mint", "CC-BY-NC-SA-4.0")
        refused = client.patch("/api/admin/partners/museum", json={"licence": "CC BY", "metadata_prefix": "pop",
                                                                    "mapping": "pop"}, headers=auth)
        assert refused.status_code == 422 and set(refused.json["errors"]) == {"licence", "refs"}
        assert harvester.run().counters.created == 1
        kept = client.patch("/api/admin/partners/museum", json={"refs": "identifier"}, headers=auth)
    assert kept.status_code == 422 and kept.json["errors"]["refs"] == [
        "partner 'museum' owns notices under REF policy 'mint': changing it would duplicate them"]
    assert list(harvester.rows()) == ["POPH0000001"]
