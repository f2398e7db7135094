"""French heritage dates → earliest/latest years, for LIDO's eventDate and EDM's TimeSpan."""
from __future__ import annotations

import pytest

from formats.dates import DateRange, parse_bounds, parse_date


@pytest.mark.parametrize("text, earliest, latest", [
    ("1892", 1892, 1892),
    ("vers 1430-1440", 1430, 1440),
    ("vers 1850", 1845, 1855),
    ("15e siècle", 1400, 1499),
    ("XVe s.", 1400, 1499),
    ("15e s.", 1400, 1499),
    ("18e siècle ?", 1700, 1799),
    ("1er quart 16e siècle", 1500, 1524),
    ("4e quart 17e siècle", 1675, 1699),
    ("1ère moitié 16e siècle", 1500, 1549),
    ("2e moitié 19e siècle", 1850, 1899),
    ("milieu 18e siècle", 1740, 1759),
    ("fin 18e siècle", 1775, 1799),
    ("4e siècle av J.-C.", -400, -301),
    ("2e millénaire av. J.-C.", -2000, -1001),
    ("1999-12-06", 1999, 1999),
    ("06/12/1999", 1999, 1999),
    ("entre 1850 et 1860", 1850, 1860),
    ("1850 ; 1860", 1850, 1860),
])
def test_parses(text, earliest, latest):
    assert parse_date(text) == DateRange(text, earliest, latest)


def test_a_list_spans_every_part_that_parses():
    assert parse_date(["15e siècle", "moyen âge", "16e siècle"]) == DateRange(
        "15e siècle ; moyen âge ; 16e siècle", 1400, 1599)


@pytest.mark.parametrize("text", ["moyen âge", "Gallo-romain", "", "25e siècle", "5e quart 16e siècle"])
def test_what_does_not_parse_gives_none(text):
    assert parse_date(text) is None


def test_explicit_bounds_win_over_the_display():
    assert parse_bounds("vers 1430-1440", "1431", "1439") == DateRange("vers 1430-1440", 1431, 1439)
    assert parse_bounds("vers 1430-1440", "", None) == DateRange("vers 1430-1440", 1430, 1440)
    assert parse_bounds("", "1500", "") == DateRange("1500", 1500, 1500)
    assert parse_bounds("sans date", "n.d.", None) is None
