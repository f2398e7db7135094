"""EDM external: every eligible notice passes Europeana's XSD and Schematron, with its rights, images, maker,
date and place where Europeana reads them."""
from __future__ import annotations

import pytest
from lxml import etree

from formats import rights
from formats.bases import BASES
from formats.registry import RENDERERS, Renderers, RenderOptions, get_format

from .europeana import (assert_golden, demo_notices, edm_schema, notice, sample_notice, schematron_errors,
                        xpath_texts, xsd_errors)

NS = {"rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "dc": "http://purl.org/dc/elements/1.1/",
      "dcterms": "http://purl.org/dc/terms/", "edm": "http://www.europeana.eu/schemas/edm/",
      "ore": "http://www.openarchives.org/ore/terms/", "skos": "http://www.w3.org/2004/02/skos/core#",
      "wgs84_pos": "http://www.w3.org/2003/01/geo/wgs84_pos#"}
EDM_BASES = ["joconde", "palissy", "mnr", "enluminures", "memoire", "merimee"]
render = get_format("edm").render
render_all = RENDERERS.render_all  # the default options


def render_valid(n, **options) -> etree._Element:
    xml = render(n, **options)
    assert xml is not None, f"{n.base} {n.ref} was left out of EDM"
    assert xsd_errors(edm_schema(), xml) == [], xml
    assert schematron_errors(xml) == [], xml
    return etree.fromstring(xml.encode("utf-8"))


def texts(tree, path: str) -> list[str]:
    return xpath_texts(tree, path, NS)


def test_edm_is_registered_for_the_bases_describing_heritage_objects():
    fmt = get_format("edm")
    assert fmt.namespace == "http://www.europeana.eu/schemas/edm/"
    assert fmt.schema == "http://www.europeana.eu/schemas/edm/EDM.xsd"
    assert sorted(fmt.bases) == sorted(EDM_BASES)
    assert not fmt.supports("museo") and not fmt.supports("autor")
    assert set(fmt.bases) <= set(BASES)


@pytest.mark.parametrize("base", EDM_BASES)
def test_real_sample_passes_xsd_and_schematron_and_matches_its_golden_file(base):
    n = sample_notice(base)
    render_valid(n)
    assert_golden("edm", base, render(n))


@pytest.mark.parametrize("base", EDM_BASES)
def test_every_demo_notice_passes_xsd_and_schematron(base):
    for n in demo_notices(base, 200):
        render_valid(n)


def test_europeana_finds_rights_images_maker_date_and_place():
    tree = render_valid(notice(
        "joconde", REF="000PE000001", TICO="Portrait de femme", DENO=["tableau"], AUTR=["VINCI Léonard de (peintre)"],
        PERI=["1er quart 16e siècle"], TECH=["peinture à l'huile"], DIMS="H. 77 ; l. 53", INV="INV 779",
        NOMOFF="musée du Louvre", VILLE_M="Paris", POP_COORDONNEES={"lat": 48.86, "lon": 2.33}, REPR=["portrait"],
        PHOT="© RMN-Grand Palais", IMG=["joconde/0001/a.jpg", "joconde/0001/b.jpg"]))
    page = "https://pop.culture.gouv.fr/notice/joconde/000PE000001"
    cho = "/rdf:RDF/edm:ProvidedCHO"
    assert texts(tree, f"{cho}/@rdf:about") == [page + "#cho"]
    assert texts(tree, f"{cho}/dc:title") == ["Portrait de femme"]
    assert texts(tree, f"{cho}/dc:type") == ["tableau"]
    assert texts(tree, f"{cho}/dc:subject") == ["portrait"]
    assert texts(tree, f"{cho}/dcterms:medium") == ["peinture à l'huile"]
    assert texts(tree, f"{cho}/dcterms:extent") == ["H. 77 ; l. 53"]
    assert texts(tree, f"{cho}/dc:identifier") == ["000PE000001", "INV 779"]
    assert texts(tree, f"{cho}/edm:type") == ["IMAGE"]
    agent = texts(tree, f"{cho}/dc:creator/@rdf:resource")
    assert texts(tree, f"/rdf:RDF/edm:Agent[@rdf:about='{agent[0]}']/skos:prefLabel") == ["VINCI Léonard de"]
    assert texts(tree, f"/rdf:RDF/edm:Agent/skos:note") == ["peintre"]
    timespan = texts(tree, f"{cho}/dcterms:created/@rdf:resource")[0]
    assert texts(tree, f"/rdf:RDF/edm:TimeSpan[@rdf:about='{timespan}']/edm:begin") == ["1500"]
    assert texts(tree, "/rdf:RDF/edm:TimeSpan/edm:end") == ["1524"]
    place = texts(tree, f"{cho}/edm:currentLocation/@rdf:resource")[0]
    assert texts(tree, f"/rdf:RDF/edm:Place[@rdf:about='{place}']/wgs84_pos:lat") == ["48.86"]
    assert texts(tree, "/rdf:RDF/edm:Place/skos:prefLabel") == ["Paris"]
    aggregation = "/rdf:RDF/ore:Aggregation"
    first, second = ("https://s3.eu-west-3.amazonaws.com/pop-phototeque/joconde/0001/a.jpg",
                     "https://s3.eu-west-3.amazonaws.com/pop-phototeque/joconde/0001/b.jpg")
    assert texts(tree, f"{aggregation}/edm:dataProvider") == ["musée du Louvre"]
    assert texts(tree, f"{aggregation}/edm:provider") == ["Ministère de la Culture"]
    assert texts(tree, f"{aggregation}/edm:isShownAt/@rdf:resource") == [page]
    assert texts(tree, f"{aggregation}/edm:isShownBy/@rdf:resource") == [first]
    assert texts(tree, f"{aggregation}/edm:object/@rdf:resource") == [first]
    assert texts(tree, f"{aggregation}/edm:hasView/@rdf:resource") == [second]
    assert texts(tree, f"{aggregation}/edm:rights/@rdf:resource") == [rights.IN_COPYRIGHT]
    assert texts(tree, "/rdf:RDF/edm:WebResource/@rdf:about") == [first, second]
    assert texts(tree, "/rdf:RDF/edm:WebResource/edm:rights/@rdf:resource") == [rights.IN_COPYRIGHT] * 2


def test_properties_come_in_the_order_europeana_requires():
    tree = render_valid(sample_notice("mnr"))
    aggregation = [etree.QName(e).localname for e in tree.find("ore:Aggregation", NS)]
    assert aggregation == ["aggregatedCHO", "dataProvider"] + ["hasView"] * (aggregation.count("hasView")) + [
        "isShownAt", "isShownBy", "object", "provider", "rights", "rights"]
    assert [etree.QName(e).localname for e in tree.find("edm:ProvidedCHO", NS)][-1] == "type"


def test_a_notice_with_only_ref_and_title_gives_a_valid_record():
    for base, title in [("joconde", "TICO"), ("palissy", "TICO"), ("mnr", "TITR"), ("enluminures", "TITR"),
                        ("memoire", "LEG"), ("merimee", "TICO")]:
        ref = BASES[base].example_refs[0]
        tree = render_valid(notice(base, REF=ref, **{title: "Sans plus"}))
        assert texts(tree, "//ore:Aggregation/edm:isShownBy") == []
        # nothing states rights: the configurable default, "Copyright Not Evaluated"
        assert texts(tree, "//ore:Aggregation/edm:rights/@rdf:resource") == [rights.DEFAULT_RIGHTS]


def test_a_notice_that_names_nothing_is_left_out():
    assert render(notice("merimee", REF="PA00000001", COPY=["© Monuments historiques"])) is None
    assert "edm" not in render_all(notice("merimee", REF="PA00000001"))


def test_the_default_rights_are_configurable():
    bare = notice("mnr", REF="AEG00003", TITR="Statuette")
    tree = render_valid(bare, default_rights=rights.IN_COPYRIGHT)
    assert texts(tree, "//ore:Aggregation/edm:rights/@rdf:resource") == [rights.IN_COPYRIGHT]
    with pytest.raises(ValueError, match="Europeana accepts"):
        render(bare, default_rights="https://www.etalab.gouv.fr/licence-ouverte-open-licence/")


def test_the_default_rights_reach_edm_through_render_options_and_nowhere_else():
    bare = notice("mnr", REF="AEG00003", TITR="Statuette")
    chosen = Renderers(RenderOptions(edm_default_rights=rights.IN_COPYRIGHT)).render_all(bare)
    tree = etree.fromstring(chosen["edm"].encode("utf-8"))
    assert texts(tree, "//ore:Aggregation/edm:rights/@rdf:resource") == [rights.IN_COPYRIGHT]
    defaults = render_all(bare)
    assert rights.IN_COPYRIGHT not in defaults["edm"] and render(bare) == defaults["edm"]
    assert {p: xml for p, xml in chosen.items() if p != "edm"} == {p: xml for p, xml in defaults.items() if p != "edm"}


def test_an_open_licence_in_the_credits_reaches_edm_rights():
    tree = render_valid(notice("enluminures", REF="D-000002", TITR="Psautier", DROIT="IRHT, CC BY-NC 4.0",
                               VIDEO=["enluminures/D-000002/a.jpg"]))
    assert texts(tree, "//ore:Aggregation/edm:rights/@rdf:resource") == [
        "http://creativecommons.org/licenses/by-nc/4.0/"]


def test_images_named_as_rights_reserved_are_in_copyright():
    tree = render_valid(sample_notice("mnr"))
    resources = tree.findall("edm:WebResource", NS)
    assert len(resources) == 15
    assert {r.find("edm:rights", NS).get(f"{{{NS['rdf']}}}resource") for r in resources} == {rights.IN_COPYRIGHT}


def test_enluminures_languages_are_iso_codes():
    tree = render_valid(sample_notice("enluminures"))
    assert texts(tree, "//edm:ProvidedCHO/dc:language") == ["la", "fr"]


def test_hidden_fields_never_reach_edm():
    secret = "Salle 12 à telle date"
    xml = render_all(notice("mnr", REF="AEG00004", TITR="Vase", SALLES=secret, CARTELS=secret, RCL=secret))["edm"]
    assert secret not in xml


@pytest.mark.parametrize("base", ["museo", "autor"])
def test_museums_and_people_are_not_provided_objects(base):
    assert render(sample_notice(base)) is None
    assert "edm" not in render_all(sample_notice(base))
