"""/iiif/: IIIF Presentation 3.0 manifests of illustrated notices and the collections that list them (docs/iiif.md).

Thin adapters over store/iiif.py. Every answer is readable from any origin (`Access-Control-Allow-Origin: *`:
viewers run on other sites); manifests carry an ETag and answer 304 to a matching If-None-Match; a notice
without a measured image is a 404 problem+json that says why.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, TypeVar

import orjson
from flask import Blueprint, Response, current_app, request
from sqlalchemy import Connection, Engine

from formats.bases import BASES
from protocols.iiif.collection import base_collection, base_collection_url, root_collection
from protocols.iiif.manifest import MEDIA_TYPE, Site
from store.db import Database
from store.pool import again_on_disconnect
from store.iiif import ILLUSTRATED_BASES, ManifestCache, collection_page, illustrated_bases, notice_manifest, reader

from .. import pop

T = TypeVar("T")
blueprint = Blueprint("iiif", __name__, url_prefix="/iiif")
CORS = {"Access-Control-Allow-Origin": "*"}


@dataclass(frozen=True)
class _Iiif:
    """What every IIIF request of an app reads, made once (manifests are a hot path)."""

    site: Site
    db: Database  # the primary: `read` picks a healthy replica per request, if there are some
    engines: dict[int, Engine]  # the reading engine of each database, by id (store/iiif.py `reader`)
    cache: ManifestCache

    def engine(self, db: Database) -> Engine:
        engine = self.engines.get(id(db))
        if engine is None:
            engine = self.engines[id(db)] = reader(db)
        return engine

    def read(self, fn: Callable[[Engine], T]) -> T:
        """`fn(engine)` with a replica's reading engine (the primary's if none is healthy, or if it fails; and
        once more if a connection was found dead)."""
        return again_on_disconnect(lambda: self.db.read(lambda db: fn(self.engine(db))))

    def read_connection(self, fn: Callable[[Connection], T]) -> T:
        """`fn(connection)`, a connection of `read`'s engine."""
        def on(engine: Engine) -> T:
            with engine.connect() as connection:
                return fn(connection)
        return self.read(on)


def _iiif() -> _Iiif:
    state = current_app.extensions.get("iiif")
    if state is None:
        settings, db = pop().settings, pop().db
        options = db.renderers.options
        site = Site(settings.base_url, settings.repository_identifier, options.image_base, options.edm_default_rights)
        cache = ManifestCache(max(0, settings.iiif_cache_mb) * 2**20)
        state = current_app.extensions["iiif"] = _Iiif(site, db, {}, cache)
    return state


def _json(document: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(document), content_type=MEDIA_TYPE, headers={**CORS, **(headers or {})})


def _problem(status: int, title: str, detail: str, **extra: Any) -> Response:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return Response(orjson.dumps(body), status=status, content_type="application/problem+json", headers=CORS)


@blueprint.get("/<base>/<path:ref>/manifest")
@blueprint.get("/<base>/<path:ref>/manifest.json")
def manifest(base: str, ref: str) -> Response:
    if base not in ILLUSTRATED_BASES:
        return _problem(404, "No such base", f"{base!r} is not a base whose notices have images")
    iiif = _iiif()
    answer = iiif.read(lambda engine: notice_manifest(engine, base, ref, iiif.site, iiif.cache))
    if answer is None:
        return _problem(404, "No such notice", f"no live notice {ref!r} in {base}")
    if answer.body is None:
        return _problem(404, "No manifest", f"{base} {ref}: {answer.reason}", images_not_measured=answer.left_out)
    etag = f'"{answer.etag}"'
    headers = {**CORS, "ETag": etag, "Cache-Control": "public, max-age=300",
               "X-Images-Not-Measured": str(answer.left_out)}
    match = request.environ.get("HTTP_IF_NONE_MATCH")
    if match and (match == "*" or etag in match):
        return Response(status=304, headers=headers)
    return Response(answer.body, content_type=MEDIA_TYPE, headers=headers)


@blueprint.get("/collection")
@blueprint.get("/collection.json")
def collection() -> Response:
    return _json(root_collection(_iiif().site.public_url, illustrated_bases()))


@blueprint.get("/<base>/collection")
@blueprint.get("/<base>/collection.json")
def base_page(base: str) -> Response:
    if base not in ILLUSTRATED_BASES:
        return _problem(404, "No such base", f"{base!r} is not a base whose notices have images")
    after = request.args.get("after") or None
    iiif, size = _iiif(), pop().settings.iiif_collection_page_size
    manifests, next_after = iiif.read_connection(
        lambda connection: collection_page(connection, base, size, after, iiif.site))
    document = base_collection(iiif.site.public_url, base, BASES[base].label, manifests, after, next_after)
    headers = {"Link": f'<{base_collection_url(iiif.site.public_url, base, next_after)}>; rel="next"'} \
        if next_after else {}
    return _json(document, headers)
