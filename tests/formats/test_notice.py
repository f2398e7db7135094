"""Validation, normalisation of the real data's quirks, the public view and hashes."""
from __future__ import annotations

import json
import random

import pytest
from marshmallow import ValidationError

from formats.bases import BASES, get_base
from formats.notice import (InvalidNotice, _conforms, content_hash, normalize, notice_schema, public_view,
                            validate_notice)

SAMPLES = ["autor", "enluminures", "joconde", "memoire", "merimee", "mnr", "museo", "palissy"]


def sample(shared_dir, name):
    return json.loads((shared_dir / "pop-bases" / "samples" / f"{name}-1.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", SAMPLES)
def test_real_samples_validate_and_keep_every_non_empty_published_value(shared_dir, name):
    base = get_base(name)
    raw = sample(shared_dir, name)
    notice = validate_notice(base, raw)
    public = public_view(base, notice.fields)
    assert notice.ref == raw["REF"]
    for code, value in raw.items():
        if code in base.hidden_codes:
            assert code not in public
        elif value not in ("", [], [""], None) and not isinstance(value, dict):  # objects: see test_quirks
            expected = [v.strip() for v in value if v.strip()] if isinstance(value, list) and value and \
                isinstance(value[0], str) else value
            if isinstance(expected, str):
                expected = expected.strip()
                if base.field(code).multi:
                    expected = [expected]
            if expected not in ("", []):
                assert public[code] == expected, code


def test_quirks_are_normalised(shared_dir):
    merimee, memoire = get_base("merimee"), get_base("memoire")
    fields = normalize(merimee, {"REF": " PA00078014 ", "DENO": [""], "COM": ["  Aix  ", ""],
                                 "POP_COORDONNEES": {"lat": 0, "lon": 0}, "TICO": "a\x0bb",
                                 "POP_COORDINATES_POLYGON": {"type": "Polygon", "coordinates": []}})
    assert fields == {"REF": "PA00078014", "COM": ["Aix"], "TICO": "ab"}
    assert normalize(memoire, {"WADRS": "15 rue X"})["WADRS"] == ["15 rue X"]
    assert "WADRS" not in normalize(memoire, {"WADRS": ""})


@pytest.mark.parametrize("raw, field, message", [
    ({}, "REF", "is required"),
    ({"REF": ["000PE001028"]}, "REF", "single text value"),
    ({"REF": "bad ref"}, "REF", "is not a joconde reference"),
    ({"REF": "000PE001028", "TICO": ["a", "b"]}, "TICO", "single text value"),
    ({"REF": "000PE001028", "NOPE": "x"}, "NOPE", "is not a field of this base"),
    ({"REF": "000PE001028", "POP_COORDONNEES": "48,2"}, "POP_COORDONNEES", "single object"),
    ({"REF": "000PE001028", "POP_CONTIENT_GEOLOCALISATION": "peut-être"}, "POP_CONTIENT_GEOLOCALISATION", "oui, non"),
])
def test_invalid_notices_get_a_reason_per_field(raw, field, message):
    with pytest.raises(InvalidNotice) as error:
        validate_notice(get_base("joconde"), raw)
    assert message in " ".join(error.value.errors[field])
    assert field in error.value.reason


def test_every_error_is_reported_at_once():
    with pytest.raises(InvalidNotice) as error:
        validate_notice(get_base("joconde"), {"REF": "bad ref", "TICO": ["x"], "NOPE": 1})
    assert set(error.value.errors) == {"REF", "TICO", "NOPE"}


def test_fast_path_agrees_with_marshmallow(shared_dir):
    """_conforms is an optimisation of the marshmallow schema: on valid and mutated notices they agree."""
    rng = random.Random(7)
    mutations = [lambda v: [v] if isinstance(v, str) else "x", lambda v: 3, lambda v: {"a": 1}, lambda v: [1, "a"]]
    for name in SAMPLES:
        base = get_base(name)
        fields = normalize(base, sample(shared_dir, name))
        cases = [fields]
        for _ in range(40):
            mutated = dict(fields)
            code = rng.choice(list(mutated))
            mutated[code] = rng.choice(mutations)(mutated[code])
            cases.append(normalize(base, mutated))
        for case in cases:
            try:
                notice_schema(base).load(case)
                accepted = bool(base.ref_regex.match(case.get("REF", ""))) if isinstance(case.get("REF"), str) else False
            except ValidationError:
                accepted = False
            assert _conforms(base, case) == accepted, (name, case)


def test_content_hash_covers_published_fields_only():
    palissy = get_base("palissy")
    fields = {"REF": "PM01000107", "TICO": "Orgue"}
    assert content_hash(palissy, fields) == content_hash(palissy, {**fields, "EDIF2": "Sacristie"})
    assert content_hash(palissy, fields) != content_hash(palissy, {**fields, "TICO": "Orgue de tribune"})


def test_public_view_follows_dictionary_order():
    base = BASES["joconde"]
    view = public_view(base, {"TICO": "t", "REF": "000PE001028", "TOUT": "x"})
    assert list(view) == ["REF", "TICO"]
