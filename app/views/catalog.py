"""What reusers' tools read to find and understand the exports: Frictionless Data Packages
(`/exports/datapackage.json`, `/exports/{base}/datapackage.json`) and the DCAT-AP catalog data.gouv.fr
harvests (`/catalog`, negotiated, and `/catalog.ttl|.jsonld|.rdf`).

Thin adapters: the export catalog (`exports.catalog()`: snapshots, sizes, sha256s, licences per source) is
turned into a package by `protocols.export.datapackage` and into an RDF graph by `protocols.export.dcat`;
this module only picks the serialisation.
"""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from formats.bases import BASES
from protocols.export.datapackage import data_package
from protocols.export.query import ExportProblem

from .. import pop
from .exports import LICENCE, catalog

blueprint = Blueprint("catalog", __name__)

PACKAGE_MEDIA_TYPE = "application/json"


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
