"""Mérimée demo notices: buildings and sites (Monuments historiques, regional Inventory, 20th-century label).

REFs: `PA`/`IA`/`EA` by producer, the department, the index on 6 digits; from index 10^6, `PAZ` + 7 digits.
Tables in data/merimee.json.
"""
from __future__ import annotations

from typing import Any

from formats.bases import Base

from .common import (
    ARCHITECTS, COMMUNES, COPY_INV, COPY_MH, C_DPT, C_NAME, C_OLDREG, C_REG, DEDICATIONS, FAMILIES, FIRST_NAMES,
    LIEUX_DITS, MONTHS, Rnd, SIECLE, SIECLX, STREETS, SURNAMES, century_year, dmis_dmaj, geo, load, location,
    long_date, ordinal, pick, rows, sentences, siecle, slash_date, slug,
)

_DATA = load("merimee")
# (DENO, title template, kind, centuries (lo, hi), DOMN)
_BUILDINGS = rows(_DATA["buildings"], "DENO", "TICO", "kind", "centuries", "DOMN")
_MAISONS = _DATA["houses"]
_USINES = _DATA["factories"]
_MURS = _DATA["MURS"]
_TOIT = _DATA["TOIT"]
_STAT = _DATA["STAT"]
_PROT = _DATA["PROT"]
_PROT_VERB = _DATA["protection_verbs"]
_ETAT = _DATA["ETAT"]
_ETUD = _DATA["ETUD"]  # by producer
_DESC = _DATA["descriptions"]
_HIST = _DATA["history"]  # by kind of building

# PA10078014 (index < 10^6), then PAZ + 7 digits.
CAPACITY = 10**7


def build(rnd: Rnd, index: int, base: Base) -> dict[str, Any]:
    x = rnd()
    producer = "Monuments Historiques" if x < 0.6 else "Inventaire" if x < 0.95 else "Architecture"
    deno, title, kind, (c0, c1), domn = pick(rnd, _BUILDINGS)
    if producer == "Architecture":
        deno, title, kind, (c0, c1), domn = (("immeuble",), "Immeuble", "civil", (20, 20), "architecture domestique")
    com = pick(rnd, COMMUNES)
    dpt = com[C_DPT]
    letters = {"Monuments Historiques": "PA", "Inventaire": "IA", "Architecture": "EA"}[producer]
    ref = f"{letters}{dpt}{index:06d}" if index < 1_000_000 else f"{letters}Z{index:07d}"
    c = c0 + int(rnd() * (c1 - c0 + 1))
    c2 = min(c + 1 + int(rnd() * 2), 21)
    y = century_year(rnd, c)
    ded = pick(rnd, DEDICATIONS)
    lieu = pick(rnd, LIEUX_DITS)
    fam = pick(rnd, FAMILIES)
    tico = title.format(ded=ded, com=com[C_NAME], lieu=lieu, fam=fam, maison=pick(rnd, _MAISONS), usine=pick(rnd, _USINES))
    dmis, dmaj = dmis_dmaj(rnd)
    street = f"{1 + int(rnd() * 60)} {pick(rnd, STREETS)}" if rnd() < 0.6 else pick(rnd, ("Dans le cimetière", "Le Bourg", "Place de l'Église", lieu))
    two = rnd() < 0.4
    d: dict[str, Any] = {
        "REF": ref,
        "PRODUCTEUR": producer,
        "BASE": base.label,
        "TICO": tico,
        "DENO": list(deno),
        **location(com, dpt),
        "ADRS": street,
        "WADRS": street,
        "PLOC": f"Anciennement région de : {com[C_OLDREG]}",
        "SCLE": [SIECLE[c], SIECLE[c2]] if two else [siecle(rnd, c, 0.3)],
        "SCLX": [SIECLX[c], SIECLX[c2]] if two else [SIECLX[c]],
        "POP_DATE": [(c - 1) * 100, c2 * 100 if two else c * 100],
        "STAT": pick(rnd, _STAT),
        "MURS": list(pick(rnd, _MURS)),
        "TOIT": list(pick(rnd, _TOIT)),
        "ETUD": list(pick(rnd, _ETUD[producer])),
        "HIST": sentences(rnd, _HIST[kind], 1, 3).format(
            c=ordinal(c), y=y, y2=min(y + 100 + int(rnd() * 150), 2020), fam=fam),
        "DMIS": dmis,
        "DMAJ": dmaj,
        "CONTACT": "mediatheque.patrimoine@culture.gouv.fr" if producer != "Inventaire" else f"inventaire@{slug(com[C_REG])}.fr",
        "CONTIENT_IMAGE": "non",
    }
    if deno == ("dolmen",):
        d["SCLE"], d["SCLX"], d["POP_DATE"] = ["Néolithique"], [], [-3500, -2500]
    if kind == "religious" and "{ded}" in title:
        d["VOCA"] = ded
    if rnd() < 0.5:
        d["DESC"] = sentences(rnd, _DESC, 1, 3)
    if rnd() < 0.35:
        sur, first, role = pick(rnd, ARCHITECTS)
        d["AUTR"] = [f"{sur} {first} ({role})"]
        if rnd() < 0.5:
            d["JATT"] = [pick(rnd, ("attribution par source", "attribution par travaux historiques", "signature"))]
    if rnd() < 0.4:
        d["DATE"] = [str(y)] if rnd() < 0.6 else [str(y), str(y + 10 + int(rnd() * 80))]
    if producer == "Monuments Historiques":
        prot = pick(rnd, _PROT)
        decree_date = long_date(rnd, 1840, 2022)
        day, month, pyear = decree_date.split(" ")
        cada = f"{pick(rnd, ('A', 'AB', 'AC', 'B', 'C', 'D', 'ZK'))} {1 + int(rnd() * 400)}"
        d["PROT"] = [prot]
        d["DPRO"] = f"{pyear}/{MONTHS.index(month) + 1:02d}/{1 if day == '1er' else int(day):02d} : {prot}"
        d["PPRO"] = f"{tico} (cad. {cada}) : {_PROT_VERB[prot]} par arrêté du {decree_date}"
        d["APRO"] = ["arrêté"] if int(pyear) > 1862 else ["liste 1840"]
        d["CADA"] = [cada]
        d["DOSS"] = "Dossier de protection"
        d["DBOR"] = pyear
        d["IDAGR"] = f"I{10000 + int(rnd() * 90000)}"
        d["COPY"] = [f"{pick(rnd, COPY_MH)}, {pyear}"]
        if rnd() < 0.3:
            d["INTE"] = ["A signaler"]
    elif producer == "Inventaire":
        d["DOSS"] = pick(rnd, ("dossier individuel", "dossier collectif", "dossier d'oeuvre architecture"))
        d["NOMS"] = [f"{pick(rnd, FIRST_NAMES)} {pick(rnd, SURNAMES)}"]
        d["AIRE"] = pick(rnd, (f"{com[C_NAME]}", f"Pays de {com[C_NAME]}", "Vallée de la Loire", "Parc naturel régional"))
        d["DBOR"] = str(1975 + int(rnd() * 48))
        d["COPY"] = [f"{pick(rnd, COPY_INV).format(reg=com[C_REG])}, {d['DBOR']}"]
        d["IMPL"] = [pick(rnd, ("en village", "en ville", "isolé", "en écart", "bord de rivière"))]
        d["DOSURLPDF"] = f"https://inventaire.{slug(com[C_REG])}.fr/dossiers/{ref}.pdf"
    else:
        d["DLAB"] = slash_date(rnd, 1999, 2022)
        d["COPY"] = ["© Ministère de la Culture, Architecture contemporaine remarquable"]
        d["SCLE"], d["SCLX"], d["POP_DATE"] = ["20e siècle"], ["20e s."], [1900, 2000]
    if rnd() < 0.2:
        d["ETAT"] = list(pick(rnd, _ETAT))
    if rnd() < 0.35:
        mref = f"AP{int(rnd() * 100):02d}R{int(rnd() * 1_000_000):06d}"
        d["CONTIENT_IMAGE"] = "oui"
        d["MEMOIRE"] = [{"ref": mref, "url": f"memoire/{mref}/sap01_{mref.lower()}_p.jpg",
                         "copy": pick(rnd, COPY_MH), "name": tico}]
    d["POP_COORDINATES_POLYGON"] = {"type": "Polygon", "coordinates": []}
    geo(rnd, d, com, 0.7)
    return d
