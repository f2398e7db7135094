"""Mémoire demo notices: photographs (Médiathèque du patrimoine, Inventory, CAOA, UDAP, archaeology services).

REFs depend on the producer (`AP15R004778`, `IVR53_1998290001234NUCA`, `978600012345ZA`, `UDAP29_000123`...),
always ending with the index. Mémoire's multi-valued WADRS is sometimes one string, as in the real data.
Tables in data/memoire.json.
"""
from __future__ import annotations

from typing import Any

from formats.bases import Base

from .common import (
    ARCHITECTS, COMMUNES, C_DPT, C_DPTNAME, C_INSEE, C_NAME, C_OLDREG, C_REG, C_REGCODE, DEDICATIONS, LIEUX_DITS,
    MAKERS, PHOTOGRAPHERS, Rnd, SAINTS, SIECLE, STREETS, dmis_dmaj, load, pick, rows,
)

_DATA = load("memoire")
# (DOM, EDIF / object, LEG choices, MCL)
_SUBJECTS = rows(_DATA["subjects"], "DOM", "EDIF", "LEG", "MCL")
_OBJECT_SUBJECTS = tuple(s for s in _SUBJECTS if s[1] in ("retable", "verrière"))  # CAOA photographs objects only
_IDPROD = _DATA["IDPROD"]  # by producer
_TECH = _DATA["TECHN"]
_FORMAT = _DATA["FORMAT"]
_COPY = _DATA["COPY"]  # by producer
_SERIES = _DATA["series"]

# AP15R004778, IVR53_1998290001234NUCA, 978600012345ZA…
CAPACITY = 10**9


def build(rnd: Rnd, index: int, base: Base) -> dict[str, Any]:
    x = rnd()
    producer = ("MAP" if x < 0.45 else "Inventaire" if x < 0.75 else "CAOA" if x < 0.85 else "UDAP" if x < 0.92
                else "SAP" if x < 0.97 else "AUTRE")
    com = pick(rnd, COMMUNES)
    dpt = com[C_DPT]
    year = 1860 + int(rnd() * 160)
    if producer == "MAP":
        year = min(year, 1990)
        ref = f"AP{int(rnd() * 100):02d}R{index:06d}"
    elif producer == "Inventaire":
        year = 1964 + int(rnd() * 60)
        ref = f"IVR{com[C_REGCODE]}_{year}{dpt}{index:06d}NUCA"
    elif producer == "CAOA":
        ref = f"97{dpt}0{index:06d}ZA"
    elif producer == "UDAP":
        ref = f"UDAP{dpt}_{index:06d}"
    elif producer == "SAP":
        ref = f"SAP{int(rnd() * 100):02d}_{index:06d}"
    else:
        ref = f"AU{index:09d}"
    dom, edif, legs, mcl = pick(rnd, _OBJECT_SUBJECTS if producer == "CAOA" else _SUBJECTS)
    photographer = pick(rnd, PHOTOGRAPHERS)
    dmis, dmaj = dmis_dmaj(rnd)
    c = 11 + int(rnd() * 9)
    ded = pick(rnd, DEDICATIONS)
    edif_name = f"{edif} {ded}" if edif == "église" else f"{edif} de {com[C_NAME]}" if edif == "château" else edif
    stem = ref.lower()
    d: dict[str, Any] = {
        "REF": ref,
        "PRODUCTEUR": producer,
        "BASE": base.label,
        "CONTIENT_IMAGE": "oui",
        "AUTP": [photographer],
        "COM": [com[C_NAME]],
        "WCOM": [com[C_NAME]],
        "INSEE": [com[C_INSEE]],
        "DPT": [dpt],
        "DPT_LETTRE": [com[C_DPTNAME]] if rnd() < 0.8 else [""],
        "REG": [com[C_REG]],
        "PAYS": ["France"] if rnd() < 0.6 else [""],
        "LOCA": f"France ; {com[C_OLDREG]} ; {com[C_DPTNAME]} ; {com[C_NAME]}",
        "DOM": list(dom),
        "EDIF": edif_name,
        "LEG": pick(rnd, legs),
        "SCLE": [SIECLE[c]] if rnd() < 0.7 else [""],
        "DATPV": str(year),
        "TECHN": pick(rnd, _TECH),
        "FORMAT": pick(rnd, _FORMAT),
        "TYPDOC": "phototype numérique" if year > 2000 else "phototype argentique",
        "COULEUR": "N&B" if year < 1970 or rnd() < 0.3 else "couleur",
        "COPY": _COPY[producer].format(reg=com[C_REG], dpt=com[C_DPTNAME], photographer=photographer.split(", ")[0]),
        "DIFF": pick(rnd, ("oui", "reproduction soumise à autorisation du titulaire des droits d'exploitation")),
        "IDPROD": _IDPROD[producer].format(dpt=com[C_DPTNAME], reg=com[C_REG], old=com[C_OLDREG], photographer=photographer),
        "IMG": f"memoire/{ref}/{stem}_p.jpg",
        "VIDEO": f"mem/{int(rnd() * 1000):04d}/{stem}_p.jpg;mem/{int(rnd() * 1000):04d}/{stem}_v.jpg",
        "REFIM": f"{ref}_P.JPG,DS1,,",
        "NUMI": ref,
        "MCL": list(mcl),
        "DMIS": dmis,
        "DMAJ": dmaj,
    }
    if producer == "MAP":
        d["SERIE"] = [pick(rnd, _SERIES)]
        d["NUMP"] = f"MH{int(rnd() * 10_000_000):07d}"
        d["LBASE"] = [f"PA{dpt}{int(rnd() * 1_000_000):06d}"]
    elif producer == "Inventaire":
        d["LBASE"] = [f"IA{dpt}{int(rnd() * 1_000_000):06d}"]
        d["AIRE"] = pick(rnd, (com[C_NAME], f"canton de {com[C_NAME]}", "Vallée de la Loire"))
    elif producer == "CAOA":
        d["LBASE"] = [f"PM{dpt}{int(rnd() * 1_000_000):06d}"]
        d["OBJT"] = pick(rnd, SAINTS)
    elif producer == "SAP":
        d["CHRONO"] = pick(rnd, ("Gallo-romain", "Néolithique", "Haut Moyen Âge", "Âge du Fer"))
        d["STRUCT"] = pick(rnd, ("bâtiment", "enclos", "nécropole", "voie"))
        d["NUMSITE"] = f"{com[C_INSEE]}{int(rnd() * 1000):03d}"
        d["PRECOR"] = "photographie aérienne"
    if rnd() < 0.3:
        if rnd() < 0.6:
            # Mémoire's WADRS is multi-valued, and the real data often gives it as one string.
            street = f"{1 + int(rnd() * 60)} {pick(rnd, STREETS)}"
            d["ADRESSE"] = [street]
            d["WADRS"] = street if rnd() < 0.45 else [street]
        else:
            d["ADRESSE"] = [pick(rnd, LIEUX_DITS)]
    if rnd() < 0.2:
        sur, first, role = pick(rnd, MAKERS if edif in ("retable", "verrière") else ARCHITECTS)
        d["AUTR"] = [f"{sur}, {first}"]
    if rnd() < 0.15:
        d["OBS"] = pick(rnd, ("Cliché pris avant restauration.", "Négatif fêlé.", "Voir aussi le dossier de protection.",
                              "Cliché réalisé lors de la campagne de recensement."))
    return d
