"""docs/mappings/lido.md and edm.md carry the per-base field tables of formats/profiles.py: a change to a profile
without its documentation fails here (`POP_UPDATE_GOLDEN=1` rewrites the tables, then review the diff)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from formats.images import CREDIT_FIELDS, IMAGE_FIELDS
from formats.profiles import PROFILES
from formats.registry import get_format

DOCS = Path(__file__).resolve().parents[2] / "docs" / "mappings"
BEGIN, END = "<!-- table: generated from formats/profiles.py -->", "<!-- end of table -->"

# (profile attribute, role, where LIDO puts it, where EDM puts it); "" = not in that format
ROLES = [
    ("titles", "Titles", "`titleSet/appellationValue` (1st preferred, others alternate)",
     "`dc:title` (1st), `dcterms:alternative`"),
    ("work_types", "Object work type", "`objectWorkType` (+ `conceptID` for thesaurus fields)", "`dc:type`"),
    ("default_work_type", "… when none is given", "`objectWorkType`", "`dc:type`"),
    ("classifications", "Classification", "`classification`", "`dc:type`"),
    ("inventory", "Inventory numbers", "`repositorySet/workID`", "`dc:identifier` (after REF)"),
    ("repository", "Repository", "`repositoryName/legalBodyName` (+ `legalBodyID`: MUSEO's Muséofile page)", ""),
    ("repository_place", "Repository place", "`repositoryLocation/namePlaceSet` (+ `gml:Point`)",
     "`edm:Place/skos:prefLabel`"),
    ("location", "Location as displayed", "`displayRepository`", "`edm:Place/skos:prefLabel` (fallback)"),
    ("descriptions", "Description", "`objectDescriptionSet/descriptiveNoteValue`", "`dc:description`"),
    ("provenance", "History, provenance", "`objectDescriptionSet[@lido:type=provenance]`", "`dcterms:provenance`"),
    ("inscriptions", "Inscriptions, marks", "`inscriptions/inscriptionTranscription`", ""),
    ("dimensions", "Dimensions", "`objectMeasurementsSet` (display always, typed `measurementsSet` if parsed)",
     "`dcterms:extent`"),
    ("creators", "Creators (default role)", "`eventActor/actorInRole` (`roleActor`, `attributionQualifierActor`)",
     "`dc:creator` → `edm:Agent`"),
    ("cultures", "Culture, school, style", "event `culture`", "`dcterms:temporal`"),
    ("periods", "Period", "event `periodName`", "`dcterms:temporal`"),
    ("dates", "Dates", "`eventDate/displayDate` + `date/earliestDate`, `latestDate`",
     "`dc:date`; `dcterms:created` → `edm:TimeSpan`"),
    ("date_bounds", "Date bounds", "`eventDate/date`", "`edm:TimeSpan/edm:begin`, `edm:end`"),
    ("places", "Places of production", "event `eventPlace`", "`dcterms:spatial`"),
    ("materials", "Materials, techniques", "event `eventMaterialsTech`", "`dcterms:medium`"),
    ("subjects", "Subjects depicted", "`subjectSet/subject/subjectConcept`", "`dc:subject`"),
    ("languages", "Languages", "", "`dc:language` (ISO 639)"),
    ("work_rights", "Legal status of the object", "`rightsWorkSet/rightsType`", ""),
]


def _cell(value) -> str:
    if not value:
        return "—"
    if isinstance(value, str):
        return f"“{value}”"
    if isinstance(value[0], tuple):
        return ", ".join(f"{code} ({role})" for code, role in value)
    return ", ".join(value)


def table(prefix: str) -> str:
    bases = [b for b in ("joconde", "palissy", "mnr", "enluminures", "memoire", "merimee")
             if get_format(prefix).supports(b)]
    column = 2 if prefix == "lido" else 3
    lines = [f"| role | {' | '.join(bases)} | {prefix.upper()} |", "|---" * (len(bases) + 2) + "|"]
    for role in ROLES:
        if role[column]:
            cells = " | ".join(_cell(getattr(PROFILES[b], role[0])) for b in bases)
            lines.append(f"| {role[1]} | {cells} | {role[column]} |")
    images = "`resourceSet/resourceRepresentation/linkResource`" if prefix == "lido" else (
        "`edm:WebResource`; 1st: `edm:isShownBy`, `edm:object`; others: `edm:hasView`")
    rights = "`rightsResource` per image (formats/rights.py)" if prefix == "lido" else (
        "`edm:rights` per WebResource and on the aggregation")
    lines.append(f"| Images | {' | '.join(', '.join(IMAGE_FIELDS[b]) for b in bases)} | {images} |")
    lines.append(f"| Rights texts | {' | '.join(', '.join(CREDIT_FIELDS[b]) for b in bases)} | {rights} |")
    return "\n".join(lines)


@pytest.mark.parametrize("prefix", ["lido", "edm"])
def test_the_mapping_document_carries_the_current_table(prefix):
    path = DOCS / f"{prefix}.md"
    text = path.read_text(encoding="utf-8")
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    expected = f"\n{table(prefix)}\n"
    if os.environ.get("POP_UPDATE_GOLDEN") == "1":
        path.write_text(text[:start] + expected + text[end:], encoding="utf-8")
        text = path.read_text(encoding="utf-8")
        start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    assert text[start:end] == expected, f"{path} is out of date: POP_UPDATE_GOLDEN=1, then review"
