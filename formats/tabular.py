"""A notice as a CSV row and back: the cell encoding shared by CSV exports and `pop import`.

- one column per field, headed by its code (`REF`, `TICO`…), in the base's dictionary order;
- a single-valued text field is its text, as is;
- a multi-valued field joins its values with `|`; a `|` or `\\` inside a value is escaped with `\\`
  (`a|b` → `a\\|b`), so splitting is never ambiguous;
- numbers are written in Python's shortest round-trip form; object fields (coordinates, polygons) as JSON;
- an empty cell is an absent field.
"""
from __future__ import annotations

import json
from typing import Any, Callable, Mapping, Sequence

import orjson

from .bases import Base, Field

MULTI_SEPARATOR = "|"


def _json_dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def json_text(value: Any) -> str:
    """An object cell: compact JSON, non-ASCII as is — `json.dumps` output, made by orjson when it is the same.
    orjson writes floats below 1e-4 differently (`0.00001`, `1e-7` for Python's `1e-05`, `1e-07`), so any
    output holding `0.0000` or `e-` is redone by the json module, as are values orjson refuses (integers
    beyond 64 bits, lone surrogates)."""
    try:
        data = orjson.dumps(value)
    except TypeError:
        return _json_dumps(value)
    if b"0.0000" in data or b"e-" in data:
        return _json_dumps(value)
    return data.decode()


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("|", "\\|")


def split_multi(cell: str) -> list[str]:
    """Split a multi-valued cell on unescaped `|` and unescape the values."""
    values, current, chars = [], [], iter(cell)
    for char in chars:
        if char == "\\":
            current.append(next(chars, "\\"))
        elif char == MULTI_SEPARATOR:
            values.append("".join(current))
            current = []
        else:
            current.append(char)
    values.append("".join(current))
    return values


def _scalar(value: Any, spec: Field) -> str:
    if spec.kind == "object":
        return json_text(value)
    if spec.kind == "number":
        return repr(value) if isinstance(value, float) else str(value)
    return value if isinstance(value, str) else str(value)


def encode_cell(value: Any, spec: Field) -> str:
    if value is None:
        return ""
    if spec.multi and isinstance(value, list):
        if spec.kind == "object":
            return json_text(value)
        return MULTI_SEPARATOR.join(_escape(_scalar(v, spec)) for v in value)
    return _scalar(value, spec)


def parse_number(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        return float(text)


def decode_cell(cell: str, spec: Field) -> Any:
    if cell == "":
        return None
    if spec.kind == "object":
        return json.loads(cell)
    if spec.multi:
        values = split_multi(cell)
        return [parse_number(v) for v in values] if spec.kind == "number" else values
    return parse_number(cell) if spec.kind == "number" else cell


def encode_row(base: Base, fields: Mapping[str, Any], columns: Sequence[str]) -> list[str]:
    field_map = base.field_map
    return [encode_cell(fields.get(code), field_map[code]) for code in columns]


def row_encoder(base: Base, columns: Sequence[str]) -> Callable[[Mapping[str, Any]], list[str]]:
    """`encode_row` for many notices: the same cells, faster — it visits only the fields a notice has (a notice
    fills a fraction of its base's columns) and inlines the common cases (a text, a list of texts holding no
    `|` nor `\\`: joined in one go, the count of `|` in the result telling whether any value held one).
    Fields outside `columns` are not written. tests/protocols/export/test_writers.py checks both agree."""
    width = len(columns)
    field_map = base.field_map
    plan: dict[str, tuple[int, Field]] = {}
    texts: dict[str, int] = {}  # single-valued text columns
    lists: dict[str, int] = {}  # multi-valued text columns
    for position, code in enumerate(columns):
        spec = field_map[code]
        plan[code] = (position, spec)
        if spec.kind == "string":
            (lists if spec.multi else texts)[code] = position
    join = MULTI_SEPARATOR.join

    def encode_fields(fields: Mapping[str, Any]) -> list[str]:
        cells = [""] * width
        for code, value in fields.items():
            kind = value.__class__
            if kind is str:
                position = texts.get(code)
                if position is not None:
                    cells[position] = value
                    continue
            elif kind is list:
                position = lists.get(code)
                if position is not None:
                    try:
                        cell = join(value)
                    except TypeError:  # not only texts: the general path says how
                        cell = "\\"
                    if "\\" not in cell and cell.count("|") == len(value) - 1:
                        cells[position] = cell
                        continue
            step = plan.get(code)
            if step is None or value is None:
                continue
            cells[step[0]] = encode_cell(value, step[1])
        return cells

    return encode_fields


class UnknownColumn(ValueError):
    pass


def decode_row(base: Base, header: Sequence[str], row: Sequence[str]) -> dict[str, Any]:
    """A CSV row back into raw fields. Columns that are not fields of the base are kept as text, for
    validation to report them; malformed JSON cells raise ValueError naming the column."""
    fields: dict[str, Any] = {}
    field_map = base.field_map
    for code, cell in zip(header, row):
        spec = field_map.get(code)
        if spec is None:
            if cell != "":
                fields[code] = cell
            continue
        try:
            value = decode_cell(cell, spec)
        except ValueError as error:
            raise ValueError(f"{code}: cannot read {cell[:40]!r} ({error})") from None
        if value is not None:
            fields[code] = value
    return fields
