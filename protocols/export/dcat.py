"""The DCAT-AP 3.0 catalog of the service, as an rdflib graph: what data.gouv.fr's `dcat` harvester (udata)
and the European data portal read to list POP's datasets.

- the service is a `dcat:Catalog` (publisher: the Ministry of Culture, a `foaf:Agent`; homepage, licence of
  the catalog itself, language French, last modified);
- each base is a `dcat:Dataset` (French title and description, keywords, the EU theme EDUC, last datestamp
  of the base as `dct:modified`, contact point, landing page: its field dictionary, identifier, update
  frequency, and its temporal coverage where known: `dct:temporal`, a `dct:PeriodOfTime` whose
  `dcat:startDate` and `dcat:endDate` are the earliest and latest years the base's objects date from, as its
  latest snapshot build read them — `protocols/export/coverage.py`; none for the bases without object dates,
  Museo and Autor, nor before a build);
- each snapshot file (and each `.gz` twin) is a `dcat:Distribution`: download URL, IANA media type, EU file
  type, `dcat:byteSize`, sha256 as `spdx:checksum`, the licence of what it holds — the Licence Ouverte only
  when every notice of the base is POP's own; a partner's single licence when it alone fills the base;
  otherwise a `dct:rights` statement naming each source's licence and no `dct:license` (POP never
  relicenses a partner's records) — and, for CSV, `dct:conformsTo` the base's Table Schema;
- `/oai` is a `dcat:DataService` (endpoint, `dct:conformsTo` OAI-PMH 2.0, serving every dataset).
Input: the export catalog (`app/views/exports.catalog()`), plain dicts; no I/O: the view serialises.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable, Mapping

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"
OAI_PMH = URIRef("http://www.openarchives.org/OAI/2.0/openarchivesprotocol.htm")
MINISTRY = URIRef("https://www.culture.gouv.fr/")
MINISTRY_NAME = "Ministère de la Culture"
FRENCH = URIRef(EU + "language/FRA")
THEME = URIRef(EU + "data-theme/EDUC")  # education, culture and sport
FREQUENCY = URIRef(EU + "frequency/CONT")  # notices change continuously; snapshots follow each build
# export format → (EU file type, IANA media type without parameters)
FILE_TYPES = {"csv": ("CSV", "text/csv"), "jsonl": ("JSON", "application/jsonl"),
              "json": ("JSON", "application/json"), "parquet": ("PARQUET", "application/vnd.apache.parquet"),
              "geojson": ("GEOJSON", "application/geo+json")}
GZIP = URIRef(IANA + "application/gzip")


def _iso(text: str | None) -> Literal | None:
    if not text:
        return None
    return Literal(datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").isoformat(), datatype=XSD.dateTime)


def _typed(graph: Graph, node: URIRef, *classes: URIRef) -> URIRef:
    """`node`, declared of `classes`: DCAT-AP's shapes check the class of every linked node, without
    inference (a harvester does not load the EU vocabularies)."""
    for cls in classes:
        graph.add((node, RDF.type, cls))
    return node


def _licence_node(graph: Graph, url: str) -> URIRef:
    node = URIRef(url)
    graph.add((node, RDF.type, DCTERMS.LicenseDocument))
    return node


def _rights(graph: Graph, licences: list[Mapping[str, Any]]) -> tuple[URIRef | None, BNode | None]:
    """The licence of a base's files (when one licence covers every notice) or a rights statement."""
    urls = {licence.get("url") for licence in licences}
    if len(licences) >= 1 and len(urls) == 1 and None not in urls:
        return _licence_node(graph, urls.pop()), None
    statement = BNode()
    graph.add((statement, RDF.type, DCTERMS.RightsStatement))
    parts = [f"{licence.get('source', 'POP')}: {licence.get('name')}"
             + (f" <{licence['url']}>" if licence.get("url") else "") for licence in licences]
    graph.add((statement, RDFS.label, Literal("Licences par source — " + " ; ".join(parts), lang="fr")))
    return None, statement


def _distribution(graph: Graph, node: URIRef, *, url: str, fmt: str, title: str, size: int | None,
                  sha256: str | None, modified: str | None, licence: URIRef | None, rights: BNode | None,
                  gzip: bool) -> None:
    file_type, media_type = FILE_TYPES.get(fmt, ("BIN", "application/octet-stream"))
    graph.add((node, RDF.type, DCAT.Distribution))
    graph.add((node, DCTERMS.title, Literal(title, lang="fr")))
    graph.add((node, DCAT.accessURL, _typed(graph, URIRef(url), RDFS.Resource)))
    graph.add((node, DCAT.downloadURL, URIRef(url)))
    graph.add((node, DCAT.mediaType, _typed(graph, URIRef(IANA + media_type), DCTERMS.MediaType)))
    graph.add((node, DCTERMS["format"], _typed(graph, URIRef(EU + "file-type/" + file_type), DCTERMS.MediaTypeOrExtent)))
    if gzip:
        graph.add((node, DCAT.compressFormat, _typed(graph, GZIP, DCTERMS.MediaType)))
    if size is not None:
        graph.add((node, DCAT.byteSize, Literal(size, datatype=XSD.nonNegativeInteger)))
    if sha256:
        checksum = BNode()
        graph.add((node, SPDX.checksum, checksum))
        graph.add((checksum, RDF.type, SPDX.Checksum))
        graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        graph.add((SPDX.checksumAlgorithm_sha256, RDF.type, SPDX.ChecksumAlgorithm))
        graph.add((checksum, SPDX.checksumValue, Literal(sha256, datatype=XSD.hexBinary)))
    if modified is not None:
        graph.add((node, DCTERMS.modified, modified))
    if licence is not None:
        graph.add((node, DCTERMS.license, licence))
    if rights is not None:
        graph.add((node, DCTERMS.rights, rights))


def gyear(year: int) -> Literal:
    """A year as xsd:gYear: four digits at least, a minus sign before the years BC (`-0400`)."""
    return Literal(("-" if year < 0 else "") + f"{abs(year):04d}", datatype=XSD.gYear)


def _temporal(graph: Graph, dataset: URIRef, node: URIRef, years: Mapping[str, int]) -> None:
    """The dataset's `dct:temporal`: a `dct:PeriodOfTime` from the earliest to the latest year its objects
    date from (DCAT-AP's `dcat:startDate`/`dcat:endDate`, as years)."""
    graph.add((dataset, DCTERMS.temporal, node))
    graph.add((node, RDF.type, DCTERMS.PeriodOfTime))
    graph.add((node, DCAT.startDate, gyear(years["start"])))
    graph.add((node, DCAT.endDate, gyear(years["end"])))


def catalog_graph(entries: Iterable[Mapping[str, Any]], *, base_url: str, title: str, contact_email: str,
                  catalog_licence: str, modified: Mapping[str, datetime | None]) -> Graph:
    """The DCAT-AP graph of the service: `entries` are the export catalog's bases (downloads, licences per
    source), `modified` the latest datestamp of each base."""
    graph = Graph()
    for prefix, namespace in (("dcat", DCAT), ("dct", DCTERMS), ("foaf", FOAF), ("spdx", SPDX), ("vcard", VCARD)):
        graph.bind(prefix, namespace)
    catalog = URIRef(f"{base_url}/catalog")
    graph.add((catalog, RDF.type, DCAT.Catalog))
    graph.add((catalog, DCTERMS.title, Literal(title, lang="fr")))
    graph.add((catalog, DCTERMS.description, Literal(
        "Les bases de la Plateforme Ouverte du Patrimoine (POP) du ministère de la Culture : collections des "
        "musées de France, monuments historiques, objets mobiliers, photographies, biens spoliés (MNR), "
        "musées, auteurs, enluminures — en téléchargement (CSV, JSON, Parquet, GeoJSON) et par OAI-PMH.",
        lang="fr")))
    graph.add((catalog, DCTERMS.publisher, MINISTRY))
    graph.add((MINISTRY, RDF.type, FOAF.Agent))
    graph.add((MINISTRY, FOAF.name, Literal(MINISTRY_NAME, lang="fr")))
    graph.add((catalog, FOAF.homepage, _typed(graph, URIRef(f"{base_url}/"), FOAF.Document)))
    graph.add((catalog, DCTERMS.license, _licence_node(graph, catalog_licence)))
    graph.add((catalog, DCTERMS.language, _typed(graph, FRENCH, DCTERMS.LinguisticSystem)))
    latest = [moment for moment in modified.values() if moment]
    if latest:
        graph.add((catalog, DCTERMS.modified, Literal(max(latest).replace(microsecond=0).isoformat(),
                                                      datatype=XSD.dateTime)))
    contact = URIRef(f"{base_url}/catalog#contact")
    _typed(graph, contact, VCARD.Kind, VCARD.Organization)
    graph.add((contact, VCARD.fn, Literal(MINISTRY_NAME + " — Plateforme Ouverte du Patrimoine", lang="fr")))
    graph.add((contact, VCARD.hasEmail, URIRef(f"mailto:{contact_email}")))

    service = URIRef(f"{base_url}/catalog#oai")
    graph.add((catalog, DCAT.service, service))
    graph.add((service, RDF.type, DCAT.DataService))
    graph.add((service, DCTERMS.title, Literal("Entrepôt OAI-PMH de POP", lang="fr")))
    graph.add((service, DCAT.endpointURL, _typed(graph, URIRef(f"{base_url}/oai"), RDFS.Resource)))
    graph.add((service, DCAT.endpointDescription, _typed(graph, URIRef(f"{base_url}/oai?verb=Identify"), RDFS.Resource)))
    graph.add((service, DCTERMS.conformsTo, OAI_PMH))
    graph.add((OAI_PMH, RDF.type, DCTERMS.Standard))
    graph.add((service, DCTERMS.license, _licence_node(graph, catalog_licence)))

    for entry in entries:
        name = entry["base"]
        dataset = URIRef(f"{base_url}/catalog#{name}")
        graph.add((catalog, DCAT.dataset, dataset))
        graph.add((service, DCAT.servesDataset, dataset))
        graph.add((dataset, RDF.type, DCAT.Dataset))
        graph.add((dataset, DCTERMS.title, Literal(f"{entry['title']} ({entry['label']})", lang="fr")))
        graph.add((dataset, DCTERMS.description, Literal(entry["description"], lang="fr")))
        graph.add((dataset, DCTERMS.identifier, Literal(f"{base_url}/catalog#{name}")))
        for keyword in ("patrimoine", "culture", entry["label"], name):
            graph.add((dataset, DCAT.keyword, Literal(keyword, lang="fr")))
        graph.add((dataset, DCAT.theme, _typed(graph, THEME, SKOS.Concept)))
        graph.add((THEME, SKOS.prefLabel, Literal("Éducation, culture et sport", lang="fr")))
        graph.add((dataset, DCTERMS.publisher, MINISTRY))
        graph.add((dataset, DCAT.contactPoint, contact))
        graph.add((dataset, DCAT.landingPage, URIRef(entry["fields_url"])))
        graph.add((URIRef(entry["fields_url"]), RDF.type, FOAF.Document))
        graph.add((dataset, DCTERMS.accrualPeriodicity, _typed(graph, FREQUENCY, DCTERMS.Frequency)))
        graph.add((dataset, DCTERMS.language, FRENCH))
        if modified.get(name):
            graph.add((dataset, DCTERMS.modified, Literal(modified[name].replace(microsecond=0).isoformat(),
                                                          datatype=XSD.dateTime)))
        if entry.get("temporal"):
            _temporal(graph, dataset, URIRef(f"{base_url}/catalog#{name}-temporal"), entry["temporal"])
        licence, rights = _rights(graph, entry.get("licences") or [])
        for download in entry["downloads"]:
            fmt = download["format"]
            variants = [(download["url"], download["bytes"], download["sha256"], False)]
            if download.get("gzip_url"):
                variants.append((download["gzip_url"], download.get("gzip_bytes"), download.get("gzip_sha256"),
                                 True))
            for url, size, sha256, gzip in variants:
                node = URIRef(f"{base_url}/catalog#{url.rsplit('/', 1)[1]}")
                graph.add((dataset, DCAT.distribution, node))
                _distribution(graph, node, url=url, fmt=fmt, gzip=gzip, size=size, sha256=sha256,
                              title=f"{entry['title']} — {fmt.upper()}" + (" (gzip)" if gzip else ""),
                              modified=_iso(download.get("last_modified")), licence=licence, rights=rights)
                if fmt == "csv":
                    schema = URIRef(f"{base_url}/exports/{name}/tableschema.json")
                    graph.add((node, DCTERMS.conformsTo, schema))
                    graph.add((schema, RDF.type, DCTERMS.Standard))
    return graph
