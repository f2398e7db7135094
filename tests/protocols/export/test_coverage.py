"""A base's temporal coverage: the earliest and latest years its objects date from, as LIDO and EDM date each
notice; never the notices' own dates, tombstones or dates in the future."""
from __future__ import annotations

from typing import NamedTuple

from formats.bases import BASES
from formats.profiles import object_years
from protocols.export.coverage import Coverage, CoverageGatherer


class Row(NamedTuple):
    ref: str
    fields: dict
    deleted: bool = False


def gathered(base: str, *fields: dict, deleted: tuple[dict, ...] = (), until: int = 2025) -> Coverage | None:
    gatherer = CoverageGatherer(BASES[base], until_year=until)
    rows = [Row(f"R{i}", f) for i, f in enumerate(fields)] + [Row("D", f, True) for f in deleted]
    assert list(gatherer.notices(rows)) == rows  # passed through, unchanged
    return gatherer.coverage


def test_coverage_spans_every_notice_as_lido_and_edm_date_it():
    notices = [{"SCLE": ["15e siècle", "16e siècle"]}, {"DATE": ["1875"]}, {"SCLE": ["4e siècle av J.-C."]},
               {"SCLE": ["Néolithique"]}]  # the last one parses to nothing: no bound
    assert gathered("merimee", *notices) == Coverage(-400, 1875)
    assert object_years("merimee", notices[0]) == (1400, 1599)
    assert gathered("joconde", {"PERI": ["1er quart 16e siècle"]}, {"PERI": ["19e siècle"], "MILL": ["1854"]}) \
        == Coverage(1500, 1854)  # MILL, the most precise, dates the second notice
    assert gathered("enluminures", {"DATE": "vers 1430-1440"}, {"DATE": "12e siècle"}) == Coverage(1100, 1440)
    assert gathered("memoire", {"DATPV": "1997"}, {"DATPV": "06/12/1921"}) == Coverage(1921, 1997)


def test_the_notices_own_dates_tombstones_and_future_years_are_not_coverage():
    assert gathered("joconde", {"DMIS": "1999-12-06", "DMAJ": "2020-01-01"}) is None  # when POP wrote it
    assert gathered("palissy", {"SCLE": ["18e siècle"]}, deleted=({"SCLE": ["2e siècle"]},)) == Coverage(1700, 1799)
    assert gathered("memoire", {"DATPV": "1950"}, {"DATPV": "2099"}, until=2025) == Coverage(1950, 1950)


def test_bases_without_object_dates_have_no_coverage():
    assert gathered("museo", {"AN_CREAT": "1905", "DT_CREAT": "1905"}) is None
    assert gathered("autor", {"SCLE": ["19e siècle"], "DATES": ["1820-1890"]}) is None
    assert gathered("mnr") is None  # no notice

