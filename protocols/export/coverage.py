"""The temporal coverage of a base: from the earliest to the latest year its notices' objects date from — the
dates LIDO and EDM publish for each notice (`formats.profiles.object_years`: Joconde's PERI and MILL, Mérimée's
and Palissy's SCLE and DATE, Mémoire's DATPV, MNR's SCLE and MILL, Enluminures' DATE or DATDEB/DATFIN),
gathered by the snapshot build while it reads the notices; the DCAT catalog's `dct:temporal`.

Not the notices' datestamps, nor when they were written (DMIS, DMAJ): those say when POP described the
heritage, not when it was made. Bases whose profile names no dates (Museo: museums; Autor: people) have no
coverage, nor does a base none of whose dates parses. A date ending after the build's year is a typo (a
"2099" for "1999"), left out rather than stretching the coverage into the future.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Mapping

from formats.bases import Base
from formats.profiles import dated_fields, object_years

from .layout import ExportedNotice


@dataclass(frozen=True)
class Coverage:
    """Years (as formats.dates gives them: -400 is 400 BC; centuries as museums index them, 1400–1499)."""

    start: int
    end: int


class CoverageGatherer:
    """Widens a coverage notice by notice (`notices()` passes them through unchanged)."""

    def __init__(self, base: Base, until_year: int):
        codes = set(dated_fields(base.name))
        self._base = base.name
        # a date field that is not published would leak through the years: no coverage then
        self._active = bool(codes) and codes <= {f.code for f in base.published_fields}
        self._until = until_year
        self.start: int | None = None
        self.end: int | None = None

    def add(self, fields: Mapping[str, Any]) -> None:
        years = object_years(self._base, fields)
        if years is None or years[1] > self._until:
            return
        if self.start is None or years[0] < self.start:
            self.start = years[0]
        if self.end is None or years[1] > self.end:
            self.end = years[1]

    def notices(self, notices: Iterable[ExportedNotice]) -> Iterator[ExportedNotice]:
        if not self._active:
            yield from notices
            return
        add = self.add
        for notice in notices:
            if not notice.deleted:
                add(notice.fields)
            yield notice

    @property
    def coverage(self) -> Coverage | None:
        return Coverage(self.start, self.end) if self.start is not None else None
