"""`pop`: POP's own metadata format — every published field of a notice, losslessly, so POP instances can
harvest each other without loss.

    <pop:notice xmlns:pop="https://pop.culture.gouv.fr/ns/pop/1.0" base="joconde" ref="000PE001028">
      <pop:field name="TICO">Chapiteau</pop:field>
      <pop:field name="DENO">chapiteau</pop:field>           (a multi-valued field repeats its element)
      <pop:field name="POP_COORDONNEES" type="json">{"lat":44.9,"lon":4.8}</pop:field>
    </pop:notice>

Fields come in the base's dictionary order; numbers are written in Python's shortest round-trip form and
objects as compact JSON with sorted keys (`type="json"`). Whether a field is multi-valued comes from the bases
registry, so a one-value list reads back as a list. The schema is formats/schemas/pop.xsd, served at /schemas/pop.xsd.
"""
from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from .bases import get_base
from .notice import Notice
from .format import MetadataFormat
from .tabular import parse_number
from .xmltext import attr, text as escape_text

NAMESPACE = "https://pop.culture.gouv.fr/ns/pop/1.0"
SCHEMA = "/schemas/pop.xsd"  # relative: served by this server, resolved against POP_BASE_URL


def _text(value: Any, kind: str) -> tuple[str, str]:
    """(type attribute, element text) of one value."""
    if kind == "object" or isinstance(value, (dict, list)):
        # keys sorted: an object reads back from the store in the database's key order (JSONB's on PostgreSQL,
        # the canonical JSON's on SQLite), and the same notice must render the same bytes (renditions rebuild)
        return ' type="json"', escape_text(json.dumps(value, ensure_ascii=False, separators=(",", ":"),
                                                      sort_keys=True))
    if kind == "number":
        return ' type="number"', repr(value) if isinstance(value, float) else str(value)
    return "", escape_text(value)


def render(notice: Notice) -> str:
    base = get_base(notice.base)
    field_map, order = base.field_map, base.field_order
    parts = [f'<pop:notice xmlns:pop="{NAMESPACE}" base={attr(notice.base)} ref={attr(notice.ref)}>']
    for code in sorted(notice.fields, key=order.__getitem__):  # the public notice: published fields only
        spec = field_map[code]
        value = notice.fields[code]
        if spec.kind == "string":
            for item in (value if spec.multi else (value,)):
                parts.append(f'<pop:field name="{code}">{escape_text(item)}</pop:field>')
            continue
        values = value if spec.multi and isinstance(value, list) and spec.kind != "object" else [value]
        for item in values:
            kind_attr, text = _text(item, spec.kind)
            parts.append(f'<pop:field name="{code}"{kind_attr}>{text}</pop:field>')
    parts.append("</pop:notice>")
    return "".join(parts)


class PopFormatError(ValueError):
    pass


def parse(element) -> dict[str, Any]:
    """A `<pop:notice>` element (lxml) → raw fields, for the harvester. Raises PopFormatError."""
    if element.tag != _NOTICE:
        raise PopFormatError(f"expected a pop:notice element, got {element.tag}")
    try:
        base = get_base(element.get("base", ""))
    except KeyError as error:
        raise PopFormatError(str(error)) from None
    fields: dict[str, Any] = {}
    gathered = _gathered(base.name)
    for child in element.iterchildren(_FIELD):
        get = child.get
        code = get("name")
        if not code:
            raise PopFormatError("a pop:field has no name")
        kind = get("type")
        value: Any = child.text or ""
        if kind is not None:
            try:
                value = json.loads(value) if kind == "json" else parse_number(value) if kind == "number" else value
            except ValueError as error:
                raise PopFormatError(f"{code}: cannot read {value[:40]!r} as {kind} ({error})") from None
        if code in gathered and not (gathered[code] and type(value) is list):
            fields.setdefault(code, []).append(value)
        else:
            fields[code] = value
    if element.get("ref") and "REF" not in fields:
        fields["REF"] = element.get("ref")
    return fields


_NOTICE = f"{{{NAMESPACE}}}notice"
_FIELD = f"{{{NAMESPACE}}}field"


@lru_cache(maxsize=None)
def _gathered(base_name: str) -> dict[str, bool]:
    """The multi-valued fields of a base, whose values are gathered in a list (one pop:field each): True for
    objects, a list of which may also come whole in one pop:field."""
    return {f.code: f.kind == "object" for f in get_base(base_name).fields if f.multi}


# version 2: objects' keys sorted (version 1 wrote them in the order the notice had them)
FORMAT = MetadataFormat(prefix="pop", namespace=NAMESPACE, schema=SCHEMA, render=render, parse=parse, version="2")
