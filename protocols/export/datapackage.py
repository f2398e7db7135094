"""Frictionless Data Packages of the CSV exports (https://datapackage.org): what Frictionless, Validata and
data.gouv.fr read to understand a CSV file without opening it.

- `table_schema(base)`: the Table Schema of a base's CSV, generated from the field dictionary — one field per
  published column in dictionary order, named by its code, titled by its French label; `string`, `number`,
  JSON `object` cells (objects) or `array` (lists of objects); a multi-valued text or number field is a `list`
  with `delimiter: "|"` (a `|` or `\\` inside a value escaped by `\\`, said in the description); `REF` is
  required, unique and the primary key.
- `data_package(bases)`: one resource per CSV snapshot (URL, bytes, `sha256:` hash, its licences), and the
  licences of all of them at the package level.
Input: the entries of the export catalog (`app/views/exports.catalog()`'s `bases`), plain dicts; no I/O.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from formats.bases import Base, Field, get_base
from formats.tabular import MULTI_SEPARATOR

PROFILE = "tabular-data-package"
LIST_NOTE = (f"Plusieurs valeurs séparées par « {MULTI_SEPARATOR} » ; un « {MULTI_SEPARATOR} » ou un « \\ » "
             "dans une valeur est précédé de « \\ ».")


def _field(spec: Field) -> dict[str, Any]:
    field: dict[str, Any] = {"name": spec.code, "title": spec.label}
    notes = [spec.label + "."]
    if spec.kind == "object":
        field["type"] = "array" if spec.multi else "object"
        notes.append("Valeur JSON.")
    elif spec.multi:
        field.update(type="list", delimiter=MULTI_SEPARATOR,
                     itemType="number" if spec.kind == "number" else "string")
        notes.append(LIST_NOTE)
    else:
        field["type"] = "number" if spec.kind == "number" else "string"
    if spec.vocabulary:
        notes.append(f"Vocabulaire contrôlé {spec.vocabulary} (OpenTheso).")
    if spec.generated:
        notes.append("Calculé par la plateforme.")
    field["description"] = " ".join(notes)
    if spec.code == "REF":
        field["constraints"] = {"required": True, "unique": True}
    return field


def table_schema(base: Base) -> dict[str, Any]:
    """The Table Schema of `base`'s CSV export (every published column, in the file's order)."""
    return {"fields": [_field(spec) for spec in base.published_fields], "primaryKey": ["REF"],
            "missingValues": [""]}


def _licenses(licences: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Data Package licences from the catalog's (`licence` id, `name`, `url`); a partner stating none is
    described by its title alone — never as the Licence Ouverte."""
    seen, out = set(), []
    for licence in licences:
        key = (licence.get("licence"), licence.get("name"))
        if key in seen:
            continue
        seen.add(key)
        entry = {"title": licence.get("name") or "rights as stated by the partner"}
        if licence.get("licence"):
            entry["name"] = licence["licence"]
        if licence.get("url"):
            entry["path"] = licence["url"]
        out.append(entry)
    return out


def base_licences(entry: Mapping[str, Any], default: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """A catalog entry's licences (per source, when the catalog lists them), or the catalog's default."""
    return entry.get("licences") or [entry.get("licence") or default]


def resource(entry: Mapping[str, Any], licences: list[Mapping[str, Any]]) -> dict[str, Any] | None:
    """The resource of a catalog entry's CSV download (None: the base has no CSV)."""
    csv = next((d for d in entry["downloads"] if d["format"] == "csv"), None)
    if csv is None:
        return None
    base = get_base(entry["base"])
    described: dict[str, Any] = {
        "name": base.name, "title": base.title, "description": base.description, "path": csv["url"],
        "format": "csv", "mediatype": "text/csv", "encoding": "utf-8", "profile": "tabular-data-resource",
        "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": True},
        "schema": table_schema(base), "licenses": _licenses(licences),
    }
    if csv.get("bytes") is not None:
        described["bytes"] = csv["bytes"]
    if csv.get("sha256"):
        described["hash"] = f"sha256:{csv['sha256']}"
    return described


def data_package(entries: Iterable[Mapping[str, Any]], *, name: str, title: str, homepage: str,
                 default_licence: Mapping[str, Any]) -> dict[str, Any]:
    """A Tabular Data Package of the CSV exports of `entries` (catalog entries, one per base)."""
    resources, licences = [], []
    for entry in entries:
        own = base_licences(entry, default_licence)
        described = resource(entry, own)
        if described is not None:
            resources.append(described)
            licences.extend(own)
    return {"profile": PROFILE, "name": name, "title": title, "homepage": homepage,
            "licenses": _licenses(licences), "resources": resources}
