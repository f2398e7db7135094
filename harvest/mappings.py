"""Mappings: a partner's record (the lxml element inside <metadata>) → raw POP fields of the target base.

One registry, one entry per metadataPrefix we can read:
- `pop`: lossless, read by formats/pop.py `parse`; the record's base must be the partner's target base.
- `oai_dc` and `lido`: read into a few descriptive *roles* (title, creator, date…), then each role goes to
  the first field of the target base that can hold it (`ROLE_FIELDS`). docs/mappings/harvest.md is the
  table a person reads; this module is the one the harvester runs.

The REF of a harvested notice comes from the partner's OAI identifier (`ref_from_identifier`), so a
deleted header — which carries nothing but its identifier — names the notice it deletes; for a partner whose
REFs POP mints (harvest/refs.py), the reader passes the provisional REF the store replaces.
The partner's rights statements (dc:rights, LIDO credit lines) are kept as harvested, in the base's rights
field (`ROLE_FIELDS["rights"]`): POP never replaces them with its own licence.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

from lxml import etree

from formats.bases import Base, get_base
from formats.registry import get_format  # loads formats.pop through the registry (import order)
from formats import pop as pop_format  # noqa: E402  (PopFormatError)


class MappingError(ValueError):
    """The record cannot be read into a notice (the reason is quarantined with it)."""


def ref_from_identifier(identifier: str, base: Base) -> str:
    """The REF named by an OAI identifier: `oai:{repo}:{base}:{REF}` (POP), `oai:{base}:{REF}` (legacy
    POP), or in general the last `:`-separated segment (`oai:museum.example:000PE001028` → `000PE001028`)."""
    identifier = identifier.strip()
    marker = f":{base.name}:"
    if marker in identifier:
        return identifier.rsplit(marker, 1)[1]
    return identifier.rsplit(":", 1)[-1]


# --- descriptive roles → fields of the target base ----------------------------------------------------
# For each role, the candidate fields in order of preference; the first the base has receives the values
# (for the title, the base's own title fields come first: NOMPRENOM for autor, NOMOFF for museo…).
ROLE_FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("TICO", "TITR", "TITRE", "NOMOFF", "NOMPRENOM", "NOM"),
    "creator": ("AUTR", "AUTOR", "ARTISTE"),
    "subject": ("REPR", "SUJET", "THEMES", "THEM"),
    "description": ("DESC", "HIST", "BIO", "NOTES", "COM", "OBS"),
    "date": ("PERI", "DATE", "DATOEU", "DATES", "MILL", "SCLE"),
    "type": ("DENO", "TYPE", "TYPDOC", "CATEG", "CATE"),
    "format": ("TECH", "TECHN", "SUPP"),
    "measurements": ("DIMS",),
    "place": ("LOCA", "LIEU", "LIEUX", "VILLE_M"),
    "inventory": ("INV", "NINV", "COTE"),
    "rights": ("COPY", "DROIT", "PHOT"),  # PHOT: MNR, whose only rights field is its photo credits
    "publisher": ("PRODUCTEUR",),
    "language": ("LANGOUV",),
    "domain": ("DOMN", "DOM", "DOMPAL"),
}
MULTI_SEPARATOR = " ; "  # several values of a role for a single-valued field are joined with it


@lru_cache(maxsize=None)
def _role_candidates(base_name: str, role: str) -> tuple[tuple[str, bool, bool], ...]:
    """The fields of a base that may receive `role`, in order: (code, usable, multi)."""
    base = get_base(base_name)
    codes = (*base.title_fields, *ROLE_FIELDS[role]) if role == "title" else ROLE_FIELDS.get(role, ())
    specs = [base.field_map[code] for code in dict.fromkeys(codes) if code in base.field_map]
    return tuple((spec.code, spec.kind == "string" and spec.published, spec.multi) for spec in specs)


def roles_to_fields(base: Base, roles: dict[str, list[str]]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for role, values in roles.items():
        for code, usable, multi in _role_candidates(base.name, role):
            if code not in fields:
                break
        else:
            continue  # no field of the base left for this role
        if not usable:
            continue
        kept: list[str] = []
        for text in values:
            text = " ".join(text.split())  # pretty-printed XML's newlines and indentation are not the value's
            if text and text not in kept:
                kept.append(text)
        if not kept:
            continue
        values = kept
        fields[code] = values if multi else (values[0] if len(values) == 1 else MULTI_SEPARATOR.join(values))
    return fields


# --- oai_dc -------------------------------------------------------------------------------------------
DC = "http://purl.org/dc/elements/1.1/"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC_ROLES = {"title": "title", "creator": "creator", "contributor": "creator", "subject": "subject",
            "description": "description", "date": "date", "type": "type", "format": "format",
            "coverage": "place", "rights": "rights", "publisher": "publisher", "language": "language"}


def _texts(element: etree._Element, path: str, ns: dict[str, str]) -> list[str]:
    return [text for text in (("".join(e.itertext())).strip() for e in element.iterfind(path, ns)) if text]


_DC_TAG_ROLES = {f"{{{DC}}}{name}": role for name, role in DC_ROLES.items()}


def read_oai_dc(element: etree._Element, base: Base) -> dict[str, Any]:
    if element.tag != f"{{{OAI_DC}}}dc":
        raise MappingError(f"expected an oai_dc:dc element, got {element.tag}")
    roles: dict[str, list[str]] = {}
    for child in element:
        role = _DC_TAG_ROLES.get(child.tag)  # comments and processing instructions have no such tag
        if role is None:
            continue
        text = child.text if len(child) == 0 else "".join(child.itertext())
        if text:  # whitespace is normalised (and blank values dropped) by roles_to_fields
            roles.setdefault(role, []).append(text)
    return roles_to_fields(base, roles)


# --- LIDO ---------------------------------------------------------------------------------------------
LIDO = "http://www.lido-schema.org"
_L = {"l": LIDO}
LIDO_ROLES: dict[str, tuple[str, ...]] = {
    "title": (".//l:titleWrap/l:titleSet/l:appellationValue",),
    "type": (".//l:objectWorkTypeWrap/l:objectWorkType/l:term",),
    "measurements": (".//l:objectMeasurementsWrap/l:objectMeasurementsSet/l:displayObjectMeasurements",),
    "description": (".//l:objectDescriptionWrap/l:objectDescriptionSet/l:descriptiveNoteValue",),
    "subject": (".//l:subjectWrap/l:subjectSet/l:displaySubject",
                ".//l:subjectWrap/l:subjectSet/l:subject/l:subjectConcept/l:term[1]"),
    "place": (".//l:repositoryWrap/l:repositorySet/l:repositoryName/l:legalBodyName/l:appellationValue",),
    "inventory": (".//l:repositoryWrap/l:repositorySet/l:workID",),
    "rights": (".//l:rightsWorkWrap/l:rightsWorkSet/l:creditLine",
               ".//l:rightsWorkWrap/l:rightsWorkSet/l:rightsHolder/l:legalBodyName/l:appellationValue"),
}
# Who made it, when and how: read from the production event (or the first event when none says so).
PRODUCTION_EVENTS = {"production", "herstellung", "creation", "création", "fabrication", "manufacture"}
LIDO_EVENT_ROLES: dict[str, tuple[str, ...]] = {
    "creator": ("l:eventActor/l:displayActorInRole",),  # else each actor's preferred name (`_actor_names`)
    "date": ("l:eventDate/l:displayDate",),
    "format": ("l:eventMaterialsTech/l:displayMaterialsTech",),
}
_PREF = (f"{{{LIDO}}}pref", "pref")  # lido:pref="preferred" | "alternate" (also seen unqualified)


def _alternate(element: etree._Element) -> bool:
    return element.get(_PREF[0], element.get(_PREF[1])) == "alternate"


def _preferred(elements: list[etree._Element]) -> list[etree._Element]:
    """The elements not marked `pref="alternate"`; all of them when every one is (a name is better than none)."""
    preferred = [element for element in elements if not _alternate(element)]
    return preferred or elements


def _actor_names(event: etree._Element) -> list[str]:
    """One name per actor: its preferred appellation(s), never its alternate ones (Botticelli, not also
    "Filipepi, Alessandro" and "Filipepi, Sandro")."""
    names: list[str] = []
    for actor in event.iterfind("l:eventActor/l:actorInRole/l:actor", _L):
        values = actor.findall("l:nameActorSet/l:appellationValue", _L)
        preferred = [value for value in values if not _alternate(value)] or values[:1]
        names += [text for text in (("".join(v.itertext())).strip() for v in preferred) if text]
    return list(dict.fromkeys(names))


def _production_event(element: etree._Element) -> etree._Element | None:
    events = element.findall(".//l:eventWrap/l:eventSet/l:event", _L)
    for event in events:
        kinds = {text.lower() for text in _texts(event, "l:eventType/l:term", _L)}
        if kinds & PRODUCTION_EVENTS:
            return event
    return events[0] if events else None


def _first_found(element: etree._Element, paths: tuple[str, ...]) -> list[str]:
    """The texts of the first path that has any, alternates (`lido:pref="alternate"`) left out."""
    for path in paths:
        found = _preferred(element.findall(path, _L))
        values = [text for text in (("".join(e.itertext())).strip() for e in found) if text]
        if values:
            return list(dict.fromkeys(values))
    return []


def read_lido(element: etree._Element, base: Base) -> dict[str, Any]:
    if element.tag == f"{{{LIDO}}}lidoWrap":
        children = element.findall("l:lido", _L)
        if len(children) != 1:
            raise MappingError(f"expected one lido:lido in lido:lidoWrap, got {len(children)}")
        element = children[0]
    if element.tag != f"{{{LIDO}}}lido":
        raise MappingError(f"expected a lido:lido element, got {element.tag}")
    roles = {role: _first_found(element, paths) for role, paths in LIDO_ROLES.items()}
    event = _production_event(element)
    if event is not None:
        roles.update({role: _first_found(event, paths) for role, paths in LIDO_EVENT_ROLES.items()})
        roles["creator"] = roles["creator"] or _actor_names(event)
    return roles_to_fields(base, roles)


def read_pop(element: etree._Element, base: Base) -> dict[str, Any]:
    try:
        fields = dict(get_format("pop").parse(element))
    except pop_format.PopFormatError as error:
        raise MappingError(str(error)) from None
    if element.get("base") != base.name:
        raise MappingError(f"record of base {element.get('base')!r}, but this partner feeds {base.name!r}")
    return fields


@dataclass(frozen=True)
class Mapping:
    name: str  # also the metadataPrefix it reads by default
    read: Callable[[etree._Element, Base], dict[str, Any]]
    lossless: bool = False  # the record carries its REF and every field: nothing added


MAPPINGS: dict[str, Mapping] = {m.name: m for m in (
    Mapping("pop", read_pop, lossless=True),
    Mapping("oai_dc", read_oai_dc),
    Mapping("lido", read_lido),
)}


def get_mapping(name: str) -> Mapping:
    try:
        return MAPPINGS[name]
    except KeyError:
        raise MappingError(f"unknown mapping {name!r} (known: {', '.join(MAPPINGS)})") from None


def map_record(mapping: Mapping, element: etree._Element, base: Base, identifier: str,
               ref: str | None = None) -> dict[str, Any]:
    """Raw fields of one record: the mapping's fields, REF from the identifier (a lossless record's own
    REF must agree with it), or `ref` when given (a provisional REF to be minted: harvest/refs.py)."""
    fields = mapping.read(element, base)
    ref = ref or ref_from_identifier(identifier, base)
    if mapping.lossless:
        if fields.get("REF") != ref:
            raise MappingError(f"REF {fields.get('REF')!r} of the record does not match its identifier {identifier!r}")
        return fields
    fields["REF"] = ref
    return fields
