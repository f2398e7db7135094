"""Build formats/data/bases.json, the project's own bases registry, from POP's field dictionary.

The dictionary (../shared/pop-bases/fields.json) gives each base's fields; this script adds what the
dictionary does not say and the registry needs: the REF pattern, the producers and their set slugs,
whether the base describes objects (LIDO), and the fields that are never published.

    python tools/build_registry.py [path/to/fields.json]
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_SOURCE = HERE.parent.parent / "shared" / "pop-bases" / "fields.json"
TARGET = HERE.parent / "formats" / "data" / "bases.json"

# What the dictionary does not say. REF patterns follow the real references of each base (letters,
# digits and a few separators, never anything that needs escaping in a URL or an OAI identifier).
OVERLAY = {
    "joconde": {
        "title": "Joconde",
        "description": "Objets des collections des musées de France.",
        "ref_pattern": r"^[0-9A-Z]{11}$",
        "producers": ["MUSEE", "MNR"],
        "objects": True,
        "title_fields": ["TICO", "TITR", "DENO"],
    },
    "merimee": {
        "title": "Mérimée",
        "description": "Patrimoine architectural : monuments historiques et inventaire général.",
        "ref_pattern": r"^[A-Z]{2}[0-9A-Z]{8}$",
        "producers": ["Monuments Historiques", "Inventaire", "Architecture"],
        "objects": False,
        "title_fields": ["TICO", "TITR", "DENO"],
    },
    "palissy": {
        "title": "Palissy",
        "description": "Patrimoine mobilier : objets protégés et inventoriés (mobilier d'églises, orgues, bateaux…).",
        "ref_pattern": r"^[A-Z]{2}[0-9A-Z]{8,9}$",
        "producers": ["Monuments Historiques", "Inventaire", "État"],
        "objects": True,
        "title_fields": ["TICO", "TITR", "DENO"],
    },
    "memoire": {
        "title": "Mémoire",
        "description": "Photographies de la Médiathèque du patrimoine et de l'inventaire.",
        "ref_pattern": r"^[0-9A-Z][0-9A-Z_-]{3,30}$",
        "producers": ["MAP", "CAOA", "Inventaire", "UDAP", "SAP", "AUTRE"],
        "objects": True,
        "title_fields": ["TICO", "LEG", "EDIF", "OBJT"],
    },
    "mnr": {
        "title": "Rose-Valland (MNR)",
        "description": "Œuvres récupérées après la Seconde Guerre mondiale, en attente de restitution.",
        "ref_pattern": r"^[A-Z]{2,5}[0-9]{1,6}[A-Z]?$",
        "producers": ["MNR"],
        "objects": True,
        "title_fields": ["TICO", "TITR", "DENO"],
    },
    "museo": {
        "title": "Muséofile",
        "description": "Répertoire des musées de France.",
        "ref_pattern": r"^M[0-9]{4}$",
        "producers": ["MUSEE"],
        "objects": False,
        "title_fields": ["NOMOFF", "NOMUSAGE", "AUTNOM"],
    },
    "autor": {
        "title": "Autor",
        "description": "Notices biographiques d'auteurs : artistes, architectes, orfèvres…",
        "ref_pattern": r"^[A-Z]{2,3}[0-9]{4,8}$",
        "producers": ["Inventaire", "Autor"],
        "objects": False,
        "title_fields": ["NOMPRENOM", "NOM"],
    },
    "enluminures": {
        "title": "Enluminures",
        "description": "Enluminures des manuscrits médiévaux des bibliothèques de France.",
        "ref_pattern": r"^[A-Z]{1,3}-[0-9A-Z]{4,10}$",
        "producers": ["Enluminures"],
        "objects": True,
        "title_fields": ["TITR", "SUJET"],
    },
}

KINDS = {
    "String": ("string", False),
    "array<String>": ("string", True),
    "Number": ("number", False),
    "array<Number>": ("number", True),
    "Object": ("object", False),
    "array<Object>": ("object", True),
    "array<ObjectId>": ("string", True),
}


def build(source: dict) -> dict:
    bases = {}
    for name, base in source["bases"].items():
        overlay = OVERLAY[name]
        hidden = set(base["non_diffusable"]) | set(base["internal"])
        fields = []
        for field in base["fields"]:
            kind, multi = KINDS[field["type"]]
            entry = {
                "code": field["code"],
                "label": field.get("label") or field["code"],
                "kind": kind,
                "multi": multi,
            }
            for key in ("thesaurus", "required", "generated", "enum", "subfields"):
                if field.get(key):
                    entry["vocabulary" if key == "thesaurus" else key] = field[key]
            if field["code"] in base["non_diffusable"]:
                entry["visibility"] = "non_diffusable"
            elif field["code"] in base["internal"]:
                entry["visibility"] = "internal"
            fields.append(entry)
        missing = hidden - {f["code"] for f in fields}
        if missing:
            raise SystemExit(f"{name}: hidden fields not in dictionary: {sorted(missing)}")
        bases[name] = {"name": name, "label": base["label"], "example_refs": base["example_refs"],
                       **overlay, "fields": fields}
    return {"about": "Generated by tools/build_registry.py from POP's field dictionary; do not edit by hand.",
            "bases": bases}


def main(argv: list[str]) -> None:
    source = Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCE
    registry = build(json.loads(source.read_text(encoding="utf-8")))
    TARGET.write_text(json.dumps(registry, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {TARGET} ({len(registry['bases'])} bases)")


if __name__ == "__main__":
    main(sys.argv)
