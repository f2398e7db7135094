"""Set specs: what each names, and the sets of a notice."""
from datetime import datetime

from protocols.oaipmh.repository import Item, ProducerSet, SetCatalog
from protocols.oaipmh.sets import SetFilter, all_sets, item_set_specs, parse_set_spec


def item(source="local"):
    return Item(1, "joconde", "000PE001028", datetime(2024, 1, 1), False, "musee", source)


def test_set_specs_name_bases_producers_and_partners():
    assert parse_set_spec("joconde") == SetFilter(base="joconde")
    assert parse_set_spec("joconde:musee") == SetFilter(base="joconde", producer_slug="musee")
    assert parse_set_spec("partner") == SetFilter(source="*")
    assert parse_set_spec("partner:musee-valence") == SetFilter(source="musee-valence")
    for nothing in ("louvre", "joconde:", "joconde:a:b", "partner:", "partner:local"):
        assert parse_set_spec(nothing) is None


def test_a_header_lists_every_set_of_its_notice():
    assert item_set_specs(item()) == ["joconde", "joconde:musee"]
    assert item_set_specs(item("musee-valence")) == ["joconde", "joconde:musee", "partner", "partner:musee-valence"]
    assert item_set_specs(item("Musée de Valence")) == ["joconde", "joconde:musee", "partner"]


def test_list_sets_puts_parents_before_children_and_skips_names_that_cannot_be_set_specs():
    catalog = SetCatalog((ProducerSet("joconde", "musee", "MUSEE"),), ("musee-valence", "Musée de Valence"))
    specs = [spec for spec, _ in all_sets(catalog)]
    assert specs.index("joconde") < specs.index("joconde:musee") < specs.index("merimee")
    assert specs[-2:] == ["partner", "partner:musee-valence"]
