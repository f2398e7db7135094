"""Palissy demo notices: movable objects (church furniture, bells, organs, stained glass, boats...).

REFs: `PM`/`IM` + department + the index on 6 digits, `EM000` + 6 digits for the State's; from index 10^6,
`PMZ` + 7 digits. Some objects are in private places: their real location goes in the masked fields (ADRS2, COM2,
INSEE2, EDIF2, EMPL2, LBASE2), which no output may publish. Tables in data/palissy.json.
"""
from __future__ import annotations

from typing import Any

from formats.bases import Base

from .common import (
    COMMUNES, COPY_INV, COPY_MH, C_DPT, C_DPTNAME, C_INSEE, C_NAME, C_REG, DEDICATIONS, FAMILIES, FIRST_NAMES,
    LIEUX_DITS, MAKERS, Rnd, SAINTS, SIECLX, STREETS, SURNAMES, century_year, dmis_dmaj, geo, load, location, num,
    pick, rows, sentences, siecle, slash_date,
)

_DATA = load("palissy")
# (DENO, TICO template, CATE, MATR choices, centuries (lo, hi), dims style)
_OBJECTS = rows(_DATA["objects"], "DENO", "TICO", "CATE", "MATR", "centuries", "dims")
_SCENES = _DATA["scenes"]
_BATEAUX = _DATA["boats"]
_PROT = _DATA["PROT"]
_STAT = _DATA["STAT"]
_ETAT = _DATA["ETAT"]
_INSC = _DATA["INSC"]
_DESC_FIRST = _DATA["first_description"]  # by denomination
_DESC = _DATA["descriptions"]
_HIST = _DATA["history"]
_EMPL = _DATA["EMPL"]

# PM44000123, EM000000010 (index < 10^6), then PMZ + 7 digits.
CAPACITY = 10**7


def build(rnd: Rnd, index: int, base: Base) -> dict[str, Any]:
    x = rnd()
    producer = "Monuments Historiques" if x < 0.55 else "Inventaire" if x < 0.95 else "État"
    deno, tico, cate, matrs, (c0, c1), dims = pick(rnd, _OBJECTS)
    com = pick(rnd, COMMUNES)
    dpt = com[C_DPT]
    letters = {"Monuments Historiques": "PM", "Inventaire": "IM", "État": "EM"}[producer]
    if index >= 1_000_000:
        ref = f"{letters}Z{index:07d}"
    elif producer == "État":
        ref = f"EM000{index:06d}"
    else:
        ref = f"{letters}{dpt}{index:06d}"
    c = c0 + int(rnd() * (c1 - c0 + 1))
    y = century_year(rnd, c)
    tico = tico.format(saint=pick(rnd, SAINTS), scene=pick(rnd, _SCENES), baie=1 + int(rnd() * 20),
                       bateau=pick(rnd, _BATEAUX))
    dmis, dmaj = dmis_dmaj(rnd)
    ded = pick(rnd, DEDICATIONS)
    edif = f"église {'paroissiale ' if rnd() < 0.3 else ''}{ded}"
    empl = pick(rnd, _EMPL)
    if dims == "hd":
        dim = f"h = {num(rnd, 10, 250)} ; d = {num(rnd, 8, 150)}"
    elif dims == "hla":
        dim = f"h = {num(rnd, 20, 400)} ; la = {num(rnd, 15, 300)}"
    elif dims == "lt":
        dim = f"l = {num(rnd, 600, 2500)} ; la = {num(rnd, 200, 600)} ; jauge brute = {num(rnd, 5, 60)} tonneaux"
    else:
        dim = f"h = {num(rnd, 100, 900)} ; la = {num(rnd, 80, 700)} ; pr = {num(rnd, 30, 300)}"
    if rnd() < 0.1:  # an ensemble: several measures separated by POP's £
        dim += f"£{pick(rnd, ('socle', 'dais', 'prédelle', 'couvercle'))} : h = {num(rnd, 10, 80)} ; la = {num(rnd, 10, 80)}"
    d: dict[str, Any] = {
        "REF": ref,
        "PRODUCTEUR": producer,
        "BASE": base.label,
        "TICO": tico,
        "DENO": list(deno),
        "CATE": list(cate),
        "MATR": list(pick(rnd, matrs)),
        "DIMS": dim,
        "SCLE": [siecle(rnd, c, 0.35)],
        "SCLX": [SIECLX[c]],
        **location(com, dpt),
        "EDIF": edif,
        "EMPL": empl,
        "LOCA": f"{com[C_REG]} ; {com[C_DPTNAME]} ; {com[C_NAME]} ; {edif}",
        "STAT": list(pick(rnd, _STAT)),
        "DESC": ("£" if rnd() < 0.3 else " ").join((_DESC_FIRST[deno[0]], sentences(rnd, _DESC, 1, 2))),
        "DMIS": dmis,
        "DMAJ": dmaj,
        "CONTACT": "mediatheque.patrimoine@culture.gouv.fr",
        "COPY": pick(rnd, COPY_MH) if producer != "Inventaire" else pick(rnd, COPY_INV).format(reg=com[C_REG]),
        "CONTIENT_IMAGE": "non",
    }
    if rnd() < 0.5:
        d["HIST"] = " ".join(pick(rnd, _HIST).format(y=y, y2=y + 50 + int(rnd() * 150), y3=y + 210 + int(rnd() * 30),
                                                        fam=pick(rnd, FAMILIES), name=pick(rnd, SURNAMES))
                             for _ in range(1 + int(rnd() * 2)))
    if rnd() < 0.3:
        sur, first, role = pick(rnd, MAKERS)
        d["AUTR"] = [f"{sur} {first} ({role})"]
    if rnd() < 0.3:
        d["DATE"] = [str(y)]
        d["JDAT"] = [pick(rnd, ("daté par source", "porte la date", "daté par inscription"))]
    if rnd() < 0.3:
        d["INSC"] = list(pick(rnd, _INSC))
        d["PINS"] = (f"Inscription sur la cloche : L'AN {y} J'AI ETE BENITE PAR MRE {pick(rnd, SURNAMES).upper()} CURE DE CETTE PAROISSE"
                     if deno[0] == "cloche" else
                     pick(rnd, ("Signé en bas à droite.", f"Daté {y} sur le socle.", "Armoiries de la famille donatrice au revers.")))
    if producer == "Inventaire":
        d["DOSS"] = [pick(rnd, ("dossier individuel", "dossier collectif", "sous-dossier"))]
        d["ETUD"] = pick(rnd, ("inventaire topographique", "patrimoine mobilier des églises", "inventaire préliminaire"))
        d["NOMS"] = [f"{pick(rnd, FIRST_NAMES)} {pick(rnd, SURNAMES)}"]
        d["DENQ"] = [str(1975 + int(rnd() * 48))]
    else:
        prot = pick(rnd, _PROT)
        d["PROT"] = prot
        d["DPRO"] = f"{slash_date(rnd, 1898, 2022)} : {prot}"
        d["DOSS"] = ["dossier individuel"]
        d["ETUD"] = "recensement des oeuvres appartenant à l'Etat" if producer == "État" else "recensement objets mobiliers"
        d["DBOR"] = [str(1990 + int(rnd() * 33))]
        if rnd() < 0.5:
            d["REFA"] = [f"PA{dpt}{int(rnd() * 1_000_000):06d}"]
    if rnd() < 0.25:
        d["ETAT"] = list(pick(rnd, _ETAT))
        if rnd() < 0.5:
            d["PETA"] = pick(rnd, ("Traces de moisissures au bas des feuillets.", "Vermoulure importante ; écaillage de la polychromie.",
                                   "Fêlure sur la panse.", "Plombs fatigués ; nombreuses casses."))
    if rnd() < 0.3:
        stem = f"{ref}_{1 + int(rnd() * 9):03d}"
        d["CONTIENT_IMAGE"] = "oui"
        d["VIDEO"] = [f"mem/{dpt}/{stem}.jpg", f"mem/{dpt}/{stem}-v.jpg"]
    if rnd() < 0.12:
        # An object in a private place: the real location goes in the masked fields, never published.
        priv = pick(rnd, COMMUNES)
        d["STAT"] = ["propriété privée"]
        d["ADRS2"] = f"{1 + int(rnd() * 40)} {pick(rnd, STREETS)}"
        d["COM2"] = [priv[C_NAME]]
        d["INSEE2"] = [priv[C_INSEE]]
        d["EDIF2"] = f"château de {pick(rnd, LIEUX_DITS)}"
        d["EMPL2"] = pick(rnd, ("grand salon", "bibliothèque", "chapelle privée", "salle à manger"))
        d["LBASE2"] = f"PA{priv[C_DPT]}{int(rnd() * 1_000_000):06d}"
        del d["EDIF"], d["EMPL"]
        d["LOCA"] = f"{com[C_REG]} ; {com[C_DPTNAME]}"
    d["POP_COORDINATES_POLYGON"] = {"type": "Polygon", "coordinates": []}
    geo(rnd, d, com, 0.55)
    return d
