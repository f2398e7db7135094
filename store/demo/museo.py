"""Muséofile demo notices: the museums themselves.

REFs: `M` + the index on 4 digits (M0000 – M9999). Tables in data/museo.json.
"""
from __future__ import annotations

from typing import Any

from formats.bases import Base

from .common import (
    ARTISTS, COMMUNES, C_DPTNAME, C_INSEE, C_NAME, C_REG, FAMILIES, FIRST_NAMES, Rnd, STREETS, SURNAMES, dmis_dmaj,
    geo, load, pick, rows, slug,
)

_DATA = load("museo")
# (name template, CATEG, DOMPAL, THEMES)
_TYPES = rows(_DATA["types"], "NOMOFF", "CATEG", "DOMPAL", "THEMES")
_STATUT = _DATA["STATUT"]

# M0000 – M9999.
CAPACITY = 10_000


def build(rnd: Rnd, index: int, base: Base) -> dict[str, Any]:
    tmpl, categ, dompal, themes = pick(rnd, _TYPES)
    com = pick(rnd, COMMUNES)
    sur, first, role = pick(rnd, ARTISTS)
    name = tmpl.format(com=com[C_NAME], dpt=com[C_DPTNAME], fam=pick(rnd, FAMILIES), artist=f"{first} {sur}")
    city_slug = slug(com[C_NAME])
    street = f"{1 + int(rnd() * 60)} {pick(rnd, STREETS)}"
    cp = f"{com[C_INSEE][:2]}{int(rnd() * 10)}00".replace("2A", "20").replace("2B", "20")
    dmis, dmaj = dmis_dmaj(rnd)
    d: dict[str, Any] = {
        "REF": f"M{index:04d}",
        "PRODUCTEUR": "MUSEE",
        "BASE": base.label,
        "NOMOFF": name,
        "VILLE_M": com[C_NAME],
        "DPT": com[C_DPTNAME],
        "REGION": com[C_REG],
        "ADRL1_M": street,
        "CP_M": cp,
        "ADRESSE": f"{street} {cp} {com[C_NAME]}",
        "CONTACT_GENERIQUE": f"musee@{city_slug}.fr",
        "TEL_M": f"0{1 + int(rnd() * 5)} {int(rnd() * 100):02d} {int(rnd() * 100):02d} {int(rnd() * 100):02d} {int(rnd() * 100):02d}",
        "URL_M": f"https://www.{city_slug}.fr/musee",
        "LABEL": "Musée de France" if categ == "Musée de France" else "",
        "CATEG": categ,
        "DOMPAL": list(dompal),
        "THEMES": list(themes),
        "STATUT": pick(rnd, _STATUT),
        "ACCES": "Oui" if rnd() < 0.9 else "Non",
        "AN_CREAT": str(1800 + int(rnd() * 215)),
        "HIST": f"Le musée est fondé en {1800 + int(rnd() * 200)} grâce au legs de {pick(rnd, FIRST_NAMES)} {pick(rnd, SURNAMES)}. "
                f"Installé dans l'ancien {pick(rnd, ('évêché', 'hôtel de ville', 'collège des Jésuites', 'couvent des Ursulines'))}, "
                f"il est rénové en {1980 + int(rnd() * 40)}.",
        "PROPBAT": pick(rnd, ("Commune", "Département", "État", "Association")),
        "PROPCOLL": pick(rnd, ("Commune", "Département", "État", "Association")),
        "DMIS": dmis,
        "DMAJ": dmaj,
        "DT_MODIF": dmaj,
        "CONTIENT_IMAGE": "non",
    }
    if rnd() < 0.5:
        d["NOMUSAGE"] = name.replace(f" de {com[C_NAME]}", "").capitalize()
    if rnd() < 0.6:
        d["ARTISTE"] = f"{first} {sur}"
        d["ATOUT"] = pick(rnd, ("Collection de peintures françaises du 17e au 19e siècle.", "Mosaïques gallo-romaines.",
                                "Ensemble exceptionnel de faïences locales.", "Cabinet de curiosités reconstitué."))
    if rnd() < 0.3:
        d["INTERET"] = pick(rnd, ("Bâtiment classé monument historique.", "Architecture contemporaine primée.", "Ancien hôtel particulier du 18e siècle."))
    if rnd() < 0.5:
        d["CONTIENT_IMAGE"] = "oui"
        d["PHOTO"] = f"museo/M{index:04d}/facade.jpg"
    if rnd() < 0.3:
        d["CONTACT_MUSEO"] = f"{slug(pick(rnd, FIRST_NAMES))}.{slug(pick(rnd, SURNAMES))}@{city_slug}.fr"
    geo(rnd, d, com, 0.9)
    return d
