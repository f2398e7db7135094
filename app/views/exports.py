"""/exports/: the catalog (HTML or JSON), each base's field dictionary, and the downloads themselves.

An unfiltered download is the latest snapshot of `pop export build`, served as a file (ETag = its sha256,
Last-Modified, Range); before any build, or with any filter or option, the export streams live from the store.
A live stream that fails midway is aborted (the connection closes before the end of the chunked body), so
clients see an incomplete download, never an error message inside the data; its read begins before the
response does, so a database outage is a 503 problem, not a 200 cut short.

Every refusal is an `application/problem+json` body: 400 (a parameter), 404, 412 (If-Match,
If-Unmodified-Since), 416 (a range beyond the file); a database error raised here (before any byte, for live
streams too) is app/errors.py's 503 with Retry-After.
Range: one byte range is served as 206; a Range that is not one byte range (several ranges, another unit,
a malformed header) is ignored, and the whole file is sent (200), as RFC 9110 allows.
The catalog, the snapshot rows and live streams read from a healthy read replica when there are some
(`POP_DATABASE_REPLICAS`).
"""
from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Iterator

from flask import Blueprint, Response, current_app, jsonify, render_template, request
from werkzeug.exceptions import RequestedRangeNotSatisfiable
from werkzeug.http import parse_date, parse_etags, parse_range_header
from werkzeug.wsgi import wrap_file

from formats.bases import get_base, iter_bases
from formats.links import LICENCE_OUVERTE
from formats.notice import LOCAL_SOURCE
from formats.rights import licence_of
from protocols.export.query import ExportProblem, ExportQuery, parse_query
from protocols.export.writers import GZIP_MEDIA_TYPE, formats_of, gzip_stream, make_encoder
from store.db import Database
from store.exports.reader import export_chunks
from store.exports.snapshots import snapshot, snapshots
from store.stats import published_sources

from .. import pop

if TYPE_CHECKING:
    from store.models import ExportSnapshot

blueprint = Blueprint("exports", __name__)

# POP's own notices (source local). A partner's notices keep their partner's licence: POP never relicenses them.
LICENCE = {"name": "Licence Ouverte 2.0", "url": LICENCE_OUVERTE}
LOCAL_LICENCE = {"licence": "etalab-2.0", **LICENCE}  # its SPDX id
PARTNER_RIGHTS = "rights as stated by the partner"  # a partner that states no licence: its records' own rights


def _problem(problem: ExportProblem, headers: dict[str, str] | None = None) -> Response:
    response = jsonify(problem.as_json())
    response.status_code = problem.status
    response.mimetype = "application/problem+json"
    response.headers.update(headers or {})
    return response


@blueprint.errorhandler(ExportProblem)
def handle_problem(problem: ExportProblem) -> Response:
    return _problem(problem)


@blueprint.errorhandler(RequestedRangeNotSatisfiable)
def handle_unsatisfiable_range(error: RequestedRangeNotSatisfiable) -> Response:
    problem = ExportProblem(416, "Range not satisfiable",
                            f"the range starts beyond the end of the file ({error.length} bytes)")
    return _problem(problem, {"Content-Range": f"bytes */{error.length}"})




@blueprint.app_template_filter("filesize")
def filesize(size: int) -> str:
    """A size for people, at any scale: `512 bytes`, `12.3 KB`, `4.5 MB`, `1.2 GB` (powers of 1,024)."""
    if size < 1024:
        return f"{size} byte" + ("" if size == 1 else "s")
    for unit in ("KB", "MB", "GB", "TB"):
        size /= 1024
        if round(size, 1) < 1024 or unit == "TB":
            return f"{size:.1f} {unit}"
    raise AssertionError("unreachable")


def _iso(moment) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def _licences(sources: list[tuple[str, str | None, int]]) -> list[dict]:
    """Each source of a base's published notices with the licence it states: POP's own (local) the Licence
    Ouverte, each partner its licence or the rights its records state."""
    licences = []
    for source, licence, records in sources:
        if source == LOCAL_SOURCE:
            stated = LOCAL_LICENCE
        elif licence:
            known = licence_of(licence)
            stated = {"licence": licence, "name": known.label, "url": known.uri}
        else:
            stated = {"licence": None, "name": PARTNER_RIGHTS, "url": None}
        licences.append({"source": source, "records": records, **stated})
    return licences


def _coverage(built: dict, base: str) -> dict | None:
    """The years the base's objects date from, as its latest build read them (None: unknown, or not built)."""
    rows = [row for (name, _), row in built.items() if name == base and row.coverage_start is not None]
    if not rows:
        return None
    latest = max(rows, key=lambda row: row.generated_at)
    return {"start": latest.coverage_start, "end": latest.coverage_end}


def _published(db: Database) -> tuple[dict, dict]:
    with db.session() as session:
        return published_sources(session), snapshots(session)


def catalog() -> dict:
    """Per base and format: URLs, record count (and how many the file leaves out), sizes, sha256s, last
    modified, licences per source, field dictionary."""
    base_url = pop().settings.base_url
    sources, built = pop().db.read(_published)
    counts = {base: sum(records for _, _, records in entries) for base, entries in sources.items()}
    entries = []
    for base in iter_bases():
        downloads = []
        for fmt in formats_of(base):
            row = built.get((base.name, fmt.name))
            url = f"{base_url}/exports/{fmt.filename(base.name)}"
            downloads.append({
                "format": fmt.name, "media_type": fmt.media_type, "url": url,
                "gzip_url": url + ".gz" if fmt.gzip_twin else None,
                "snapshot": row is not None,
                "records": row.records if row else counts.get(base.name, 0),
                "left_out": row.left_out if row else None,  # of them, not in the file (GeoJSON: no place)
                "bytes": row.bytes if row else None, "sha256": row.sha256 if row else None,
                "gzip_bytes": row.gzip_bytes if row and fmt.gzip_twin else None,
                "gzip_sha256": row.gzip_sha256 if row and fmt.gzip_twin else None,
                "last_modified": _iso(row.generated_at) if row else None,
                "high_water": _iso(row.high_water) if row else None,
            })
        entries.append({"base": base.name, "title": base.title, "label": base.label,
                        "description": base.description, "records": counts.get(base.name, 0),
                        "fields_url": f"{base_url}/exports/{base.name}/fields",
                        "temporal": _coverage(built, base.name),
                        "licences": _licences(sources.get(base.name, [])), "downloads": downloads})
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
    query = parse_query(name, request.args.items(multi=True))  # every value: a repeated parameter is refused
    if query.is_full:
        served = _snapshot_response(query)
        if served is not None:
            return served
    return _live_response(query)


def _snapshot_response(query: ExportQuery) -> Response | None:
    """The snapshot file, if it is the one the snapshot row describes (None: stream live instead)."""
    def read(db: Database) -> "ExportSnapshot | None":
        with db.session() as session:
            return snapshot(session, query.base.name, query.format)

    # A replica's row may be older than the file a build just wrote: then the sizes differ, and it streams live.
    row = pop().db.read(read)
    if row is None:
        return None
    path = Path(pop().settings.export_dir) / query.export_format.filename(query.base.name, query.gzip)
    try:
        handle = open(path, "rb")  # opened once: its size and bytes are one file even if a build renames another
    except OSError:
        return None
    size = os.fstat(handle.fileno()).st_size
    if size != (row.gzip_bytes if query.gzip else row.bytes):  # a build replaced it and has not yet saved its row
        handle.close()
        return None
    try:
        return _file_response(handle, size, query, row.gzip_sha256 if query.gzip else row.sha256, row.generated_at,
                              row.records)
    except BaseException:
        handle.close()
        raise


def _file_response(handle: BinaryIO, size: int, query: ExportQuery, etag: str, last_modified: datetime,
                   records: int) -> Response:
    """A snapshot file with its validators, after the preconditions (412) and with Range (206, 416)."""
    _check_preconditions(etag, last_modified)
    # werkzeug evaluates what is left (If-None-Match, If-Modified-Since, If-Range, one byte range); it must not
    # see the headers already evaluated, nor a Range that is not one byte range (it would answer 416, in HTML).
    environ = {key: value for key, value in request.environ.items()
               if key not in ("HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE")}
    ranges = parse_range_header(environ.get("HTTP_RANGE"))
    if ranges is None or ranges.units != "bytes" or len(ranges.ranges) != 1:
        environ.pop("HTTP_RANGE", None)
    response = current_app.response_class(wrap_file(environ, handle), direct_passthrough=True)
    response.headers["Content-Type"] = _media_type(query)  # as is: werkzeug would append a second charset
    response.headers["Content-Disposition"] = f'attachment; filename="{query.filename}"'
    response.headers["X-Export-Records"] = str(records)
    response.content_length = size
    response.set_etag(etag)
    response.last_modified = last_modified
    response.cache_control.no_cache = True
    response.cache_control.max_age = 0
    return response.make_conditional(environ, accept_ranges=True, complete_length=size)


def _check_preconditions(etag: str, last_modified: datetime) -> None:
    """RFC 9110 §13.2.2, steps 1-2: If-Match (strong comparison), else If-Unmodified-Since; 412 if false."""
    if_match = request.headers.get("If-Match")
    if if_match is not None:
        if not parse_etags(if_match).contains(etag):
            raise ExportProblem(412, "Precondition failed",
                                f'If-Match does not name the current file ("{etag}"): it was rebuilt since')
        return
    since = parse_date(request.headers.get("If-Unmodified-Since"))
    if since is not None and last_modified.replace(microsecond=0) > since.replace(tzinfo=None):
        raise ExportProblem(412, "Precondition failed",
                            f"the file was rebuilt at {_iso(last_modified)}, after If-Unmodified-Since")


def _media_type(query: ExportQuery) -> str:
    return GZIP_MEDIA_TYPE if query.gzip else query.export_format.media_type


def _live_response(query: ExportQuery) -> Response:
    def start(db: Database) -> Iterator[bytes]:  # an encoder of its own for each attempt
        encoder = make_encoder(query.format, query.layout, delimiter=query.delimiter, bom=query.bom)
        return export_chunks(db, query, encoder, pop().settings.export_batch_size)

    # export_chunks has run the query and read the first rows when it returns: an outage raises here (503),
    # before the 200 and its headers are sent; a replica that fails then is replaced by the primary.
    started = pop().db.read(start)
    response = Response(gzip_stream(started) if query.gzip else started, content_type=_media_type(query))
    response.call_on_close(started.close)  # ends the read (and its transaction) even if the client leaves
    response.headers["Content-Disposition"] = f'attachment; filename="{query.filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
