"""What reusers' tools read to find and understand the exports: Frictionless Data Packages
(`/exports/datapackage.json`, `/exports/{base}/datapackage.json`) and the DCAT-AP catalog data.gouv.fr
harvests (`/catalog`, negotiated, and `/catalog.ttl|.jsonld|.rdf`).

Thin adapters: the export catalog (`exports.catalog()`: snapshots, sizes, sha256s, licences per source) is
turned into a package by `protocols.export.datapackage` and into an RDF graph by `protocols.export.dcat`;
this module only picks the serialisation.
"""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from formats.bases import BASES, get_base
from protocols.export.datapackage import base_licences, data_package, table_schema
from protocols.export.query import ExportProblem
from store.exports.snapshots import latest_datestamps

from .. import pop
from .exports import LICENCE, catalog

blueprint = Blueprint("catalog", __name__)

# media type → rdflib serialisation format, in the order offered to `*/*` (Turtle first: udata's default)
RDF_FORMATS = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/rdf+xml": "xml"}
EXTENSIONS = {"ttl": "text/turtle", "jsonld": "application/ld+json", "rdf": "application/rdf+xml"}
CATALOG_TITLE = "Plateforme Ouverte du Patrimoine (POP) — données ouvertes"


def _catalog_response(media_type: str) -> Response:
    settings = pop().settings
    with pop().db.session() as session:
        modified = latest_datestamps(session)
    data = catalog()
    entries = [{**entry, "licences": base_licences(entry, LICENCE)} for entry in data["bases"]]
    from protocols.export.dcat import catalog_graph  # rdflib: imported by the processes that serve the catalog

    graph = catalog_graph(entries, base_url=settings.base_url, title=CATALOG_TITLE,
                          contact_email=settings.admin_email, catalog_licence=LICENCE["url"], modified=modified)
    body = graph.serialize(format=RDF_FORMATS[media_type], encoding="utf-8")
    response = Response(body, content_type=f"{media_type}; charset=utf-8")
    response.vary.add("Accept")
    response.headers["Cache-Control"] = "no-cache"
    return response


@blueprint.get("/catalog")
def dcat_catalog():
    """The DCAT catalog in the serialisation the client accepts (Turtle for `*/*` or no Accept)."""
    accepted = request.accept_mimetypes
    media_type = accepted.best_match(list(RDF_FORMATS)) if accepted else "text/turtle"
    if media_type is None:
        raise ExportProblem(406, "Not acceptable", f"the catalog is served as {', '.join(RDF_FORMATS)}")
    return _catalog_response(media_type)


@blueprint.get("/catalog.<extension>")
def dcat_catalog_file(extension: str):
    if extension not in EXTENSIONS:
        raise ExportProblem(404, "No such catalog", f"the catalog is /catalog.{{{'|'.join(EXTENSIONS)}}}")
    return _catalog_response(EXTENSIONS[extension])


@blueprint.get("/exports/<base_name>/tableschema.json")
def tableschema(base_name: str):
    """The Table Schema of a base's CSV (the DCAT distributions' `dct:conformsTo`)."""
    if base_name not in BASES:
        raise ExportProblem(404, "No such base", f"{base_name!r} is not a POP base")
    return jsonify(table_schema(get_base(base_name)))


def _package(entries: list[dict], name: str, title: str) -> Response:
    base_url = pop().settings.base_url
    body = data_package(entries, name=name, title=title, homepage=f"{base_url}/exports/", default_licence=LICENCE)
    return jsonify(body)


@blueprint.get("/exports/datapackage.json")
def datapackage_all():
    return _package(catalog()["bases"], "pop", "Plateforme Ouverte du Patrimoine — toutes les bases")


@blueprint.get("/exports/<base_name>/datapackage.json")
def datapackage_base(base_name: str):
    if base_name not in BASES:
        raise ExportProblem(404, "No such base", f"{base_name!r} is not a POP base")
    entries = [entry for entry in catalog()["bases"] if entry["base"] == base_name]
    return _package(entries, f"pop-{base_name}", f"Plateforme Ouverte du Patrimoine — {entries[0]['title']}")


@blueprint.errorhandler(ExportProblem)
def handle_problem(problem: ExportProblem) -> Response:
    response = jsonify(problem.as_json())
    response.status_code = problem.status
    response.mimetype = "application/problem+json"
    return response
