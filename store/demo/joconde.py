"""Joconde demo notices: objects of the Musées de France (paintings, drawings, sculptures, archaeology, objets d'art).

REFs: a domain prefix (`000PE`) or `0` + the museum's Joconde code, then the index on 6 digits; from index 10^6,
`9` + 10 digits. Tables in data/joconde.json; museums in data/museums.json.
"""
from __future__ import annotations

from typing import Any

from formats.bases import Base

from .common import (
    ARTISTS, COMMUNES, C_DPTNAME, C_NAME, C_REG, DESC_FIGURE, DESC_GRAPHIC, DESC_OBJECT, DESC_PAINTING, FIRST_NAMES,
    MUSEUMS, M_CODE, M_COM, M_EMAIL, M_ID, M_LOCA, M_LOCA2, M_NOMOFF, M_SHORT, RIVERS, Rnd, SURNAMES, century_year,
    dmis_dmaj, geo, load, num, pick, rows, sentences, siecle, slug,
)

_DATA = load("joconde")
# (DOMN, REF prefix, denominations, materials/techniques, centuries (lo, hi), kind)
_DOMAINS = rows(_DATA["domains"], "DOMN", "ref_prefix", "DENO", "TECH", "centuries", "kind")
# Materials that go with a given object (otherwise the domain's list applies).
_DENO_TECH = _DATA["techniques_by_denomination"]
_TITLES = _DATA["titles"]
_REPR = _DATA["REPR"]
_HIST = _DATA["history"]
_STAT = _DATA["STAT"]
_INSC = _DATA["INSC"]
_EPOQ = _DATA["EPOQ"]
_ECOL = _DATA["ECOL"]
_COPY = _DATA["copyright"]

# 000PE001028 / 09880004268 (index < 10^6), then 9 + 10 digits.
CAPACITY = 10**10


def build(rnd: Rnd, index: int, base: Base) -> dict[str, Any]:
    domn, dprefix, denos, techs, (c0, c1), kind = pick(rnd, _DOMAINS)
    mus = pick(rnd, MUSEUMS)
    com = mus[M_COM]
    if index < 1_000_000:
        ref = f"{dprefix if rnd() < 0.7 else '0' + mus[M_CODE]}{index:06d}"
    else:
        ref = f"9{index:010d}"
    c = c0 + int(rnd() * (c1 - c0 + 1))
    year = century_year(rnd, c)
    deno = pick(rnd, denos)
    dmis, dmaj = dmis_dmaj(rnd)
    city = com[C_NAME]
    inv_n = 1 + int(rnd() * 9000)
    inv = f"{1850 + int(rnd() * 170)}.{inv_n}.{1 + int(rnd() * 9)}" if rnd() < 0.6 else f"{pick(rnd, ('AR.', 'D.', 'Inv.', 'MBA'))} {inv_n}"
    d: dict[str, Any] = {
        "REF": ref,
        "PRODUCTEUR": "MNR" if rnd() < 0.02 else "MUSEE",
        "BASE": base.label,
        "DOMN": list(domn),
        "DENO": list(deno),
        "TECH": list(pick(rnd, _DENO_TECH.get(deno[0], techs))),
        "INV": inv,
        "LOCA": mus[M_LOCA],
        "LOCA2": mus[M_LOCA2],
        "MUSEO": mus[M_ID],
        "NOMOFF": mus[M_NOMOFF],
        "VILLE_M": city,
        "DPT": com[C_DPTNAME],
        "REGION": com[C_REG],
        "CONTACT": mus[M_EMAIL],
        "COPY": _COPY.format(short=mus[M_SHORT], city=city, y=1995 + int(rnd() * 28)),
        "LABEL": "Musée de France#au sens de la loi n°2002-5 du 4 janvier 2002",
        "STAT": list(pick(rnd, _STAT)),
        "DACQ": str(1850 + int(rnd() * 170)),
        "DMIS": dmis,
        "DMAJ": dmaj,
        "DIFFU": "oui" if rnd() < 0.8 else "non",
    }
    if kind == "painting" or kind == "graphic":
        d["TITR"] = pick(rnd, _TITLES).format(com=pick(rnd, COMMUNES)[C_NAME], river=pick(rnd, RIVERS))
        d["DIMS"] = (f"H. {num(rnd, 12, 250)} ; L. {num(rnd, 10, 300)}" if kind == "painting"
                     else f"H. {num(rnd, 8, 60)} ; L. {num(rnd, 6, 45)}")
        d["ECOL"] = list(pick(rnd, _ECOL))
        d["DESC"] = sentences(rnd, DESC_PAINTING if kind == "painting" else DESC_GRAPHIC, 1, 3)
        d["REPR"] = list(pick(rnd, _REPR))
    else:
        d["TICO"] = deno[0]
        d["DIMS"] = (f"H. {num(rnd, 2, 180)} ; L. {num(rnd, 2, 120)} ; P. {num(rnd, 1, 80)}" if rnd() < 0.6
                     else f"H. {num(rnd, 5, 60)} , LA. {num(rnd, 5, 40)} (à la base) ; P. {num(rnd, 5, 40)}")
        d["DESC"] = f"{deno[0].capitalize()} en {d['TECH'][0]}. " + sentences(
            rnd, DESC_FIGURE if kind == "sculpture" else DESC_OBJECT, 1, 3)
        if rnd() < 0.4:
            d["REPR"] = ["ornement à forme végétale"] if rnd() < 0.5 else list(pick(rnd, _REPR))
    if kind == "archaeology":
        d["EPOQ"] = list(pick(rnd, _EPOQ["archaeology"]))
        d["DECV"] = f"France ; {com[C_DPTNAME]} ; {city} (Lieu de découverte) ; {pick(rnd, ('découverte fortuite', 'fouille', 'prospection'))}"
        d["ETAT"] = pick(rnd, ("Mauvais état; Manque : pointes des feuilles d'acanthe.", "Bon état.", "Lacunaire ; recollé.", "Très usé."))
    else:
        d["PERI"] = [siecle(rnd, c, 0.3)]
        if rnd() < 0.5:
            d["MILL"] = [str(year)]
        if rnd() < 0.75:
            sur, first, role = pick(rnd, ARTISTS)
            d["AUTR"] = [f"{sur.upper()} {first}" if rnd() < 0.5 else f"{sur} {first} ({role})"]
            if rnd() < 0.2:
                d["PAUT"] = pick(rnd, ("attribué à", "d'après", "atelier de", "entourage de", "suiveur de"))
    if rnd() < 0.35:
        d["HIST"] = pick(rnd, _HIST).format(y=1850 + int(rnd() * 170), name=pick(rnd, SURNAMES), com=city)
        if rnd() < 0.3:
            d["HIST"] += "#" + pick(rnd, _HIST).format(y=1850 + int(rnd() * 170), name=pick(rnd, SURNAMES), com=city)
    if rnd() < 0.3:
        d["INSC"] = list(pick(rnd, _INSC))
        d["PINS"] = pick(rnd, ("Signé et daté en bas à droite", "Numéro d'inventaire 135 en chiffres arabes, sur la face avant",
                               "Inscription au revers : 'donné par M. le curé'", "Monogramme au centre du revers"))
    if rnd() < 0.3:
        d["BIBL"] = f"Catalogue des collections du {mus[M_SHORT]} de {city}, {1900 + int(rnd() * 120)}, n° {1 + int(rnd() * 400)}"
    if rnd() < 0.15:
        d["EXPO"] = f"{1950 + int(rnd() * 72)}, {pick(rnd, COMMUNES)[C_NAME]}, {pick(rnd, ('musée des beaux-arts', 'galerie nationale', 'Grand Palais'))}"
    if rnd() < 0.5:
        d["COOR"] = f"{pick(rnd, FIRST_NAMES)} {pick(rnd, SURNAMES)}"
    if rnd() < 0.78:
        stem = f"{inv_n:05d}{slug(deno[0])[:4]}"
        d["CONTIENT_IMAGE"] = "oui"
        d["IMAGE"] = "oui"
        d["IMG"] = [f"joconde/{ref}/{stem}.jpg"]
        d["VIDEO"] = [f"/arc/{1 + int(rnd() * 40):04d}/m{mus[M_CODE]}01_{stem}_p.jpg"]
        d["REFIM"] = f"M{mus[M_CODE]}01_{stem.upper()}_P.JPG,DS1,,M{mus[M_CODE]}_{stem.upper()}_P.jpg"
        d["PHOT"] = pick(rnd, ("© Nicolas Porte", "© RMN-Grand Palais", f"© {mus[M_SHORT]} de {city}", "© Studio Basset"))
    else:
        d["CONTIENT_IMAGE"] = "non"
    if rnd() < 0.1:
        d["WWW"] = [f"https://www.{slug(city)}.fr/musees"]
    geo(rnd, d, com, 0.9)
    return d
