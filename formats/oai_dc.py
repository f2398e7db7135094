"""`oai_dc`: simple Dublin Core for every base, the format every OAI-PMH harvester understands.

One mapping table per base (`MAPPINGS`: DC element → POP field codes, in order); docs/mappings/oai_dc.md
shows the same tables to readers. Rules common to every base:
- one element per value: a multi-valued field gives one element per value, and the fields listed in
  `_SPLIT` (values joined by " ; " in the source data) are split on ";";
- dc:identifier is the notice's https:// permalink on POP, then its REF; images are https:// URLs in
  dc:relation, after the links to related notices;
- dc:language carries ISO 639-2 codes only (enluminures' LANGOUV; a value without a code is dropped);
- dc:rights carries the notice's copyright lines, then the Licence Ouverte for POP's own notices, or for a
  harvested one its partner's licence (if it states one): POP never relicenses a partner's metadata;
  dc:publisher is the Ministry;
- dc:coverage adds the notice's point as "east=…; north=…" (DCMI Point).
"""
from __future__ import annotations

from typing import Any, Iterator

from .links import LICENCE_OUVERTE, image_url, notice_url
from .notice import LOCAL_SOURCE, Notice
from .format import MetadataFormat
from .rights import licence_of
from .xmltext import text as escape

NAMESPACE = "http://www.openarchives.org/OAI/2.0/oai_dc/"
SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
VERSION = "2"  # 2: harvested notices state their partner's licence, not the Licence Ouverte
PUBLISHER = "Ministère de la Culture (France) — Plateforme ouverte du patrimoine (POP)"

_OPEN = (f'<oai_dc:dc xmlns:oai_dc="{NAMESPACE}" xmlns:dc="http://purl.org/dc/elements/1.1/" '
         'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
         f'xsi:schemaLocation="{NAMESPACE} {SCHEMA}">')

# DCMI Type of each base's notices (dc:type comes first, then the base's own type fields).
DCMI_TYPES = {
    "joconde": "PhysicalObject", "merimee": "PhysicalObject", "palissy": "PhysicalObject", "memoire": "StillImage",
    "mnr": "PhysicalObject", "museo": "Collection", "autor": "Text", "enluminures": "StillImage",
}

# DC element → field codes, per base. Element order is the DC order of oai_dc.xsd-free simpledc (any order).
MAPPINGS: dict[str, dict[str, tuple[str, ...]]] = {
    "joconde": {
        "title": ("TICO", "TITR"), "creator": ("AUTR",), "subject": ("REPR", "SREP", "ONOM"),
        "description": ("DESC", "PREP", "INSC", "HIST"), "date": ("MILL", "PERI", "EPOQ"),
        "type": ("DENO", "DOMN"), "format": ("TECH", "DIMS"), "identifier": ("INV",), "source": ("LOCA",),
        "coverage": ("LIEUX", "GEOHI", "ECOL"), "rights": ("COPY", "PHOT"), "relation": ("REFMER", "REFPAL", "REFMEM", "MUSEO"),
        "contributor": ("REDA",),
    },
    "merimee": {
        "title": ("TICO", "APPL", "EDIF"), "creator": ("AUTR",), "subject": ("DENO", "REPR", "PERS", "THEM"),
        "description": ("DESC", "HIST", "PPRO", "DPRO"), "date": ("DATE", "SCLE", "SCLD", "JDAT"),
        "type": ("DENO", "DOMN", "PROT"), "format": ("MURS", "TOIT", "DIMS"), "source": ("DOSS",),
        "coverage": ("LOCA", "COM", "DPT_LETTRE", "REG", "ADRS", "INSEE"), "rights": ("COPY",),
        "relation": ("REFO", "REFJOC", "REFMUS", "REFE", "REFP"), "contributor": ("NOMS",),
    },
    "palissy": {
        "title": ("TICO", "TITR"), "creator": ("AUTR", "ATEL"), "subject": ("REPR", "PERS", "CATE"),
        "description": ("DESC", "HIST", "INSC", "PPRO", "DPRO"), "date": ("DATE", "SCLE", "SCLD", "JDAT"),
        "type": ("DENO", "DOMN", "PROT"), "format": ("MATR", "DIMS"), "source": ("DOSS",),
        "coverage": ("EDIF", "LOCA", "COM", "DPT_LETTRE", "REG", "INSEE"), "rights": ("COPY",),
        "relation": ("REFA", "REFE", "REFP", "REFJOC", "REFMUS"), "contributor": ("NOMS",),
    },
    "memoire": {
        "title": ("TICO", "LEG", "TITRE", "EDIF", "OBJT"), "creator": ("AUTP", "AUT", "AUTOR"),
        "subject": ("MCL", "MCPER", "SUJET", "SERIE", "THEATRE", "DENO"), "description": ("OBS", "LEG2", "TECHN"),
        "date": ("DATPV", "DATOR", "DATOEU", "SCLE"), "type": ("TYPDOC", "DOM"), "format": ("FORMAT", "TECHN", "SUP"),
        "source": ("IDPROD",), "coverage": ("LOCA", "COM", "WCOM", "DPT_LETTRE", "REG", "PAYS", "INSEE", "MCGEO"),
        "rights": ("COPY", "DIFF"), "relation": ("REFJOC", "REFMUS", "LBASE", "RENV"), "contributor": ("AUTG",),
    },
    "mnr": {
        "title": ("TITR", "ATIT", "AUTI"), "creator": ("AUTR", "ECOL"), "subject": ("REPR", "SREP"),
        "description": ("DESC", "HIST", "HIST2", "HIST3", "HIST4", "PROV", "INSC", "MARQ", "NOTE2"),
        "date": ("MILL", "SCLE", "GENE"), "type": ("DENO", "DOMN", "CATE"), "format": ("TECH", "DIMS"),
        "identifier": ("INV",), "source": ("LOCA", "AFFE"), "rights": ("PHOT",), "relation": ("RENV", "SUITE"),
        "contributor": ("REDC",),
    },
    "museo": {
        "title": ("NOMOFF", "NOMUSAGE", "AUTNOM"), "subject": ("DOMPAL", "THEMES"),
        "description": ("HIST", "ATOUT", "INTERET", "ARTISTE", "PHARE"), "date": ("AN_CREAT",),
        "type": ("CATEG", "LABEL"), "identifier": ("URL_M", "URL_M2"),
        "coverage": ("ADRESSE", "VILLE_M", "DPT", "REGION"), "rights": ("COPY",),
        "relation": ("REFMER", "REFPAL", "REFMEM"), "contributor": ("GESTION",),
    },
    "autor": {
        "title": ("NOMPRENOM", "NOM"), "subject": ("FONC", "SCLE"), "description": ("BIO", "OEUVR", "ALIAS"),
        "date": ("DNAISS", "DMORT", "DATES"), "type": ("TYPID",), "identifier": ("ISNI", "ARK"),
        "source": ("SOURCES", "BIBLIO"), "coverage": ("LNAISS", "LMORT", "LOCACT", "NATIO"), "rights": ("COPY",),
        "relation": ("LRELA", "LBASE"), "contributor": ("REDAC",),
    },
    "enluminures": {
        "title": ("SUJET", "TITR"), "creator": ("ATTRIB", "AUTR"), "subject": ("NOMENC", "DOMN"),
        "description": ("NOTES", "NOTDEC", "CONTXT", "TYPDEC", "FOPG"), "date": ("DATE", "DATDEB", "DATFIN"),
        "type": ("TYPE", "TYPCOD"), "format": ("DIMS", "SUPP"), "identifier": ("REFD", "COTE"),
        "source": ("ETAB", "LOCA"), "language": ("LANGOUV",), "coverage": ("ORIGG", "ORIGH"),
        "rights": ("COPY", "DROIT"), "relation": ("RENV", "REFC", "REFDE"), "publisher": ("AUTS",),
        "contributor": ("POSS",),
    },
}

# Image fields (paths in POP's phototèque or URLs), per base.
IMAGES = {"joconde": ("IMG",), "merimee": ("IMG",), "palissy": ("IMG",), "memoire": ("IMG",), "mnr": ("VIDEO",),
          "museo": ("PHOTO",), "autor": (), "enluminures": ("VIDEO",)}

# Single-valued fields whose source values join several values with ";".
_SPLIT = frozenset({"DOMN", "TYPE", "LANGOUV", "NOMENC", "TYPDEC", "CATEG", "DENO", "TECH", "MATR"})

# The languages of manuscripts (enluminures LANGOUV) → ISO 639-2/B.
LANGUAGES = {
    "latin": "lat", "français": "fre", "francais": "fre", "ancien français": "fro", "moyen français": "frm",
    "occitan": "oci", "provençal": "pro", "italien": "ita", "anglais": "eng", "allemand": "ger",
    "espagnol": "spa", "catalan": "cat", "néerlandais": "dut", "flamand": "dut", "grec": "grc", "hébreu": "heb",
    "arabe": "ara", "breton": "bre", "picard": "pic", "portugais": "por",
}

# Fields that are references to other POP notices: rendered as their permalinks.
_LINKED = {"REFMER": "merimee", "REFPAL": "palissy", "REFMEM": "memoire", "REFJOC": "joconde", "REFMUS": "museo",
           "MUSEO": "museo", "REFO": "palissy"}


def _values(value: Any, split: bool) -> Iterator[str]:
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, (dict, list)) or item is None:
            continue
        text = item if isinstance(item, str) else str(item)
        for part in (text.split(";") if split else [text]):
            part = part.strip()
            if part:
                yield part


def _element_values(notice: Notice, element: str, codes: tuple[str, ...]) -> Iterator[str]:
    for code in codes:
        value = notice.fields.get(code)
        if value is None:
            continue
        for text in _values(value, code in _SPLIT):
            if element == "language":
                code_ = LANGUAGES.get(text.lower())
                if code_:
                    yield code_
            elif element == "relation" and code in _LINKED:
                yield notice_url(_LINKED[code], text)
            else:
                yield text


def dc_values(notice: Notice) -> list[tuple[str, str]]:
    """(element, value) pairs of a public notice, duplicates within an element removed, in mapping order."""
    base = notice.base
    pairs: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()

    def add(element: str, text: str) -> None:
        if (element, text) not in seen:
            seen.add((element, text))
            pairs.append((element, text))

    mapping = MAPPINGS[base]
    for element in ("title", "creator", "subject", "description", "publisher", "contributor", "date", "type",
                    "format", "identifier", "source", "language", "relation", "coverage", "rights"):
        if element == "type":
            add("type", DCMI_TYPES[base])
        if element == "identifier":
            add("identifier", notice_url(base, notice.ref))
            add("identifier", notice.ref)
        for text in _element_values(notice, element, mapping.get(element, ())):
            add(element, text)
        if element == "publisher":
            add("publisher", PUBLISHER)
        if element == "relation":
            for code in IMAGES[base]:
                for path in _values(notice.fields.get(code) or [], False):
                    add("relation", image_url(path))
        if element == "coverage":
            point = notice.fields.get("POP_COORDONNEES")
            if isinstance(point, dict) and point.get("lat") is not None and point.get("lon") is not None:
                add("coverage", f"east={point['lon']}; north={point['lat']}")
        if element == "rights":
            if notice.source == LOCAL_SOURCE:
                add("rights", LICENCE_OUVERTE)
            elif notice.licence:
                add("rights", licence_of(notice.licence).statement)
    return pairs


def render(notice: Notice) -> str:
    parts = [_OPEN]
    for element, text in dc_values(notice):
        parts.append(f"<dc:{element}>{escape(text)}</dc:{element}>")
    parts.append("</oai_dc:dc>")
    return "".join(parts)


FORMAT = MetadataFormat(prefix="oai_dc", namespace=NAMESPACE, schema=SCHEMA, render=render, version=VERSION)
