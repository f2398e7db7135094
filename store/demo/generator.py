"""Demo notices: realistic, deterministic raw notices of the eight POP bases, for `pop demo load` and benchmarks.

`generate(base, count, seed, start)` yields raw notices shaped like POP's real exports (see
../shared/pop-bases/samples), quirks included: `[""]` arrays, `""` strings, `{lat: 0, lon: 0}` for "no
coordinates", empty GeoJSON polygons, surrounding whitespace, and Mémoire's multi-valued WADRS given as one
string. Every notice passes `formats.notice.validate_notice`. Some carry the fields that must never be published
(Palissy's masked location ADRS2/COM2/EDIF2/EMPL2/INSEE2/LBASE2, MNR's NET/SALLES/CARTELS/RCL, and the internal
POP_FLAGS/POP_IMPORT/HISTORIQUE), so tests can prove that no output leaks them.

Determinism: notice `index` of a base depends only on (base, seed, index). Notices are generated in blocks of
`_BLOCK` consecutive indexes from one `random.Random` seeded with (base, seed, block); a call that starts inside a
block replays the block's first notices and drops them. REFs are derived from the index (never drawn at random),
so they are unique within a base; each base's REF scheme has a capacity and `generate` raises `ValueError` past it.

Standard library only, and fast (tens of thousands of notices a second): word lists are precomputed, a draw is
`seq[int(rnd() * len(seq))]`, and a notice is a handful of dict literals.
"""
from __future__ import annotations

import functools
import random
import unicodedata
from datetime import date
from typing import Any, Callable, Iterator

from formats.bases import BASES, Base

__all__ = ["generate", "generate_all", "shares", "capacity", "PROPORTIONS"]

_BLOCK = 64

# Share of each base in a demo load: the real platform's shape (Mémoire, Joconde, Palissy and Mérimée hold
# nearly everything; the other four are small).
PROPORTIONS: dict[str, float] = {
    "memoire": 0.34,
    "joconde": 0.30,
    "palissy": 0.16,
    "merimee": 0.15,
    "enluminures": 0.025,
    "autor": 0.015,
    "mnr": 0.006,
    "museo": 0.004,
}


def _pick(rnd: Callable[[], float], seq):
    return seq[int(rnd() * len(seq))]


@functools.cache  # called on words of the finite lists below
def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return "".join(c if c.isalnum() else "-" for c in ascii_text).strip("-")


# --- geography ----------------------------------------------------------------------------------------------
# code: (name, region, region code, former region (before 2016))
_DEPTS: dict[str, tuple[str, str, str, str]] = {
    "01": ("Ain", "Auvergne-Rhône-Alpes", "84", "Rhône-Alpes"),
    "02": ("Aisne", "Hauts-de-France", "32", "Picardie"),
    "03": ("Allier", "Auvergne-Rhône-Alpes", "84", "Auvergne"),
    "04": ("Alpes-de-Haute-Provence", "Provence-Alpes-Côte d'Azur", "93", "Provence-Alpes-Côte d'Azur"),
    "05": ("Hautes-Alpes", "Provence-Alpes-Côte d'Azur", "93", "Provence-Alpes-Côte d'Azur"),
    "06": ("Alpes-Maritimes", "Provence-Alpes-Côte d'Azur", "93", "Provence-Alpes-Côte d'Azur"),
    "07": ("Ardèche", "Auvergne-Rhône-Alpes", "84", "Rhône-Alpes"),
    "08": ("Ardennes", "Grand Est", "44", "Champagne-Ardenne"),
    "09": ("Ariège", "Occitanie", "76", "Midi-Pyrénées"),
    "10": ("Aube", "Grand Est", "44", "Champagne-Ardenne"),
    "11": ("Aude", "Occitanie", "76", "Languedoc-Roussillon"),
    "12": ("Aveyron", "Occitanie", "76", "Midi-Pyrénées"),
    "13": ("Bouches-du-Rhône", "Provence-Alpes-Côte d'Azur", "93", "Provence-Alpes-Côte d'Azur"),
    "14": ("Calvados", "Normandie", "28", "Basse-Normandie"),
    "15": ("Cantal", "Auvergne-Rhône-Alpes", "84", "Auvergne"),
    "16": ("Charente", "Nouvelle-Aquitaine", "75", "Poitou-Charentes"),
    "17": ("Charente-Maritime", "Nouvelle-Aquitaine", "75", "Poitou-Charentes"),
    "18": ("Cher", "Centre-Val de Loire", "24", "Centre"),
    "19": ("Corrèze", "Nouvelle-Aquitaine", "75", "Limousin"),
    "21": ("Côte-d'Or", "Bourgogne-Franche-Comté", "27", "Bourgogne"),
    "22": ("Côtes-d'Armor", "Bretagne", "53", "Bretagne"),
    "23": ("Creuse", "Nouvelle-Aquitaine", "75", "Limousin"),
    "24": ("Dordogne", "Nouvelle-Aquitaine", "75", "Aquitaine"),
    "25": ("Doubs", "Bourgogne-Franche-Comté", "27", "Franche-Comté"),
    "26": ("Drôme", "Auvergne-Rhône-Alpes", "84", "Rhône-Alpes"),
    "27": ("Eure", "Normandie", "28", "Haute-Normandie"),
    "28": ("Eure-et-Loir", "Centre-Val de Loire", "24", "Centre"),
    "29": ("Finistère", "Bretagne", "53", "Bretagne"),
    "2A": ("Corse-du-Sud", "Corse", "94", "Corse"),
    "2B": ("Haute-Corse", "Corse", "94", "Corse"),
    "30": ("Gard", "Occitanie", "76", "Languedoc-Roussillon"),
    "31": ("Haute-Garonne", "Occitanie", "76", "Midi-Pyrénées"),
    "32": ("Gers", "Occitanie", "76", "Midi-Pyrénées"),
    "33": ("Gironde", "Nouvelle-Aquitaine", "75", "Aquitaine"),
    "34": ("Hérault", "Occitanie", "76", "Languedoc-Roussillon"),
    "35": ("Ille-et-Vilaine", "Bretagne", "53", "Bretagne"),
    "36": ("Indre", "Centre-Val de Loire", "24", "Centre"),
    "37": ("Indre-et-Loire", "Centre-Val de Loire", "24", "Centre"),
    "38": ("Isère", "Auvergne-Rhône-Alpes", "84", "Rhône-Alpes"),
    "39": ("Jura", "Bourgogne-Franche-Comté", "27", "Franche-Comté"),
    "40": ("Landes", "Nouvelle-Aquitaine", "75", "Aquitaine"),
    "41": ("Loir-et-Cher", "Centre-Val de Loire", "24", "Centre"),
    "42": ("Loire", "Auvergne-Rhône-Alpes", "84", "Rhône-Alpes"),
    "43": ("Haute-Loire", "Auvergne-Rhône-Alpes", "84", "Auvergne"),
    "44": ("Loire-Atlantique", "Pays de la Loire", "52", "Pays de la Loire"),
    "45": ("Loiret", "Centre-Val de Loire", "24", "Centre"),
    "46": ("Lot", "Occitanie", "76", "Midi-Pyrénées"),
    "47": ("Lot-et-Garonne", "Nouvelle-Aquitaine", "75", "Aquitaine"),
    "48": ("Lozère", "Occitanie", "76", "Languedoc-Roussillon"),
    "49": ("Maine-et-Loire", "Pays de la Loire", "52", "Pays de la Loire"),
    "50": ("Manche", "Normandie", "28", "Basse-Normandie"),
    "51": ("Marne", "Grand Est", "44", "Champagne-Ardenne"),
    "52": ("Haute-Marne", "Grand Est", "44", "Champagne-Ardenne"),
    "53": ("Mayenne", "Pays de la Loire", "52", "Pays de la Loire"),
    "54": ("Meurthe-et-Moselle", "Grand Est", "44", "Lorraine"),
    "55": ("Meuse", "Grand Est", "44", "Lorraine"),
    "56": ("Morbihan", "Bretagne", "53", "Bretagne"),
    "57": ("Moselle", "Grand Est", "44", "Lorraine"),
    "58": ("Nièvre", "Bourgogne-Franche-Comté", "27", "Bourgogne"),
    "59": ("Nord", "Hauts-de-France", "32", "Nord-Pas-de-Calais"),
    "60": ("Oise", "Hauts-de-France", "32", "Picardie"),
    "61": ("Orne", "Normandie", "28", "Basse-Normandie"),
    "62": ("Pas-de-Calais", "Hauts-de-France", "32", "Nord-Pas-de-Calais"),
    "63": ("Puy-de-Dôme", "Auvergne-Rhône-Alpes", "84", "Auvergne"),
    "64": ("Pyrénées-Atlantiques", "Nouvelle-Aquitaine", "75", "Aquitaine"),
    "65": ("Hautes-Pyrénées", "Occitanie", "76", "Midi-Pyrénées"),
    "66": ("Pyrénées-Orientales", "Occitanie", "76", "Languedoc-Roussillon"),
    "67": ("Bas-Rhin", "Grand Est", "44", "Alsace"),
    "68": ("Haut-Rhin", "Grand Est", "44", "Alsace"),
    "69": ("Rhône", "Auvergne-Rhône-Alpes", "84", "Rhône-Alpes"),
    "70": ("Haute-Saône", "Bourgogne-Franche-Comté", "27", "Franche-Comté"),
    "71": ("Saône-et-Loire", "Bourgogne-Franche-Comté", "27", "Bourgogne"),
    "72": ("Sarthe", "Pays de la Loire", "52", "Pays de la Loire"),
    "73": ("Savoie", "Auvergne-Rhône-Alpes", "84", "Rhône-Alpes"),
    "74": ("Haute-Savoie", "Auvergne-Rhône-Alpes", "84", "Rhône-Alpes"),
    "75": ("Paris", "Île-de-France", "11", "Île-de-France"),
    "76": ("Seine-Maritime", "Normandie", "28", "Haute-Normandie"),
    "77": ("Seine-et-Marne", "Île-de-France", "11", "Île-de-France"),
    "78": ("Yvelines", "Île-de-France", "11", "Île-de-France"),
    "79": ("Deux-Sèvres", "Nouvelle-Aquitaine", "75", "Poitou-Charentes"),
    "80": ("Somme", "Hauts-de-France", "32", "Picardie"),
    "81": ("Tarn", "Occitanie", "76", "Midi-Pyrénées"),
    "82": ("Tarn-et-Garonne", "Occitanie", "76", "Midi-Pyrénées"),
    "83": ("Var", "Provence-Alpes-Côte d'Azur", "93", "Provence-Alpes-Côte d'Azur"),
    "84": ("Vaucluse", "Provence-Alpes-Côte d'Azur", "93", "Provence-Alpes-Côte d'Azur"),
    "85": ("Vendée", "Pays de la Loire", "52", "Pays de la Loire"),
    "86": ("Vienne", "Nouvelle-Aquitaine", "75", "Poitou-Charentes"),
    "87": ("Haute-Vienne", "Nouvelle-Aquitaine", "75", "Limousin"),
    "88": ("Vosges", "Grand Est", "44", "Lorraine"),
    "89": ("Yonne", "Bourgogne-Franche-Comté", "27", "Bourgogne"),
    "90": ("Territoire de Belfort", "Bourgogne-Franche-Comté", "27", "Franche-Comté"),
    "91": ("Essonne", "Île-de-France", "11", "Île-de-France"),
    "92": ("Hauts-de-Seine", "Île-de-France", "11", "Île-de-France"),
    "93": ("Seine-Saint-Denis", "Île-de-France", "11", "Île-de-France"),
    "94": ("Val-de-Marne", "Île-de-France", "11", "Île-de-France"),
    "95": ("Val-d'Oise", "Île-de-France", "11", "Île-de-France"),
}

# (commune, INSEE code, latitude, longitude) — metropolitan France and Corsica.
_COMMUNE_ROWS = (
    ("Paris", "75056", 48.8566, 2.3522), ("Marseille", "13055", 43.2965, 5.3698),
    ("Lyon", "69123", 45.7640, 4.8357), ("Toulouse", "31555", 43.6047, 1.4442),
    ("Nice", "06088", 43.7102, 7.2620), ("Nantes", "44109", 47.2184, -1.5536),
    ("Strasbourg", "67482", 48.5734, 7.7521), ("Montpellier", "34172", 43.6108, 3.8767),
    ("Bordeaux", "33063", 44.8378, -0.5792), ("Lille", "59350", 50.6292, 3.0573),
    ("Rennes", "35238", 48.1173, -1.6778), ("Reims", "51454", 49.2583, 4.0317),
    ("Le Havre", "76351", 49.4944, 0.1079), ("Saint-Étienne", "42218", 45.4397, 4.3872),
    ("Toulon", "83137", 43.1242, 5.9280), ("Grenoble", "38185", 45.1885, 5.7245),
    ("Dijon", "21231", 47.3220, 5.0415), ("Angers", "49007", 47.4784, -0.5632),
    ("Nîmes", "30189", 43.8367, 4.3601), ("Aix-en-Provence", "13001", 43.5297, 5.4474),
    ("Clermont-Ferrand", "63113", 45.7772, 3.0870), ("Le Mans", "72181", 48.0061, 0.1996),
    ("Brest", "29019", 48.3904, -4.4861), ("Tours", "37261", 47.3941, 0.6848),
    ("Amiens", "80021", 49.8941, 2.2958), ("Limoges", "87085", 45.8336, 1.2611),
    ("Besançon", "25056", 47.2378, 6.0241), ("Metz", "57463", 49.1193, 6.1757),
    ("Perpignan", "66136", 42.6887, 2.8948), ("Orléans", "45234", 47.9029, 1.9093),
    ("Rouen", "76540", 49.4432, 1.0999), ("Caen", "14118", 49.1829, -0.3707),
    ("Nancy", "54395", 48.6921, 6.1844), ("Avignon", "84007", 43.9493, 4.8055),
    ("Poitiers", "86194", 46.5802, 0.3404), ("La Rochelle", "17300", 46.1603, -1.1511),
    ("Valence", "26362", 44.9334, 4.8924), ("Pau", "64445", 43.2951, -0.3708),
    ("Bayeux", "14047", 49.2764, -0.7024), ("Aurillac", "15014", 44.9264, 2.4397),
    ("Chartres", "28085", 48.4439, 1.4890), ("Colmar", "68066", 48.0794, 7.3585),
    ("Arles", "13004", 43.6766, 4.6278), ("Albi", "81004", 43.9289, 2.1464),
    ("Bourges", "18033", 47.0810, 2.3988), ("Troyes", "10387", 48.2973, 4.0744),
    ("Aix-en-Othe", "10003", 48.2236, 3.7350), ("Vannes", "56260", 47.6582, -2.7608),
    ("Quimper", "29232", 47.9960, -4.1024), ("Ajaccio", "2A004", 41.9192, 8.7386),
    ("Bastia", "2B033", 42.6977, 9.4508), ("Versailles", "78646", 48.8049, 2.1204),
    ("Saint-Denis", "93066", 48.9362, 2.3574), ("Fontainebleau", "77186", 48.4047, 2.7016),
    ("Beauvais", "60057", 49.4295, 2.0807), ("Laon", "02408", 49.5641, 3.6199),
    ("Carcassonne", "11069", 43.2130, 2.3491), ("Cahors", "46042", 44.4475, 1.4419),
    ("Périgueux", "24322", 45.1846, 0.7214), ("Angoulême", "16015", 45.6484, 0.1562),
    ("Autun", "71014", 46.9510, 4.2986), ("Auxerre", "89024", 47.7986, 3.5673),
    ("Vézelay", "89446", 47.4660, 3.7457), ("Le Puy-en-Velay", "43157", 45.0434, 3.8858),
    ("Annecy", "74010", 45.8992, 6.1294), ("Chambéry", "73065", 45.5646, 5.9178),
    ("Thollet", "86270", 46.4167, 1.1167), ("Saint-Malo", "35288", 48.6493, -2.0257),
    ("Honfleur", "14333", 49.4190, 0.2330), ("Blois", "41018", 47.5861, 1.3359),
    ("Sens", "89387", 48.1975, 3.2833), ("Moulins", "03190", 46.5660, 3.3330),
    ("Épinal", "88160", 48.1724, 6.4496), ("Mulhouse", "68224", 47.7508, 7.3359),
    ("Gap", "05061", 44.5594, 6.0786), ("Digne-les-Bains", "04070", 44.0925, 6.2356),
    ("Rodez", "12202", 44.3506, 2.5750), ("Conques-en-Rouergue", "12076", 44.5990, 2.3980),
    ("Tarbes", "65440", 43.2328, 0.0781), ("Mont-de-Marsan", "40192", 43.8902, -0.4999),
    ("Agen", "47001", 44.2033, 0.6163), ("Saintes", "17415", 45.7464, -0.6333),
    ("Niort", "79191", 46.3237, -0.4588), ("Laval", "53130", 48.0706, -0.7734),
    ("Alençon", "61001", 48.4329, 0.0913), ("Évreux", "27229", 49.0241, 1.1508),
    ("Saint-Lô", "50502", 49.1157, -1.0906), ("Lons-le-Saunier", "39300", 46.6744, 5.5546),
    ("Nevers", "58194", 46.9908, 3.1590), ("Châteauroux", "36044", 46.8103, 1.6913),
    ("Guéret", "23096", 46.1714, 1.8720), ("Tulle", "19272", 45.2672, 1.7707),
    ("Mende", "48095", 44.5181, 3.5007), ("Foix", "09122", 42.9653, 1.6072),
    ("Auch", "32013", 43.6465, 0.5855), ("Montauban", "82121", 44.0176, 1.3550),
    ("Privas", "07186", 44.7353, 4.5990), ("Bourg-en-Bresse", "01053", 46.2052, 5.2255),
    ("Charleville-Mézières", "08105", 49.7621, 4.7265), ("Chaumont", "52121", 48.1113, 5.1392),
    ("Bar-le-Duc", "55029", 48.7727, 5.1611), ("Vesoul", "70550", 47.6230, 6.1550),
    ("Belfort", "90010", 47.6380, 6.8628), ("Arras", "62041", 50.2910, 2.7775),
    ("Saint-Quentin", "02691", 49.8465, 3.2876), ("Melun", "77288", 48.5421, 2.6554),
    ("Nanterre", "92050", 48.8924, 2.2069), ("Créteil", "94028", 48.7904, 2.4556),
    ("Pontoise", "95500", 49.0508, 2.1008), ("Saint-Savin", "86246", 46.5650, 0.8660),
    ("Moissac", "82112", 44.1050, 1.0850), ("Carnac", "56034", 47.5840, -3.0780),
    ("Sarlat-la-Canéda", "24520", 44.8890, 1.2160), ("Rocamadour", "46240", 44.7990, 1.6180),
    ("Saint-Émilion", "33394", 44.8940, -0.1550), ("Provins", "77379", 48.5600, 3.2990),
    ("Semur-en-Auxois", "21603", 47.4910, 4.3340), ("Cluny", "71137", 46.4340, 4.6590),
    ("Orange", "84087", 44.1380, 4.8070), ("Vaison-la-Romaine", "84137", 44.2410, 5.0740),
    ("Riquewihr", "68277", 48.1670, 7.2980), ("Dinan", "22050", 48.4550, -2.0500),
    ("Saint-Brieuc", "22278", 48.5140, -2.7600), ("Lannion", "22113", 48.7320, -3.4560),
    ("Morlaix", "29151", 48.5770, -3.8270), ("Senlis", "60612", 49.2070, 2.5860),
    ("Noyon", "60471", 49.5810, 2.9990), ("Soissons", "02722", 49.3810, 3.3230),
    ("Langres", "52269", 47.8620, 5.3330), ("Loches", "37132", 47.1290, 0.9950),
    ("Chinon", "37072", 47.1670, 0.2420), ("Uzès", "30334", 44.0120, 4.4200),
    ("Aigues-Mortes", "30003", 43.5670, 4.1920), ("Saint-Bertrand-de-Comminges", "31472", 43.0280, 0.5720),
    ("Guérande", "44069", 47.3280, -2.4290), ("Fougères", "35115", 48.3520, -1.1990),
    ("Pont-Aven", "29217", 47.8550, -3.7480), ("Saint-Guilhem-le-Désert", "34261", 43.7330, 3.5490),
)


def _build_communes() -> tuple[tuple, ...]:
    rows = []
    for name, insee, lat, lon in _COMMUNE_ROWS:
        dpt = insee[:2]
        dpt_name, region, region_code, old_region = _DEPTS[dpt]
        rows.append((name, insee, dpt, dpt_name, region, region_code, old_region, lat, lon))
    return tuple(rows)


# Indexes into a commune row.
C_NAME, C_INSEE, C_DPT, C_DPTNAME, C_REG, C_REGCODE, C_OLDREG, C_LAT, C_LON = range(9)
_COMMUNES = _build_communes()


def _location(com, dpt: str) -> dict[str, list[str]]:
    """The commune fields of a building or an object in situ (Mérimée, Palissy)."""
    return {"COM": [com[C_NAME]], "INSEE": [com[C_INSEE]], "DPT": [dpt], "DPT_LETTRE": [com[C_DPTNAME]],
            "REG": [com[C_REG]], "WCOM": [com[C_NAME]]}
_COMMUNE_BY_NAME = {c[C_NAME]: c for c in _COMMUNES}

_STREETS = (
    "rue de l'Église", "place de la Mairie", "rue du Château", "Grande Rue", "rue des Tanneurs",
    "rue du Temple", "place du Marché", "rue Nationale", "chemin du Moulin", "rue de la République",
    "quai de la Loire", "rue des Chanoines", "place Saint-Étienne", "rue Victor-Hugo", "avenue de la Gare",
    "rue du Prieuré", "impasse des Cordeliers", "rue des Halles", "boulevard Gambetta", "rue de la Poste",
)
_LIEUX_DITS = ("le Bourg", "la Chasseigne", "les Granges", "le Moulin", "la Croix Blanche", "le Prieuré",
               "les Vignes", "la Motte", "Champ de Foire", "la Forge")
_RIVERS = ("de la Seine", "de la Loire", "de la Marne", "de la Garonne", "de la Dordogne", "du Rhône",
           "de la Saône", "de la Vienne", "de la Charente", "de l'Oise", "de la Somme", "de la Moselle",
           "de la Meuse", "de la Creuse", "du Lot", "du Tarn", "de la Durance", "de l'Orne")

# --- people -------------------------------------------------------------------------------------------------
_SURNAMES = (
    "Abit", "Bernard", "Martin", "Lefèvre", "Durand", "Moreau", "Laurent", "Girard", "Roux", "Fournier",
    "Mercier", "Blanc", "Guérin", "Boyer", "Chevalier", "Faure", "Gauthier", "Perrin", "Robin", "Clément",
    "Morin", "Nicolas", "Henry", "Rousseau", "Mathieu", "Garnier", "Leroy", "Lemoine", "Caron", "Masson",
    "Picard", "Renaud", "Barbier", "Aubert", "Brunet", "Dumas", "Lucas", "Giraud", "Maillard", "Royer",
    "Cousin", "Charpentier", "Poulain", "Hubert", "Vasseur", "Lebrun", "Marchand", "Colin", "Noël", "Rivière",
    "Dubois", "Lambert", "Bonnet", "Legrand", "Fontaine", "Meunier", "Vidal", "Jacquet", "Le Gall", "Kerjean",
    "Etcheverry", "Castagné", "Pélissier", "Thévenin", "Ménard", "Bréhier", "Quéré", "Loiseau", "Lévêque",
)
_FIRSTNAMES = (
    "Armand", "Jean", "Pierre", "Louis", "Jacques", "François", "Nicolas", "Antoine", "Charles", "Joseph",
    "Étienne", "Claude", "Michel", "Marie", "Jeanne", "Marguerite", "Anne", "Catherine", "Louise", "Henri",
    "Eugène", "Auguste", "Émile", "Paul", "Gustave", "Léon", "Hippolyte", "Théodore", "Alphonse", "Jules",
    "Camille", "Victor", "Honoré", "Édouard", "Mathurin", "Guillaume", "Benoît", "Hélène", "Geneviève",
    "Françoise", "Yves", "Sophie", "Isabelle", "Christian", "Valérie", "Marina", "Nathalie", "Bernard",
)
# (surname, first name, role): historical makers named in the bases.
_ARTISTS = (
    ("Corot", "Jean-Baptiste Camille", "peintre"), ("Delacroix", "Eugène", "peintre"),
    ("Courbet", "Gustave", "peintre"), ("Poussin", "Nicolas", "peintre"), ("Gellée", "Claude", "peintre"),
    ("Fragonard", "Jean-Honoré", "peintre"), ("Chardin", "Jean Siméon", "peintre"),
    ("Boucher", "François", "peintre"), ("Watteau", "Antoine", "peintre"),
    ("Ingres", "Jean-Auguste-Dominique", "peintre"), ("David", "Jacques-Louis", "peintre"),
    ("Géricault", "Théodore", "peintre"), ("Millet", "Jean-François", "peintre"),
    ("Daumier", "Honoré", "dessinateur"), ("Rodin", "Auguste", "sculpteur"),
    ("Carpeaux", "Jean-Baptiste", "sculpteur"), ("Houdon", "Jean-Antoine", "sculpteur"),
    ("Puget", "Pierre", "sculpteur"), ("Girardon", "François", "sculpteur"),
    ("Pigalle", "Jean-Baptiste", "sculpteur"), ("Bartholdi", "Auguste", "sculpteur"),
    ("Jouvenet", "Jean", "peintre"), ("Restout", "Jean", "peintre"), ("Le Brun", "Charles", "peintre"),
    ("Vouet", "Simon", "peintre"), ("La Tour", "Georges de", "peintre"), ("Le Nain", "Louis", "peintre"),
    ("Champaigne", "Philippe de", "peintre"), ("Rigaud", "Hyacinthe", "peintre"),
    ("Vigée Le Brun", "Élisabeth", "peintre"), ("Monet", "Claude", "peintre"),
    ("Pissarro", "Camille", "peintre"), ("Sisley", "Alfred", "peintre"), ("Morisot", "Berthe", "peintre"),
    ("Cézanne", "Paul", "peintre"), ("Bonnard", "Pierre", "peintre"), ("Vuillard", "Édouard", "peintre"),
    ("Dufy", "Raoul", "peintre"), ("Claudel", "Camille", "sculptrice"), ("Bourdelle", "Antoine", "sculpteur"),
    ("Maillol", "Aristide", "sculpteur"), ("Boudin", "Eugène", "peintre"), ("Greuze", "Jean-Baptiste", "peintre"),
    ("Oudry", "Jean-Baptiste", "peintre"), ("Hubert", "Robert", "peintre"), ("Vernet", "Joseph", "peintre"),
)
_ARCHITECTS = (
    ("Mansart", "François", "architecte"), ("Hardouin-Mansart", "Jules", "architecte"),
    ("Le Vau", "Louis", "architecte"), ("Viollet-le-Duc", "Eugène", "architecte"),
    ("Gabriel", "Ange-Jacques", "architecte"), ("Soufflot", "Jacques-Germain", "architecte"),
    ("Garnier", "Charles", "architecte"), ("Baltard", "Victor", "architecte"), ("Perret", "Auguste", "architecte"),
    ("Le Prestre de Vauban", "Sébastien", "ingénieur militaire"), ("Abadie", "Paul", "architecte"),
    ("Lassus", "Jean-Baptiste", "architecte"), ("Boeswillwald", "Émile", "architecte"),
    ("Ledoux", "Claude-Nicolas", "architecte"), ("Guimard", "Hector", "architecte"),
    ("Prouvé", "Jean", "architecte"), ("Pouillon", "Fernand", "architecte"), ("Delorme", "Philibert", "architecte"),
)
_MAKERS = (
    ("Cavaillé-Coll", "Aristide", "facteur d'orgues"), ("Clicquot", "François-Henri", "facteur d'orgues"),
    ("Lorin", "Nicolas", "peintre verrier"), ("Gaudin", "Jean", "peintre verrier"),
    ("Lusson", "Antoine", "peintre verrier"), ("Biard", "Pierre", "sculpteur"),
    ("Germain", "Thomas", "orfèvre"), ("Odiot", "Jean-Baptiste Claude", "orfèvre"),
    ("Froment-Meurice", "François-Désiré", "orfèvre"), ("Poussielgue-Rusand", "Placide", "orfèvre"),
    ("Bollée", "Amédée", "fondeur de cloches"), ("Paccard", "Georges", "fondeur de cloches"),
    ("Cornille", "Jean", "fondeur de cloches"), ("Jouvenet", "Jean", "peintre"), ("Restout", "Jean", "peintre"),
    ("Hérault", "Pierre", "menuisier"), ("Verne", "Jules", "écrivain"), ("Champigneulle", "Charles", "peintre verrier"),
)
_PHOTOGRAPHERS = (
    "Mieusement, Médéric", "Durand, Eugène", "Lefèvre-Pontalis, Eugène", "Enlart, Camille", "Atget, Eugène",
    "Baldus, Édouard", "Le Secq, Henri", "Heuzé, Henri", "Kollar, François", "Robert, Paul", "Estève, Jean",
    "Richard, Christian", "Lambart, Yves", "Maulny, Bernard", "Thibaut, Pascal", "Rivière, Philippe",
    "Plateau, Jean-Jacques", "Le Cloirec, Gaëtan", "Corbineau, Denis", "Kérébel, Norbert",
)

# --- time ---------------------------------------------------------------------------------------------------
_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre")
_DAY0 = date(1993, 1, 1).toordinal()
_DATES = tuple(date.fromordinal(o).isoformat() for o in range(_DAY0, date(2024, 12, 31).toordinal() + 1))
_NDATES = len(_DATES)


def _ordinal(n: int) -> str:
    return "1er" if n == 1 else f"{n}e"


_SIECLE = ("",) + tuple(f"{_ordinal(c)} siècle" for c in range(1, 22))
_SIECLX = ("",) + tuple(f"{_ordinal(c)} s." for c in range(1, 22))
_QUARTS = ("1er quart", "2e quart", "3e quart", "4e quart", "1ère moitié", "2e moitié", "milieu")


def _dmis_dmaj(rnd) -> tuple[str, str]:
    k = int(rnd() * _NDATES)
    return _DATES[k], _DATES[k + int(rnd() * (_NDATES - k))]


def _long_date(rnd, y0: int, y1: int) -> str:
    day = 1 + int(rnd() * 28)
    return f"{'1er' if day == 1 else day} {_MONTHS[int(rnd() * 12)]} {y0 + int(rnd() * (y1 - y0 + 1))}"


def _slash_date(rnd, y0: int, y1: int) -> str:
    return f"{y0 + int(rnd() * (y1 - y0 + 1))}/{1 + int(rnd() * 12):02d}/{1 + int(rnd() * 28):02d}"


def _century_year(rnd, c: int) -> int:
    return (c - 1) * 100 + 1 + int(rnd() * 100)


def _siecle(rnd, c: int, precise: float = 0.25) -> str:
    return f"{_pick(rnd, _QUARTS)} {_SIECLE[c]}" if rnd() < precise else _SIECLE[c]


def _coords(rnd, com) -> dict[str, float]:
    return {"lat": round(com[C_LAT] + (rnd() - 0.5) * 0.04, 6), "lon": round(com[C_LON] + (rnd() - 0.5) * 0.06, 6)}


def _geo(rnd, d: dict, com, rate: float = 0.85) -> None:
    """POP_COORDONNEES and POP_CONTIENT_GEOLOCALISATION; POP's "no position" is {lat: 0, lon: 0}."""
    if rnd() < rate:
        d["POP_COORDONNEES"] = _coords(rnd, com)
        d["POP_CONTIENT_GEOLOCALISATION"] = "oui"
    else:
        d["POP_COORDONNEES"] = {"lat": 0, "lon": 0}
        d["POP_CONTIENT_GEOLOCALISATION"] = "non"


def _num(rnd, lo: float, hi: float) -> str:
    """A measure in POP's style: an integer, or one decimal with a French comma."""
    v = lo + rnd() * (hi - lo)
    if rnd() < 0.4:
        whole = int(v)
        return f"{whole},{int((v - whole) * 10)}"
    return str(int(v))


def _metres(rnd, lo: float, hi: float) -> str:
    return f"{lo + rnd() * (hi - lo):.3f}".rstrip("0").replace(".", ",")


# --- museums ------------------------------------------------------------------------------------------------
# (Muséofile id, commune, official name, short name as in Joconde's LOCA, 4-digit Joconde museum code)
_MUSEUM_ROWS = (
    ("M5031", "Valence", "musée des beaux-arts et d'archéologie", "musée des beaux-arts", "0988"),
    ("M0293", "Besançon", "musée des beaux-arts et d'archéologie", "musée des beaux-arts et d'archéologie", "0252"),
    ("M5035", "Paris", "musée du Louvre", "musée du Louvre", "5035"),
    ("M5033", "Paris", "musée d'Orsay", "musée d'Orsay", "5033"),
    ("M0697", "Lyon", "musée des beaux-arts", "musée des beaux-arts", "0697"),
    ("M0606", "Lille", "palais des beaux-arts", "palais des beaux-arts", "0606"),
    ("M0825", "Rouen", "musée des beaux-arts", "musée des beaux-arts", "0825"),
    ("M0418", "Nantes", "musée d'arts de Nantes", "musée d'arts", "0418"),
    ("M0193", "Dijon", "musée des beaux-arts", "musée des beaux-arts", "0193"),
    ("M0674", "Strasbourg", "musée de l'Œuvre Notre-Dame", "musée de l'Œuvre Notre-Dame", "0674"),
    ("M0314", "Toulouse", "musée des Augustins", "musée des Augustins", "0314"),
    ("M0345", "Bordeaux", "musée d'Aquitaine", "musée d'Aquitaine", "0345"),
    ("M0135", "Marseille", "musée d'histoire de Marseille", "musée d'histoire", "0135"),
    ("M0370", "Montpellier", "musée Fabre", "musée Fabre", "0370"),
    ("M0386", "Grenoble", "musée de Grenoble", "musée de Grenoble", "0386"),
    ("M0359", "Rennes", "musée des beaux-arts", "musée des beaux-arts", "0359"),
    ("M0148", "Caen", "musée des beaux-arts", "musée des beaux-arts", "0148"),
    ("M0543", "Nancy", "musée lorrain", "musée lorrain", "0543"),
    ("M0687", "Colmar", "musée Unterlinden", "musée Unterlinden", "0687"),
    ("M0812", "Albi", "musée Toulouse-Lautrec", "musée Toulouse-Lautrec", "0812"),
    ("M0133", "Arles", "musée départemental Arles antique", "musée départemental Arles antique", "0133"),
    ("M0302", "Nîmes", "musée de la Romanité", "musée de la Romanité", "0302"),
    ("M0292", "Quimper", "musée départemental breton", "musée départemental breton", "0292"),
    ("M0787", "Versailles", "musée national des châteaux de Versailles et de Trianon", "musée national du château", "0787"),
    ("M0771", "Fontainebleau", "musée national du château de Fontainebleau", "musée national du château", "0771"),
    ("M0871", "Limoges", "musée national Adrien Dubouché", "musée national Adrien Dubouché", "0871"),
    ("M0490", "Angers", "musée des beaux-arts", "musée des beaux-arts", "0490"),
    ("M0372", "Tours", "musée des beaux-arts", "musée des beaux-arts", "0372"),
    ("M0452", "Orléans", "musée des beaux-arts", "musée des beaux-arts", "0452"),
    ("M0108", "Troyes", "musée Saint-Loup", "musée Saint-Loup", "0108"),
    ("M0514", "Reims", "musée Saint-Remi", "musée Saint-Remi", "0514"),
    ("M0802", "Amiens", "musée de Picardie", "musée de Picardie", "0802"),
    ("M0736", "Chambéry", "musée savoisien", "musée savoisien", "0736"),
    ("M0645", "Pau", "musée des beaux-arts", "musée des beaux-arts", "0645"),
    ("M0201", "Ajaccio", "palais Fesch - musée des beaux-arts", "palais Fesch", "0201"),
    ("M0764", "Le Havre", "musée d'art moderne André Malraux", "musée d'art moderne André Malraux", "0764"),
    ("M0144", "Honfleur", "musée Eugène Boudin", "musée Eugène Boudin", "0144"),
    ("M0682", "Mulhouse", "musée de l'impression sur étoffes", "musée de l'impression sur étoffes", "0682"),
    ("M0174", "La Rochelle", "musée du Nouveau Monde", "musée du Nouveau Monde", "0174"),
    ("M0283", "Chartres", "musée des beaux-arts", "musée des beaux-arts", "0283"),
)
M_ID, M_COM, M_NOMOFF, M_SHORT, M_CODE, M_EMAIL, M_LOCA, M_LOCA2 = range(8)
_MUSEUMS = tuple(
    (mid, com, nomoff, short, code, f"musee@ville-{_slug(city)}.fr", f"{city} ; {short}",
     f"France ; {com[C_OLDREG]} ; {com[C_DPTNAME]}")
    for mid, city, nomoff, short, code in _MUSEUM_ROWS
    for com in (_COMMUNE_BY_NAME[city],)
)

# --- shared vocabularies ------------------------------------------------------------------------------------
_DEDICATIONS = (
    "Saint-Martin", "Saint-Pierre", "Notre-Dame", "Saint-Étienne", "Saint-Jean-Baptiste", "Saint-Avit",
    "Saint-Germain", "Sainte-Madeleine", "Saint-Michel", "Saint-Nicolas", "Saint-Laurent", "Saint-Maurice",
    "Saint-Sulpice", "Sainte-Croix", "Saint-Rémi", "Saint-Vincent", "Saint-Denis", "Saint-Hilaire",
    "Saint-Sauveur", "Saint-Barthélemy", "Notre-Dame-de-l'Assomption", "Saint-Éloi", "Sainte-Anne",
)
_EMPL = ("chœur", "nef", "sacristie", "chapelle nord", "chapelle sud", "tribune", "bas-côté nord", "transept sud",
         "clocher", "crypte", "mur ouest", "baie 3", "maître-autel")
_COPY_MH = ("© Monuments historiques", "© Ministère de la Culture (France), Médiathèque du patrimoine et de la photographie",
            "(c) Monuments historiques", "© Ministère de la culture et de la communication")
_COPY_INV = ("© Inventaire général, ADAGP", "(c) Inventaire général", "© Région {reg}, Inventaire général",
             "© Région {reg} - Inventaire général", "© Région {reg}, Inventaire général du patrimoine culturel")
_FLAGS = ("CONTACT_EMPTY", "LEG_EMPTY", "COPY_EMPTY", "TICO_EMPTY", "DOSS_EMPTY", "ETUD_EMPTY",
          "LBASE_INVALID", "INSEE_DEPARTEMENT_NOT_MATCHING", "POP_COORDONNEES_NOT_IN_FRANCE", "REFIM_INVALID")
_EDITORS = (("Dupont", "Marie"), ("Lemaire", "Sophie"), ("Garcia", "Thomas"), ("Nguyen", "Claire"),
            ("Moreau", "Julien"), ("Bertrand", "Élodie"), ("Roussel", "Antoine"), ("Petit", "Camille"))

# Description sentences; {deno} is the object's name.
_DESC_OBJECT = (
    "Décor d'entrelacs et de rinceaux sur toute la surface.",
    "L'objet est très usé ; manques importants sur les bords.",
    "Patine brune homogène, quelques traces de dorure.",
    "Décor végétal stylisé : feuilles d'acanthe aux angles et frise d'oves.",
    "Restauré anciennement ; les parties refaites sont visibles au revers.",
    "La pièce est complète ; une fente verticale traverse le revers.",
    "Composition symétrique, centrée sur un médaillon ovale.",
    "Le revers porte une étiquette ancienne, à demi effacée.",
    "Armoiries martelées à la Révolution au centre du décor.",
    "Exécution soignée ; les détails sont finement ciselés.",
)
_DESC_FIGURE = (
    "Personnage debout, en appui sur la jambe droite, le bras gauche replié sur la poitrine.",
    "La Vierge tient l'Enfant sur son bras gauche ; l'Enfant bénit de la main droite.",
    "Traces de polychromie ancienne sur la face principale.",
    "Dos évidé ; la base porte la signature du sculpteur.",
    "Drapé aux plis profonds ; le visage, aux yeux mi-clos, est légèrement tourné vers la droite.",
    "Quelques éclats au nez et aux doigts de la main droite.",
    "Deux anges adorateurs encadrent la scène centrale.",
)
_DESC_GRAPHIC = (
    "Feuille collée en plein sur un carton ancien.",
    "Rousseurs et petites déchirures sur les bords.",
    "Mise au carreau à la pierre noire.",
    "Tirage contrecollé sur carton, marge inférieure portant un titre manuscrit.",
    "Épreuve avant la lettre, belles marges.",
    "Filigrane : écu couronné aux trois fleurs de lys.",
    "Scène animée de nombreux personnages sur fond de paysage architecturé.",
)
_DESC_PAINTING = (
    "Personnage en buste, de trois quarts vers la gauche, sur fond sombre.",
    "Au premier plan, un chemin bordé d'arbres mène vers un village ; au fond, des collines sous un ciel nuageux.",
    "La scène se déroule dans un intérieur éclairé par une fenêtre à gauche.",
    "Couleurs vives ; touche large et rapide.",
    "Cadre en bois doré d'époque, à décor de feuilles d'acanthe.",
    "Vernis jauni ; quelques soulèvements de la couche picturale.",
    "Ciel orageux occupant les deux tiers de la composition.",
    "Sur une table drapée de blanc, un plat d'étain, des pêches et une carafe.",
    "La lumière vient de la droite et éclaire vivement le visage du modèle.",
)
_DESC_BUILDING = (
    "Nef unique de quatre travées, voûtée en berceau brisé, prolongée par un chœur à chevet plat.",
    "Édifice en moellons de calcaire enduits, chaînes d'angle en pierre de taille.",
    "Toit à longs pans couvert d'ardoise ; croupe sur le chœur.",
    "Le portail occidental, en arc brisé, est surmonté d'une rose.",
    "Logis rectangulaire flanqué de deux tours rondes ; escalier en vis hors-œuvre.",
    "Façade ordonnancée de sept travées, avant-corps central à fronton triangulaire.",
    "Charpente apparente en carène renversée, entraits sculptés d'engoulants.",
    "Clocher-porche carré à deux étages, couronné d'une flèche polygonale.",
    "Bâtiment en brique et pierre, sur un étage de soubassement, un étage carré et un étage de comble.",
    "Ateliers en rez-de-chaussée couverts de sheds ; cheminée d'usine en brique.",
)
_HIST_BUILDING = {
    "religious": (
        "Église construite au {c} siècle à l'emplacement d'un premier sanctuaire roman.",
        "Le chœur est reconstruit en {y} ; la nef est voûtée au siècle suivant.",
        "Restauration en {y2} sous la direction de l'architecte en chef des monuments historiques.",
        "Édifice endommagé pendant les guerres de Religion, puis restauré au 17e siècle.",
        "Vendu comme bien national à la Révolution, l'édifice devient une grange avant d'être racheté par la commune.",
        "Les parties les plus anciennes datent du {c} siècle ; agrandissements successifs jusqu'en {y2}.",
    ),
    "civil": (
        "Bâti vers {y} pour la famille de {fam}, remanié au siècle suivant.",
        "Les parties les plus anciennes datent du {c} siècle ; agrandissements successifs jusqu'en {y2}.",
        "Restauration en {y2} sous la direction de l'architecte en chef des monuments historiques.",
        "Vendu comme bien national à la Révolution, puis partagé entre plusieurs propriétaires.",
        "Une date portée, {y}, sur le linteau de la porte d'entrée.",
    ),
    "military": (
        "Fortification élevée au {c} siècle, renforcée en {y} pour résister à l'artillerie.",
        "Déclassée en {y2}, l'enceinte est en partie démantelée pour ouvrir des boulevards.",
        "Restauration en {y2} sous la direction de l'architecte en chef des monuments historiques.",
    ),
    "industrial": (
        "Usine fondée en {y2} ; la production cesse en 1975 et les bâtiments sont reconvertis en logements.",
        "Moulin mentionné dès {y} ; transformé en minoterie au 19e siècle.",
        "Agrandissement des ateliers en {y2} ; construction d'une cheminée en brique.",
    ),
    "archaeology": (
        "Site signalé dès le 19e siècle par les érudits locaux.",
        "Une campagne de fouilles menée en {y2} a mis au jour les fondations d'un édifice antérieur.",
        "Mobilier archéologique déposé au musée le plus proche.",
    ),
}
_FAMILIES = ("La Trémoille", "Rohan", "Polignac", "Montmorency", "Choiseul", "Vogüé", "Noailles", "Harcourt",
             "Clermont-Tonnerre", "La Rochefoucauld", "Bourbon-Busset", "Coëtlogon")


def _sentences(rnd, pool, n_min: int, n_max: int, sep: str = " ") -> str:
    """n_min to n_max distinct sentences of `pool`, in the pool's order from a random one."""
    size = len(pool)
    n = min(n_min + int(rnd() * (n_max - n_min + 1)), size)
    k = int(rnd() * size)
    return sep.join([pool[(k + i) % size] for i in range(n)])


def _historique(rnd, dmaj: str) -> list[dict[str, str]]:
    nom, prenom = _pick(rnd, _EDITORS)
    email = f"{_slug(prenom)}.{_slug(nom)}@culture.gouv.fr"
    return [{"nom": nom, "prenom": prenom, "email": email, "date": f"{dmaj}T10:{int(rnd() * 60):02d}:00.000Z",
             "updatedAt": f"{dmaj}T10:{int(rnd() * 60):02d}:00.000Z"}]


# --- Joconde ------------------------------------------------------------------------------------------------
_J_DOMAINS = (
    # (DOMN, REF prefix, denominations, materials/techniques, centuries (lo, hi), kind)
    (("peinture",), "000PE", (("tableau",),), (("huile sur toile",), ("huile sur bois",), ("tempera sur bois", "feuille d'or"),
     ("huile sur carton",), ("huile sur toile", "marouflé")), (15, 20), "painting"),
    (("peinture",), "000PE", (("tableau",), ("esquisse",)), (("huile sur toile",),), (16, 20), "painting"),
    (("dessin",), "000DE", (("dessin",), ("étude",)), (("plume", "encre brune", "lavis"), ("sanguine",),
     ("pierre noire", "rehauts de blanc"), ("aquarelle",), ("fusain",)), (16, 20), "graphic"),
    (("sculpture",), "000SC", (("statue",), ("buste",), ("statuette",), ("bas-relief",)), (("marbre", "taillé"),
     ("bronze", "fonte à cire perdue"), ("terre cuite", "modelé"), ("plâtre", "moulé"), ("bois", "polychromie")), (12, 20), "sculpture"),
    (("archéologie", "gallo-romain"), "000AR", (("amphore",), ("fibule",), ("lampe à huile",), ("stèle funéraire",), ("chapiteau",)),
     (("terre cuite", "tourné"), ("bronze", "coulé"), ("calcaire", "taillé"), ("molasse", "taillé")), (1, 4), "archaeology"),
    (("archéologie", "médiéval", "sculpture"), "000AR", (("chapiteau",), ("modillon",), ("clef de voûte",)),
     (("molasse", "taillé"), ("calcaire", "sculpté")), (11, 14), "archaeology"),
    (("objet d'art", "céramique"), "000OA", (("assiette",), ("plat",), ("vase",), ("pichet",)),
     (("faïence", "décor peint"), ("porcelaine dure", "décor polychrome"), ("grès", "glaçure")), (16, 19), "object"),
    (("objet d'art", "mobilier"), "000OA", (("commode",), ("fauteuil",), ("pendule",), ("coffre",)),
     (("bois de placage", "bronze doré"), ("chêne", "sculpté"), ("noyer", "tourné")), (16, 19), "object"),
    (("orfèvrerie",), "000OA", (("calice",), ("ciboire",), ("aiguière",), ("écuelle",)),
     (("argent", "ciselé"), ("vermeil", "repoussé")), (15, 19), "object"),
    (("ethnologie",), "000ET", (("coiffe",), ("sabot",), ("costume",), ("outil agricole",)),
     (("coton", "dentelle"), ("bois", "sculpté"), ("lin", "brodé")), (18, 20), "object"),
    (("photographie",), "000PH", (("épreuve photographique",),), (("tirage sur papier albuminé",), ("daguerréotype",),
     ("gélatino-bromure d'argent",)), (19, 20), "graphic"),
    (("estampe",), "000ES", (("estampe",),), (("eau-forte",), ("burin",), ("lithographie",)), (16, 20), "graphic"),
    (("numismatique",), "000NU", (("monnaie",), ("médaille",)), (("argent", "frappé"), ("bronze", "fondu")), (1, 19), "object"),
)
# Materials that go with a given object (otherwise the domain's list applies).
_J_DENO_TECH = {
    "sabot": (("bois", "creusé"), ("noyer", "sculpté")), "coiffe": (("coton", "dentelle"), ("lin", "brodé")),
    "costume": (("lin", "brodé"), ("laine", "tissé")), "outil agricole": (("bois", "fer forgé"),),
    "fauteuil": (("hêtre", "sculpté", "garni"),), "pendule": (("bronze doré", "ciselé"), ("marbre", "bronze doré")),
    "coffre": (("chêne", "sculpté"),), "fibule": (("bronze", "coulé"),), "amphore": (("terre cuite", "tourné"),),
    "lampe à huile": (("terre cuite", "moulé"),), "stèle funéraire": (("calcaire", "taillé"), ("grès", "taillé")),
    "monnaie": (("argent", "frappé"), ("bronze", "frappé")), "médaille": (("bronze", "fondu"), ("argent", "frappé")),
}
_J_TITLES = (
    "Portrait de femme", "Portrait d'homme", "Portrait de jeune fille", "Autoportrait", "Paysage",
    "Paysage avec ruines", "Vue de {com}", "Bords {river}", "Nature morte aux fruits", "Nature morte au gibier",
    "Bouquet de fleurs", "La Vierge à l'Enfant", "Sainte Famille", "Adoration des bergers", "Déposition de croix",
    "Saint Jérôme pénitent", "Scène de taverne", "Marine", "Tempête en mer", "Le Repos de Diane",
    "Jeune femme lisant", "Bataille de cavalerie", "Intérieur d'église", "Le Port de {com}", "Marché à {com}",
    "Étude de mains", "Tête de vieillard", "Vue du château de {com}",
)
_J_REPR = (("portrait", "femme"), ("paysage", "arbre", "rivière"), ("nature morte", "fruit"), ("Vierge à l'Enfant",),
           ("scène biblique",), ("ornement à forme végétale",), ("figure (saint)",), ("animal", "chien"),
           ("marine", "bateau"), ("scène de genre", "intérieur"), ("vue d'architecture", "église"))
_J_HIST = (
    "Acquis en {y} auprès de la galerie {name}, Paris.", "Don de M. {name} en {y}.", "Legs de Mme {name}, {y}.",
    "Découvert en {y} lors de fouilles à {com}.", "Dépôt de l'Etat (Fonds national d'art contemporain) en {y}.",
    "Acheté en vente publique à Drouot en {y}.", "Ancienne collection {name} ; entré au musée en {y}.",
    "Trouvé en {y} lors de travaux de voirie, rue {name}.",
)
_J_STAT = (("propriété de la commune", "achat"), ("propriété de la commune", "don manuel"),
           ("propriété de la commune", "legs"), ("propriété de l'Etat", "dépôt"), ("propriété de l'Etat", "dation"),
           ("propriété de la commune", "achat", "vente publique"), ("propriété du département", "achat"))
_J_INSC = (("signature", "date"), ("inscription",), ("monogramme",), ("marque", "poinçon"), ("cachet",))
_J_EPOQ = {"archaeology": (("gallo-romain",), ("moyen âge",), ("âge du bronze",), ("âge du fer",))}
_J_ECOL = (("France",), ("France",), ("France",), ("Flandres",), ("Italie",), ("Pays-Bas",))
_COPY_J = "© {short} de {city}, {y}, © Direction des musées de France"


def _joconde(rnd, index: int, base: Base) -> dict[str, Any]:
    domn, dprefix, denos, techs, (c0, c1), kind = _pick(rnd, _J_DOMAINS)
    mus = _pick(rnd, _MUSEUMS)
    com = mus[M_COM]
    if index < 1_000_000:
        ref = f"{dprefix if rnd() < 0.7 else '0' + mus[M_CODE]}{index:06d}"
    else:
        ref = f"9{index:010d}"
    c = c0 + int(rnd() * (c1 - c0 + 1))
    year = _century_year(rnd, c)
    deno = _pick(rnd, denos)
    dmis, dmaj = _dmis_dmaj(rnd)
    city = com[C_NAME]
    inv_n = 1 + int(rnd() * 9000)
    inv = f"{1850 + int(rnd() * 170)}.{inv_n}.{1 + int(rnd() * 9)}" if rnd() < 0.6 else f"{_pick(rnd, ('AR.', 'D.', 'Inv.', 'MBA'))} {inv_n}"
    d: dict[str, Any] = {
        "REF": ref,
        "PRODUCTEUR": "MNR" if rnd() < 0.02 else "MUSEE",
        "BASE": base.label,
        "DOMN": list(domn),
        "DENO": list(deno),
        "TECH": list(_pick(rnd, _J_DENO_TECH.get(deno[0], techs))),
        "INV": inv,
        "LOCA": mus[M_LOCA],
        "LOCA2": mus[M_LOCA2],
        "MUSEO": mus[M_ID],
        "NOMOFF": mus[M_NOMOFF],
        "VILLE_M": city,
        "DPT": com[C_DPTNAME],
        "REGION": com[C_REG],
        "CONTACT": mus[M_EMAIL],
        "COPY": _COPY_J.format(short=mus[M_SHORT], city=city, y=1995 + int(rnd() * 28)),
        "LABEL": "Musée de France#au sens de la loi n°2002-5 du 4 janvier 2002",
        "STAT": list(_pick(rnd, _J_STAT)),
        "DACQ": str(1850 + int(rnd() * 170)),
        "DMIS": dmis,
        "DMAJ": dmaj,
        "DIFFU": "oui" if rnd() < 0.8 else "non",
    }
    if kind == "painting" or kind == "graphic":
        d["TITR"] = _pick(rnd, _J_TITLES).format(com=_pick(rnd, _COMMUNES)[C_NAME], river=_pick(rnd, _RIVERS))
        d["DIMS"] = (f"H. {_num(rnd, 12, 250)} ; L. {_num(rnd, 10, 300)}" if kind == "painting"
                     else f"H. {_num(rnd, 8, 60)} ; L. {_num(rnd, 6, 45)}")
        d["ECOL"] = list(_pick(rnd, _J_ECOL))
        d["DESC"] = _sentences(rnd, _DESC_PAINTING if kind == "painting" else _DESC_GRAPHIC, 1, 3)
        d["REPR"] = list(_pick(rnd, _J_REPR))
    else:
        d["TICO"] = deno[0]
        d["DIMS"] = (f"H. {_num(rnd, 2, 180)} ; L. {_num(rnd, 2, 120)} ; P. {_num(rnd, 1, 80)}" if rnd() < 0.6
                     else f"H. {_num(rnd, 5, 60)} , LA. {_num(rnd, 5, 40)} (à la base) ; P. {_num(rnd, 5, 40)}")
        d["DESC"] = f"{deno[0].capitalize()} en {d['TECH'][0]}. " + _sentences(
            rnd, _DESC_FIGURE if kind == "sculpture" else _DESC_OBJECT, 1, 3)
        if rnd() < 0.4:
            d["REPR"] = ["ornement à forme végétale"] if rnd() < 0.5 else list(_pick(rnd, _J_REPR))
    if kind == "archaeology":
        d["EPOQ"] = list(_pick(rnd, _J_EPOQ["archaeology"]))
        d["DECV"] = f"France ; {com[C_DPTNAME]} ; {city} (Lieu de découverte) ; {_pick(rnd, ('découverte fortuite', 'fouille', 'prospection'))}"
        d["ETAT"] = _pick(rnd, ("Mauvais état; Manque : pointes des feuilles d'acanthe.", "Bon état.", "Lacunaire ; recollé.", "Très usé."))
    else:
        d["PERI"] = [_siecle(rnd, c, 0.3)]
        if rnd() < 0.5:
            d["MILL"] = [str(year)]
        if rnd() < 0.75:
            sur, first, role = _pick(rnd, _ARTISTS)
            d["AUTR"] = [f"{sur.upper()} {first}" if rnd() < 0.5 else f"{sur} {first} ({role})"]
            if rnd() < 0.2:
                d["PAUT"] = _pick(rnd, ("attribué à", "d'après", "atelier de", "entourage de", "suiveur de"))
    if rnd() < 0.35:
        d["HIST"] = _pick(rnd, _J_HIST).format(y=1850 + int(rnd() * 170), name=_pick(rnd, _SURNAMES), com=city)
        if rnd() < 0.3:
            d["HIST"] += "#" + _pick(rnd, _J_HIST).format(y=1850 + int(rnd() * 170), name=_pick(rnd, _SURNAMES), com=city)
    if rnd() < 0.3:
        d["INSC"] = list(_pick(rnd, _J_INSC))
        d["PINS"] = _pick(rnd, ("Signé et daté en bas à droite", "Numéro d'inventaire 135 en chiffres arabes, sur la face avant",
                               "Inscription au revers : 'donné par M. le curé'", "Monogramme au centre du revers"))
    if rnd() < 0.3:
        d["BIBL"] = f"Catalogue des collections du {mus[M_SHORT]} de {city}, {1900 + int(rnd() * 120)}, n° {1 + int(rnd() * 400)}"
    if rnd() < 0.15:
        d["EXPO"] = f"{1950 + int(rnd() * 72)}, {_pick(rnd, _COMMUNES)[C_NAME]}, {_pick(rnd, ('musée des beaux-arts', 'galerie nationale', 'Grand Palais'))}"
    if rnd() < 0.5:
        d["COOR"] = f"{_pick(rnd, _FIRSTNAMES)} {_pick(rnd, _SURNAMES)}"
    if rnd() < 0.78:
        slug = f"{inv_n:05d}{_slug(deno[0])[:4]}"
        d["CONTIENT_IMAGE"] = "oui"
        d["IMAGE"] = "oui"
        d["IMG"] = [f"joconde/{ref}/{slug}.jpg"]
        d["VIDEO"] = [f"/arc/{1 + int(rnd() * 40):04d}/m{mus[M_CODE]}01_{slug}_p.jpg"]
        d["REFIM"] = f"M{mus[M_CODE]}01_{slug.upper()}_P.JPG,DS1,,M{mus[M_CODE]}_{slug.upper()}_P.jpg"
        d["PHOT"] = _pick(rnd, ("© Nicolas Porte", "© RMN-Grand Palais", f"© {mus[M_SHORT]} de {city}", "© Studio Basset"))
    else:
        d["CONTIENT_IMAGE"] = "non"
    if rnd() < 0.1:
        d["WWW"] = [f"https://www.{_slug(city)}.fr/musees"]
    _geo(rnd, d, com, 0.9)
    return d


# --- Mérimée ------------------------------------------------------------------------------------------------
_M_BUILDINGS = (
    # (DENO, title template, kind, centuries (lo, hi), DOMN)
    (("église",), "Église {ded}", "religious", (11, 19), "architecture religieuse"),
    (("église paroissiale",), "Église paroissiale {ded}", "religious", (11, 19), "architecture religieuse"),
    (("chapelle",), "Chapelle {ded}", "religious", (12, 19), "architecture religieuse"),
    (("cathédrale",), "Cathédrale {ded}", "religious", (12, 16), "architecture religieuse"),
    (("abbaye",), "Ancienne abbaye {ded}", "religious", (11, 18), "architecture religieuse"),
    (("prieuré",), "Prieuré {ded}", "religious", (11, 17), "architecture religieuse"),
    (("croix de chemin",), "Croix de chemin", "religious", (15, 19), "architecture religieuse"),
    (("calvaire",), "Calvaire", "religious", (16, 19), "architecture religieuse"),
    (("château",), "Château de {com}", "civil", (13, 19), "architecture civile"),
    (("maison",), "Maison dite {maison}", "civil", (15, 19), "architecture domestique"),
    (("hôtel",), "Hôtel de {fam}", "civil", (16, 18), "architecture domestique"),
    (("manoir",), "Manoir de {lieu}", "civil", (15, 17), "architecture domestique"),
    (("ferme",), "Ferme de {lieu}", "civil", (17, 19), "architecture rurale"),
    (("moulin à eau",), "Moulin de {lieu}", "industrial", (16, 19), "architecture industrielle"),
    (("pont",), "Pont sur la rivière", "civil", (12, 19), "génie civil"),
    (("lavoir",), "Lavoir", "civil", (19, 19), "architecture publique"),
    (("halle",), "Halle", "civil", (15, 19), "architecture commerciale"),
    (("hôtel de ville",), "Hôtel de ville", "civil", (16, 20), "architecture publique"),
    (("enceinte",), "Enceinte urbaine", "military", (12, 17), "architecture militaire"),
    (("fort",), "Fort de {lieu}", "military", (17, 19), "architecture militaire"),
    (("usine",), "Usine de {usine}", "industrial", (19, 20), "architecture industrielle"),
    (("filature",), "Filature {fam}", "industrial", (19, 20), "architecture industrielle"),
    (("dolmen",), "Dolmen de {lieu}", "archaeology", (1, 1), "site archéologique"),
    (("villa",), "Villa gallo-romaine", "archaeology", (1, 4), "site archéologique"),
    (("immeuble",), "Immeuble", "civil", (20, 20), "architecture domestique"),
)
_M_MAISONS = ("du Bailli", "des Templiers", "de la Reine Blanche", "du Prévôt", "à pans de bois", "des Consuls", "du Chapitre")
_M_USINES = ("chaussures", "porcelaine", "textile", "construction mécanique", "papier", "meubles", "tuiles et briques")
_M_MURS = (("calcaire", "pierre de taille"), ("calcaire", "moellon", "enduit"), ("brique",), ("granite", "moellon"),
           ("grès", "pierre de taille"), ("pan de bois", "torchis"), ("béton armé",), ("schiste", "moellon"))
_M_TOIT = (("ardoise",), ("tuile plate",), ("tuile creuse",), ("tuile mécanique",), ("chaume",), ("zinc",), ("lave",))
_M_STAT = ("propriété de la commune", "propriété privée", "propriété de l'Etat", "propriété d'une association",
           "propriété du département", "propriété d'une société privée")
_M_PROT = ("inscrit MH", "classé MH", "classé MH partiellement", "inscrit MH partiellement")
_M_PROT_VERB = {"inscrit MH": "inscription", "classé MH": "classement", "classé MH partiellement": "classement",
                "inscrit MH partiellement": "inscription"}
_M_ETAT = (("restauré",), ("désaffecté",), ("bon état",), ("menacé",), ("mauvais état",), ("vestiges",))
_M_ETUD = {"Monuments Historiques": (("recensement immeubles MH",),),
           "Inventaire": (("inventaire topographique",), ("patrimoine industriel",), ("inventaire préliminaire",)),
           "Architecture": (("label Architecture contemporaine remarquable",),)}


def _merimee(rnd, index: int, base: Base) -> dict[str, Any]:
    x = rnd()
    producer = "Monuments Historiques" if x < 0.6 else "Inventaire" if x < 0.95 else "Architecture"
    deno, title, kind, (c0, c1), domn = _pick(rnd, _M_BUILDINGS)
    if producer == "Architecture":
        deno, title, kind, (c0, c1), domn = (("immeuble",), "Immeuble", "civil", (20, 20), "architecture domestique")
    com = _pick(rnd, _COMMUNES)
    dpt = com[C_DPT]
    letters = {"Monuments Historiques": "PA", "Inventaire": "IA", "Architecture": "EA"}[producer]
    ref = f"{letters}{dpt}{index:06d}" if index < 1_000_000 else f"{letters}Z{index:07d}"
    c = c0 + int(rnd() * (c1 - c0 + 1))
    c2 = min(c + 1 + int(rnd() * 2), 21)
    y = _century_year(rnd, c)
    ded = _pick(rnd, _DEDICATIONS)
    lieu = _pick(rnd, _LIEUX_DITS)
    fam = _pick(rnd, _FAMILIES)
    tico = title.format(ded=ded, com=com[C_NAME], lieu=lieu, fam=fam, maison=_pick(rnd, _M_MAISONS), usine=_pick(rnd, _M_USINES))
    dmis, dmaj = _dmis_dmaj(rnd)
    street = f"{1 + int(rnd() * 60)} {_pick(rnd, _STREETS)}" if rnd() < 0.6 else _pick(rnd, ("Dans le cimetière", "Le Bourg", "Place de l'Église", lieu))
    two = rnd() < 0.4
    d: dict[str, Any] = {
        "REF": ref,
        "PRODUCTEUR": producer,
        "BASE": base.label,
        "TICO": tico,
        "DENO": list(deno),
        **_location(com, dpt),
        "ADRS": street,
        "WADRS": street,
        "PLOC": f"Anciennement région de : {com[C_OLDREG]}",
        "SCLE": [_SIECLE[c], _SIECLE[c2]] if two else [_siecle(rnd, c, 0.3)],
        "SCLX": [_SIECLX[c], _SIECLX[c2]] if two else [_SIECLX[c]],
        "POP_DATE": [(c - 1) * 100, c2 * 100 if two else c * 100],
        "STAT": _pick(rnd, _M_STAT),
        "MURS": list(_pick(rnd, _M_MURS)),
        "TOIT": list(_pick(rnd, _M_TOIT)),
        "ETUD": list(_pick(rnd, _M_ETUD[producer])),
        "HIST": _sentences(rnd, _HIST_BUILDING[kind], 1, 3).format(
            c=_ordinal(c), y=y, y2=min(y + 100 + int(rnd() * 150), 2020), fam=fam),
        "DMIS": dmis,
        "DMAJ": dmaj,
        "CONTACT": "mediatheque.patrimoine@culture.gouv.fr" if producer != "Inventaire" else f"inventaire@{_slug(com[C_REG])}.fr",
        "CONTIENT_IMAGE": "non",
    }
    if deno == ("dolmen",):
        d["SCLE"], d["SCLX"], d["POP_DATE"] = ["Néolithique"], [], [-3500, -2500]
    if kind == "religious" and "{ded}" in title:
        d["VOCA"] = ded
    if rnd() < 0.5:
        d["DESC"] = _sentences(rnd, _DESC_BUILDING, 1, 3)
    if rnd() < 0.35:
        sur, first, role = _pick(rnd, _ARCHITECTS)
        d["AUTR"] = [f"{sur} {first} ({role})"]
        if rnd() < 0.5:
            d["JATT"] = [_pick(rnd, ("attribution par source", "attribution par travaux historiques", "signature"))]
    if rnd() < 0.4:
        d["DATE"] = [str(y)] if rnd() < 0.6 else [str(y), str(y + 10 + int(rnd() * 80))]
    if producer == "Monuments Historiques":
        prot = _pick(rnd, _M_PROT)
        long_date = _long_date(rnd, 1840, 2022)
        day, month, pyear = long_date.split(" ")
        cada = f"{_pick(rnd, ('A', 'AB', 'AC', 'B', 'C', 'D', 'ZK'))} {1 + int(rnd() * 400)}"
        d["PROT"] = [prot]
        d["DPRO"] = f"{pyear}/{_MONTHS.index(month) + 1:02d}/{1 if day == '1er' else int(day):02d} : {prot}"
        d["PPRO"] = f"{tico} (cad. {cada}) : {_M_PROT_VERB[prot]} par arrêté du {long_date}"
        d["APRO"] = ["arrêté"] if int(pyear) > 1862 else ["liste 1840"]
        d["CADA"] = [cada]
        d["DOSS"] = "Dossier de protection"
        d["DBOR"] = pyear
        d["IDAGR"] = f"I{10000 + int(rnd() * 90000)}"
        d["COPY"] = [f"{_pick(rnd, _COPY_MH)}, {pyear}"]
        if rnd() < 0.3:
            d["INTE"] = ["A signaler"]
    elif producer == "Inventaire":
        d["DOSS"] = _pick(rnd, ("dossier individuel", "dossier collectif", "dossier d'oeuvre architecture"))
        d["NOMS"] = [f"{_pick(rnd, _FIRSTNAMES)} {_pick(rnd, _SURNAMES)}"]
        d["AIRE"] = _pick(rnd, (f"{com[C_NAME]}", f"Pays de {com[C_NAME]}", "Vallée de la Loire", "Parc naturel régional"))
        d["DBOR"] = str(1975 + int(rnd() * 48))
        d["COPY"] = [f"{_pick(rnd, _COPY_INV).format(reg=com[C_REG])}, {d['DBOR']}"]
        d["IMPL"] = [_pick(rnd, ("en village", "en ville", "isolé", "en écart", "bord de rivière"))]
        d["DOSURLPDF"] = f"https://inventaire.{_slug(com[C_REG])}.fr/dossiers/{ref}.pdf"
    else:
        d["DLAB"] = _slash_date(rnd, 1999, 2022)
        d["COPY"] = ["© Ministère de la Culture, Architecture contemporaine remarquable"]
        d["SCLE"], d["SCLX"], d["POP_DATE"] = ["20e siècle"], ["20e s."], [1900, 2000]
    if rnd() < 0.2:
        d["ETAT"] = list(_pick(rnd, _M_ETAT))
    if rnd() < 0.35:
        mref = f"AP{int(rnd() * 100):02d}R{int(rnd() * 1_000_000):06d}"
        d["CONTIENT_IMAGE"] = "oui"
        d["MEMOIRE"] = [{"ref": mref, "url": f"memoire/{mref}/sap01_{mref.lower()}_p.jpg",
                         "copy": _pick(rnd, _COPY_MH), "name": tico}]
    d["POP_COORDINATES_POLYGON"] = {"type": "Polygon", "coordinates": []}
    _geo(rnd, d, com, 0.7)
    return d


# --- Palissy ------------------------------------------------------------------------------------------------
_P_OBJECTS = (
    # (DENO, TICO template, CATE, MATR choices, centuries (lo, hi), dims style)
    (("statue",), "statue : {saint}", ("sculpture",), (("bois", "taillé", "polychrome"), ("pierre", "taillé", "peint"), ("calcaire", "taillé")), (13, 19), "hd"),
    (("groupe sculpté",), "groupe sculpté : Vierge de Pitié", ("sculpture",), (("bois", "taillé", "polychrome"), ("calcaire", "taillé", "polychrome")), (14, 17), "hd"),
    (("tableau",), "tableau : {scene}", ("peinture",), (("toile", "peinture à l'huile"), ("bois", "peinture à l'huile")), (16, 19), "hla"),
    (("cloche",), "cloche", ("fonderie",), (("bronze", "fondu"),), (15, 19), "hd"),
    (("orgue de tribune",), "orgue de tribune", ("facture d'orgue", "menuiserie"), (("chêne", "taillé", "mouluré"),), (17, 19), "hlapr"),
    (("retable",), "retable du maître-autel", ("menuiserie", "sculpture"), (("bois", "taillé", "doré"), ("marbre", "taillé")), (16, 18), "hlapr"),
    (("calice", "patène"), "calice et patène", ("orfèvrerie",), (("argent", "repoussé", "ciselé", "doré"), ("vermeil", "ciselé")), (16, 19), "hd"),
    (("verrière",), "verrière : {scene} (baie {baie})", ("vitrail",), (("verre transparent", "grisaille", "jaune d'argent"), ("verre coloré dans la masse", "grisaille")), (13, 20), "hla"),
    (("chaire à prêcher",), "chaire à prêcher", ("menuiserie",), (("chêne", "taillé", "mouluré"),), (17, 19), "hlapr"),
    (("fonts baptismaux",), "fonts baptismaux", ("sculpture",), (("calcaire", "taillé"), ("granite", "taillé")), (12, 17), "hd"),
    (("bannière de procession",), "bannière de procession : {saint}", ("textile",), (("soie", "brodé", "fil d'or"),), (18, 19), "hla"),
    (("lutrin",), "lutrin", ("menuiserie", "sculpture"), (("bois", "taillé"), ("fer forgé",)), (17, 19), "hlapr"),
    (("stalle",), "ensemble de stalles", ("menuiserie",), (("chêne", "taillé"),), (15, 18), "hlapr"),
    (("bateau",), "bateau de pêche dit {bateau}", ("construction navale",), (("bois", "chêne"), ("acier",)), (19, 20), "lt"),
    (("manuscrit",), "manuscrit (3)", ("reliure",), (("papier",), ("parchemin",)), (18, 19), "hla"),
)
_P_SAINTS = ("Vierge à l'Enfant", "saint Jean-Baptiste", "saint Roch", "saint Sébastien", "sainte Anne et la Vierge",
             "saint Martin", "saint Michel terrassant le dragon", "sainte Barbe", "saint Éloi", "Christ en croix", "saint Yves")
_P_SCENES = ("Adoration des bergers", "Assomption", "Descente de croix", "Annonciation", "Arbre de Jessé",
             "Vie de saint Martin", "Remise du Rosaire", "Cène", "Baptême du Christ", "Pentecôte")
_P_BATEAUX = ("Notre-Dame-des-Flots", "Marie-Fernand", "Saint-Guénolé", "la Granvillaise", "Belle-Poule", "Reder Mor")
_P_PROT = ("classé au titre objet", "inscrit au titre objet")
_P_STAT = (("propriété de la commune",), ("propriété de l'Etat",), ("propriété privée",),
           ("propriété d'une association diocésaine",), ("propriété de la commune", "dépôt"))
_P_ETAT = (("bon état",), ("mauvais état",), ("restauré",), ("oeuvre volée",), ("manque",))
_P_INSC = (("inscription concernant le donateur", "date"), ("signature",), ("inscription",), ("armoiries",),
           ("inscription concernant le fondeur", "inscription concernant le parrain", "date"))
_P_DESC_FIRST = {  # by denomination
    "statue": "Statue en ronde-bosse, dos évidé.",
    "groupe sculpté": "Groupe en ronde-bosse ; la Vierge assise tient le corps du Christ sur ses genoux.",
    "tableau": "Peinture sur toile, cadre en bois doré mouluré.",
    "cloche": "Cloche à décor de frises de fleurs de lys ; inscription sur quatre lignes sur le cerveau.",
    "orgue de tribune": "Buffet à trois tourelles ; positif de dos ; console en fenêtre.",
    "retable": "Retable architecturé à colonnes torses, niche centrale encadrée de deux ailes.",
    "calice": "Coupe lisse, fausse coupe ajourée, nœud en forme de vase, pied à six lobes.",
    "verrière": "Vitrail à personnages, en trois lancettes et un tympan.",
    "chaire à prêcher": "Cuve octogonale à panneaux sculptés des quatre évangélistes ; abat-voix à lambrequins.",
    "fonts baptismaux": "Cuve baptismale octogonale sur pied, couvercle en bois.",
    "bannière de procession": "Bannière en soie peinte, bordure brodée au fil d'or ; franges.",
    "lutrin": "Lutrin à pupitre tournant, surmonté d'un aigle aux ailes déployées.",
    "stalle": "Ensemble de douze stalles hautes ; miséricordes sculptées de figures grotesques.",
    "bateau": "Coque à clin en chêne, pont ponté ; gréement de cotre restitué.",
    "manuscrit": "Ensemble de trois manuscrits.",
}
_P_DESC = (
    "Polychromie d'origine en partie conservée, reprise au 19e siècle.",
    "Décor de rinceaux, de guirlandes de fruits et de têtes d'angelots.",
    "Restauration ancienne visible au revers.", "Nombreux repeints ; dorure usée.",
    "Ensemble homogène, d'une belle qualité d'exécution.", "Quelques éléments rapportés au 19e siècle.",
)
_P_HIST = (
    "Œuvre commandée en {y} par la fabrique de la paroisse.", "Offert par la famille {fam} en {y}.",
    "Provient de l'ancienne abbaye voisine, vendue comme bien national à la Révolution.",
    "Restauré en {y2} par l'atelier {name}.", "Déposé en {y2} lors de la restauration de l'édifice ; remonté en {y3}.",
    "Volé en {y2}, retrouvé en {y3} chez un antiquaire.",
)


def _palissy(rnd, index: int, base: Base) -> dict[str, Any]:
    x = rnd()
    producer = "Monuments Historiques" if x < 0.55 else "Inventaire" if x < 0.95 else "État"
    deno, tico, cate, matrs, (c0, c1), dims = _pick(rnd, _P_OBJECTS)
    com = _pick(rnd, _COMMUNES)
    dpt = com[C_DPT]
    letters = {"Monuments Historiques": "PM", "Inventaire": "IM", "État": "EM"}[producer]
    if index >= 1_000_000:
        ref = f"{letters}Z{index:07d}"
    elif producer == "État":
        ref = f"EM000{index:06d}"
    else:
        ref = f"{letters}{dpt}{index:06d}"
    c = c0 + int(rnd() * (c1 - c0 + 1))
    y = _century_year(rnd, c)
    tico = tico.format(saint=_pick(rnd, _P_SAINTS), scene=_pick(rnd, _P_SCENES), baie=1 + int(rnd() * 20),
                       bateau=_pick(rnd, _P_BATEAUX))
    dmis, dmaj = _dmis_dmaj(rnd)
    ded = _pick(rnd, _DEDICATIONS)
    edif = f"église {'paroissiale ' if rnd() < 0.3 else ''}{ded}"
    empl = _pick(rnd, _EMPL)
    if dims == "hd":
        dim = f"h = {_num(rnd, 10, 250)} ; d = {_num(rnd, 8, 150)}"
    elif dims == "hla":
        dim = f"h = {_num(rnd, 20, 400)} ; la = {_num(rnd, 15, 300)}"
    elif dims == "lt":
        dim = f"l = {_num(rnd, 600, 2500)} ; la = {_num(rnd, 200, 600)} ; jauge brute = {_num(rnd, 5, 60)} tonneaux"
    else:
        dim = f"h = {_num(rnd, 100, 900)} ; la = {_num(rnd, 80, 700)} ; pr = {_num(rnd, 30, 300)}"
    if rnd() < 0.1:  # an ensemble: several measures separated by POP's £
        dim += f"£{_pick(rnd, ('socle', 'dais', 'prédelle', 'couvercle'))} : h = {_num(rnd, 10, 80)} ; la = {_num(rnd, 10, 80)}"
    d: dict[str, Any] = {
        "REF": ref,
        "PRODUCTEUR": producer,
        "BASE": base.label,
        "TICO": tico,
        "DENO": list(deno),
        "CATE": list(cate),
        "MATR": list(_pick(rnd, matrs)),
        "DIMS": dim,
        "SCLE": [_siecle(rnd, c, 0.35)],
        "SCLX": [_SIECLX[c]],
        **_location(com, dpt),
        "EDIF": edif,
        "EMPL": empl,
        "LOCA": f"{com[C_REG]} ; {com[C_DPTNAME]} ; {com[C_NAME]} ; {edif}",
        "STAT": list(_pick(rnd, _P_STAT)),
        "DESC": ("£" if rnd() < 0.3 else " ").join((_P_DESC_FIRST[deno[0]], _sentences(rnd, _P_DESC, 1, 2))),
        "DMIS": dmis,
        "DMAJ": dmaj,
        "CONTACT": "mediatheque.patrimoine@culture.gouv.fr",
        "COPY": _pick(rnd, _COPY_MH) if producer != "Inventaire" else _pick(rnd, _COPY_INV).format(reg=com[C_REG]),
        "CONTIENT_IMAGE": "non",
    }
    if rnd() < 0.5:
        d["HIST"] = " ".join(_pick(rnd, _P_HIST).format(y=y, y2=y + 50 + int(rnd() * 150), y3=y + 210 + int(rnd() * 30),
                                                        fam=_pick(rnd, _FAMILIES), name=_pick(rnd, _SURNAMES))
                             for _ in range(1 + int(rnd() * 2)))
    if rnd() < 0.3:
        sur, first, role = _pick(rnd, _MAKERS)
        d["AUTR"] = [f"{sur} {first} ({role})"]
    if rnd() < 0.3:
        d["DATE"] = [str(y)]
        d["JDAT"] = [_pick(rnd, ("daté par source", "porte la date", "daté par inscription"))]
    if rnd() < 0.3:
        d["INSC"] = list(_pick(rnd, _P_INSC))
        d["PINS"] = (f"Inscription sur la cloche : L'AN {y} J'AI ETE BENITE PAR MRE {_pick(rnd, _SURNAMES).upper()} CURE DE CETTE PAROISSE"
                     if deno[0] == "cloche" else
                     _pick(rnd, ("Signé en bas à droite.", f"Daté {y} sur le socle.", "Armoiries de la famille donatrice au revers.")))
    if producer == "Inventaire":
        d["DOSS"] = [_pick(rnd, ("dossier individuel", "dossier collectif", "sous-dossier"))]
        d["ETUD"] = _pick(rnd, ("inventaire topographique", "patrimoine mobilier des églises", "inventaire préliminaire"))
        d["NOMS"] = [f"{_pick(rnd, _FIRSTNAMES)} {_pick(rnd, _SURNAMES)}"]
        d["DENQ"] = [str(1975 + int(rnd() * 48))]
    else:
        prot = _pick(rnd, _P_PROT)
        d["PROT"] = prot
        d["DPRO"] = f"{_slash_date(rnd, 1898, 2022)} : {prot}"
        d["DOSS"] = ["dossier individuel"]
        d["ETUD"] = "recensement des oeuvres appartenant à l'Etat" if producer == "État" else "recensement objets mobiliers"
        d["DBOR"] = [str(1990 + int(rnd() * 33))]
        if rnd() < 0.5:
            d["REFA"] = [f"PA{dpt}{int(rnd() * 1_000_000):06d}"]
    if rnd() < 0.25:
        d["ETAT"] = list(_pick(rnd, _P_ETAT))
        if rnd() < 0.5:
            d["PETA"] = _pick(rnd, ("Traces de moisissures au bas des feuillets.", "Vermoulure importante ; écaillage de la polychromie.",
                                   "Fêlure sur la panse.", "Plombs fatigués ; nombreuses casses."))
    if rnd() < 0.3:
        stem = f"{ref}_{1 + int(rnd() * 9):03d}"
        d["CONTIENT_IMAGE"] = "oui"
        d["VIDEO"] = [f"mem/{dpt}/{stem}.jpg", f"mem/{dpt}/{stem}-v.jpg"]
    if rnd() < 0.12:
        # An object in a private place: the real location goes in the masked fields, never published.
        priv = _pick(rnd, _COMMUNES)
        d["STAT"] = ["propriété privée"]
        d["ADRS2"] = f"{1 + int(rnd() * 40)} {_pick(rnd, _STREETS)}"
        d["COM2"] = [priv[C_NAME]]
        d["INSEE2"] = [priv[C_INSEE]]
        d["EDIF2"] = f"château de {_pick(rnd, _LIEUX_DITS)}"
        d["EMPL2"] = _pick(rnd, ("grand salon", "bibliothèque", "chapelle privée", "salle à manger"))
        d["LBASE2"] = f"PA{priv[C_DPT]}{int(rnd() * 1_000_000):06d}"
        del d["EDIF"], d["EMPL"]
        d["LOCA"] = f"{com[C_REG]} ; {com[C_DPTNAME]}"
    d["POP_COORDINATES_POLYGON"] = {"type": "Polygon", "coordinates": []}
    _geo(rnd, d, com, 0.55)
    return d


# --- Mémoire ------------------------------------------------------------------------------------------------
_MEM_SUBJECTS = (
    # (DOM, EDIF / object, LEG choices, MCL)
    (("architecture religieuse",), "église", ("Vue générale, depuis le sud-est.", "Façade occidentale.", "Intérieur : la nef vers le chœur.",
     "Portail : détail des voussures.", "Chevet."), ("église", "façade")),
    (("architecture civile",), "château", ("Vue d'ensemble prise du parc.", "Façade sur cour.", "Escalier d'honneur.",
     "Cheminée de la grande salle."), ("château", "escalier")),
    (("architecture militaire",), "enceinte", ("Tour d'angle.", "Porte de ville, côté extérieur.", "Courtine nord."), ("rempart", "tour")),
    (("archéologie",), "villa", ("Photographie aérienne du site.", "Vue des fouilles, secteur nord.", "Mosaïque en place."), ("fouille",)),
    (("objet mobilier",), "retable", ("Détail : panneau central.", "Vue d'ensemble.", "Revers."), ("sculpture", "retable")),
    (("vitrail",), "verrière", ("Baie 2 : registre inférieur.", "Détail : tête du Christ.", "Vue d'ensemble de la verrière."), ("vitrail",)),
    (("architecture industrielle",), "usine", ("Vue générale des ateliers.", "Cheminée.", "Machine à vapeur."), ("usine", "machine")),
)
_MEM_OBJECT_SUBJECTS = tuple(s for s in _MEM_SUBJECTS if s[1] in ("retable", "verrière"))
_MEM_IDPROD = {
    "MAP": "Médiathèque du patrimoine et de la photographie", "CAOA": "Conservation des antiquités et objets d'art {dpt}",
    "Inventaire": "Service régional de l'Inventaire {reg}", "UDAP": "UDAP {dpt}",
    "SAP": "Service régional d'Archéologie {old}", "AUTRE": "{photographer}",
}
_MEM_TECH = ("négatif sur verre gélatino-bromure", "négatif souple", "tirage sur papier albuminé", "tirage gélatino-argentique",
             "photographie numérique", "diapositive couleur")
_MEM_FORMAT = ("13 x 18 cm", "18 x 24 cm", "9 x 12 cm", "24 x 36 mm", "6 x 6 cm", "Z")
_MEM_COPY = {
    "MAP": "© Ministère de la Culture (France), Médiathèque du patrimoine et de la photographie, diffusion RMN-GP",
    "CAOA": "© Conservation des antiquités et objets d'art",
    "Inventaire": "© Région {reg}, Inventaire général du patrimoine culturel",
    "UDAP": "© UDAP {dpt}",
    "SAP": "© {photographer}",
    "AUTRE": "© {photographer}",
}
_MEM_SERIES = ("Fonds Mieusement", "Archives photographiques", "Fonds Durand", "Dossiers de protection",
               "Photographie aérienne", "Fonds Heuzé", "Fonds Enlart")


def _memoire(rnd, index: int, base: Base) -> dict[str, Any]:
    x = rnd()
    producer = ("MAP" if x < 0.45 else "Inventaire" if x < 0.75 else "CAOA" if x < 0.85 else "UDAP" if x < 0.92
                else "SAP" if x < 0.97 else "AUTRE")
    com = _pick(rnd, _COMMUNES)
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
    dom, edif, legs, mcl = _pick(rnd, _MEM_OBJECT_SUBJECTS if producer == "CAOA" else _MEM_SUBJECTS)
    photographer = _pick(rnd, _PHOTOGRAPHERS)
    dmis, dmaj = _dmis_dmaj(rnd)
    c = 11 + int(rnd() * 9)
    ded = _pick(rnd, _DEDICATIONS)
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
        "LEG": _pick(rnd, legs),
        "SCLE": [_SIECLE[c]] if rnd() < 0.7 else [""],
        "DATPV": str(year),
        "TECHN": _pick(rnd, _MEM_TECH),
        "FORMAT": _pick(rnd, _MEM_FORMAT),
        "TYPDOC": "phototype numérique" if year > 2000 else "phototype argentique",
        "COULEUR": "N&B" if year < 1970 or rnd() < 0.3 else "couleur",
        "COPY": _MEM_COPY[producer].format(reg=com[C_REG], dpt=com[C_DPTNAME], photographer=photographer.split(", ")[0]),
        "DIFF": _pick(rnd, ("oui", "reproduction soumise à autorisation du titulaire des droits d'exploitation")),
        "IDPROD": _MEM_IDPROD[producer].format(dpt=com[C_DPTNAME], reg=com[C_REG], old=com[C_OLDREG], photographer=photographer),
        "IMG": f"memoire/{ref}/{stem}_p.jpg",
        "VIDEO": f"mem/{int(rnd() * 1000):04d}/{stem}_p.jpg;mem/{int(rnd() * 1000):04d}/{stem}_v.jpg",
        "REFIM": f"{ref}_P.JPG,DS1,,",
        "NUMI": ref,
        "MCL": list(mcl),
        "DMIS": dmis,
        "DMAJ": dmaj,
    }
    if producer == "MAP":
        d["SERIE"] = [_pick(rnd, _MEM_SERIES)]
        d["NUMP"] = f"MH{int(rnd() * 10_000_000):07d}"
        d["LBASE"] = [f"PA{dpt}{int(rnd() * 1_000_000):06d}"]
    elif producer == "Inventaire":
        d["LBASE"] = [f"IA{dpt}{int(rnd() * 1_000_000):06d}"]
        d["AIRE"] = _pick(rnd, (com[C_NAME], f"canton de {com[C_NAME]}", "Vallée de la Loire"))
    elif producer == "CAOA":
        d["LBASE"] = [f"PM{dpt}{int(rnd() * 1_000_000):06d}"]
        d["OBJT"] = _pick(rnd, _P_SAINTS)
    elif producer == "SAP":
        d["CHRONO"] = _pick(rnd, ("Gallo-romain", "Néolithique", "Haut Moyen Âge", "Âge du Fer"))
        d["STRUCT"] = _pick(rnd, ("bâtiment", "enclos", "nécropole", "voie"))
        d["NUMSITE"] = f"{com[C_INSEE]}{int(rnd() * 1000):03d}"
        d["PRECOR"] = "photographie aérienne"
    if rnd() < 0.3:
        if rnd() < 0.6:
            # Mémoire's WADRS is multi-valued, and the real data often gives it as one string.
            street = f"{1 + int(rnd() * 60)} {_pick(rnd, _STREETS)}"
            d["ADRESSE"] = [street]
            d["WADRS"] = street if rnd() < 0.45 else [street]
        else:
            d["ADRESSE"] = [_pick(rnd, _LIEUX_DITS)]
    if rnd() < 0.2:
        sur, first, role = _pick(rnd, _MAKERS if edif in ("retable", "verrière") else _ARCHITECTS)
        d["AUTR"] = [f"{sur}, {first}"]
    if rnd() < 0.15:
        d["OBS"] = _pick(rnd, ("Cliché pris avant restauration.", "Négatif fêlé.", "Voir aussi le dossier de protection.",
                              "Cliché réalisé lors de la campagne de recensement."))
    return d


# --- MNR ----------------------------------------------------------------------------------------------------
_MNR_CATEGORIES = (
    # (REF letters, DOMN, DENO choices, TECH choices, AFFE, titles)
    ("MNR", ("peinture",), (("tableau",),), (("huile sur toile",), ("huile sur bois",), ("huile sur cuivre",)),
     "Paris ; musée du Louvre ; département des Peintures",
     ("Paysage avec rivière", "Portrait d'homme", "Nature morte aux fruits", "Scène de port", "Vue de Venise",
      "Portrait de femme au collier de perles", "Le Bénédicité", "Bergers et troupeau")),
    ("OAR", ("objet d'art",), (("commode",), ("pendule",), ("tapisserie",), ("paire de chenets",)), (("bois de placage", "bronze doré"),
     ("laine", "soie"), ("bronze doré", "ciselé")), "Paris ; musée du Louvre ; département des Objets d'art",
     ("Commode à décor de marqueterie", "Pendule au char d'Apollon", "Tapisserie : scène de chasse", "Paire de chenets")),
    ("RFR", ("sculpture",), (("statue",), ("buste",)), (("marbre",), ("bronze",), ("terre cuite",)),
     "Paris ; musée du Louvre ; département des Sculptures", ("Buste de jeune femme", "Vénus accroupie", "Saint Jean-Baptiste")),
    ("REC", ("dessin",), (("dessin",),), (("sanguine",), ("plume", "lavis")), "Paris ; musée du Louvre ; département des Arts graphiques",
     ("Étude de draperie", "Paysage au moulin", "Tête de jeune homme")),
    ("AEG", ("Antiquités égyptiennes ; sculpture",), (("Statuette",),), (("Pierre (Grauwacke noir : basalte) ; ronde-bosse",), ("bronze",)),
     "Paris ; musée du Louvre ; département des Antiquités égyptiennes", ("Statuette d'Isis allaitant Horus", "Statuette d'Osiris", "Chat de Bastet")),
    ("LUX", ("peinture",), (("tableau",),), (("huile sur toile",),), "Paris ; musée d'Orsay",
     ("Paysage de neige", "Bords de Seine", "Jeune fille au chapeau")),
)
_MNR_CATE = ("Oeuvre dont l'historique est incomplet entre 1933 et 1945, en l'état des recherches actuelles.",
             "Oeuvre ayant fait l'objet d'une spoliation.", "Oeuvre dont l'historique ne présente pas de spoliation avérée.",
             "Oeuvre dont l'historique entre 1933 et 1945 n'est pas connu.")
_MNR_HIST = (
    "D'après les recherches menées jusqu'à présent, l'historique de l'oeuvre, avant guerre, est inconnu.",
    "L'oeuvre a été achetée {price} francs, à Paris, par {buyer}, auprès du marchand {dealer}, le {date}.",
    "Conservée dans le Central Collecting Point de Munich depuis le {date2}, elle est rapatriée en France par le {convoi} convoi en provenance de Munich.",
    "Retenue lors de la commission de choix des oeuvres de la récupération artistique du {date3}, elle est attribuée aux musées nationaux en {y}.",
    "Le propriétaire est toujours \"inconnu\".",
    "Déposée au {museum} la même année.",
)
_MNR_BUYERS = ("Walter Bornheim", "Hildebrand Gurlitt", "Maria Almas-Dietrich", "Karl Haberstock", "Erhard Göpel")
_MNR_DEALERS = ("A. Garabed", "Raphaël Gérard", "Martin Fabiani", "Roberto Hoffman", "Jean-François Lefranc")
_MNR_CONVOIS = ("dix-huitième", "vingt-et-unième", "troisième", "quinzième", "vingt-huitième")


def _mnr(rnd, index: int, base: Base) -> dict[str, Any]:
    letters, domn, denos, techs, affe, titles = _pick(rnd, _MNR_CATEGORIES)
    n = index + 1
    ref = f"{letters}{n:05d}"
    mus = _pick(rnd, _MUSEUMS)
    dmis, dmaj = _dmis_dmaj(rnd)
    c = 15 + int(rnd() * 5) if letters != "AEG" else 1
    anon = rnd() < 0.25 or letters == "AEG"
    sur, first, role = _pick(rnd, _ARTISTS)
    hist_parts = [
        _MNR_HIST[0] if rnd() < 0.4 else _MNR_HIST[1].format(
            price=f"{10 + int(rnd() * 900)} 000", buyer=_pick(rnd, _MNR_BUYERS), dealer=_pick(rnd, _MNR_DEALERS),
            date=_long_date(rnd, 1940, 1944)),
        _MNR_HIST[2].format(date2=_long_date(rnd, 1945, 1948), convoi=_pick(rnd, _MNR_CONVOIS)),
        _MNR_HIST[3].format(date3=_long_date(rnd, 1949, 1953), y=1950 + int(rnd() * 4)),
    ]
    if rnd() < 0.5:
        hist_parts.append(_MNR_HIST[5].format(museum=f"{mus[M_NOMOFF]} de {mus[M_COM][C_NAME]}"))
    h = _metres(rnd, 0.1, 2.5)
    d: dict[str, Any] = {
        "REF": ref,
        "PRODUCTEUR": "MNR",
        "BASE": base.label,
        "AUTR": ["Anonyme"] if anon else [f"{sur.upper()} {first}"],
        "TITR": _pick(rnd, titles),
        "DENO": list(_pick(rnd, denos)),
        "DOMN": list(domn),
        "TECH": list(_pick(rnd, techs)),
        "DIMS": [f"H. {h} ; La. {_metres(rnd, 0.05, 2.0)} m."] if rnd() < 0.5 else [f"H. {h} ; L. {_metres(rnd, 0.05, 2.0)} ; P. {_metres(rnd, 0.02, 0.9)} m."],
        "SCLE": [_SIECLE[c]] if letters != "AEG" else [],
        "LOCA": f"{mus[M_COM][C_NAME]} ; {mus[M_NOMOFF]}",
        "AFFE": affe,
        "INV": f"{letters} {n}",
        "HIST": "#".join(hist_parts),
        "CATE": _pick(rnd, _MNR_CATE),
        "ETAT": _pick(rnd, ("Bon état.", "Quelques repeints ; vernis jauni.", "Soulèvements de la couche picturale.",
                            "La tête manque ; la coiffure est mutilée.")),
        "MARQ": "#".join((f"Au revers : {30000 + int(rnd() * 9000)} : numéro du Central Collecting Point de Munich.",
                          f"R. {int(rnd() * 900)} : numéro de la récupération artistique.",
                          "Etiquette collée, fragmentaire et illisible.")[: 1 + int(rnd() * 3)]),
        "REDC": [_pick(rnd, ("C.O. ; A.-E. D.-V. ; N. M.-S. ; F.G.", "I.le M.", "C.O.", "M.-P. P."))],
        "PHOT": "© Réunion des musées nationaux Grand Palais.",
        "DMIS": dmis,
        "DMAJ": dmaj,
        "CONTIENT_IMAGE": "non",
    }
    if rnd() < 0.45:
        d["DESC"] = _sentences(rnd, _DESC_PAINTING if domn == ("peinture",) else _DESC_FIGURE if letters in ("RFR", "AEG")
                               else _DESC_GRAPHIC if letters == "REC" else _DESC_OBJECT, 1, 3)
    if letters == "AEG":
        d["GENE"] = "Epoque gréco-romaine, basse époque"
        d["STYL"] = "Basse époque"
    elif not anon and rnd() < 0.5:
        d["ECOL"] = _pick(rnd, ("France", "Ecole française", "Pays-Bas", "Italie", "Allemagne"))
    if rnd() < 0.5:
        d["NOTE"] = "#".join(f"({k}){src}" for k, src in enumerate(
            ("MEAE/209SUP218 34A : Liste des objets rendus", "NARA/RG 260 Ardelia Hall Collection box 280 : « Property Card »",
             "MEAE/209SUP441 : Cahier manuscrit inventoriant les objets à la réception des convois")[: 1 + int(rnd() * 3)], 1))
    if rnd() < 0.3:
        d["EXPO"] = f"{1950 + int(rnd() * 70)}, {mus[M_COM][C_NAME]}, {mus[M_NOMOFF]}, \"{d['TITR']}\" (Cat. : n° {1 + int(rnd() * 300)})."
    if rnd() < 0.3:
        d["BIBL"] = f"{_pick(rnd, _SURNAMES).upper()}, {_pick(rnd, _FIRSTNAMES)}, « Catalogue des MNR », Paris, {1990 + int(rnd() * 30)}."
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
        d["SALLES"] = f"Exposé en salles, {_long_date(rnd, 1995, 2022)}"
    if x < 0.08:
        d["CARTELS"] = f"Formulation des cartels {_pick(rnd, ('fautive', 'conforme'))}, {2010 + int(rnd() * 13)}"
    return d


# --- Muséofile ----------------------------------------------------------------------------------------------
_MUSEO_TYPES = (
    # (name template, CATEG, DOMPAL, THEMES)
    ("musée des beaux-arts de {com}", "Musée de France", ("Beaux-arts",), ("Peinture", "Sculpture", "Dessin")),
    ("musée d'art et d'histoire de {com}", "Musée de France", ("Beaux-arts", "Histoire"), ("Peinture", "Histoire locale", "Archéologie")),
    ("musée archéologique de {com}", "Musée de France", ("Archéologie nationale",), ("Préhistoire", "Gallo-romain", "Mérovingien")),
    ("musée municipal de {com}", "Musée de France", ("Beaux-arts", "Ethnologie"), ("Arts décoratifs", "Traditions populaires")),
    ("écomusée de {com}", "Musée de France", ("Ethnologie",), ("Vie rurale", "Artisanat", "Outils")),
    ("musée de la Marine de {com}", "Musée de France", ("Histoire", "Sciences et techniques"), ("Marine", "Maquettes", "Navigation")),
    ("musée départemental de {dpt}", "Musée de France", ("Archéologie nationale", "Beaux-arts"), ("Peinture", "Archéologie")),
    ("musée {fam}", "Musée de France", ("Beaux-arts",), ("Arts décoratifs", "Mobilier", "Portraits")),
    ("maison natale de {artist}", "Maison d'illustre", ("Histoire",), ("Personnage célèbre", "Souvenirs")),
)
_MUSEO_STATUT = ("musée municipal", "musée départemental", "musée national", "musée associatif", "musée intercommunal")


def _museo(rnd, index: int, base: Base) -> dict[str, Any]:
    tmpl, categ, dompal, themes = _pick(rnd, _MUSEO_TYPES)
    com = _pick(rnd, _COMMUNES)
    sur, first, role = _pick(rnd, _ARTISTS)
    name = tmpl.format(com=com[C_NAME], dpt=com[C_DPTNAME], fam=_pick(rnd, _FAMILIES), artist=f"{first} {sur}")
    city_slug = _slug(com[C_NAME])
    street = f"{1 + int(rnd() * 60)} {_pick(rnd, _STREETS)}"
    cp = f"{com[C_INSEE][:2]}{int(rnd() * 10)}00".replace("2A", "20").replace("2B", "20")
    dmis, dmaj = _dmis_dmaj(rnd)
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
        "STATUT": _pick(rnd, _MUSEO_STATUT),
        "ACCES": "Oui" if rnd() < 0.9 else "Non",
        "AN_CREAT": str(1800 + int(rnd() * 215)),
        "HIST": f"Le musée est fondé en {1800 + int(rnd() * 200)} grâce au legs de {_pick(rnd, _FIRSTNAMES)} {_pick(rnd, _SURNAMES)}. "
                f"Installé dans l'ancien {_pick(rnd, ('évêché', 'hôtel de ville', 'collège des Jésuites', 'couvent des Ursulines'))}, "
                f"il est rénové en {1980 + int(rnd() * 40)}.",
        "PROPBAT": _pick(rnd, ("Commune", "Département", "État", "Association")),
        "PROPCOLL": _pick(rnd, ("Commune", "Département", "État", "Association")),
        "DMIS": dmis,
        "DMAJ": dmaj,
        "DT_MODIF": dmaj,
        "CONTIENT_IMAGE": "non",
    }
    if rnd() < 0.5:
        d["NOMUSAGE"] = name.replace(f" de {com[C_NAME]}", "").capitalize()
    if rnd() < 0.6:
        d["ARTISTE"] = f"{first} {sur}"
        d["ATOUT"] = _pick(rnd, ("Collection de peintures françaises du 17e au 19e siècle.", "Mosaïques gallo-romaines.",
                                "Ensemble exceptionnel de faïences locales.", "Cabinet de curiosités reconstitué."))
    if rnd() < 0.3:
        d["INTERET"] = _pick(rnd, ("Bâtiment classé monument historique.", "Architecture contemporaine primée.", "Ancien hôtel particulier du 18e siècle."))
    if rnd() < 0.5:
        d["CONTIENT_IMAGE"] = "oui"
        d["PHOTO"] = f"museo/M{index:04d}/facade.jpg"
    if rnd() < 0.3:
        d["CONTACT_MUSEO"] = f"{_slug(_pick(rnd, _FIRSTNAMES))}.{_slug(_pick(rnd, _SURNAMES))}@{city_slug}.fr"
    _geo(rnd, d, com, 0.9)
    return d


# --- Autor --------------------------------------------------------------------------------------------------
_AUTOR_FONC = (("Fabricant orfèvre",), ("orfèvre",), ("architecte",), ("peintre verrier",), ("sculpteur",),
               ("fondeur de cloches",), ("facteur d'orgues",), ("menuisier",), ("peintre",), ("photographe",),
               ("ébéniste",), ("architecte", "entrepreneur"))
_AUTOR_SYMB = ("un habit", "une ancre", "une étoile", "un cœur", "une clé", "une couronne", "un croissant", "une grappe de raisin",
               "un soleil", "une harpe")
_AUTOR_BIO = (
    "Formé dans l'atelier de son père, il s'installe à {city} vers {y}.", "Élève de l'École des beaux-arts de Paris.",
    "Il travaille pour de nombreuses paroisses du diocèse de {city}.", "Associé à son frère à partir de {y}.",
    "Médaille d'or à l'Exposition universelle de {expo}.", "Ses œuvres sont conservées dans plusieurs églises de la région.",
)


def _autor(rnd, index: int, base: Base) -> dict[str, Any]:
    nom = _pick(rnd, _SURNAMES)
    pren = _pick(rnd, _FIRSTNAMES)
    fonc = _pick(rnd, _AUTOR_FONC)
    com = _pick(rnd, _COMMUNES)
    born = 1700 + int(rnd() * 220)
    died = born + 40 + int(rnd() * 45)
    start = born + 20 + int(rnd() * 10)
    dmis, dmaj = _dmis_dmaj(rnd)
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
        "SCLE": [_SIECLE[min(c, 21)]],
        "DATES": [f"{start}-{died - 5}"],
        "LOCACT": com[C_NAME],
        "AUTORLOCA": f"{com[C_NAME]} ; {com[C_DPTNAME]}",
        "ISNI_VERIFIEE": "non",
        "DMIS": dmis,
        "DMAJ": dmaj,
        "CONTIENT_IMAGE": "non",
    }
    if rnd() < 0.6:
        d["DNAISS"] = str(born) if rnd() < 0.6 else _long_date(rnd, born, born)
        d["LNAISS"] = _pick(rnd, _COMMUNES)[C_NAME]
        d["DMORT"] = str(died)
        d["LMORT"] = com[C_NAME]
    if rnd() < 0.5:
        d["BIO"] = " ".join(_pick(rnd, _AUTOR_BIO).format(city=com[C_NAME], y=start + int(rnd() * 10),
                                                         expo=_pick(rnd, ("1855", "1867", "1878", "1889", "1900")))
                            for _ in range(1 + int(rnd() * 3)))
    if fonc[0] in ("Fabricant orfèvre", "orfèvre"):
        d["ADRS"] = f"{1 + int(rnd() * 120)} {_pick(rnd, ('rue du Temple', 'rue Chapon', 'rue de Turenne', 'quai des Orfèvres', 'rue Réaumur'))}"
        d["LOCACT"] = "Paris"
        d["SYMB"] = _pick(rnd, _AUTOR_SYMB)
        d["INS"] = _long_date(rnd, max(start, 1798), max(start, 1798) + 20)
        d["GAR"] = f"{_pick(rnd, ('A', 'B', 'C'))}{int(rnd() * 1000)}"
        d["PREF"] = str(1000 + int(rnd() * 20000))
        if rnd() < 0.6:
            d["BIF"] = _long_date(rnd, max(start, 1798) + 3, max(start, 1798) + 40)
    if rnd() < 0.25:
        d["ISNI"] = f"0000 000{int(rnd() * 10)} {int(rnd() * 10000):04d} {int(rnd() * 10000):04d}"
        d["ISNI_VERIFIEE"] = "oui" if rnd() < 0.5 else "non"
    if rnd() < 0.2:
        d["ALIAS"] = [f"{nom}, {pren[0]}.", f"{nom.upper()} {pren}"][: 1 + int(rnd() * 2)]
    if rnd() < 0.3:
        d["SOURCES"] = _pick(rnd, ("Archives de Paris, D.3U3", "Archives nationales, F/12", "Registres de la garantie, Monnaie de Paris"))
    if rnd() < 0.3:
        d["LBASE"] = [f"PM{com[C_DPT]}{int(rnd() * 1_000_000):06d}"]
    d["NATIO"] = "française"
    return d


# --- Enluminures --------------------------------------------------------------------------------------------
_E_TITLES = ("Heures à l'usage de {use}", "Bréviaire à l'usage de {use}", "Missel à l'usage de {use}", "Psautier", "Bible",
             "Évangéliaire", "Pontifical", "Antiphonaire", "Roman de la Rose", "Grandes Chroniques de France",
             "Livre des propriétés des choses", "Cité de Dieu", "Légende dorée", "Decretum Gratiani", "Somme le roi",
             "Lancelot en prose", "Ovide moralisé")
_E_USES = ("Rome", "Paris", "Bayeux", "Rouen", "Chartres", "Sarum", "Troyes", "Le Mans", "Angers", "Besançon")
_E_SUJETS = ("Saint Christophe portant l'Enfant Jésus", "Annonciation", "Visitation", "Nativité", "Adoration des mages",
             "Crucifixion", "Pentecôte", "David en prière", "Vierge à l'Enfant", "Saint Jean à Patmos", "Saint Luc écrivant",
             "Office des morts", "Calendrier : mois de janvier, banquet", "Calendrier : mois de mai, promenade à cheval",
             "Initiale historiée B : David jouant de la harpe", "Jugement dernier", "Fuite en Égypte",
             "Massacre des Innocents", "Couronnement de la Vierge", "Portrait de l'auteur")
_E_ATTRIB = ("Maître de la Légende dorée de Munich (proche du)", "Maître de Bedford (atelier du)", "Jean Fouquet (entourage de)",
             "Maître de Rohan (atelier du)", "Jean Bourdichon", "Jean Colombe", "Maître de Coëtivy", "Maître de Jouvenel",
             "Maître François (style du)", "anonyme")
_E_NOMENC = (("Liturgie", "Dévotion"), ("Bible",), ("Littérature",), ("Histoire",), ("Droit",), ("Sciences",), ("Liturgie",))
_E_ORIG = (("France (ouest)", "Normandie"), ("France (nord)", "Picardie"), ("France (centre)", "Tours"),
           ("Paris", "Paris"), ("France (est)", "Bourgogne"), ("Flandres", "Bruges"), ("Italie", "Florence"))
_E_CITIES = ("Aurillac", "Bayeux", "Besançon", "Bourges", "Caen", "Chartres", "Dijon", "Laon", "Lyon", "Troyes", "Tours",
             "Rouen", "Avignon", "Angers", "Amiens", "Autun", "Reims", "Le Mans", "Nantes", "Toulouse", "Valence")
_E_CITY_ROWS = tuple(_COMMUNE_BY_NAME[c] for c in _E_CITIES)


def _enluminures(rnd, index: int, base: Base) -> dict[str, Any]:
    n = index + 1
    ref = f"D-{n:06d}"
    com = _pick(rnd, _E_CITY_ROWS)
    city = com[C_NAME]
    y = 1200 + int(rnd() * 330)
    fol = 1 + int(rnd() * 300)
    cote = f"ms. {1 + int(rnd() * 2000):04d}"
    etab = f"{city} - BM"
    origg, origh = _pick(rnd, _E_ORIG)
    dmis, dmaj = _dmis_dmaj(rnd)
    date_txt = f"vers {y}-{y + 10}" if rnd() < 0.5 else (f"{y}" if rnd() < 0.5 else f"{_pick(rnd, ('1ère moitié', '2e moitié', 'milieu'))} {_SIECLE[y // 100 + 1]}")
    d: dict[str, Any] = {
        "REF": ref,
        "BASE": base.label,
        "PRODUCTEUR": "Enluminures",
        "TITR": _pick(rnd, _E_TITLES).format(use=_pick(rnd, _E_USES)),
        "SUJET": _pick(rnd, _E_SUJETS),
        "ATTRIB": _pick(rnd, _E_ATTRIB),
        "DATE": date_txt,
        "DATDEB": str(y),
        "DATFIN": str(y + 10),
        "ETAB": etab,
        "COTE": cote,
        "REFD": f"{etab} - {cote}",
        "FOPG": f"f. {fol:03d}{'v' if rnd() < 0.5 else ''}",
        "LOCA": city,
        "LANGOUV": _pick(rnd, ("latin", "latin ; français", "français", "latin")),
        "NOMENC": list(_pick(rnd, _E_NOMENC)),
        "ORIGG": origg,
        "ORIGH": origh,
        "TYPCOD": "codex",
        "CONTXT": _pick(rnd, ("Miniature", "Initiale", "Bordure", "Miniature")),
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
        d["POSS"] = [f"{_pick(rnd, _SURNAMES)}, {_pick(rnd, _FIRSTNAMES)}" for _ in range(1 + int(rnd() * 2))]
        if rnd() < 0.3:
            d["POSS"].insert(0, "anonyme femme (destinataire)")
    if rnd() < 0.4:
        d["TYPDEC"] = _pick(rnd, ("miniature à pleine page", "miniature dans le texte", "initiale ornée", "bordure à rinceaux"))
    if rnd() < 0.3:
        d["NOTDEC"] = _pick(rnd, ("Bordures à rinceaux de feuilles d'acanthe et drôleries.",
                                 "Initiales filigranées alternativement rouges et bleues.",
                                 "Miniatures encadrées d'une architecture gothique dorée."))
    if rnd() < 0.2:
        d["NOTES"] = f"Manuscrit de {fol + int(rnd() * 100)} feuillets ; reliure du {_SIECLE[17 + int(rnd() * 3)]}."
    if rnd() < 0.3:
        _geo(rnd, d, com, 0.9)
    return d


# --- the generic part ---------------------------------------------------------------------------------------
_BUILDERS: dict[str, Callable[[Callable[[], float], int, Base], dict[str, Any]]] = {
    "joconde": _joconde, "merimee": _merimee, "palissy": _palissy, "memoire": _memoire,
    "mnr": _mnr, "museo": _museo, "autor": _autor, "enluminures": _enluminures,
}
# How many distinct REFs each base's scheme can make (REFs are derived from the index).
_CAPACITY: dict[str, int] = {
    "joconde": 10**10,      # 000PE001028 / 09880004268 (index < 10^6), then 9 + 10 digits
    "merimee": 10**7,       # PA10078014 (index < 10^6), then PAZ + 7 digits
    "palissy": 10**7,       # PM44000123, EM000000010 (index < 10^6), then PMZ + 7 digits
    "memoire": 10**9,       # AP15R004778, IVR53_1998290001234NUCA, 978600012345ZA…
    "mnr": 999_999,         # MNR00042, AEG00001: at most 6 digits, from 1
    "museo": 10_000,        # M0000 – M9999
    "autor": 10**8 - 1,     # OR000001: at most 8 digits, from 1
    "enluminures": 10**10 - 1,  # D-000001: at most 10 characters, from 1
}


def capacity(base: Base) -> int:
    """How many distinct demo notices (REFs) `base` can have."""
    return _CAPACITY[base.name]


class _Quirks:
    """Per base: the empty fields the real exports carry, the internal fields, where to put stray whitespace."""

    def __init__(self, base: Base):
        builder_codes = {"REF", "BASE", "PRODUCTEUR"}
        fillable = [f for f in base.fields if f.code not in builder_codes and f.kind != "object" and f.published]
        rng = random.Random(f"quirks:{base.name}")
        # A few shapes of "all the other fields, empty", like the samples; each notice gets one of them.
        self.empties = tuple(
            tuple((f.code, f.multi) for f in rng.sample(fillable, min(len(fillable), rng.randint(4, 12))))
            for _ in range(16)
        )
        self.blank_list_rate = 0.5 if base.name == "memoire" else 0.15  # [""] rather than []
        codes = base.field_map
        self.flags = "POP_FLAGS" in codes
        self.imports = "POP_IMPORT" in codes
        self.tout = "TOUT" in codes
        self.historique = "HISTORIQUE" in codes
        self.pad = tuple(c for c in ("TICO", "TITR", "LOCA", "NOM", "LEG", "NOMOFF", "SUJET", "EDIF") if c in codes
                         and not codes[c].multi)


_QUIRKS = {name: _Quirks(base) for name, base in BASES.items()}


def _finish(rnd, d: dict[str, Any], q: _Quirks) -> dict[str, Any]:
    for code, multi in q.empties[int(rnd() * 16)]:
        if code not in d:
            d[code] = ([""] if rnd() < q.blank_list_rate else []) if multi else ""
    x = rnd()
    if x < 0.15 and q.flags:
        k = int(rnd() * 10)
        d["POP_FLAGS"] = [_FLAGS[k], _FLAGS[(k + 1 + int(x * 60)) % 10]][: 1 + int(x * 13.4)]
    elif x < 0.2 and q.imports:
        d["POP_IMPORT"] = [f"{0x5c000000 + int(rnd() * 0x3000000):08x}{int(rnd() * 2**63):016x}"[:24]]
    elif x < 0.26 and q.historique:
        d["HISTORIQUE"] = _historique(rnd, d.get("DMAJ") or "2020-01-01")
    elif x < 0.3 and q.tout:
        d["TOUT"] = "   "
    y = rnd()
    if y < 0.04 and q.pad:
        code = q.pad[int(y * 25 * len(q.pad))]
        value = d.get(code)
        if isinstance(value, str) and value:
            d[code] = f" {value}  " if y < 0.02 else f"{value}\n"
    return d


def _iterate(base: Base, count: int, seed: int, start: int) -> Iterator[dict[str, Any]]:
    build = _BUILDERS[base.name]
    quirks = _QUIRKS[base.name]
    rng = random.Random()
    rnd = rng.random
    end = start + count
    index = start - start % _BLOCK
    while index < end:
        # One seed per block of consecutive indexes: notice i depends only on (base, seed, i).
        rng.seed(f"pop-demo:{base.name}:{seed}:{index // _BLOCK}")
        stop = min(index + _BLOCK, end)
        while index < stop:
            notice = _finish(rnd, build(rnd, index, base), quirks)
            if index >= start:
                yield notice
            index += 1


def generate(base: Base, count: int, seed: int = 0, start: int = 0) -> Iterator[dict[str, Any]]:
    """Yield `count` raw demo notices of `base` (the shape of ../shared/pop-bases/samples, quirks included),
    deterministic for (base, seed, index): notice i is the same whatever count/start are.

    Raises ValueError (at the call, not at the first notice) for a negative count or start, an unknown base,
    or indexes past what the base's REF scheme can number (`capacity(base)`, e.g. 10,000 for Muséofile)."""
    if count < 0 or start < 0:
        raise ValueError(f"count and start must be >= 0 (got count={count}, start={start})")
    if base.name not in _BUILDERS:
        raise ValueError(f"no demo generator for base {base.name!r}")
    cap = _CAPACITY[base.name]
    if start + count > cap:
        raise ValueError(f"{base.name} demo REFs ({base.ref_pattern}) number at most {cap:,} notices; "
                         f"asked for indexes {start}–{start + count - 1}")
    return _iterate(base, count, seed, start)


def shares(count: int) -> dict[str, int]:
    """How many of `count` demo notices each base gets: `PROPORTIONS` by largest remainders, at least one per base
    when `count` allows, never more than a base's capacity (the excess goes to the others, in proportion)."""
    if count < 0:
        raise ValueError(f"count must be >= 0 (got {count})")
    names = [name for name in BASES if name in PROPORTIONS]
    total_capacity = sum(_CAPACITY[name] for name in names)
    if count > total_capacity:
        raise ValueError(f"at most {total_capacity:,} demo notices (asked for {count:,})")
    result = dict.fromkeys(names, 0)
    open_names, remaining = list(names), count
    while remaining > 0:
        weight = sum(PROPORTIONS[n] for n in open_names)
        exact = {n: remaining * PROPORTIONS[n] / weight for n in open_names}
        alloc = {n: int(exact[n]) for n in open_names}
        for n in sorted(open_names, key=lambda n: alloc[n] - exact[n])[: remaining - sum(alloc.values())]:
            alloc[n] += 1
        remaining = 0
        for n in list(open_names):
            room = _CAPACITY[n] - result[n]
            if alloc[n] >= room:
                remaining += alloc[n] - room
                result[n] += room
                open_names.remove(n)
            else:
                result[n] += alloc[n]
    if count >= len(names):  # every base shows up, taken from the largest
        for n in names:
            if result[n] == 0:
                largest = max(names, key=lambda m: result[m])
                result[largest] -= 1
                result[n] = 1
    return result


def generate_all(count: int, seed: int = 0) -> Iterator[tuple[Base, dict]]:
    """Spread `count` notices over the eight bases in realistic proportions (joconde, merimee, palissy, memoire
    largest; museo, autor, enluminures, mnr small), each base's notices from generate()."""
    plan = shares(count)
    return _iterate_all(plan, seed)


def _iterate_all(plan: dict[str, int], seed: int) -> Iterator[tuple[Base, dict]]:
    for name, n in plan.items():
        base = BASES[name]
        for notice in generate(base, n, seed=seed):
            yield base, notice


# --- bulk loading (`pop demo load`) -------------------------------------------------------------------------
def demo_batches(count: int, seed: int = 0, batch_size: int = 1000) -> list[tuple[str, int, int, int]]:
    """The work of loading `count` demo notices, as (base, start, count, seed) batches of one base each."""
    return [(name, start, min(batch_size, n - start), seed)
            for name, n in shares(count).items() for start in range(0, n, batch_size)]


def prepare_demo_batch(task: tuple[str, int, int, int]) -> list:
    """Generate, validate, hash and render one batch (runs in a worker process)."""
    from formats.notice import validate_notice

    from ..notices import prepare

    name, start, count, seed = task
    base = BASES[name]
    return [prepare(validate_notice(base, raw)) for raw in generate(base, count, seed=seed, start=start)]
