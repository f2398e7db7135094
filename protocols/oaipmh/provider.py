"""The verbs' handlers: a neutral request (query or form pairs) in, a streamed OAI-PMH response out. Which
verbs exist, what arguments each takes and which method answers it is the registry in verbs.py.

Every error is an HTTP 200 response carrying `<error code>`; errors are raised before the body starts, so a
response that begins is a response that completes (list pages peek at their first item first).
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from itertools import chain
from typing import Callable, Iterable, Iterator, Mapping

from formats.registry import FORMATS, MetadataFormat

from . import writer
from .arguments import OAIRequest, validate
from .dates import GRANULARITY, format_datestamp, parse_date_argument
from .errors import OAIError
from .identifiers import IdentifierScheme
from .repository import Item, Repository, Selection
from .sets import all_sets, describe, item_set_specs, parse_set_spec
from .tokens import ResumptionToken, TokenCodec
from .verbs import VERBS, Verb

CONTENT_TYPE = "text/xml; charset=utf-8"
COMPRESSION = ("gzip", "deflate")
_OAI_IDENTIFIER = "http://www.openarchives.org/OAI/2.0/oai-identifier"


@dataclass(frozen=True)
class ProviderConfig:
    base_url: str  # the endpoint's public URL (…/oai)
    site_url: str  # the public root URL, against which relative schema locations resolve
    repository_identifier: str
    repository_name: str
    admin_email: str
    secret_key: str
    records_page_size: int = 100
    identifiers_page_size: int = 500
    token_lifetime: int = 86_400
    commit_lag: int = 2  # seconds a writer's batch may commit after its datestamp (see docs/oaipmh.md)


@dataclass
class Response:
    body: Iterator[bytes]
    status: int = 200
    content_type: str = CONTENT_TYPE
    headers: dict[str, str] = field(default_factory=dict)
    verb: str | None = None  # for logs and metrics: the verb asked (when valid)
    error: str | None = None  # and the OAI error code sent, if any


def _utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


class Provider:
    def __init__(self, repository: Repository, config: ProviderConfig,
                 formats: Mapping[str, MetadataFormat] | None = None, clock: Callable[[], datetime] = _utcnow,
                 verbs: Mapping[str, Verb] = VERBS):
        self.repository = repository
        self.config = config
        self.formats = FORMATS if formats is None else formats
        self.tokens = TokenCodec(config.secret_key, config.token_lifetime)
        self.identifiers = IdentifierScheme(config.repository_identifier)
        self.clock = clock
        self.verbs = verbs  # one table for validation and dispatch
        # Its handlers, bound once: a verb declared without its method fails here, at startup.
        self.handlers: dict[str, Callable[[Mapping[str, str], datetime], Iterable[str]]] = {
            name: getattr(self, verb.handler) for name, verb in verbs.items()}

    def over(self, repository: Repository) -> "Provider":
        """This provider reading from `repository` (a request's: it may keep what it read for one answer); the
        configuration, token codec and verb table are shared, not made again."""
        provider = copy.copy(self)
        provider.repository = repository
        provider.handlers = {name: getattr(provider, verb.handler) for name, verb in self.verbs.items()}
        return provider

    # --- entry point ------------------------------------------------------------------------------------
    def handle(self, pairs: Iterable[tuple[str, str]]) -> Response:
        now = self.clock()
        request: OAIRequest | None = None
        try:
            request = validate(pairs, self.verbs)
            body = self.handlers[request.verb](request.arguments, now)
        except OAIError as error:
            echo = request is not None and error.echoes_arguments
            return Response(writer.envelope(now, self.config.base_url, request.verb if echo else None,
                                            request.arguments if echo else {}, [writer.error(error.code, error.message)]),
                            verb=request.verb if request else None, error=error.code)
        return Response(writer.envelope(now, self.config.base_url, request.verb, request.arguments, body),
                        verb=request.verb)

    # --- verbs ------------------------------------------------------------------------------------------
    def _identify(self, _args: Mapping[str, str], now: datetime) -> list[str]:
        config = self.config
        earliest = self.repository.earliest_datestamp() or now
        sample = self.identifiers.sample()
        return [
            "<Identify>",
            writer.element("repositoryName", config.repository_name),
            writer.element("baseURL", config.base_url),
            "<protocolVersion>2.0</protocolVersion>",
            writer.element("adminEmail", config.admin_email),
            f"<earliestDatestamp>{format_datestamp(earliest)}</earliestDatestamp>",
            "<deletedRecord>persistent</deletedRecord>",
            f"<granularity>{GRANULARITY}</granularity>",
            *(f"<compression>{name}</compression>" for name in COMPRESSION),
            f'<description><oai-identifier xmlns="{_OAI_IDENTIFIER}" '
            f'xsi:schemaLocation="{_OAI_IDENTIFIER} {_OAI_IDENTIFIER}.xsd">'
            "<scheme>oai</scheme>",
            writer.element("repositoryIdentifier", config.repository_identifier),
            "<delimiter>:</delimiter>",
            writer.element("sampleIdentifier", sample),
            "</oai-identifier></description></Identify>",
        ]

    def _list_metadata_formats(self, args: Mapping[str, str], _now: datetime) -> list[str]:
        formats = [fmt for fmt in self.formats.values() if fmt.bases]
        if "identifier" in args:
            item = self._item(args["identifier"], None)
            formats = [fmt for fmt in formats if fmt.supports(item.base)]
            if not formats:
                raise OAIError("noMetadataFormats", f"no metadata format is available for {args['identifier']}")
        parts = ["<ListMetadataFormats>"]
        for fmt in formats:
            schema = self.config.site_url + fmt.schema if fmt.schema.startswith("/") else fmt.schema
            parts.append(f"<metadataFormat>{writer.element('metadataPrefix', fmt.prefix)}"
                         f"{writer.element('schema', schema)}"
                         f"{writer.element('metadataNamespace', fmt.namespace)}</metadataFormat>")
        parts.append("</ListMetadataFormats>")
        return parts

    def _list_sets(self, args: Mapping[str, str], _now: datetime) -> list[str]:
        if "resumptionToken" in args:
            raise OAIError("badResumptionToken", "ListSets is never split: this repository issued no such token")
        parts = ["<ListSets>"]
        catalog = self.repository.set_catalog()
        for spec, name in all_sets(catalog):
            about = describe(spec, name, catalog, self.config.site_url)
            parts.append(f"<set>{writer.element('setSpec', spec)}{writer.element('setName', name)}"
                         f"{writer.set_description(about.title, about.description, about.rights, about.relation)}"
                         "</set>")
        parts.append("</ListSets>")
        return parts

    def _get_record(self, args: Mapping[str, str], _now: datetime) -> list[str]:
        prefix = args["metadataPrefix"]
        fmt = self._format(prefix)
        item = self._item(args["identifier"], prefix)
        if not fmt.supports(item.base) or (not item.deleted and item.metadata is None):
            raise OAIError("cannotDisseminateFormat", f"{args['identifier']} is not available in {prefix}")
        return ["<GetRecord>", self._record(item), "</GetRecord>"]

    def _list_identifiers(self, args: Mapping[str, str], now: datetime) -> Iterator[str]:
        return self._list("ListIdentifiers", args, now, self.config.identifiers_page_size)

    def _list_records(self, args: Mapping[str, str], now: datetime) -> Iterator[str]:
        return self._list("ListRecords", args, now, self.config.records_page_size)

    # --- lists ------------------------------------------------------------------------------------------
    def _list(self, verb: str, args: Mapping[str, str], now: datetime, page_size: int) -> Iterator[str]:
        if "resumptionToken" in args:
            token = self.tokens.decode(args["resumptionToken"], verb)
            if token.prefix not in self.formats:
                raise OAIError("badResumptionToken", f"the format {token.prefix!r} is no longer offered")
        else:
            token = self._first_token(verb, args, now)
        selection = self._selection(token)
        after = None if token.last_id < 0 else (token.last_datestamp, token.last_id)
        items = iter(self.repository.items(selection, after, page_size + 1, verb == "ListRecords"))
        first = next(items, None)
        if first is None:
            _close(items)
            raise OAIError("noRecordsMatch", "no record matches these arguments"
                           if token.cursor == 0 else "the rest of this list is gone: start the list again")
        size = token.complete_list_size if token.complete_list_size >= 0 else self.repository.count(selection)
        return self._page(verb, token, chain([first], items), items, page_size, size, now)

    def _page(self, verb: str, token: ResumptionToken, rows: Iterator[Item], source: Iterator[Item],
              page_size: int, size: int, now: datetime) -> Iterator[str]:
        render = self._record if verb == "ListRecords" else self._header
        sent, last = 0, None
        try:
            yield f"<{verb}>"
            for item in rows:
                if sent == page_size:
                    break
                yield render(item)
                sent, last = sent + 1, item
            else:
                last = None  # the list ends with this page
        finally:
            _close(source)
        cursor = token.cursor
        if last is not None:
            following = ResumptionToken(verb, token.prefix, token.set_spec, token.from_, token.until,
                                        last.datestamp, last.id, cursor + sent, size)
            yield writer.resumption_token(self.tokens.encode(following), cursor, max(size, cursor + sent + 1),
                                          self.tokens.expiration(now))
        elif cursor:
            yield writer.resumption_token("", cursor, max(size, cursor + sent), None)
        yield f"</{verb}>"

    def _first_token(self, verb: str, args: Mapping[str, str], now: datetime) -> ResumptionToken:
        start = parse_date_argument("from", args["from"], upper=False) if "from" in args else None
        end = parse_date_argument("until", args["until"], upper=True) if "until" in args else None
        if start and end:
            if start.day != end.day:
                raise OAIError("badArgument", "from and until must have the same granularity")
            if start.moment > end.moment:
                raise OAIError("badArgument", "from is later than until")
        self._format(args["metadataPrefix"])
        # Freeze `until` for the whole list: what a writer commits later never slips into pages already cut.
        frozen = now - timedelta(seconds=self.config.commit_lag)
        until = min(end.moment, frozen) if end else frozen
        return ResumptionToken(verb, args["metadataPrefix"], args.get("set"), start.moment if start else None,
                               until, datetime.min, -1, 0, -1)

    def _selection(self, token: ResumptionToken) -> Selection:
        fmt = self._format(token.prefix)
        bases = fmt.bases
        producer = source = None
        if token.set_spec is not None:
            spec = parse_set_spec(token.set_spec)
            if spec is None:
                raise OAIError("noRecordsMatch", f"this repository has no set {token.set_spec!r}")
            if spec.base:
                bases = bases & {spec.base}
                if not bases:
                    raise OAIError("noRecordsMatch", f"the {spec.base} notices are not available in {fmt.prefix}")
            producer, source = spec.producer_slug, spec.source
        return Selection(fmt.prefix, frozenset(bases), producer, source, token.from_, token.until)

    # --- pieces -----------------------------------------------------------------------------------------
    def _format(self, prefix: str) -> MetadataFormat:
        fmt = self.formats.get(prefix)
        if fmt is None or not fmt.bases:
            raise OAIError("cannotDisseminateFormat",
                           f"{prefix!r} is not a metadata format of this repository (see ListMetadataFormats)")
        return fmt

    def _item(self, identifier: str, prefix: str | None) -> Item:
        key = self.identifiers.parse(identifier)
        item = self.repository.get(*key, prefix) if key else None
        if item is None:
            raise OAIError("idDoesNotExist", f"{identifier!r} is not an identifier of this repository")
        return item

    def _header(self, item: Item) -> str:
        return writer.header(self.identifiers.format(item.base, item.ref), item.datestamp,
                             item_set_specs(item), item.deleted)

    def _record(self, item: Item) -> str:
        if item.deleted:
            return writer.record(self._header(item), None)
        return writer.record(self._header(item), item.metadata, item.provenance)


def _close(iterator: Iterator) -> None:
    close = getattr(iterator, "close", None)
    if close is not None:
        close()
