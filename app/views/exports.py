"""/exports/: the catalog (HTML or JSON), each base's field dictionary, and the downloads themselves.

An unfiltered download is the latest snapshot of `pop export build`, served as a file (ETag = its sha256,
Last-Modified, Range); before any build, or with any filter or option, the export streams live from the store.
A live stream that fails midway is aborted (the connection closes before the end of the chunked body), so
clients see an incomplete download, never an error message inside the data.
"""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, jsonify, render_template, request, send_file

from formats.bases import get_base, iter_bases
from formats.links import LICENCE_OUVERTE
from protocols.export.query import ExportProblem, ExportQuery, parse_query
from protocols.export.writers import EXPORT_FORMATS, GZIP_MEDIA_TYPE, gzip_stream, make_encoder
from store.exports.reader import export_chunks
from store.exports.snapshots import snapshot, snapshots
from store.stats import published_counts

from .. import pop

blueprint = Blueprint("exports", __name__)

LICENCE = {"name": "Licence Ouverte 2.0", "url": LICENCE_OUVERTE}


def _problem(problem: ExportProblem) -> Response:
    response = jsonify(problem.as_json())
    response.status_code = problem.status
    response.mimetype = "application/problem+json"
    return response


@blueprint.errorhandler(ExportProblem)
def handle_problem(problem: ExportProblem) -> Response:
    return _problem(problem)


def _iso(moment) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def catalog() -> dict:
    """Per base and format: URLs, record count, sizes, sha256s, last modified, licence, field dictionary."""
    base_url = pop().settings.base_url
    with pop().db.session() as session:
        counts = published_counts(session)
        built = snapshots(session)
    entries = []
    for base in iter_bases():
        downloads = []
        for fmt in EXPORT_FORMATS.values():
            row = built.get((base.name, fmt.name))
            url = f"{base_url}/exports/{fmt.filename(base.name)}"
            downloads.append({
                "format": fmt.name, "media_type": fmt.media_type, "url": url, "gzip_url": url + ".gz",
                "snapshot": row is not None,
                "records": row.records if row else counts.get(base.name, 0),
                "bytes": row.bytes if row else None, "sha256": row.sha256 if row else None,
                "gzip_bytes": row.gzip_bytes if row else None, "gzip_sha256": row.gzip_sha256 if row else None,
                "last_modified": _iso(row.generated_at) if row else None,
                "high_water": _iso(row.high_water) if row else None,
            })
        entries.append({"base": base.name, "title": base.title, "label": base.label,
                        "description": base.description, "records": counts.get(base.name, 0),
                        "fields_url": f"{base_url}/exports/{base.name}/fields", "licence": LICENCE,
                        "downloads": downloads})
    return {"licence": LICENCE, "documentation": f"{base_url}/exports/", "bases": entries}


@blueprint.get("/exports/")
def index():
    data = catalog()
    if request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json":
        return jsonify(data)
    return render_template("exports.html", catalog=data)


@blueprint.get("/exports/catalog.json")
def catalog_json():
    return jsonify(catalog())


def field_dictionary(base_name: str) -> dict:
    base = get_base(base_name)
    return {"base": base.name, "title": base.title, "fields": [
        {"code": f.code, "label": f.label, "type": f.kind, "multi_valued": f.multi,
         "vocabulary": f.vocabulary, "generated": f.generated,
         "csv": "JSON" if f.kind == "object" else ("values joined by |, with | and \\ escaped by \\"
                                                    if f.multi else "the value as is")}
        for f in base.published_fields]}


@blueprint.get("/exports/<base_name>/fields")
def fields(base_name: str):
    try:
        data = field_dictionary(base_name)
    except KeyError:
        raise ExportProblem(404, "No such base", f"{base_name!r} is not a POP base") from None
    if request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json" \
            or request.args.get("format") == "json":
        return jsonify(data)
    return render_template("exports_fields.html", dictionary=data)


@blueprint.get("/exports/<name>")
def download(name: str):
    query = parse_query(name, request.args)
    if query.is_full:
        served = _snapshot_response(query)
        if served is not None:
            return served
    return _live_response(query)


def _snapshot_response(query: ExportQuery) -> Response | None:
    with pop().db.session() as session:
        row = snapshot(session, query.base.name, query.format)
    if row is None:
        return None
    path = Path(pop().settings.export_dir) / query.export_format.filename(query.base.name, query.gzip)
    if not path.is_file():
        return None
    response = send_file(
        path, mimetype=_media_type(query), as_attachment=True,
        download_name=query.filename, conditional=True,
        etag=row.gzip_sha256 if query.gzip else row.sha256, last_modified=row.generated_at, max_age=0)
    response.headers["Content-Type"] = _media_type(query)  # as is: werkzeug would append a second charset
    response.headers["X-Export-Records"] = str(row.records)
    return response


def _media_type(query: ExportQuery) -> str:
    return GZIP_MEDIA_TYPE if query.gzip else query.export_format.media_type


def _live_response(query: ExportQuery) -> Response:
    encoder = make_encoder(query.format, query.layout, delimiter=query.delimiter, bom=query.bom)
    chunks = export_chunks(pop().db, query, encoder, pop().settings.export_batch_size)
    if query.gzip:
        chunks = gzip_stream(chunks)
    response = Response(chunks, content_type=_media_type(query))
    response.headers["Content-Disposition"] = f'attachment; filename="{query.filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
