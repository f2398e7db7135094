"""POP's dimension strings → typed measurements, for LIDO's measurementsSet (the display string is always kept).

The bases write dimensions by hand, in a few house styles:

    Joconde   "H. 29 , LA. 19 (à la base) , LA. 30 (au sommet) ; P. 24"   (cm unless a unit is written)
    Palissy   "h = 27,3 ; la = 21"  and  "De la Terre à la Lune : h = 27,3 ; la = 21£Autour de la Lune : h = 32"
    MNR       "H. 0,158 ; La. 0,047 ; P. 0,082 m."                         (a trailing unit applies to all)
    others    "Hauteur en cm : 120 ; largeur en cm : 80", "L. 45 cm", "diam. 12", "65 x 54 cm", "pds 3 kg"

`parse_dimensions(text)` returns one `MeasurementSet` per part (parts are separated by `£`, or introduced by
"label :"), each with the measurements that parsed. A part where nothing parses keeps only its display text.
Abbreviations follow Joconde's measurement lexicon: H. hauteur, L. longueur, l./la./LA. largeur, P./pr. profondeur,
E./ép. épaisseur, D./diam. diamètre, pds poids. "a x b (x c)" is read height × width (× depth), the French
museum convention. Unitless values are in `default_unit` (cm, the bases' convention).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

DEFAULT_UNIT = "cm"

# measurement type: (French term used in the bases, English term, Getty AAT concept)
TYPES: dict[str, tuple[str, str, str]] = {
    "hauteur": ("hauteur", "height", "http://vocab.getty.edu/aat/300055644"),
    "largeur": ("largeur", "width", "http://vocab.getty.edu/aat/300055647"),
    "longueur": ("longueur", "length", "http://vocab.getty.edu/aat/300055645"),
    "profondeur": ("profondeur", "depth", "http://vocab.getty.edu/aat/300072633"),
    "épaisseur": ("épaisseur", "thickness", "http://vocab.getty.edu/aat/300055646"),
    "diamètre": ("diamètre", "diameter", "http://vocab.getty.edu/aat/300055624"),
    "poids": ("poids", "weight", "http://vocab.getty.edu/aat/300056240"),
}

_ABBREVIATIONS = {
    "h": "hauteur", "ht": "hauteur", "haut": "hauteur", "hauteur": "hauteur",
    "l": "largeur", "la": "largeur", "larg": "largeur", "largeur": "largeur",
    "long": "longueur", "lg": "longueur", "longueur": "longueur",
    "p": "profondeur", "pr": "profondeur", "prof": "profondeur", "profondeur": "profondeur",
    "e": "épaisseur", "ep": "épaisseur", "ép": "épaisseur", "épaisseur": "épaisseur", "epaisseur": "épaisseur",
    "d": "diamètre", "diam": "diamètre", "diamètre": "diamètre", "diametre": "diamètre",
    "pds": "poids", "poids": "poids",
}
_UNITS = {"mm": "mm", "cm": "cm", "m": "m", "km": "km", "g": "g", "kg": "kg", "t": "t"}
_UNIT = r"(?P<unit>mm|cm|m|km|kg|g)\b\.?"
_NUMBER = r"(?P<value>\d+(?:[.,]\d+)?)"
# "H. 29", "h = 27,3", "Hauteur en cm : 120", "LA. 19 (à la base)", "L. 45 cm", "diam 12"
_ONE = re.compile(
    rf"^(?P<code>[A-Za-zéÉè]+)\.?\s*(?:en\s+(?P<unit_before>mm|cm|m|kg|g)\s*)?[:=]?\s*{_NUMBER}\s*(?:{_UNIT})?"
    r"\s*(?:\((?P<qualifier>[^)]*)\))?\s*$"
)
# "65 x 54 cm", "H. 65 x L. 54", "29 x 19 x 24"
_CROSS = re.compile(r"\s*[x×X]\s*")
_TRAILING_UNIT = re.compile(r"\s+(?P<unit>mm|cm|m|kg|g)\.?\s*$")
_BARE_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_ENDS_WITH_SIGN = re.compile(r"[:=]\s*$")
_ITEMS = re.compile(r"\s*[;,]\s+(?=[^\d\s])|\s*;\s*|\s+et\s+")  # "H. 29 , LA. 19" but not "27,3"
_PARTS = re.compile(r"\s*£\s*")
_LABEL = re.compile(r"^(?P<label>[^:=]{2,}?)\s*:\s*(?P<rest>.*\d.*)$")


@dataclass(frozen=True)
class Measurement:
    type: str  # a key of TYPES
    value: str  # as written, decimal point normalised: "27.3"
    unit: str
    qualifier: str | None = None  # "à la base"

    @property
    def term(self) -> tuple[str, str, str]:
        return TYPES[self.type]


@dataclass(frozen=True)
class MeasurementSet:
    display: str  # the text as written, always published
    measurements: tuple[Measurement, ...] = ()
    extent: str | None = None  # which part of the object: "De la Terre à la Lune"


def _value(text: str) -> str:
    return text.replace(",", ".")


def _one(item: str, unit: str) -> Measurement | None:
    match = _ONE.match(item.strip())
    if not match:
        return None
    code = match["code"]
    kind = "longueur" if code == "L" else _ABBREVIATIONS.get(code.lower())  # Joconde: L. longueur, l. largeur
    if kind is None:
        return None
    qualifier = (match["qualifier"] or "").strip() or None
    return Measurement(kind, _value(match["value"]), match["unit"] or match["unit_before"] or unit, qualifier)


def _cross(item: str, unit: str) -> list[Measurement] | None:
    """'65 x 54 cm' or 'H. 65 x L. 54': height × width (× depth)."""
    parts = _CROSS.split(item.strip())
    if len(parts) < 2 or len(parts) > 3:
        return None
    trailing = _TRAILING_UNIT.search(parts[-1])
    if trailing:
        unit, parts[-1] = trailing["unit"], parts[-1][: trailing.start()]
    result = []
    for position, part in enumerate(parts):
        part = part.strip()
        if _BARE_NUMBER.fullmatch(part):
            result.append(Measurement(("hauteur", "largeur", "profondeur")[position], _value(part), unit))
        else:
            measurement = _one(part, unit)
            if measurement is None:
                return None
            result.append(measurement)
    return result


@lru_cache(maxsize=8192)
def _part(text: str, default_unit: str) -> MeasurementSet:
    display = text.strip()
    extent = None
    body = display
    label = _LABEL.match(display)
    if label and not _ONE.match(display) and _ABBREVIATIONS.get(label["label"].split()[0].lower().rstrip(".")) is None:
        extent, body = label["label"].strip(), label["rest"]
    unit = default_unit
    trailing = _TRAILING_UNIT.search(body)
    if trailing and not _ENDS_WITH_SIGN.search(body[: trailing.start()]):
        unit, body = trailing["unit"], body[: trailing.start()]
    measurements: list[Measurement] = []
    for item in _ITEMS.split(body):
        if not item.strip():
            continue
        found = _cross(item, unit) if _CROSS.search(item) else None
        if found is None:
            one = _one(item, unit)
            found = [one] if one else None
        if found is None:
            return MeasurementSet(display, (), extent)  # one unreadable item: keep the display only
        measurements.extend(found)
    return MeasurementSet(display, tuple(measurements), extent)


def parse_dimensions(text: str, default_unit: str = DEFAULT_UNIT) -> list[MeasurementSet]:
    """Every part of a dimension string with what parsed of it; [] for an empty string."""
    parts = [p for p in _PARTS.split(text or "") if p.strip()]
    return [_part(part, default_unit) for part in parts]
