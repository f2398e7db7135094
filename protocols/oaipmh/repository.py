"""What the provider needs from storage: a small interface (store/oai.py implements it in SQL)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterator, NamedTuple, Protocol


@dataclass(frozen=True)
class Provenance:
    """One originDescription of the OAI provenance container (guidelines-provenance): where a re-exposed record
    was harvested from — the partner's `base_url`, the record's `identifier`, `datestamp` and metadata
    `namespace` there — when (`harvest_date`), whether it was `altered`, and the partner's own origin of it
    (`origin`: the nested originDescription, when the partner's record carried one). Dates are UTC text, a
    day or `YYYY-MM-DDThh:mm:ssZ`."""

    base_url: str
    identifier: str
    datestamp: str
    namespace: str
    harvest_date: str
    altered: bool = True
    origin: Provenance | None = None


class Item(NamedTuple):
    """A notice as OAI-PMH sees it: header data, its stored rendition in one format (None when deleted or
    when only the header was asked for; text, or the UTF-8 bytes it is stored as, which the writer copies),
    and for a harvested notice read with its metadata, its provenance. A NamedTuple, not a frozen dataclass:
    a list page builds a thousand, and a frozen dataclass costs three times as much to build."""

    id: int
    base: str
    ref: str
    datestamp: datetime
    deleted: bool
    producer_slug: str
    source: str
    metadata: str | bytes | None = None
    provenance: Provenance | None = None


ANY_PARTNER = "*"  # Selection.source: every harvested notice


@dataclass(frozen=True)
class Selection:
    """The notices a list asks for: those having a rendition in `prefix` (or deleted), in `bases`,
    optionally one producer or one source, with a datestamp in [from_, until]."""

    prefix: str
    bases: frozenset[str]
    producer_slug: str | None = None
    source: str | None = None  # a partner's name; "*" for every harvested notice
    from_: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class ProducerSet:
    base: str
    slug: str
    name: str


@dataclass(frozen=True)
class SetTally:
    """How many published (not deleted) notices share a base, producer, source and partner licence: what the
    sets' descriptions count and state the rights of (`licence` None: POP's own, or a partner stating none)."""

    base: str
    producer_slug: str
    source: str
    licence: str | None
    records: int


@dataclass(frozen=True)
class SetCatalog:
    """Everything ListSets shows: producers per base, harvested partners, and the tallies of the notices."""

    producers: tuple[ProducerSet, ...] = ()
    partners: tuple[str, ...] = ()
    tallies: tuple[SetTally, ...] = ()


class Repository(Protocol):
    def earliest_datestamp(self) -> datetime | None:
        """The earliest datestamp of any notice, deleted ones included (None: an empty store)."""

    def set_catalog(self) -> SetCatalog: ...

    def get(self, base: str, ref: str, prefix: str | None) -> Item | None:
        """One notice (or its tombstone), with its `prefix` rendition when asked for and stored."""

    def items(self, selection: Selection, after: tuple[datetime, int] | None, limit: int,
              with_metadata: bool) -> Iterator[Item]:
        """Up to `limit` items of the selection after the keyset position, ordered by (datestamp, id)."""

    def count(self, selection: Selection) -> int: ...
