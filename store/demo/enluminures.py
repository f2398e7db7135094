"""Enluminures demo notices: illuminations of medieval manuscripts kept in French libraries.

REFs: `D-` + the index + 1 on 6 digits (`D-000001`). Tables in data/enluminures.json.
"""
from __future__ import annotations

from typing import Any

from formats.bases import Base

from .common import (
    COMMUNE_BY_NAME, C_NAME, FIRST_NAMES, Rnd, SIECLE, SURNAMES, dmis_dmaj, geo, load, pick, rows,
)

_DATA = load("enluminures")
_TITLES = _DATA["titles"]  # {use}: one of _USES
_USES = _DATA["uses"]
_SUJETS = _DATA["SUJET"]
_ATTRIB = _DATA["ATTRIB"]
_NOMENC = _DATA["NOMENC"]
_ORIG = rows(_DATA["origins"], "ORIGG", "ORIGH")
_CITY_ROWS = tuple(COMMUNE_BY_NAME[c] for c in _DATA["cities"])  # where the manuscripts are kept

# D-000001: at most 10 characters, from 1.
CAPACITY = 10**10 - 1


def build(rnd: Rnd, index: int, base: Base) -> dict[str, Any]:
    n = index + 1
    ref = f"D-{n:06d}"
    com = pick(rnd, _CITY_ROWS)
    city = com[C_NAME]
    y = 1200 + int(rnd() * 330)
    fol = 1 + int(rnd() * 300)
    cote = f"ms. {1 + int(rnd() * 2000):04d}"
    etab = f"{city} - BM"
    origg, origh = pick(rnd, _ORIG)
    dmis, dmaj = dmis_dmaj(rnd)
    date_txt = f"vers {y}-{y + 10}" if rnd() < 0.5 else (f"{y}" if rnd() < 0.5 else f"{pick(rnd, ('1ère moitié', '2e moitié', 'milieu'))} {SIECLE[y // 100 + 1]}")
    d: dict[str, Any] = {
        "REF": ref,
        "BASE": base.label,
        "PRODUCTEUR": "Enluminures",
        "TITR": pick(rnd, _TITLES).format(use=pick(rnd, _USES)),
        "SUJET": pick(rnd, _SUJETS),
        "ATTRIB": pick(rnd, _ATTRIB),
        "DATE": date_txt,
        "DATDEB": str(y),
        "DATFIN": str(y + 10),
        "ETAB": etab,
        "COTE": cote,
        "REFD": f"{etab} - {cote}",
        "FOPG": f"f. {fol:03d}{'v' if rnd() < 0.5 else ''}",
        "LOCA": city,
        "LANGOUV": pick(rnd, ("latin", "latin ; français", "français", "latin")),
        "NOMENC": list(pick(rnd, _NOMENC)),
        "ORIGG": origg,
        "ORIGH": origh,
        "TYPCOD": "codex",
        "CONTXT": pick(rnd, ("Miniature", "Initiale", "Bordure", "Miniature")),
        "TYPE": "enluminure ; manuscrit",
        "SUPP": "parchemin",
        "DIMS": f"{(h := 150 + int(rnd() * 300))} x {int(h * (0.6 + rnd() * 0.2))} mm",
        "COPY": "© Institut de recherche et d'histoire des textes - CNRS",
        "VIDEO": [f"enluminures/{ref}/IRHT_{int(rnd() * 1_000_000):06d}-p.jpg"],
        "CONTIENT_IMAGE": "oui",
        "DMIS": dmis,
        "DMAJ": dmaj,
    }
    if rnd() < 0.5:
        d["POSS"] = [f"{pick(rnd, SURNAMES)}, {pick(rnd, FIRST_NAMES)}" for _ in range(1 + int(rnd() * 2))]
        if rnd() < 0.3:
            d["POSS"].insert(0, "anonyme femme (destinataire)")
    if rnd() < 0.4:
        d["TYPDEC"] = pick(rnd, ("miniature à pleine page", "miniature dans le texte", "initiale ornée", "bordure à rinceaux"))
    if rnd() < 0.3:
        d["NOTDEC"] = pick(rnd, ("Bordures à rinceaux de feuilles d'acanthe et drôleries.",
                                 "Initiales filigranées alternativement rouges et bleues.",
                                 "Miniatures encadrées d'une architecture gothique dorée."))
    if rnd() < 0.2:
        d["NOTES"] = f"Manuscrit de {fol + int(rnd() * 100)} feuillets ; reliure du {SIECLE[17 + int(rnd() * 3)]}."
    if rnd() < 0.3:
        geo(rnd, d, com, 0.9)
    return d
