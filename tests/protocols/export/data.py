"""Notices for export tests: the eight real samples, plus variants of each carrying the values that break naive
CSV (separators, quotes, backslashes, line breaks, accents), several producers, and every hidden field of the
base filled with a recognisable secret that must never appear in an export."""
from __future__ import annotations

from typing import Any, Iterator

from formats.bases import BASES, Base
from tests.shared import pop_sample

SECRET = "SECRET-"

QUIRKS = [
    'pipe | inside, "quotes" and a comma',
    "back\\slash \\| and a trailing backslash\\",
    "line one\nline two\r\nline three",
    "accents: é à ç œ Œ — “curly” ; semicolon 🎨",
    "  £#£ POP's own separators  ",
]


def sample(base: Base) -> dict[str, Any]:
    return pop_sample(base.name)


def _secret(field) -> Any:
    text = f"{SECRET}{field.code}"
    if field.kind == "object":
        value: Any = {"secret": text}
    elif field.kind == "number":
        value = 987654321
    else:
        value = text
    return [value] if field.multi else value


def text_fields(base: Base) -> tuple[str, str]:
    """A free-text single-valued field and a free multi-valued text field of the base (published)."""
    single = next(f.code for f in base.published_fields
                  if f.kind == "string" and not f.multi and not f.enum and not f.vocabulary
                  and f.code not in ("REF", "PRODUCTEUR") and not f.generated)
    multi = next(f.code for f in base.published_fields
                 if f.kind == "string" and f.multi and not f.enum and not f.generated)
    return single, multi


def variants(base: Base, count: int) -> Iterator[dict[str, Any]]:
    """`count` notices of `base` derived from its sample: quirky texts, rotating producers, secrets filled."""
    raw = sample(base)
    single, multi = text_fields(base)
    producers = list(base.producers) + ["Région Île-de-France"]
    for i in range(count):
        notice = dict(raw)
        notice["REF"] = raw["REF"][:-3] + f"{(i + 500) % 1000:03d}"
        notice["PRODUCTEUR"] = producers[i % len(producers)]
        notice[single] = QUIRKS[i % len(QUIRKS)]
        notice[multi] = [QUIRKS[(i + 1) % len(QUIRKS)], "plain value", f"n°{i}"]
        for field in base.fields:
            if not field.published:
                notice[field.code] = _secret(field)
        yield notice


def all_bases() -> list[Base]:
    return list(BASES.values())
