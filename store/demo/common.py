"""What the eight demo builders share: the table loader, the pickers, places, people, museums, dates, measures.

The words themselves live in `data/*.json` (places, people, museums, texts, and one file per base); this module
loads each file once, at import, and turns it into the shapes the builders index fast: every JSON array becomes a
tuple (builders compare `deno == ("dolmen",)` and must never share a mutable list between notices), and records
become tuples in a fixed column order (`rows`), so a draw stays `seq[int(rnd() * len(seq))]`.

A builder draws with `rnd`, the `random()` of the block's `random.Random`; every helper here takes it, and the
order of its draws is part of the output (the demo data is byte-identical for a seed).
"""
from __future__ import annotations

import functools
import json
import unicodedata
from datetime import date
from importlib import resources
from typing import Any, Callable, Sequence

Rnd = Callable[[], float]  # random.Random.random of the current block


def load(name: str) -> dict[str, Any]:
    """The tables of `data/{name}.json`, every JSON array as a tuple (its "about" text describes them)."""
    text = resources.files(__package__).joinpath(f"data/{name}.json").read_text("utf-8")
    return _frozen(json.loads(text))


def _frozen(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, dict):
        return {key: _frozen(item) for key, item in value.items()}
    return value


def rows(records: Sequence[dict[str, Any]], *columns: str) -> tuple[tuple, ...]:
    """Records of a table as tuples of `columns`, in that order: the builders unpack them positionally."""
    return tuple(tuple(record[column] for column in columns) for record in records)


def pick(rnd: Rnd, seq: Sequence) -> Any:
    return seq[int(rnd() * len(seq))]


@functools.cache  # called on words of the finite tables
def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return "".join(c if c.isalnum() else "-" for c in ascii_text).strip("-")


def sentences(rnd: Rnd, pool: Sequence[str], n_min: int, n_max: int, sep: str = " ") -> str:
    """n_min to n_max distinct sentences of `pool`, in the pool's order from a random one."""
    size = len(pool)
    n = min(n_min + int(rnd() * (n_max - n_min + 1)), size)
    k = int(rnd() * size)
    return sep.join([pool[(k + i) % size] for i in range(n)])


# --- places -------------------------------------------------------------------------------------------------
_PLACES = load("places")
_DEPTS = _PLACES["departments"]

# Indexes into a commune row: the commune's own columns, then its department's and region's.
C_NAME, C_INSEE, C_DPT, C_DPTNAME, C_REG, C_REGCODE, C_OLDREG, C_LAT, C_LON = range(9)


def _commune_row(name: str, insee: str, lat: float, lon: float) -> tuple:
    dpt = insee[:2]
    department = _DEPTS[dpt]
    return (name, insee, dpt, department["name"], department["region"], department["region_code"],
            department["former_region"], lat, lon)


COMMUNES: tuple[tuple, ...] = tuple(
    _commune_row(*row) for row in rows(_PLACES["communes"], "name", "insee", "lat", "lon"))
COMMUNE_BY_NAME: dict[str, tuple] = {c[C_NAME]: c for c in COMMUNES}
STREETS: tuple[str, ...] = _PLACES["streets"]
LIEUX_DITS: tuple[str, ...] = _PLACES["lieux_dits"]
RIVERS: tuple[str, ...] = _PLACES["rivers"]


def location(com: tuple, dpt: str) -> dict[str, list[str]]:
    """The commune fields of a building or an object in situ (Mérimée, Palissy)."""
    return {"COM": [com[C_NAME]], "INSEE": [com[C_INSEE]], "DPT": [dpt], "DPT_LETTRE": [com[C_DPTNAME]],
            "REG": [com[C_REG]], "WCOM": [com[C_NAME]]}


def _coords(rnd: Rnd, com: tuple) -> dict[str, float]:
    return {"lat": round(com[C_LAT] + (rnd() - 0.5) * 0.04, 6), "lon": round(com[C_LON] + (rnd() - 0.5) * 0.06, 6)}


def geo(rnd: Rnd, d: dict, com: tuple, rate: float = 0.85) -> None:
    """POP_COORDONNEES and POP_CONTIENT_GEOLOCALISATION; POP's "no position" is {lat: 0, lon: 0}."""
    if rnd() < rate:
        d["POP_COORDONNEES"] = _coords(rnd, com)
        d["POP_CONTIENT_GEOLOCALISATION"] = "oui"
    else:
        d["POP_COORDONNEES"] = {"lat": 0, "lon": 0}
        d["POP_CONTIENT_GEOLOCALISATION"] = "non"


# --- people -------------------------------------------------------------------------------------------------
_PEOPLE = load("people")
_MAKER_COLUMNS = ("surname", "first_name", "role")
SURNAMES: tuple[str, ...] = _PEOPLE["surnames"]
FIRST_NAMES: tuple[str, ...] = _PEOPLE["first_names"]
# (surname, first name, role): historical makers named in the bases.
ARTISTS: tuple[tuple[str, str, str], ...] = rows(_PEOPLE["artists"], *_MAKER_COLUMNS)
ARCHITECTS: tuple[tuple[str, str, str], ...] = rows(_PEOPLE["architects"], *_MAKER_COLUMNS)
MAKERS: tuple[tuple[str, str, str], ...] = rows(_PEOPLE["makers"], *_MAKER_COLUMNS)
PHOTOGRAPHERS: tuple[str, ...] = _PEOPLE["photographers"]
FAMILIES: tuple[str, ...] = _PEOPLE["families"]
_EDITORS = rows(_PEOPLE["editors"], "surname", "first_name")


def historique(rnd: Rnd, dmaj: str) -> list[dict[str, str]]:
    """POP's internal edit history (HISTORIQUE): who last saved the notice, on its DMAJ."""
    nom, prenom = pick(rnd, _EDITORS)
    email = f"{slug(prenom)}.{slug(nom)}@culture.gouv.fr"
    return [{"nom": nom, "prenom": prenom, "email": email, "date": f"{dmaj}T10:{int(rnd() * 60):02d}:00.000Z",
             "updatedAt": f"{dmaj}T10:{int(rnd() * 60):02d}:00.000Z"}]


# --- museums ------------------------------------------------------------------------------------------------
# A museum row: Muséofile id, commune row, official name, short name as in Joconde's LOCA, 4-digit Joconde museum
# code, then what the notices derive from them (contact, Joconde's LOCA and LOCA2).
M_ID, M_COM, M_NOMOFF, M_SHORT, M_CODE, M_EMAIL, M_LOCA, M_LOCA2 = range(8)
MUSEUMS: tuple[tuple, ...] = tuple(
    (mid, com, nomoff, short, code, f"musee@ville-{slug(city)}.fr", f"{city} ; {short}",
     f"France ; {com[C_OLDREG]} ; {com[C_DPTNAME]}")
    for mid, city, nomoff, short, code in rows(load("museums")["museums"], "museofile", "commune", "name",
                                               "short_name", "joconde_code")
    for com in (COMMUNE_BY_NAME[city],)
)

# --- shared vocabularies ------------------------------------------------------------------------------------
_TEXTS = load("texts")
DEDICATIONS: tuple[str, ...] = _TEXTS["dedications"]
SAINTS: tuple[str, ...] = _TEXTS["saints"]
COPY_MH: tuple[str, ...] = _TEXTS["copyright_mh"]
COPY_INV: tuple[str, ...] = _TEXTS["copyright_inventaire"]  # {reg}: the region
POP_FLAGS: tuple[str, ...] = _TEXTS["pop_flags"]
# Description sentences by kind of object.
DESC_OBJECT: tuple[str, ...] = _TEXTS["descriptions"]["object"]
DESC_FIGURE: tuple[str, ...] = _TEXTS["descriptions"]["figure"]
DESC_GRAPHIC: tuple[str, ...] = _TEXTS["descriptions"]["graphic"]
DESC_PAINTING: tuple[str, ...] = _TEXTS["descriptions"]["painting"]

# --- time ---------------------------------------------------------------------------------------------------
MONTHS: tuple[str, ...] = _TEXTS["months"]
_QUARTS = _TEXTS["century_parts"]
_DAY0 = date(1993, 1, 1).toordinal()
_DATES = tuple(date.fromordinal(o).isoformat() for o in range(_DAY0, date(2024, 12, 31).toordinal() + 1))
_NDATES = len(_DATES)


def ordinal(n: int) -> str:
    return "1er" if n == 1 else f"{n}e"


# Indexed by century (1–21); index 0 is empty.
SIECLE: tuple[str, ...] = ("",) + tuple(f"{ordinal(c)} siècle" for c in range(1, 22))
SIECLX: tuple[str, ...] = ("",) + tuple(f"{ordinal(c)} s." for c in range(1, 22))


def dmis_dmaj(rnd: Rnd) -> tuple[str, str]:
    """A notice's creation and last update dates in POP (1993–2024), the update never before the creation."""
    k = int(rnd() * _NDATES)
    return _DATES[k], _DATES[k + int(rnd() * (_NDATES - k))]


def long_date(rnd: Rnd, y0: int, y1: int) -> str:
    day = 1 + int(rnd() * 28)
    return f"{'1er' if day == 1 else day} {MONTHS[int(rnd() * 12)]} {y0 + int(rnd() * (y1 - y0 + 1))}"


def slash_date(rnd: Rnd, y0: int, y1: int) -> str:
    return f"{y0 + int(rnd() * (y1 - y0 + 1))}/{1 + int(rnd() * 12):02d}/{1 + int(rnd() * 28):02d}"


def century_year(rnd: Rnd, c: int) -> int:
    return (c - 1) * 100 + 1 + int(rnd() * 100)


def siecle(rnd: Rnd, c: int, precise: float = 0.25) -> str:
    return f"{pick(rnd, _QUARTS)} {SIECLE[c]}" if rnd() < precise else SIECLE[c]


# --- measures -----------------------------------------------------------------------------------------------
def num(rnd: Rnd, lo: float, hi: float) -> str:
    """A measure in POP's style: an integer, or one decimal with a French comma."""
    v = lo + rnd() * (hi - lo)
    if rnd() < 0.4:
        whole = int(v)
        return f"{whole},{int((v - whole) * 10)}"
    return str(int(v))


def metres(rnd: Rnd, lo: float, hi: float) -> str:
    return f"{lo + rnd() * (hi - lo):.3f}".rstrip("0").replace(".", ",")
