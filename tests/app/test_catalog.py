"""/catalog: the DCAT-AP 3.0 catalog data.gouv.fr harvests — negotiated in Turtle, JSON-LD and RDF/XML, valid
against DCAT-AP's SHACL shapes, and, read as data.gouv.fr reads it over real HTTP, leading to every base and
every file with its size and checksum."""
from __future__ import annotations

import hashlib

import pytest
import requests
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, XSD

from app.cli import cli
from formats.bases import BASES
from formats.profiles import object_years
from protocols.export.dcat import SPDX, gyear
from protocols.export.writers import formats_of
from formats.bases import get_base

from .export_helpers import published, stock
from ..shared import schema


@pytest.fixture
def built(db, runner):
    stock(db)
    result = runner.invoke(cli, ["export", "build"])
    assert result.exit_code == 0, result.output


def test_catalog_is_negotiated_and_has_explicit_files(client):
    assert client.get("/catalog", headers={"Accept": "*/*"}).mimetype == "text/turtle"
    assert client.get("/catalog").mimetype == "text/turtle"
    for accept, extension in (("text/turtle", "ttl"), ("application/ld+json", "jsonld"),
                              ("application/rdf+xml", "rdf")):
        negotiated = client.get("/catalog", headers={"Accept": accept})
        assert negotiated.mimetype == accept and "Accept" in negotiated.headers["Vary"]
        explicit = client.get(f"/catalog.{extension}")
        assert explicit.mimetype == accept
        graph = Graph().parse(data=explicit.data, format={"ttl": "turtle", "jsonld": "json-ld",
                                                          "rdf": "xml"}[extension])
        assert len(list(graph.subjects(RDF.type, DCAT.Dataset))) == len(BASES)
    assert client.get("/catalog", headers={"Accept": "image/png"}).status_code == 406
    for page in ("/", "/exports/"):
        assert 'rel="alternate" type="text/turtle" href="' in client.get(page, headers={"Accept": "text/html"}).text


def test_each_dataset_covers_the_years_its_objects_date_from(built, db, client):
    graph = Graph().parse(data=client.get("/catalog.ttl").data, format="turtle")
    listed = {entry["base"]: entry["temporal"] for entry in client.get("/exports/catalog.json").json["bases"]}
    covered = 0
    for name in BASES:
        dataset = URIRef(f"http://testserver/catalog#{name}")
        dates = [years for notice in published(db, name) if (years := object_years(name, notice)) is not None]
        period = graph.value(dataset, DCTERMS.temporal)
        if not dates:  # Museo, Autor: no object dates
            assert period is None and listed[name] is None, name
            continue
        assert (period, RDF.type, DCTERMS.PeriodOfTime) in graph
        start, end = graph.value(period, DCAT.startDate), graph.value(period, DCAT.endDate)
        assert start.datatype == end.datatype == XSD.gYear
        expected = (min(d[0] for d in dates), max(d[1] for d in dates))
        assert (int(start), int(end)) == expected == (listed[name]["start"], listed[name]["end"]), name
        covered += 1
    assert covered >= 4


def test_no_temporal_coverage_is_claimed_before_a_build(db, client):
    stock(db)  # the years are read by the build: until then, not known
    graph = Graph().parse(data=client.get("/catalog.ttl").data, format="turtle")
    assert not list(graph.subjects(RDF.type, DCTERMS.PeriodOfTime))


def test_years_are_xsd_gyears_with_bc_as_negative():
    assert [str(gyear(year)) for year in (1875, 950, -400, -3500)] == ["1875", "0950", "-0400", "-3500"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_catalog_conforms_to_dcat_ap_3_shapes(built, client):
    from pyshacl import validate

    shapes = Graph().parse(schema("dcat-ap/dcat-ap-SHACL.ttl"), format="turtle")
    graph = Graph().parse(data=client.get("/catalog.ttl").data, format="turtle")
    conforms, _, text = validate(graph, shacl_graph=shapes, inference="none")
    assert conforms, text


def test_data_gouv_finds_every_base_and_file_with_matching_sizes_and_checksums(built, live_server):
    graph = Graph().parse(f"{live_server}/catalog", format="turtle")
    (catalog,) = graph.subjects(RDF.type, DCAT.Catalog)
    datasets = list(graph.objects(catalog, DCAT.dataset))
    assert len(datasets) == len(BASES)
    files = 0
    for dataset in datasets:
        name = str(dataset).rsplit("#", 1)[1]
        assert graph.value(dataset, DCTERMS.modified) is not None
        expected = {f.filename(name) for f in formats_of(get_base(name))}
        expected |= {f.filename(name, gzip=True) for f in formats_of(get_base(name)) if f.gzip_twin}
        urls = set()
        for distribution in graph.objects(dataset, DCAT.distribution):
            url = str(graph.value(distribution, DCAT.downloadURL)).replace("http://testserver", live_server)
            data = requests.get(url, timeout=30).content
            assert int(graph.value(distribution, DCAT.byteSize)) == len(data), url
            checksum = graph.value(distribution, SPDX.checksum)
            assert str(graph.value(checksum, SPDX.checksumValue)) == hashlib.sha256(data).hexdigest(), url
            assert graph.value(distribution, DCTERMS.license) == URIRef(
                "https://www.etalab.gouv.fr/licence-ouverte-open-licence/")  # the stocked notices are POP's own
            urls.add(url.rsplit("/", 1)[1])
            files += 1
        assert urls == expected, name
    service = graph.value(catalog, DCAT.service)
    assert str(graph.value(service, DCAT.endpointURL)).endswith("/oai")
    assert len(list(graph.objects(service, DCAT.servesDataset))) == len(BASES)
    assert files >= 7 * len(BASES)
