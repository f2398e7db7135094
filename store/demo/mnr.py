"""MNR demo notices (Rose-Valland): works recovered after WWII, awaiting restitution.

REFs: the category's letters and the index + 1 on 5 digits (`MNR00042`, `AEG00001`). Some notices carry the MNR
team's follow-up notes (NET, SALLES, CARTELS, RCL), which are never published. Tables in data/mnr.json.
"""
from __future__ import annotations

from typing import Any

from formats.bases import Base

from .common import (
    ARTISTS, C_NAME, DESC_FIGURE, DESC_GRAPHIC, DESC_OBJECT, DESC_PAINTING, FIRST_NAMES, MUSEUMS, M_COM, M_NOMOFF,
    Rnd, SIECLE, SURNAMES, dmis_dmaj, load, long_date, metres, pick, rows, sentences,
)

_DATA = load("mnr")
# (REF letters, DOMN, DENO choices, TECH choices, AFFE, titles)
_CATEGORIES = rows(_DATA["categories"], "letters", "DOMN", "DENO", "TECH", "AFFE", "TITR")
_CATE = _DATA["CATE"]
_HIST = _DATA["history"]  # the parts of HIST, by name
_BUYERS = _DATA["buyers"]
_DEALERS = _DATA["dealers"]
_CONVOIS = _DATA["convoys"]

# MNR00042, AEG00001: at most 6 digits, from 1.
CAPACITY = 999_999


def build(rnd: Rnd, index: int, base: Base) -> dict[str, Any]:
    letters, domn, denos, techs, affe, titles = pick(rnd, _CATEGORIES)
    n = index + 1
    ref = f"{letters}{n:05d}"
    mus = pick(rnd, MUSEUMS)
    dmis, dmaj = dmis_dmaj(rnd)
    c = 15 + int(rnd() * 5) if letters != "AEG" else 1
    anon = rnd() < 0.25 or letters == "AEG"
    sur, first, role = pick(rnd, ARTISTS)
    hist_parts = [
        _HIST["unknown_before_war"] if rnd() < 0.4 else _HIST["bought"].format(
            price=f"{10 + int(rnd() * 900)} 000", buyer=pick(rnd, _BUYERS), dealer=pick(rnd, _DEALERS),
            date=long_date(rnd, 1940, 1944)),
        _HIST["munich"].format(date2=long_date(rnd, 1945, 1948), convoi=pick(rnd, _CONVOIS)),
        _HIST["attributed"].format(date3=long_date(rnd, 1949, 1953), y=1950 + int(rnd() * 4)),
    ]
    if rnd() < 0.5:
        hist_parts.append(_HIST["deposited"].format(museum=f"{mus[M_NOMOFF]} de {mus[M_COM][C_NAME]}"))
    h = metres(rnd, 0.1, 2.5)
    d: dict[str, Any] = {
        "REF": ref,
        "PRODUCTEUR": "MNR",
        "BASE": base.label,
        "AUTR": ["Anonyme"] if anon else [f"{sur.upper()} {first}"],
        "TITR": pick(rnd, titles),
        "DENO": list(pick(rnd, denos)),
        "DOMN": list(domn),
        "TECH": list(pick(rnd, techs)),
        "DIMS": [f"H. {h} ; La. {metres(rnd, 0.05, 2.0)} m."] if rnd() < 0.5 else [f"H. {h} ; L. {metres(rnd, 0.05, 2.0)} ; P. {metres(rnd, 0.02, 0.9)} m."],
        "SCLE": [SIECLE[c]] if letters != "AEG" else [],
        "LOCA": f"{mus[M_COM][C_NAME]} ; {mus[M_NOMOFF]}",
        "AFFE": affe,
        "INV": f"{letters} {n}",
        "HIST": "#".join(hist_parts),
        "CATE": pick(rnd, _CATE),
        "ETAT": pick(rnd, ("Bon état.", "Quelques repeints ; vernis jauni.", "Soulèvements de la couche picturale.",
                            "La tête manque ; la coiffure est mutilée.")),
        "MARQ": "#".join((f"Au revers : {30000 + int(rnd() * 9000)} : numéro du Central Collecting Point de Munich.",
                          f"R. {int(rnd() * 900)} : numéro de la récupération artistique.",
                          "Etiquette collée, fragmentaire et illisible.")[: 1 + int(rnd() * 3)]),
        "REDC": [pick(rnd, ("C.O. ; A.-E. D.-V. ; N. M.-S. ; F.G.", "I.le M.", "C.O.", "M.-P. P."))],
        "PHOT": "© Réunion des musées nationaux Grand Palais.",
        "DMIS": dmis,
        "DMAJ": dmaj,
        "CONTIENT_IMAGE": "non",
    }
    if rnd() < 0.45:
        d["DESC"] = sentences(rnd, DESC_PAINTING if domn == ("peinture",) else DESC_FIGURE if letters in ("RFR", "AEG")
                               else DESC_GRAPHIC if letters == "REC" else DESC_OBJECT, 1, 3)
    if letters == "AEG":
        d["GENE"] = "Epoque gréco-romaine, basse époque"
        d["STYL"] = "Basse époque"
    elif not anon and rnd() < 0.5:
        d["ECOL"] = pick(rnd, ("France", "Ecole française", "Pays-Bas", "Italie", "Allemagne"))
    if rnd() < 0.5:
        d["NOTE"] = "#".join(f"({k}){src}" for k, src in enumerate(
            ("MEAE/209SUP218 34A : Liste des objets rendus", "NARA/RG 260 Ardelia Hall Collection box 280 : « Property Card »",
             "MEAE/209SUP441 : Cahier manuscrit inventoriant les objets à la réception des convois")[: 1 + int(rnd() * 3)], 1))
    if rnd() < 0.3:
        d["EXPO"] = f"{1950 + int(rnd() * 70)}, {mus[M_COM][C_NAME]}, {mus[M_NOMOFF]}, \"{d['TITR']}\" (Cat. : n° {1 + int(rnd() * 300)})."
    if rnd() < 0.3:
        d["BIBL"] = f"{pick(rnd, SURNAMES).upper()}, {pick(rnd, FIRST_NAMES)}, « Catalogue des MNR », Paris, {1990 + int(rnd() * 30)}."
    if rnd() < 0.3:
        d["NUMS"] = f"D.{1950 + int(rnd() * 20)}.{1 + int(rnd() * 20)}.{1 + int(rnd() * 9)} : numéro de dépôt"
    if rnd() < 0.7:
        d["CONTIENT_IMAGE"] = "oui"
        d["VIDEO"] = [f"mnr/{ref}/{letters}{n}_{view}.jpg" for view in ("face", "revers", "detail")[: 1 + int(rnd() * 3)]]
    # Non-diffusable follow-up notes of the MNR team.
    x = rnd()
    if x < 0.35:
        d["RCL"] = f"Récolé, {1997 + int(rnd() * 26)}"
    if x < 0.25:
        d["NET"] = f"Présence sur site internet du musée ; {2005 + int(rnd() * 18)}"
    if x < 0.15:
        d["SALLES"] = f"Exposé en salles, {long_date(rnd, 1995, 2022)}"
    if x < 0.08:
        d["CARTELS"] = f"Formulation des cartels {pick(rnd, ('fautive', 'conforme'))}, {2010 + int(rnd() * 13)}"
    return d
