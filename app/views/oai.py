"""`/oai`: the OAI-PMH endpoint (GET and POST), a thin adapter over protocols.oaipmh; and `/schemas/pop.xsd`.

What the protocol library cannot see is guarded here (docs/operations.md): a POST body over
`POP_OAI_MAX_POST_BYTES` is refused unread and an argument over `POP_OAI_MAX_ARGUMENT_BYTES` is refused, both as
`badArgument` (an OAI-PMH error in an HTTP 200, like every other bad request); at most
`POP_OAI_MAX_CONCURRENT_LISTS` ListRecords / ListIdentifiers answers stream at once in this process, beyond that
a 503 with `Retry-After` (OAI-PMH flow control). A database outage is answered by app/errors.py.
Every verb reads from a healthy read replica when there are some (`POP_DATABASE_REPLICAS`); a full list page
starts reading the next one (`POP_OAI_READ_AHEAD`, store/read_ahead.py), and a GetRecord of one of the notices
after the one before reads the next ones with it (store/records_ahead.py).
"""
from __future__ import annotations

import logging
import zlib
from datetime import datetime, timezone
from importlib import resources
from typing import Iterable, Iterator

from flask import Blueprint, Response, current_app, request
from flask.blueprints import BlueprintSetupState
from werkzeug.exceptions import BadRequest

from protocols.oaipmh import OAIError, Provider, ProviderConfig
from protocols.oaipmh import Response as OAIResponse
from protocols.oaipmh import writer
from store.db import Database
from store.oai import CachedRepository
from store.pool import again_on_disconnect
from store.read_ahead import ReadAhead
from store.records_ahead import RecordsAhead

from .. import pop
from ..errors import unavailable
from ..extensions import ConcurrencyLimit, Slot, guarded_cache
from ..metrics import OAI_REQUESTS, labelled

blueprint = Blueprint("oai", __name__)
log = logging.getLogger("pop.oai")

# Content-Encoding → zlib window bits (gzip container; "deflate" is the zlib format, RFC 9110).
_ENCODINGS = {"gzip": 31, "deflate": 15}
_LISTS = ("ListRecords", "ListIdentifiers")  # the verbs whose answers stream for long
OAI_REQUESTS_BY = labelled(OAI_REQUESTS)


@blueprint.record_once
def _limit_lists(state: BlueprintSetupState) -> None:
    # Per app, so per worker process (each gunicorn worker builds its app): threads of one worker share it.
    settings = state.app.extensions["pop"].settings
    state.app.extensions["pop.oai_lists"] = ConcurrencyLimit(settings.oai_max_concurrent_lists)
    state.app.extensions["pop.oai_read_ahead"] = ReadAhead() if settings.oai_read_ahead else None
    state.app.extensions["pop.oai_records_ahead"] = RecordsAhead() if settings.oai_read_ahead else None


def _providers() -> dict[int, Provider]:
    """The provider of each database (the primary, each replica), by id: made once per app, then handed a
    request's repository (`provider`)."""
    providers = current_app.extensions.get("pop.oai_providers")
    if providers is None:
        providers = current_app.extensions["pop.oai_providers"] = {}
    return providers


def _config() -> ProviderConfig:
    state = pop()
    settings = state.settings
    return ProviderConfig(
        base_url=f"{settings.base_url}/oai", site_url=settings.base_url,
        repository_identifier=settings.repository_identifier, repository_name=settings.repository_name,
        admin_email=settings.admin_email, secret_key=settings.secret_key,
        records_page_size=settings.oai_page_size, identifiers_page_size=settings.oai_identifiers_page_size,
        token_lifetime=settings.oai_token_lifetime,
        # With replicas, every page of a list may come from one that lags: `until` is frozen before anything
        # a replica may still be missing (on every database alike, so a list may move between them).
        commit_lag=settings.oai_commit_lag + round(state.db.replicas.staleness),
    )


def provider(db: Database | None = None) -> Provider:
    """The provider reading from `db` (default: the primary; a request reads from a replica, `oai()`), over a
    repository of its own: it reads the store version once, for the whole answer."""
    db = db or pop().db
    cache = guarded_cache(current_app)
    repository = CachedRepository(db.engine, cache, renderers=db.renderers, on_cache_error=cache.guard.failed,
                                  read_ahead=current_app.extensions.get("pop.oai_read_ahead"),
                                  records_ahead=current_app.extensions.get("pop.oai_records_ahead"))
    providers = _providers()
    made = providers.get(id(db))
    if made is None:
        made = providers[id(db)] = Provider(repository, _config())
    return made.over(repository)


def _compressed(chunks: Iterator[bytes], wbits: int) -> Iterator[bytes]:
    compressor = zlib.compressobj(6, zlib.DEFLATED, wbits)
    for chunk in chunks:
        data = compressor.compress(chunk)
        if data:
            yield data
    yield compressor.flush()


def _arguments() -> list[tuple[str, str]]:
    """The request's pairs, within the limits (else an OAIError badArgument); a POST body is read only when
    its announced size fits, and never past the limit (a chunked body has no announced size)."""
    settings = pop().settings
    if request.method == "POST":
        limit = settings.oai_max_post_bytes
        too_large = OAIError("badArgument", f"the request body is larger than {limit} bytes")
        if request.content_length is not None and request.content_length > limit:
            raise too_large
        # Werkzeug stops reading at max_content_length without saying it did: a byte more than the limit lets
        # an over-long chunked body be told from one of exactly `limit` bytes.
        request.max_content_length = limit + 1
        try:
            if len(request.get_data(cache=True, parse_form_data=False)) > limit:
                raise too_large
            pairs = list(request.form.items(multi=True))  # parsed from the data just read
        except BadRequest:  # a broken multipart body, a client gone
            raise OAIError("badArgument", "the request body is not a readable form") from None
    else:
        pairs = list(request.args.items(multi=True))
    limit = settings.oai_max_argument_bytes
    for key, value in pairs:
        if len(key.encode()) > limit or len(value.encode()) > limit:
            raise OAIError("badArgument", f"an argument is longer than {limit} bytes")
    return pairs


def _refusal(error: OAIError) -> OAIResponse:
    """An error found before the protocol runs, answered as the provider answers badArgument (no echo)."""
    now = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
    body = writer.envelope(now, f"{pop().settings.base_url}/oai", None, {}, [writer.error(error.code, error.message)])
    return OAIResponse(body, error=error.code)


def _releasing(chunks: Iterable[bytes], slot: Slot) -> Iterator[bytes]:
    try:
        yield from chunks
    finally:
        slot.release()


def _is_list(pairs: list[tuple[str, str]]) -> bool:
    return any(key == "verb" and value in _LISTS for key, value in pairs)


def _encoding() -> str | None:
    """The compression the client accepts (gzip or deflate), if any."""
    accepted = request.environ.get("HTTP_ACCEPT_ENCODING", "").lower()
    if "gzip" not in accepted and "deflate" not in accepted:  # none, or `identity` (http.client's default)
        return None
    return next((name for name, q in request.accept_encodings if name in _ENCODINGS and q > 0), None)


@blueprint.route("/oai", methods=["GET", "POST"])
def oai() -> Response:
    slot = None
    try:
        pairs = _arguments()
    except OAIError as error:
        result = _refusal(error)
    else:
        if _is_list(pairs):
            lists: ConcurrencyLimit = current_app.extensions["pop.oai_lists"]
            slot = lists.try_acquire()
            if slot is None:
                log.warning("oai.overload", extra={"limit": lists.size})
                return unavailable("oai", "overload", "too many lists are being sent at once")
        try:
            # a replica's if one is healthy (the primary if it fails before the answer starts); a connection
            # found dead (the database restarted) is replaced and the request answered all the same
            result = again_on_disconnect(lambda: pop().db.read(lambda db: provider(db).handle(pairs)))
        except BaseException:
            if slot is not None:
                slot.release()
            raise
    OAI_REQUESTS_BY(result.verb or "", result.error or "").inc()
    log.info("oai.request", extra={"method": request.method, "verb": result.verb, "error": result.error})
    headers = {"Vary": "Accept-Encoding", **result.headers}
    encoding = _encoding()
    if encoding:
        headers["Content-Encoding"] = encoding
    if slot is None:  # not a list: an answer of a few KB, sent whole (with its length) rather than streamed
        body = b"".join(result.body)
        if encoding:
            compressor = zlib.compressobj(6, zlib.DEFLATED, _ENCODINGS[encoding])
            body = compressor.compress(body) + compressor.flush()
        return Response(body, status=result.status, content_type=result.content_type, headers=headers)
    chunks = _releasing(_compressed(result.body, _ENCODINGS[encoding]) if encoding else result.body, slot)
    response = Response(chunks, status=result.status, content_type=result.content_type, headers=headers)
    response.call_on_close(slot.release)  # a body never iterated never reaches its `finally`
    return response


@blueprint.route("/schemas/pop.xsd")
def pop_schema() -> Response:
    xsd = resources.files("formats").joinpath("schemas/pop.xsd").read_bytes()
    return Response(xsd, content_type="application/xml; charset=utf-8",
                    headers={"Cache-Control": "public, max-age=86400"})

