"""Autor demo notices: biographical authority records (artists, goldsmiths, organ builders...).

REFs: `OR` + the index + 1 on 6 digits (`OR000001`). Tables in data/autor.json.
"""
from __future__ import annotations

from typing import Any

from formats.bases import Base

from .common import (
    COMMUNES, C_DPT, C_DPTNAME, C_NAME, FIRST_NAMES, Rnd, SIECLE, SURNAMES, dmis_dmaj, load, long_date, pick,
)

_DATA = load("autor")
_FONC = _DATA["FONC"]
_SYMB = _DATA["SYMB"]
_BIO = _DATA["biography"]

# OR000001: at most 8 digits, from 1.
CAPACITY = 10**8 - 1


def build(rnd: Rnd, index: int, base: Base) -> dict[str, Any]:
    nom = pick(rnd, SURNAMES)
    pren = pick(rnd, FIRST_NAMES)
    fonc = pick(rnd, _FONC)
    com = pick(rnd, COMMUNES)
    born = 1700 + int(rnd() * 220)
    died = born + 40 + int(rnd() * 45)
    start = born + 20 + int(rnd() * 10)
    dmis, dmaj = dmis_dmaj(rnd)
    c = start // 100 + 1
    d: dict[str, Any] = {
        "REF": f"OR{index + 1:06d}",
        "BASE": base.label,
        "PRODUCTEUR": "Inventaire" if rnd() < 0.7 else "Autor",
        "NOM": nom,
        "PREN": pren,
        "NOMPRENOM": f"{pren} {nom}",
        "INI": f"{pren[0]}.{nom[0]}.",
        "FONC": list(fonc),
        "TYPID": ["personne physique"],
        "SCLE": [SIECLE[min(c, 21)]],
        "DATES": [f"{start}-{died - 5}"],
        "LOCACT": com[C_NAME],
        "AUTORLOCA": f"{com[C_NAME]} ; {com[C_DPTNAME]}",
        "ISNI_VERIFIEE": "non",
        "DMIS": dmis,
        "DMAJ": dmaj,
        "CONTIENT_IMAGE": "non",
    }
    if rnd() < 0.6:
        d["DNAISS"] = str(born) if rnd() < 0.6 else long_date(rnd, born, born)
        d["LNAISS"] = pick(rnd, COMMUNES)[C_NAME]
        d["DMORT"] = str(died)
        d["LMORT"] = com[C_NAME]
    if rnd() < 0.5:
        d["BIO"] = " ".join(pick(rnd, _BIO).format(city=com[C_NAME], y=start + int(rnd() * 10),
                                                         expo=pick(rnd, ("1855", "1867", "1878", "1889", "1900")))
                            for _ in range(1 + int(rnd() * 3)))
    if fonc[0] in ("Fabricant orfèvre", "orfèvre"):
        d["ADRS"] = f"{1 + int(rnd() * 120)} {pick(rnd, ('rue du Temple', 'rue Chapon', 'rue de Turenne', 'quai des Orfèvres', 'rue Réaumur'))}"
        d["LOCACT"] = "Paris"
        d["SYMB"] = pick(rnd, _SYMB)
        d["INS"] = long_date(rnd, max(start, 1798), max(start, 1798) + 20)
        d["GAR"] = f"{pick(rnd, ('A', 'B', 'C'))}{int(rnd() * 1000)}"
        d["PREF"] = str(1000 + int(rnd() * 20000))
        if rnd() < 0.6:
            d["BIF"] = long_date(rnd, max(start, 1798) + 3, max(start, 1798) + 40)
    if rnd() < 0.25:
        d["ISNI"] = f"0000 000{int(rnd() * 10)} {int(rnd() * 10000):04d} {int(rnd() * 10000):04d}"
        d["ISNI_VERIFIEE"] = "oui" if rnd() < 0.5 else "non"
    if rnd() < 0.2:
        d["ALIAS"] = [f"{nom}, {pren[0]}.", f"{nom.upper()} {pren}"][: 1 + int(rnd() * 2)]
    if rnd() < 0.3:
        d["SOURCES"] = pick(rnd, ("Archives de Paris, D.3U3", "Archives nationales, F/12", "Registres de la garantie, Monnaie de Paris"))
    if rnd() < 0.3:
        d["LBASE"] = [f"PM{com[C_DPT]}{int(rnd() * 1_000_000):06d}"]
    d["NATIO"] = "française"
    return d
