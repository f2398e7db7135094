"""A POP notice as a plain value: normalisation of the real data's quirks, validation, public view, hash.

The write path is `validate_notice(base, raw)` → `Notice`; every output reads `public_view(notice)`,
which is the one place where non-diffusable and internal fields are removed.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable, Mapping

import orjson
from marshmallow import RAISE, Schema, ValidationError, fields as mfields, validate

from .bases import Base

LOCAL_SOURCE = "local"

# Characters XML 1.0 cannot carry; the real data has a few (pasted from word processors).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


@dataclass(frozen=True)
class Notice:
    """One notice of one base. `fields` holds every stored field, hidden ones included, normalised."""

    base: str
    ref: str
    fields: Mapping[str, Any]
    source: str = LOCAL_SOURCE  # "local" or the name of the partner it was harvested from
    source_identifier: str | None = None  # the partner's OAI identifier, for harvested notices
    deleted: bool = False
    datestamp: datetime | None = None  # UTC, whole seconds; set by the store
    id: int | None = field(default=None, compare=False)  # the store's row id, when read from it
    # The metadata licence its partner states (an SPDX id or a URI) for a harvested notice; None for POP's own
    # and for a partner that states none. Outputs state POP's licence only for POP's own (source local).
    licence: str | None = None

    @property
    def producer(self) -> str | None:
        value = self.fields.get("PRODUCTEUR")
        return value if isinstance(value, str) and value else None


class InvalidNotice(ValueError):
    """A notice that cannot be stored; `errors` maps each field code to its messages."""

    def __init__(self, errors: Mapping[str, list[str]], ref: str | None = None):
        self.errors = dict(errors)
        self.ref = ref
        super().__init__(self.reason)

    @property
    def reason(self) -> str:
        return "; ".join(f"{code}: {' '.join(messages)}" for code, messages in sorted(self.errors.items()))


def _clean_text(value: str) -> str:
    if value.isprintable():  # C-fast: no control character at all, the common case
        return value.strip()
    return _XML_ILLEGAL.sub("", value).strip()


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _normalize_value(value: Any, multi: bool, kind: str) -> Any:
    if isinstance(value, str):
        value = _clean_text(value)
    elif kind == "string" and isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)  # a number where the dictionary says text: keep it, as text
    if multi and isinstance(value, list):
        items = [_normalize_value(item, False, kind) for item in value]
        return [item for item in items if not _is_empty(item)]
    if multi and isinstance(value, str):
        return [value] if value else []  # a multi-valued field given as one string (Mémoire WADRS)
    return value


def _no_coordinates(value: Any) -> bool:
    if isinstance(value, Mapping):
        if set(value) >= {"lat", "lon"} and not value.get("lat") and not value.get("lon"):
            return True  # {lat: 0, lon: 0} is how POP says "no coordinates"
        if "coordinates" in value and not value["coordinates"]:
            return True  # a GeoJSON geometry with no coordinates
    return False


def normalize(base: Base, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Undo the real data's quirks: trim text, drop empty values (`""`, `[""]`, `[]`), drop `{lat:0, lon:0}`,
    wrap a multi-valued field given as a single string. Unknown fields are kept for validation to report."""
    return _normalized(base, raw)[0]


def _normalized(base: Base, raw: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """normalize(), and the codes whose values validation must still check: every value not listed is already
    of its field's kind and in its vocabulary — a text for a text field, a list of texts for a multi-valued
    one (most fields of most notices)."""
    result: dict[str, Any] = {}
    unchecked: list[str] = []
    texts, enums, field_map = base.text_shapes, base.single_enums, base.field_map
    illegal = _XML_ILLEGAL
    for code, value in raw.items():
        multi = texts.get(code)
        if type(value) is str:
            if multi is False:  # the common case, inlined: a single text
                value = value.strip() if value.isprintable() else illegal.sub("", value).strip()
                if value:
                    result[code] = value
                    if code in enums and value not in enums[code]:
                        unchecked.append(code)
                continue
        elif type(value) is list and multi and all(type(item) is str for item in value):  # a list of texts
            items = [item for item in map(_clean_text, value) if item]
            if items:
                result[code] = items
            continue
        if value is None or value == "" or value == []:
            continue
        spec = field_map.get(code)
        if spec is not None:
            value = _normalize_value(value, spec.multi, spec.kind)
            if spec.kind == "object" and _no_coordinates(value):
                continue
        elif isinstance(value, str):
            value = _clean_text(value)
        if not _is_empty(value):
            result[code] = value
            unchecked.append(code)  # whatever else: left to the full check
    return result, unchecked


def _marshmallow_field(spec) -> mfields.Field:
    # Only REF is enforced: the dictionary's other "required" fields are required by producers' input
    # forms, and real published notices lack them (the Joconde sample has an empty STAT).
    kwargs: dict[str, Any] = {"required": spec.code == "REF"}
    if spec.multi:
        kwargs["error_messages"] = {"invalid": "expected a list of values."}
        return mfields.List(_scalar_field(spec.kind, {}), **kwargs)
    kwargs["error_messages"] = {"invalid": f"expected a single {_KIND_NAMES[spec.kind]}, not a list or other type."}
    if spec.code == "REF":
        return mfields.String(validate=validate.Length(max=64), **kwargs)
    if spec.enum:
        return mfields.String(validate=validate.OneOf(spec.enum), **kwargs)
    return _scalar_field(spec.kind, kwargs)


_KIND_NAMES = {"string": "text value", "number": "number", "object": "object"}


def _scalar_field(kind: str, kwargs: dict[str, Any]) -> mfields.Field:
    if kind == "number":
        return mfields.Float(allow_nan=False, **kwargs)
    if kind == "object":
        return mfields.Dict(**kwargs)
    return mfields.String(**kwargs)


_SCHEMAS: dict[str, Schema] = {}


def notice_schema(base: Base) -> Schema:
    """The marshmallow schema of a base's notices (normalised fields in, the same fields out)."""
    schema = _SCHEMAS.get(base.name)
    if schema is None:
        cls = Schema.from_dict({f.code: _marshmallow_field(f) for f in base.fields}, name=f"{base.name.title()}Notice")
        schema = _SCHEMAS[base.name] = cls(unknown=RAISE)
    return schema


def validate_notice(
    base: Base,
    raw: Mapping[str, Any],
    *,
    source: str = LOCAL_SOURCE,
    source_identifier: str | None = None,
    licence: str | None = None,
) -> Notice:
    """Normalise and validate a raw notice of `base`; raise `InvalidNotice` with per-field reasons."""
    if not isinstance(raw, Mapping):
        raise InvalidNotice({"_record": [f"expected an object of fields, got {type(raw).__name__}"]})
    fields, unchecked = _normalized(base, raw)
    ref = fields.get("REF")
    if not _conforms(base, fields, unchecked):
        # The slow path: marshmallow says what is wrong with every field at once.
        errors: dict[str, list[str]] = {}
        try:
            notice_schema(base).load(fields)
        except ValidationError as error:
            errors = _flatten(error.messages)
        if isinstance(ref, str) and not base.ref_regex.match(ref):
            errors.setdefault("REF", []).append(
                f"{ref!r} is not a {base.name} reference (expected {base.ref_pattern})")
        raise InvalidNotice(errors or {"_record": ["invalid notice"]}, ref=ref if isinstance(ref, str) else None)
    return Notice(base=base.name, ref=ref, fields=fields, source=source, source_identifier=source_identifier,
                  licence=licence)


_CHECKS = {
    ("string", False): lambda v: isinstance(v, str),
    ("string", True): lambda v: isinstance(v, list) and all(isinstance(i, str) for i in v),
    ("number", False): lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and v == v,
    ("number", True): lambda v: isinstance(v, list)
    and all(isinstance(i, (int, float)) and not isinstance(i, bool) and i == i for i in v),
    ("object", False): lambda v: isinstance(v, dict),
    ("object", True): lambda v: isinstance(v, list) and all(isinstance(i, dict) for i in v),
}


def _conforms(base: Base, fields: Mapping[str, Any], codes: Iterable[str] | None = None) -> bool:
    """The fast path of validation: True when the marshmallow schema would accept `fields` and REF matches
    the base's pattern. Most notices are valid, and marshmallow costs ~0.5 ms a notice; this costs ~20 µs
    (less with `codes`: the only fields to check, normalization having vouched for the others).
    tests/formats/test_notice.py checks that both agree."""
    if not _ref_conforms(base, fields.get("REF")):
        return False
    field_map = base.field_map
    for code in fields if codes is None else codes:
        value = fields[code]
        spec = field_map.get(code)
        if spec is None or not _CHECKS[spec.kind, spec.multi](value):
            return False
        if spec.enum and not spec.multi and value not in spec.enum:
            return False
    return True


def _ref_conforms(base: Base, ref: Any) -> bool:
    return isinstance(ref, str) and len(ref) <= 64 and base.ref_regex.match(ref) is not None


def _flatten(messages: Any) -> dict[str, list[str]]:
    flat: dict[str, list[str]] = {}
    for code, value in (messages.items() if isinstance(messages, dict) else [("_record", messages)]):
        if isinstance(value, dict):  # a list field: {index: [messages]}
            for index, inner in value.items():
                text = inner if isinstance(inner, list) else [str(inner)]
                flat.setdefault(code, []).extend(f"value {index}: {m}" for m in text)
        elif code == "_schema":
            flat.setdefault("_record", []).extend(value)
        else:
            flat.setdefault(code, []).extend(
                "is not a field of this base." if m == "Unknown field." else
                ("is required." if m == "Missing data for required field." else m)
                for m in value
            )
    return flat


def public_view(base: Base, fields: Mapping[str, Any]) -> dict[str, Any]:
    """The published fields of a notice, in the base's dictionary order. The only way out of the store."""
    return {f.code: fields[f.code] for f in base.published_fields if f.code in fields}


def canonical_json(value: Any) -> str:
    """Compact JSON with sorted keys, UTF-8 text unescaped (orjson: ~10× json.dumps on a notice)."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode("utf-8")


def content_hash(base: Base, fields: Mapping[str, Any]) -> str:
    """sha256 of what we publish of a notice: equal hashes mean aggregators have nothing to re-fetch."""
    return hashlib.sha256(canonical_json(public_view(base, fields)).encode("utf-8")).hexdigest()


def fields_hash(fields: Mapping[str, Any]) -> str:
    """sha256 of every stored field, hidden ones included: equal hashes mean the write changes nothing."""
    return hashlib.sha256(canonical_json(fields).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Fingerprint:
    """A notice's canonical JSON and both hashes, computed with as few serializations as possible."""

    canonical: str  # canonical JSON of every field (sorted keys): what the store keeps
    fields_hash: str
    content_hash: str


def fingerprint(base: Base, fields: Mapping[str, Any]) -> Fingerprint:
    canonical = canonical_json(fields)
    all_hash = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    if base.hidden_codes.isdisjoint(fields):
        return Fingerprint(canonical, all_hash, all_hash)  # nothing hidden: the public view is every field
    return Fingerprint(canonical, all_hash, content_hash(base, fields))
