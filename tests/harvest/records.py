"""Notices and partner records the harvester's tests publish (built from the real Joconde sample)."""
from __future__ import annotations

import json
from pathlib import Path

from formats.bases import get_base
from formats.notice import Notice, public_view, validate_notice
from formats.registry import get_format, public_notice

from .oai_partner import PartnerRecord

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "pop-bases" / "samples"
REPOSITORY = "partner.example"


def joconde_notices(count: int, *, start: int = 0, title: str = "chapiteau") -> list[Notice]:
    """`count` valid Joconde notices: the real sample with its REF and title varied."""
    raw = json.loads((SAMPLES / "joconde-1.json").read_text(encoding="utf-8"))
    notices = []
    for number in range(start, start + count):
        fields = {**raw, "REF": f"000PE{number:06d}", "TICO": f"{title} {number}"}
        notices.append(validate_notice(get_base("joconde"), fields))
    return notices


def identifier(ref: str, base: str = "joconde") -> str:
    return f"oai:{REPOSITORY}:{base}:{ref}"


def pop_record(notice: Notice, datestamp: str = "2026-01-01T00:00:00Z", sets: tuple[str, ...] = ()) -> PartnerRecord:
    xml = get_format("pop").render(public_notice(notice))
    return PartnerRecord(identifier(notice.ref, notice.base), datestamp, xml.encode("utf-8"), sets=sets)


def deleted_record(ref: str, datestamp: str = "2026-01-01T00:00:00Z") -> PartnerRecord:
    return PartnerRecord(identifier(ref), datestamp, deleted=True)


def published(notice: Notice) -> dict:
    return public_view(get_base(notice.base), notice.fields)


def pages_of(records: list, size: int) -> list[list]:
    return [records[i:i + size] for i in range(0, len(records), size)]
