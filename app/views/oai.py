"""`/oai`: the OAI-PMH endpoint (GET and POST), a thin adapter over protocols.oaipmh; and `/schemas/pop.xsd`."""
from __future__ import annotations

import logging
import zlib
from importlib import resources
from typing import Iterator

from flask import Blueprint, Response, request

from protocols.oaipmh import Provider, ProviderConfig
from store.oai import CachedRepository

from .. import pop
from ..extensions import cache
from ..metrics import OAI_REQUESTS

blueprint = Blueprint("oai", __name__)
log = logging.getLogger("pop.oai")

# Content-Encoding → zlib window bits (gzip container; "deflate" is the zlib format, RFC 9110).
_ENCODINGS = {"gzip": 31, "deflate": 15}


def provider() -> Provider:
    state = pop()
    settings = state.settings
    config = ProviderConfig(
        base_url=f"{settings.base_url}/oai", site_url=settings.base_url,
        repository_identifier=settings.repository_identifier, repository_name=settings.repository_name,
        admin_email=settings.admin_email, secret_key=settings.secret_key,
        records_page_size=settings.oai_page_size, identifiers_page_size=settings.oai_identifiers_page_size,
        token_lifetime=settings.oai_token_lifetime, commit_lag=settings.oai_commit_lag,
    )
    return Provider(CachedRepository(state.db.engine, cache, renderers=state.db.renderers), config)


def _compressed(chunks: Iterator[bytes], wbits: int) -> Iterator[bytes]:
    compressor = zlib.compressobj(6, zlib.DEFLATED, wbits)
    for chunk in chunks:
        data = compressor.compress(chunk)
        if data:
            yield data
    yield compressor.flush()


@blueprint.route("/oai", methods=["GET", "POST"])
def oai() -> Response:
    pairs = request.form.items(multi=True) if request.method == "POST" else request.args.items(multi=True)
    result = provider().handle(list(pairs))
    OAI_REQUESTS.labels(verb=result.verb or "", error=result.error or "").inc()
    log.info("oai.request", extra={"method": request.method, "verb": result.verb, "error": result.error})
    body, headers = result.body, {"Vary": "Accept-Encoding", **result.headers}
    encoding = next((name for name, _q in request.accept_encodings if name in _ENCODINGS and _q > 0), None)
    if encoding:
        body = _compressed(body, _ENCODINGS[encoding])
        headers["Content-Encoding"] = encoding
    return Response(body, status=result.status, content_type=result.content_type, headers=headers)


@blueprint.route("/schemas/pop.xsd")
def pop_schema() -> Response:
    xsd = resources.files("formats").joinpath("schemas/pop.xsd").read_bytes()
    return Response(xsd, content_type="application/xml; charset=utf-8",
                    headers={"Cache-Control": "public, max-age=86400"})
