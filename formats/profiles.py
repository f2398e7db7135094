"""What a notice says about its object, read once per base, for the rich formats (LIDO, EDM) to serialize.

Each base keeps the same facts in different fields (Joconde's creators are AUTR, Enluminures' are ATTRIB; a
Mémoire photograph's maker is its photographer AUTP). A `Profile` names, per base, the fields playing each
role; `describe(notice)` turns a public notice into a neutral `Description` that formats/lido.py and
formats/edm.py both write, so the two formats cannot disagree about a notice. docs/mappings/*.md are the tables.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping, NamedTuple

from .bases import get_base
from .dates import DateRange, parse_bounds, parse_date
from .dimensions import MeasurementSet, parse_dimensions
from .images import Image, notice_credits, notice_images
from .links import IMAGE_BASE, notice_url
from .notice import Notice
from .rights import DEFAULT_RIGHTS, choose_rights


@dataclass(frozen=True)
class Profile:
    titles: tuple[str, ...]
    work_types: tuple[str, ...] = ()
    default_work_type: str | None = None  # what every notice of the base is, when its fields don't say
    classifications: tuple[str, ...] = ()
    inventory: tuple[str, ...] = ()  # the object's numbers at its repository (LIDO workID)
    repository: tuple[str, ...] = ()  # name of the institution holding it
    repository_place: tuple[str, ...] = ()
    location: tuple[str, ...] = ()  # full location as displayed
    descriptions: tuple[str, ...] = ()
    inscriptions: tuple[str, ...] = ()
    dimensions: tuple[str, ...] = ()
    creators: tuple[tuple[str, str], ...] = ()  # (field, default role)
    cultures: tuple[str, ...] = ()
    periods: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()  # displayed together; the first that parses gives the bounds
    date_bounds: tuple[str, str] | None = None  # fields holding earliest/latest years
    places: tuple[str, ...] = ()  # places of production
    materials: tuple[str, ...] = ()
    subjects: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    provenance: tuple[str, ...] = ()
    work_rights: tuple[str, ...] = ()  # legal status of the object (owner)
    located_by_coordinates: bool = True  # POP_COORDONNEES is where the object is (else: what it shows)


PROFILES: dict[str, Profile] = {
    "joconde": Profile(
        titles=("TICO", "TITR"), work_types=("DENO",), default_work_type="objet de musée", classifications=("DOMN",),
        inventory=("INV",), repository=("NOMOFF",), repository_place=("VILLE_M",), location=("LOCA",),
        descriptions=("DESC",), inscriptions=("INSC", "PINS"), dimensions=("DIMS",),
        creators=(("AUTR", "auteur"),), cultures=("ECOL",), periods=("EPOQ",), dates=("PERI", "MILL"),
        places=("LIEUX", "GEOHI"), materials=("TECH",), subjects=("REPR", "SREP"), provenance=("HIST",),
        work_rights=("STAT",)),
    "palissy": Profile(
        titles=("TICO", "TITR"), work_types=("DENO",), default_work_type="objet mobilier",
        classifications=("CATE", "DOMN"), inventory=("NINV",), repository=("EDIF",),
        repository_place=("WCOM", "COM"), location=("LOCA",), descriptions=("DESC",), inscriptions=("INSC", "PINS"),
        dimensions=("DIMS",), creators=(("AUTR", "auteur"), ("ATEL", "atelier")), dates=("SCLE", "DATE"),
        places=("EXEC",), materials=("MATR",), subjects=("REPR",), provenance=("HIST",), work_rights=("STAT",)),
    "mnr": Profile(
        titles=("TITR", "ATIT", "AUTI"), work_types=("DENO",), default_work_type="œuvre récupérée",
        classifications=("DOMN",), inventory=("INV", "NUMS"), repository=("AFFE",), location=("LOCA",),
        descriptions=("DESC",), inscriptions=("INSC", "MARQ"), dimensions=("DIMS",),
        creators=(("AUTR", "auteur"),), cultures=("ECOL", "STYL"), dates=("SCLE", "MILL"), materials=("TECH",),
        subjects=("REPR", "SREP"), provenance=("HIST",)),
    "enluminures": Profile(
        titles=("TITR", "SUJET"), work_types=("TYPE",), default_work_type="enluminure",
        classifications=("CONTXT", "NOMENC", "TYPCOD"), inventory=("COTE",), repository=("ETAB",),
        repository_place=("LOCA",), location=("REFD",), descriptions=("NOTDEC", "NOTES"), dimensions=("DIMS",),
        creators=(("ATTRIB", "enlumineur"), ("AUTR", "auteur du texte"), ("AUTS", "éditeur")), dates=("DATE",),
        date_bounds=("DATDEB", "DATFIN"), places=("ORIGG", "ORIGH"), materials=("SUPP",), subjects=("SUJET", "TYPDEC"),
        languages=("LANGOUV",)),
    "memoire": Profile(
        titles=("TICO", "LEG", "EDIF", "OBJT", "TITRE"), default_work_type="photographie",
        classifications=("TYPDOC", "DOM"), inventory=("NUMP", "NUMI"), repository=("LIEUCP", "IDPROD"),
        location=("LOCA",), descriptions=("OBS",), creators=(("AUTP", "photographe"), ("AUTTI", "tireur")),
        dates=("DATPV",), places=("LOCA",), materials=("TECHN", "SUP"),
        subjects=("SUJET", "EDIF", "OBJT", "DENO", "MCL", "SERIE", "MCPER"), located_by_coordinates=False),
    "merimee": Profile(
        titles=("TICO", "APPL"), work_types=("DENO",), default_work_type="édifice", classifications=("DOMN",),
        location=("LOCA",), descriptions=("DESC", "HIST"), dimensions=("DIMS",), creators=(("AUTR", "architecte"),),
        dates=("SCLE", "DATE"), places=("WCOM", "COM"), materials=("MURS", "TOIT"), subjects=("REPR",),
        work_rights=("STAT",), located_by_coordinates=False),
}

PRODUCERS = {  # POP's producer codes → the institution a reader knows
    "MUSEE": "Service des musées de France",
    "MNR": "Ministère de la Culture, Rose-Valland (MNR)",
    "Monuments Historiques": "Médiathèque du patrimoine et de la photographie",
    "MAP": "Médiathèque du patrimoine et de la photographie",
    "CAOA": "Conservation des antiquités et objets d'art",
    "Inventaire": "Inventaire général du patrimoine culturel",
    "Architecture": "Ministère de la Culture, Architecture",
    "État": "Ministère de la Culture, objets de l'État",
    "UDAP": "Unités départementales de l'architecture et du patrimoine",
    "SAP": "Ministère de la Culture, Archéologie",
    "Enluminures": "Institut de recherche et d'histoire des textes (CNRS), Enluminures",
}
PROVIDER = "Ministère de la Culture"

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_ACTOR = re.compile(r"^(?P<name>.*?)\s*\((?P<note>[^()]*)\)\s*$")
_QUALIFIER = re.compile(r"^(attribué|attribution|entourage|atelier|école|suiveur|d'après|genre|proche|imitateur|"
                        r"copie|style|manière|cercle|\?)|\b(du|de|des|d')$", re.IGNORECASE)


class Term(NamedTuple):  # tuples: a notice makes dozens, and a NamedTuple is the cheapest immutable value
    label: str
    vocabulary: str | None = None  # POP thesaurus controlling the field (th290…): the label is the concept key


class Actor(NamedTuple):
    name: str
    role: str
    qualifier: str | None = None  # attribution: "proche du", "atelier de"…


@dataclass(slots=True)  # not frozen: a frozen init of 34 fields costs more than describing a notice's dates
class Description:
    """What a notice says about its object; read-only by convention (made by `describe`, read by the formats)."""

    base: str
    ref: str
    url: str  # the POP permalink
    titles: tuple[str, ...]
    work_types: tuple[Term, ...]
    classifications: tuple[Term, ...]
    inventory: tuple[str, ...]
    repository: str | None
    repository_id: str | None  # the museum's Muséofile notice
    repository_place: str | None
    location: str | None
    descriptions: tuple[str, ...]
    inscriptions: tuple[str, ...]
    measurements: tuple[MeasurementSet, ...]
    creators: tuple[Actor, ...]
    cultures: tuple[Term, ...]
    periods: tuple[Term, ...]
    date: DateRange | None
    date_display: str | None
    places: tuple[Term, ...]
    materials: tuple[Term, ...]
    subjects: tuple[Term, ...]
    languages: tuple[str, ...]
    provenance: tuple[str, ...]
    work_rights: tuple[str, ...]
    coordinates: tuple[float, float] | None
    located_by_coordinates: bool
    images: tuple[Image, ...]
    credits: tuple[str, ...]  # notice-level rights texts
    copyright: tuple[str, ...]  # the notice's own copyright line (COPY)
    rights: str  # edm:rights of the record's digital objects
    data_provider: str
    modified: str | None = None


def _values(fields: Mapping[str, Any], code: str, split: bool = False) -> list[str]:
    """The text values of a field (a single string or a list), trimmed; `split`: also cut at `;` (POP's
    separator inside a single-string field: "Antiquités égyptiennes ; sculpture")."""
    value = fields.get(code)
    if value is None:
        return []
    if isinstance(value, str):
        if not split or ";" not in value:  # the common case: one clean value
            value = value.strip()
            return [value] if value else []
        items: Any = (value,)
    elif isinstance(value, list):
        items = value
    else:
        return []
    out: list[str] = []
    for item in items:
        if not isinstance(item, str):
            continue
        if split and ";" in item:
            out.extend(part for part in (p.strip() for p in item.split(";")) if part)
        else:
            item = item.strip()
            if item:
                out.append(item)
    return out


def _first(fields: Mapping[str, Any], codes: tuple[str, ...]) -> str | None:
    for code in codes:
        if code in fields:
            values = _values(fields, code)
            if values:
                return values[0]
    return None


def _all(fields: Mapping[str, Any], codes: tuple[str, ...], split: bool = False) -> tuple[str, ...]:
    """The distinct values of several fields, in order."""
    seen: dict[str, None] = {}
    for code in codes:
        if code in fields:
            for value in _values(fields, code, split):
                seen.setdefault(value)
    return tuple(seen)


@lru_cache(maxsize=None)
def _vocabularies(base: str) -> dict[str, str | None]:
    return {f.code: f.vocabulary for f in get_base(base).fields}


def _terms(base: str, fields: Mapping[str, Any], codes: tuple[str, ...]) -> tuple[Term, ...]:
    vocabularies = _vocabularies(base)
    terms: dict[str, Term] = {}
    for code in codes:
        values = _values(fields, code, split=True) if code in fields else None
        if values:
            vocabulary = vocabularies.get(code)
            for value in values:
                terms.setdefault(value.casefold(), Term(value, vocabulary))
    return tuple(terms.values())


@lru_cache(maxsize=8192)
def _actor(text: str, role: str) -> Actor:
    match = _ACTOR.match(text)
    if match and match["name"]:
        note = match["note"].strip()
        if _QUALIFIER.search(note):
            return Actor(match["name"], role, note)
        return Actor(match["name"], note or role)
    return Actor(text, role)


def _date(profile: Profile, fields: Mapping[str, Any]) -> tuple[DateRange | None, str | None]:
    displays = _all(fields, profile.dates)
    display = " ; ".join(displays) or None
    if profile.date_bounds:
        low, high = (fields.get(c) for c in profile.date_bounds)
        parsed = parse_bounds(display or "", low if isinstance(low, str) else None,
                              high if isinstance(high, str) else None)
        return parsed, display or (parsed.display if parsed else None)
    years = _years(profile, fields)
    if years is not None:  # then some date field has a value: `display` is not empty
        return DateRange(display or "", *years), display
    return None, display


def _years(profile: Profile, fields: Mapping[str, Any]) -> tuple[int, int] | None:
    """The bounds of the first date field that parses, the most precise first (it is listed last: MILL after
    PERI). Without `date_bounds` (see `_date`)."""
    for code in reversed(profile.dates):
        value = fields.get(code)
        if value.__class__ is str:
            years = _parsed(value)
        elif value.__class__ is list:
            try:
                years = _parsed(tuple(value))
            except TypeError:  # an unhashable item (not a text: parse_date skips it)
                years = _parsed(tuple(item for item in value if isinstance(item, str)))
        else:
            continue
        if years is not None:
            return years
    return None


@lru_cache(maxsize=16384)  # the same dates come back notice after notice ("15e siècle", ("1850", "1860"))
def _parsed(value: str | tuple) -> tuple[int, int] | None:
    parsed = parse_date(value)  # what `_values` trims and drops, parse_date does too: the same bounds
    return (parsed.earliest, parsed.latest) if parsed is not None else None


def object_years(base: str, fields: Mapping[str, Any]) -> tuple[int, int] | None:
    """The earliest and latest years a notice's object dates from, as LIDO's eventDate and EDM's TimeSpan give
    them (None: its base has no dates, or none of its date fields parses). `fields`: its published fields."""
    profile = PROFILES.get(base)
    if profile is None or not profile.dates:
        return None
    if profile.date_bounds:
        date = _date(profile, fields)[0]
        return (date.earliest, date.latest) if date is not None else None
    return _years(profile, fields)


def dated_fields(base: str) -> tuple[str, ...]:
    """The fields `object_years` reads for a base (none: the base has no dates)."""
    profile = PROFILES.get(base)
    if profile is None or not profile.dates:
        return ()
    return profile.dates + (profile.date_bounds or ())


def _coordinates(fields: Mapping[str, Any]) -> tuple[float, float] | None:
    value = fields.get("POP_COORDONNEES")
    if isinstance(value, Mapping):
        lat, lon = value.get("lat"), value.get("lon")
        if isinstance(lat, (int, float)) and isinstance(lon, (int, float)) and (lat or lon) \
                and -90 <= lat <= 90 and -180 <= lon <= 180:
            return float(lat), float(lon)
    return None


def data_provider(base: str, fields: Mapping[str, Any]) -> str:
    """The institution that produced the notice: the museum for Joconde, else the producer's name."""
    for code in ("NOMOFF", "IDPROD") if base in ("joconde", "memoire") else ():
        values = _values(fields, code)
        if values:
            return values[0]
    producer = fields.get("PRODUCTEUR")
    if isinstance(producer, str) and producer.strip():
        return PRODUCERS.get(producer.strip(), producer.strip())
    producers = get_base(base).producers
    return PRODUCERS.get(producers[0], PROVIDER) if len(producers) == 1 else PROVIDER


# The last description made: render_all renders one public notice to LIDO then EDM, which read it once.
_LAST: list[tuple[Notice, tuple[str, str], Description | None] | None] = [None]


def describe(notice: Notice, default_rights: str = DEFAULT_RIGHTS,
             image_base: str = IMAGE_BASE) -> Description | None:
    """The notice's facts for the rich formats; None when its base has no profile or nothing names the object
    (no title field, no object name: LIDO requires a title and EDM a title or description). `image_base`:
    where its images live (formats/links.py)."""
    last = _LAST[0]
    if last is not None and last[0] is notice and last[1] == (default_rights, image_base):
        return last[2]
    description = _describe(notice, default_rights, image_base)
    _LAST[0] = (notice, (default_rights, image_base), description)
    return description


def _describe(notice: Notice, default_rights: str, image_base: str = IMAGE_BASE) -> Description | None:
    profile = PROFILES.get(notice.base)
    if profile is None:
        return None
    fields = notice.fields
    titles = _all(fields, profile.titles)
    work_types = _terms(notice.base, fields, profile.work_types)
    if not titles:
        if not work_types:
            return None
        titles = (work_types[0].label,)
    if not work_types and profile.default_work_type:
        work_types = (Term(profile.default_work_type),)
    credits = tuple(notice_credits(notice.base, fields))
    images = tuple(notice_images(notice.base, fields, default_rights, list(credits), image_base))
    rights = images[0].rights if images else choose_rights(credits, default_rights)
    date, date_display = _date(profile, fields)
    museo = _values(fields, "MUSEO")
    modified = next((v for v in _values(fields, "DMAJ") + _values(fields, "DMIS")
                     if _DAY.fullmatch(v)), None)
    return Description(
        base=notice.base, ref=notice.ref, url=notice_url(notice.base, notice.ref), titles=titles,
        work_types=work_types, classifications=_terms(notice.base, fields, profile.classifications),
        inventory=_all(fields, profile.inventory),
        repository=_first(fields, profile.repository),
        repository_id=notice_url("museo", museo[0]) if museo else None,
        repository_place=_first(fields, profile.repository_place),
        location=_first(fields, profile.location),
        descriptions=_all(fields, profile.descriptions),
        inscriptions=_all(fields, profile.inscriptions),
        measurements=tuple(m for v in _all(fields, profile.dimensions) for m in parse_dimensions(v)),
        creators=tuple(_actor(v, role) for code, role in profile.creators if code in fields
                       for v in _values(fields, code)),
        cultures=_terms(notice.base, fields, profile.cultures),
        periods=_terms(notice.base, fields, profile.periods),
        date=date, date_display=date_display, places=_terms(notice.base, fields, profile.places),
        materials=_terms(notice.base, fields, profile.materials),
        subjects=_terms(notice.base, fields, profile.subjects),
        languages=_all(fields, profile.languages, split=True),
        provenance=_all(fields, profile.provenance),
        work_rights=_all(fields, profile.work_rights), coordinates=_coordinates(fields),
        located_by_coordinates=profile.located_by_coordinates, images=images, credits=credits, rights=rights,
        copyright=tuple(_values(fields, "COPY")),
        data_provider=data_provider(notice.base, fields), modified=modified,
    )
