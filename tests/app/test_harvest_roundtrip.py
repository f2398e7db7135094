"""POP-to-POP: harvesting a POP instance's `pop` feed reproduces the source notices' published fields
exactly, with their provenance (partner, OAI identifier, datestamp)."""
from __future__ import annotations

import json
from typing import Iterator

import pytest

from formats.bases import BASES, get_base
from formats.notice import Notice, validate_notice
from tests.harvest.fixtures import harvest_app, harvester  # noqa: F401  (fixtures)
from tests.harvest.oai_partner import PartnerServer, ScriptedPartner
from tests.harvest.records import SAMPLES, identifier, pages_of, pop_record, published


def sample_notices(base: str) -> list[Notice]:
    """The real sample of the base (with its quirks), and a variant with a carriage return in a text."""
    raw = json.loads((SAMPLES / f"{base}-1.json").read_text(encoding="utf-8"))
    first = validate_notice(get_base(base), raw)
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
