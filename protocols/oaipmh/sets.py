"""Sets (docs/oaipmh.md): one per base (`joconde`), one per base and producer (`joconde:musee`, a child of
`joconde`), `partner` (every harvested notice) and one per harvested partner (`partner:{name}`).

Each set describes itself (`describe`): what it holds, how many published notices, under which rights — the
Licence Ouverte for POP's own notices only; a partner's notices under the partner's licence, or the rights its
records state — and where its base's exports are."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from formats.bases import BASES
from formats.links import LICENCE_OUVERTE
from formats.notice import LOCAL_SOURCE
from formats.rights import licence_of

from .repository import ANY_PARTNER, Item, SetCatalog, SetTally

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



POP_RIGHTS = f"Notices de POP : Licence Ouverte 2.0 ({LICENCE_OUVERTE})"
PARTNER_RIGHTS = "droits tels qu'indiqués par le partenaire dans ses notices"


@dataclass(frozen=True)
class SetDescription:
    """What a set's `<setDescription>` says (in oai_dc): title, description, rights statements, a link."""

    title: str
    description: str
    rights: tuple[str, ...]
    relation: str
    records: int


def _selects(spec_filter: SetFilter, tally: SetTally) -> bool:
    if spec_filter.base is not None and tally.base != spec_filter.base:
        return False
    if spec_filter.producer_slug is not None and tally.producer_slug != spec_filter.producer_slug:
        return False
    if spec_filter.source == ANY_PARTNER:
        return tally.source != LOCAL_SOURCE
    return spec_filter.source is None or tally.source == spec_filter.source


def _rights(tally: SetTally) -> str:
    if tally.source == LOCAL_SOURCE:
        return POP_RIGHTS
    if tally.licence:
        licence = licence_of(tally.licence)
        return f"Notices de {tally.source} : {licence.label}" + (f" ({licence.uri})" if licence.uri else "")
    return f"Notices de {tally.source} : {PARTNER_RIGHTS}"


def describe(spec: str, name: str, catalog: SetCatalog, site_url: str) -> SetDescription:
    """The description of the set `spec` (named `name`), counted from the catalog's tallies."""
    spec_filter = parse_set_spec(spec) or SetFilter()
    tallies = [tally for tally in catalog.tallies if _selects(spec_filter, tally)]
    records = sum(tally.records for tally in tallies)
    ordered = sorted(tallies, key=lambda tally: (tally.source != LOCAL_SOURCE, tally.source, tally.licence or ""))
    rights = tuple(dict.fromkeys(map(_rights, ordered)))  # POP's own first, then each partner's
    count = f"{records:,}".replace(",", "\u202f") + (" notice publiée" if records == 1 else " notices publiées")
    if spec_filter.base is not None:
        base = BASES[spec_filter.base]
        held = (f"Notices de la base {base.title} produites par {name.split(' — ', 1)[-1]}."
                if spec_filter.producer_slug else f"{base.label} : {base.description}")
        relation = f"{site_url}/exports/#{base.name}"
    else:
        held, relation = f"{name}.", f"{site_url}/exports/"
    return SetDescription(name, f"{held} {count}.", rights, relation, records)
