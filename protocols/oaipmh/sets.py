"""Sets (docs/oaipmh.md): one per base (`joconde`), one per base and producer (`joconde:musee`, a child of
`joconde`), `partner` (every harvested notice) and one per harvested partner (`partner:{name}`)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from formats.bases import BASES
from formats.notice import LOCAL_SOURCE

from .repository import ANY_PARTNER, Item, SetCatalog

PARTNERS = "partner"
# One setSpec segment (OAI-PMH.xsd setSpecType); a partner whose name is not one gets no set of its own.
_SEGMENT = re.compile(r"^[A-Za-z0-9\-_.!~*'()]+$")


@dataclass(frozen=True)
class SetFilter:
    """What a set spec selects: a base (and producer), or harvested notices (of one partner)."""

    base: str | None = None
    producer_slug: str | None = None
    source: str | None = None  # ANY_PARTNER: any partner


def parse_set_spec(spec: str) -> SetFilter | None:
    """A set spec → its filter; None when the spec cannot name a set of this repository."""
    head, _, rest = spec.partition(":")
    if head == PARTNERS:
        if not _:
            return SetFilter(source=ANY_PARTNER)
        return SetFilter(source=rest) if rest and rest != LOCAL_SOURCE else None
    if head in BASES:
        if not _:
            return SetFilter(base=head)
        return SetFilter(base=head, producer_slug=rest) if rest and ":" not in rest else None
    return None


def item_set_specs(item: Item) -> list[str]:
    specs = [item.base, f"{item.base}:{item.producer_slug}"]
    if item.source != LOCAL_SOURCE:
        specs.append(PARTNERS)
        if _SEGMENT.match(item.source):
            specs.append(f"{PARTNERS}:{item.source}")
    return specs


def all_sets(catalog: SetCatalog) -> Iterator[tuple[str, str]]:
    """(setSpec, setName) of every set, parents before their children."""
    producers: dict[str, list] = {}
    for producer in catalog.producers:
        producers.setdefault(producer.base, []).append(producer)
    for base in BASES.values():
        yield base.name, base.title
        for producer in sorted(producers.get(base.name, ()), key=lambda p: p.slug):
            yield f"{base.name}:{producer.slug}", f"{base.title} — {producer.name}"
    if catalog.partners:
        yield PARTNERS, "Notices moissonnées chez les partenaires de POP"
        for name in sorted(filter(_SEGMENT.match, catalog.partners)):
            yield f"{PARTNERS}:{name}", f"Notices moissonnées chez {name}"

