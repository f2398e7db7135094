"""The bases registry, built from POP's field dictionary."""
from __future__ import annotations

import json

import pytest

from formats.bases import BASES, UnknownBase, get_base, slugify


def test_the_eight_bases_are_registered():
    assert list(BASES) == ["joconde", "merimee", "palissy", "memoire", "mnr", "museo", "autor", "enluminures"]


def test_registry_matches_the_field_dictionary(shared_dir):
    dictionary = json.loads((shared_dir / "pop-bases" / "fields.json").read_text(encoding="utf-8"))["bases"]
    for name, source in dictionary.items():
        base = get_base(name)
        assert [f.code for f in base.fields] == [f["code"] for f in source["fields"]]
        assert base.hidden_codes == set(source["non_diffusable"]) | set(source["internal"])
        for spec in source["fields"]:
            assert base.field(spec["code"]).multi == spec["type"].startswith("array")


def test_hidden_fields_are_never_among_the_published_ones():
    palissy = get_base("palissy")
    published = {f.code for f in palissy.published_fields}
    assert {"ADRS2", "COM2", "EDIF2", "EMPL2", "INSEE2", "LBASE2", "POP_IMPORT", "TOUT"}.isdisjoint(published)
    assert {"SALLES", "RCL", "NET", "CARTELS"}.isdisjoint(f.code for f in get_base("mnr").published_fields)


@pytest.mark.parametrize("name", list(BASES))
def test_example_refs_match_the_base_ref_pattern(name):
    base = get_base(name)
    assert all(base.ref_regex.match(ref) for ref in base.example_refs)
    assert not base.ref_regex.match("bad ref/with spaces")


def test_unknown_base_says_which_bases_exist():
    with pytest.raises(UnknownBase) as error:
        get_base("louvre")
    assert "joconde" in str(error.value)


def test_producer_slugs_are_set_spec_safe():
    assert slugify("Monuments Historiques") == "monuments-historiques"
    assert slugify("État") == "etat"
    assert slugify("") == "inconnu"


@pytest.mark.parametrize("producer, slug", [
    # published set specs: ASCII and French names keep the slugs they always had
    ("MUSEE", "musee"), ("Inventaire", "inventaire"), ("Musée d'Orsay", "musee-d-orsay"),
    ("Musée d’Orsay", "musee-dorsay"), ("DRAC Provence-Alpes-Côte d'Azur", "drac-provence-alpes-cote-d-azur"),
    ("Musée n°1", "musee-n1"), ("1,5 rue Ça & là", "1-5-rue-ca-la"), ("Lyon–Nord « Bis »", "lyonnord-bis"),
    # letters without an ASCII decomposition are transliterated, no longer dropped
    ("Muzeum Łódź", "muzeum-lodz"), ("Musée de l'Œuvre Notre-Dame", "musee-de-l-oeuvre-notre-dame"),
    ("Straße", "strasse"), ("Ærø", "aero"), ("Москва", "moskva"),
])
def test_producer_slugs_transliterate_letters_and_keep_the_slugs_already_published(producer, slug):
    assert slugify(producer) == slug
