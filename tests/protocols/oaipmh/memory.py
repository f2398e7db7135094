"""An in-memory `Repository` and a settable clock, so the provider's verbs are tested as a library: no server,
no database. The repository keeps the store's contract (store/oai.py): lists are keyset pages on
(datestamp, id); a notice is in a format's lists when it has a rendition in it or is a tombstone."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Iterable, Iterator

from lxml import etree

from formats.notice import LOCAL_SOURCE
from formats.registry import MetadataFormat
from protocols.oaipmh import Item, Provider, ProviderConfig, Selection, SetCatalog
from protocols.oaipmh.repository import ANY_PARTNER, ProducerSet, SetTally

REPO = "pop.culture.gouv.fr"
BASE_URL = "http://testserver/oai"
OAI = "{http://www.openarchives.org/OAI/2.0/}"
NS = {"oai": "http://www.openarchives.org/OAI/2.0/"}
T0 = datetime(2024, 3, 1, 8, 0, 0)
DAY = timedelta(days=1)
_PARSER = etree.XMLParser(no_network=True, resolve_entities=False)

# The formats of these tests (not the registry's, which other tests cover): one every base offers, one only
# two bases offer, one no base offers. The provider reads only their OAI identity and bases.
OAI_DC = MetadataFormat(prefix="oai_dc", namespace="http://www.openarchives.org/OAI/2.0/oai_dc/",
                        schema="http://www.openarchives.org/OAI/2.0/oai_dc.xsd", render=lambda notice: None)
OBJECTS = MetadataFormat(prefix="objects", namespace="urn:test:objects", schema="/schemas/objects.xsd",
                         render=lambda notice: None, bases=frozenset({"joconde", "palissy"}))
NOWHERE = MetadataFormat(prefix="nowhere", namespace="urn:test:nowhere", schema="urn:test:nowhere.xsd",
                         render=lambda notice: None, bases=frozenset())
FORMATS = {fmt.prefix: fmt for fmt in (OAI_DC, OBJECTS, NOWHERE)}


def rendition(prefix: str, ref: str) -> str:
    """What the store would hold: valid oai_dc (so answers validate against OAI-PMH.xsd), else a stand-in."""
    if prefix == "oai_dc":
        return ('<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
                f'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier>{ref}</dc:identifier></oai_dc:dc>')
    return f'<t:{prefix} xmlns:t="urn:test:{prefix}">{ref}</t:{prefix}>'


@dataclass
class Clock:
    """The provider's clock: responseDate, expirationDate and the frozen `until` all read it."""

    now: datetime = datetime(2024, 6, 1, 12, 0, 0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Stored:
    item: Item  # its header data (metadata None)
    renditions: dict[str, str] = field(default_factory=dict)  # prefix → XML of the <metadata> child
    producer_name: str = ""
    licence: str | None = None  # a partner's licence (SPDX id or URI)


class MemoryRepository:
    """`protocols.oaipmh.Repository` over a list of notices."""

    def __init__(self, partners: Iterable[str] = ()):
        self.notices: list[Stored] = []
        self.partners = tuple(partners)  # registered partners, with or without notices yet

    def add(self, base: str, ref: str, datestamp: datetime, *, producer: str = "musee", source: str = LOCAL_SOURCE,
            deleted: bool = False, formats: Iterable[str] | None = None, licence: str | None = None) -> Item:
        """A notice, rendered in `formats` (default: every format its base offers; a tombstone in none)."""
        item = Item(len(self.notices) + 1, base, ref, datestamp, deleted, producer, source)
        if formats is None:
            formats = [prefix for prefix, fmt in FORMATS.items() if fmt.supports(base)]
        renditions = {} if deleted else {prefix: rendition(prefix, ref) for prefix in formats}
        self.notices.append(Stored(item, renditions, producer.upper(), licence))
        return item

    def update(self, item: Item, datestamp: datetime) -> None:
        """A write that changes what is published: the notice moves to the end of the (datestamp, id) order."""
        for stored in self.notices:
            if stored.item.id == item.id:
                stored.item = stored.item._replace(datestamp=datestamp)

    # --- the Repository protocol ------------------------------------------------------------------------
    def earliest_datestamp(self) -> datetime | None:
        return min((stored.item.datestamp for stored in self.notices), default=None)

    def set_catalog(self) -> SetCatalog:
        producers = {(s.item.base, s.item.producer_slug): s.producer_name for s in self.notices}
        sources = {s.item.source for s in self.notices if s.item.source != LOCAL_SOURCE}
        tallies: dict[tuple, int] = {}
        for s in self.notices:
            if not s.item.deleted:
                key = (s.item.base, s.item.producer_slug, s.item.source, s.licence)
                tallies[key] = tallies.get(key, 0) + 1
        return SetCatalog(tuple(ProducerSet(base, slug, name) for (base, slug), name in sorted(producers.items())),
                          tuple(sorted(sources | set(self.partners))),
                          tuple(SetTally(*key, count) for key, count in tallies.items()))

    def get(self, base: str, ref: str, prefix: str | None) -> Item | None:
        for stored in self.notices:
            if (stored.item.base, stored.item.ref) == (base, ref):
                return stored.item._replace(metadata=stored.renditions.get(prefix) if prefix else None)
        return None

    def items(self, selection: Selection, after: tuple[datetime, int] | None, limit: int,
              with_metadata: bool) -> Iterator[Item]:
        rows = sorted(self._selected(selection), key=lambda s: (s.item.datestamp, s.item.id))
        sent = 0
        for stored in rows:
            if sent == limit:
                return
            if after is not None and (stored.item.datestamp, stored.item.id) <= after:
                continue
            sent += 1
            yield stored.item._replace(metadata=stored.renditions.get(selection.prefix) if with_metadata else None)

    def count(self, selection: Selection) -> int:
        return sum(1 for _ in self._selected(selection))

    def _selected(self, selection: Selection) -> Iterator[Stored]:
        for stored in self.notices:
            item = stored.item
            if item.base not in selection.bases:
                continue
            if not item.deleted and selection.prefix not in stored.renditions:
                continue
            if selection.producer_slug is not None and item.producer_slug != selection.producer_slug:
                continue
            if selection.source == ANY_PARTNER and item.source == LOCAL_SOURCE:
                continue
            if selection.source not in (None, ANY_PARTNER) and item.source != selection.source:
                continue
            if selection.from_ is not None and item.datestamp < selection.from_:
                continue
            if selection.until is not None and item.datestamp > selection.until:
                continue
            yield stored


def config(**overrides) -> ProviderConfig:
    options = dict(base_url=BASE_URL, site_url="http://testserver", repository_identifier=REPO,
                   repository_name="POP", admin_email="pop@culture.gouv.fr", secret_key="secret",
                   records_page_size=3, identifiers_page_size=4, commit_lag=2)
    return ProviderConfig(**{**options, **overrides})


def ask(provider: Provider, *pairs: tuple[str, str], **arguments: str) -> etree._Element:
    """One request (as pairs, to repeat a key, or as keywords) → the parsed response."""
    response = provider.handle([*pairs, *arguments.items()])
    assert response.status == 200 and response.content_type == "text/xml; charset=utf-8"
    return etree.fromstring(b"".join(response.body), _PARSER)


def error(root: etree._Element) -> tuple[str, str] | None:
    element = root.find(f"{OAI}error")
    return (element.get("code"), element.text) if element is not None else None


def identifiers(root: etree._Element) -> list[str]:
    return [e.text for e in root.iterfind(".//oai:header/oai:identifier", NS)]


def token(root: etree._Element) -> etree._Element | None:
    return root.find(".//oai:resumptionToken", NS)


def oai_id(base: str, ref: str) -> str:
    return f"oai:{REPO}:{base}:{ref}"
