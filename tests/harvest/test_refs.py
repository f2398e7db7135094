"""REF policies: the spaces POP mints REFs from fit each base's pattern, the reader keys a mint partner's page by
source identifier, and a configuration names what cannot work (mint with `pop`, a licence that is no licence)."""
from __future__ import annotations

import pytest
from lxml import etree

from formats.bases import BASES, get_base
from harvest.mappings import get_mapping
from harvest.page import RawRecord
from harvest.partner import InvalidPartner, parse_config
from harvest.reader import map_page
from harvest.refs import MINT_SCHEMES, mint_scheme


@pytest.mark.parametrize("base", list(BASES))
def test_every_minted_ref_fits_its_base_pattern(base):
    scheme = mint_scheme(base)
    pattern = get_base(base).ref_regex
    numbers = sorted({0, 1, 2, 35, 36, 999, scheme.capacity // 2, scheme.capacity})
    refs = [scheme.ref(n) for n in numbers]
    assert all(pattern.match(ref) for ref in refs), refs
    assert len(set(refs)) == len(refs) and refs == sorted(refs)  # fixed width: REFs sort as their counters
    assert scheme.provisional == scheme.ref(0) and scheme.capacity >= 999
    with pytest.raises(ValueError):
        scheme.ref(scheme.capacity + 1)


def test_every_base_has_a_space_to_mint_from():
    assert set(MINT_SCHEMES) == set(BASES)
    assert mint_scheme("joconde").ref(1) == "POPH0000001" and mint_scheme("museo").describe() == "M9001–M9999"


DC = b'<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" ' \
     b'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>%s</dc:title></oai_dc:dc>'


def test_a_mint_partner_page_is_keyed_by_source_identifier_with_a_provisional_ref():
    partner = parse_config("museum", "http://museum.example/oai", "oai_dc", "joconde", refs="mint",
                           licence="CC-BY-NC-SA-4.0")
    records = [RawRecord("oai:museum.example:1", "2026-01-01", metadata=etree.fromstring(DC % b"Vase")),
               RawRecord("oai:museum.example:2", "2026-01-01", metadata=etree.fromstring(DC % b"Coupe")),
               RawRecord("oai:museum.example:2", "2026-01-02", deleted=True),
               RawRecord("oai:museum.example:3", "2026-01-02", deleted=True)]
    outcome = map_page(records, partner, get_base("joconde"), get_mapping("oai_dc"))
    assert outcome.minted and outcome.issues == [] and outcome.prints == {}
    assert [(n.ref, n.source_identifier, n.licence, n.fields["TICO"]) for n in outcome.notices] == [
        ("POPH0000000", "oai:museum.example:1", "CC-BY-NC-SA-4.0", "Vase")]
    assert outcome.deletions == ["oai:museum.example:2", "oai:museum.example:3"]  # the last word wins
    assert set(outcome.records) == set(outcome.source_datestamps) == {f"oai:museum.example:{n}" for n in (1, 2, 3)}


def test_a_configuration_that_cannot_work_is_refused():
    with pytest.raises(InvalidPartner) as caught:
        parse_config("x", "http://x/oai", "pop", "joconde", refs="mint", licence="CC BY NC")
    assert caught.value.errors == {
        "refs": ["pop records carry their own REF: use refs identifier"],
        "licence": ["must be an SPDX licence id (CC-BY-NC-SA-4.0, etalab-2.0…) or an http(s) URI of the licence"]}
    with pytest.raises(InvalidPartner, match="refs: must be one of identifier, mint"):
        parse_config("x", "http://x/oai", "oai_dc", "joconde", refs="guess")
    for licence in ("CC-BY-NC-SA-4.0", "LicenseRef-musee-x", "https://creativecommons.org/licenses/by/4.0/"):
        assert parse_config("x", "http://x/oai", "oai_dc", "joconde", licence=licence).licence == licence
