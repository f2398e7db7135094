"""Notices and partner records the harvester's tests publish (built from the real Joconde sample)."""
from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

from formats.bases import get_base
from formats.notice import Notice, public_view, validate_notice
from formats.registry import get_format, public_notice

from tests.shared import pop_sample

from .oai_partner import PartnerRecord

REPOSITORY = "partner.example"


class JocondeNotices(Sequence):
    """`count` valid Joconde notices: the real sample with its REF and title varied, read on first use.

    Test modules build theirs at import (`NOTICES = joconde_notices(5)`); reading the sample only when a test
    touches them keeps collection free of ../shared, and a test without the sample is skipped (tests/shared.py)."""

    def __init__(self, count: int, start: int, title: str) -> None:
        self._numbers = range(start, start + count)
        self._title = title

    @cached_property
    def _notices(self) -> list[Notice]:
        raw = pop_sample("joconde")
        return [validate_notice(get_base("joconde"), {**raw, "REF": f"000PE{number:06d}",
                                                      "TICO": f"{self._title} {number}"})
                for number in self._numbers]

    def __getitem__(self, index):
        return self._notices[index]

    def __len__(self) -> int:
        return len(self._numbers)


def joconde_notices(count: int, *, start: int = 0, title: str = "chapiteau") -> Sequence[Notice]:
    """`count` valid Joconde notices: the real sample with its REF and title varied (see JocondeNotices)."""
    return JocondeNotices(count, start, title)


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
