"""French heritage dates as POP writes them → earliest/latest years, for LIDO's eventDate and EDM's TimeSpan.

    "1892"                      → 1892–1892
    "vers 1430-1440"            → 1430–1440      (a circa range keeps its bounds)
    "vers 1850"                 → 1845–1855      (circa a year: ± CIRCA years)
    "15e siècle", "XVe s."      → 1400–1499      (centuries as museums index them: 1400–1499, not 1401–1500)
    "1er quart 16e siècle"      → 1500–1524      (quarters, halves, third; "début", "milieu", "fin" of a century)
    "4e siècle av J.-C."        → -400–-301
    "2e millénaire av. J.-C."   → -2000–-1001
    "1999-12-06", "06/12/1999"  → 1999–1999
    "1850 ; 1860", ["15e siècle", "16e siècle"] → 1850–1860, 1400–1599 (the span of every part that parses)

Anything else gives None: the display string is still published, only the machine-readable bounds are left out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

CIRCA = 5  # years either side of "vers 1850"

_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "M": 1000}
_BC = r"(?P<bc>\s*av(?:ant|\.)?\s*J\.?-?\s*C\.?)?"
_ORDINAL = r"(?P<n>\d{1,2}|[IVXLC]+)\s*(?:e|er|ère|eme|ème|è)?"
_PART = (r"(?:(?P<part>(?P<pn>1er|1ère|2e|3e|4e|premier|première|deuxième|second|seconde|troisième|dernier|dernière)"
         r"\s+(?P<unit>quart|moitié|tiers))|(?P<when>début|milieu|fin|limite))?\s*(?:du\s+|de\s+)?")
_CENTURY = re.compile(rf"^{_PART}{_ORDINAL}\s*(?:siècle|siecle|s\.|s\b){_BC}\s*\??$", re.IGNORECASE)
_MILLENNIUM = re.compile(rf"^{_ORDINAL}\s*millénaire{_BC}\s*\??$", re.IGNORECASE)
_YEAR = r"-?\d{3,4}"
_RANGE = re.compile(rf"^(?:vers|entre|après|avant|de)?\s*(?P<a>{_YEAR})\s*(?:-|–|/|et|à)\s*(?P<b>{_YEAR}){_BC}\s*\??$",
                    re.IGNORECASE)
_SINGLE = re.compile(rf"^(?P<circa>vers|v\.|ca\.?|circa)?\s*(?P<a>{_YEAR}){_BC}\s*\??$", re.IGNORECASE)
_PARTS = re.compile(r"\s*[;,]\s*|\s+ou\s+")
_ISO = re.compile(r"^(?P<a>\d{4})-\d{2}(?:-\d{2})?(?:T.*)?$")
_FRENCH_DAY = re.compile(r"^\d{1,2}/\d{1,2}/(?P<a>\d{4})$")


@dataclass(frozen=True)
class DateRange:
    display: str
    earliest: int
    latest: int


def _number(text: str) -> int:
    if text.isdigit():
        return int(text)
    total, previous = 0, 0
    for char in reversed(text.upper()):
        value = _ROMAN[char]
        total += -value if value < previous else value
        previous = max(previous, value)
    return total


_PART_INDEX = {"1er": 0, "1ère": 0, "premier": 0, "première": 0, "2e": 1, "deuxième": 1, "second": 1, "seconde": 1,
               "3e": 2, "troisième": 2, "4e": 3, "dernier": -1, "dernière": -1}
_PART_SIZE = {"quart": 25, "moitié": 50, "tiers": 33}
_WHEN = {"début": (0, 24), "milieu": (40, 59), "fin": (75, 99), "limite": (90, 109)}


def _century(match: re.Match) -> tuple[int, int] | None:
    n = _number(match["n"])
    if not 1 <= n <= 21:
        return None
    start, end = (n - 1) * 100, (n - 1) * 100 + 99
    if match["part"]:
        size = _PART_SIZE[match["unit"].lower()]
        count = 100 // size
        index = _PART_INDEX.get(match["pn"].lower())
        if index is None or index >= count:
            return None
        index = index % count
        start, end = start + index * size, (start + (index + 1) * size - 1 if index < count - 1 else end)
    elif match["when"]:
        low, high = _WHEN[match["when"].lower()]
        start, end = start + low, start + high
    if match["bc"]:  # the 4th century BC runs from 400 to 301 BC
        start, end = -end - 1, -start - 1
    return start, end


@lru_cache(maxsize=8192)  # POP's dates repeat ("15e siècle"): parse each once
def _parse_one(text: str) -> tuple[int, int] | None:
    text = text.strip().rstrip(".").strip()
    if not text:
        return None
    for pattern in (_ISO, _FRENCH_DAY):
        match = pattern.match(text)
        if match:
            year = int(match["a"])
            return year, year
    match = _RANGE.match(text)
    if match:
        a, b = int(match["a"]), int(match["b"])
        if match["bc"]:
            a, b = -a, -b
        return (min(a, b), max(a, b))
    match = _SINGLE.match(text)
    if match:
        year = -int(match["a"]) if match["bc"] else int(match["a"])
        return (year - CIRCA, year + CIRCA) if match["circa"] else (year, year)
    match = _CENTURY.match(text)
    if match:
        return _century(match)
    match = _MILLENNIUM.match(text)
    if match:
        n = _number(match["n"])
        start, end = (n - 1) * 1000, n * 1000 - 1
        return (-end - 1, -start - 1) if match["bc"] else (start, end)
    return None


def parse_date(value: str | Iterable[str]) -> DateRange | None:
    """The years a POP date (or list of dates) covers; None when no part parses."""
    values = [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)]
    display = " ; ".join(v.strip() for v in values if v.strip())
    bounds = []
    for item in values:
        for part in _PARTS.split(item):
            parsed = _parse_one(part)
            if parsed is not None:
                bounds.append(parsed)
    if not bounds:
        return None
    return DateRange(display, min(b[0] for b in bounds), max(b[1] for b in bounds))


def parse_bounds(display: str, earliest: str | None, latest: str | None) -> DateRange | None:
    """A date whose bounds a base gives in their own fields (Enluminures DATDEB/DATFIN), else parsed from display."""
    try:
        low = int(earliest) if earliest else None
        high = int(latest) if latest else low
    except ValueError:
        low = high = None
    if low is not None and high is not None:
        return DateRange(display or (str(low) if low == high else f"{low}-{high}"), min(low, high), max(low, high))
    return parse_date(display) if display else None
