"""store.demo: deterministic, realistic, valid demo notices for the eight bases."""
from __future__ import annotations

import json
from collections import Counter

import pytest

from store.demo import PROPORTIONS, capacity, generate, generate_all, shares
from formats.bases import BASES
from formats.notice import normalize, public_view, validate_notice

PER_BASE = 300
ALL_BASES = list(BASES.values())
IDS = list(BASES)


@pytest.fixture(scope="module")
def samples() -> dict[str, list[dict]]:
    return {name: list(generate(base, PER_BASE, seed=11)) for name, base in BASES.items()}


def dumps(notices) -> str:
    return json.dumps(list(notices), ensure_ascii=False, sort_keys=True)


# --- determinism ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("base", ALL_BASES, ids=IDS)
def test_same_seed_same_notices(base):
    assert dumps(generate(base, 80, seed=3)) == dumps(generate(base, 80, seed=3))


@pytest.mark.parametrize("base", ALL_BASES, ids=IDS)
def test_other_seed_other_notices(base):
    first, second = list(generate(base, 40, seed=3)), list(generate(base, 40, seed=4))
    assert sum(a != b for a, b in zip(first, second)) >= 35


@pytest.mark.parametrize("base", ALL_BASES, ids=IDS)
def test_notice_i_does_not_depend_on_start_or_count(base):
    whole = list(generate(base, 200, seed=7))
    assert list(generate(base, 30, seed=7, start=100)) == whole[100:130]
    assert list(generate(base, 1, seed=7, start=65)) == whole[65:66]  # inside a block
    assert list(generate(base, 137, seed=7, start=63)) == whole[63:200]  # across blocks
    assert list(generate(base, 0, seed=7, start=5)) == []


def test_notices_do_not_share_mutable_values():
    base = BASES["joconde"]
    first = list(generate(base, 64, seed=1))
    for notice in first:
        for value in notice.values():
            if isinstance(value, list):
                value.append("mutated")
            elif isinstance(value, dict):
                value["mutated"] = True
    assert "mutated" not in dumps(generate(base, 64, seed=1))


# --- validity and shape --------------------------------------------------------------------------------------
@pytest.mark.parametrize("base", ALL_BASES, ids=IDS)
def test_every_notice_validates(base, samples):
    for raw in samples[base.name]:
        assert set(raw) <= set(base.field_map), set(raw) - set(base.field_map)
        notice = validate_notice(base, raw)
        assert notice.ref == raw["REF"]
        assert base.ref_regex.match(notice.ref)
        assert notice.fields["BASE"] == base.label
        assert notice.producer in base.producers


@pytest.mark.parametrize("base", ALL_BASES, ids=IDS)
def test_multi_valued_fields_are_lists(base, samples):
    for raw in samples[base.name]:
        for code, value in raw.items():
            spec = base.field(code)
            if spec.multi and not (base.name == "memoire" and code == "WADRS"):
                assert isinstance(value, list), (base.name, code, value)
            elif not spec.multi and spec.kind == "string":
                assert isinstance(value, str), (base.name, code, value)


@pytest.mark.parametrize("base", ALL_BASES, ids=IDS)
def test_notices_have_sample_like_sizes(base, samples):
    sizes = [len(normalize(base, raw)) for raw in samples[base.name]]
    assert min(sizes) >= 15
    assert max(sizes) <= 50
    assert 20 <= sum(sizes) / len(sizes) <= 45


@pytest.mark.parametrize("base", ALL_BASES, ids=IDS)
def test_refs_unique(base, samples):
    refs = [raw["REF"] for raw in samples[base.name]]
    assert len(set(refs)) == len(refs)


@pytest.mark.parametrize("name", ["joconde", "merimee", "palissy", "memoire"])
def test_refs_unique_on_a_large_base(name):
    base = BASES[name]
    refs = [raw["REF"] for raw in generate(base, 20_000, seed=2)]
    assert len(set(refs)) == len(refs)


@pytest.mark.parametrize("base", ALL_BASES, ids=IDS)
def test_refs_valid_and_unique_at_the_end_of_the_scheme(base):
    """Big indexes (past 10^6, where some schemes change shape) and the last index a scheme can number."""
    cap = capacity(base)
    starts = [cap - 3] + ([999_998] if cap > 1_000_002 else [])
    refs = []
    for start in starts:
        for raw in generate(base, 3 if start == cap - 3 else 4, seed=0, start=start):
            validate_notice(base, raw)
            refs.append(raw["REF"])
    small = [raw["REF"] for raw in generate(base, 200, seed=0)]
    assert len(set(refs + small)) == len(refs) + len(small)


def test_ref_shapes_follow_the_real_bases(samples):
    refs = {name: [raw["REF"] for raw in notices] for name, notices in samples.items()}
    assert refs["museo"][:3] == ["M0000", "M0001", "M0002"]
    assert refs["autor"][0] == "OR000001"
    assert refs["enluminures"][0] == "D-000001"
    assert all(ref[:3] in {"MNR", "OAR", "RFR", "REC", "AEG", "LUX"} for ref in refs["mnr"])
    assert {ref[:2] for ref in refs["merimee"]} <= {"PA", "IA", "EA"}
    assert {ref[:2] for ref in refs["palissy"]} <= {"PM", "IM", "EM"}
    assert all(len(ref) == 11 for ref in refs["joconde"])
    assert any(ref.startswith("AP") for ref in refs["memoire"]) and any(ref.startswith("IVR") for ref in refs["memoire"])


def test_capacity_is_enforced():
    museo = BASES["museo"]
    assert len(list(generate(museo, 5, start=9_995))) == 5
    with pytest.raises(ValueError):
        generate(museo, 10_001)  # raised at the call, not at the first next()
    with pytest.raises(ValueError):
        generate(museo, 2, start=9_999)
    with pytest.raises(ValueError):
        generate(BASES["mnr"], 1, start=capacity(BASES["mnr"]))
    with pytest.raises(ValueError):
        generate(BASES["joconde"], -1)


# --- content -------------------------------------------------------------------------------------------------
def test_french_content(samples):
    joconde = samples["joconde"]
    assert any(raw.get("LOCA", "").count(" ; ") == 1 for raw in joconde)
    assert any(raw.get("MUSEO", "").startswith("M") for raw in joconde)
    assert any(" ; L. " in raw.get("DIMS", "") for raw in joconde)
    assert any("h = " in raw.get("DIMS", "") for raw in samples["palissy"])
    assert any(any(a.endswith(")") for a in raw.get("AUTR", [])) for raw in samples["palissy"] + samples["merimee"])
    assert any(s.endswith("e siècle") for raw in samples["merimee"] for s in raw["SCLE"])
    assert any("£" in raw.get("DESC", "") or "£" in raw.get("DIMS", "") for raw in samples["palissy"])
    assert any("#" in raw.get("HIST", "") for raw in samples["mnr"])
    assert any(any(c in raw.get("HIST", "") for c in "éèàç") for raw in samples["merimee"])
    assert any(raw.get("IMG", [""])[0].startswith(f"joconde/{raw['REF']}/") for raw in joconde if raw.get("IMG"))
    for name in ("merimee", "palissy", "memoire"):
        for raw in samples[name]:
            assert raw["INSEE"][0][:2] == raw["DPT"][0]


@pytest.mark.parametrize("base", ALL_BASES, ids=IDS)
def test_dates_are_iso_and_ordered(base, samples):
    for raw in samples[base.name]:
        dmis, dmaj = raw.get("DMIS"), raw.get("DMAJ")
        if dmis and dmaj:
            assert len(dmis) == len(dmaj) == 10 and dmis <= dmaj


@pytest.mark.parametrize("base", [b for b in ALL_BASES if "POP_COORDONNEES" in b.field_map], ids=lambda b: b.name)
def test_coordinates_in_france(base, samples):
    seen = 0
    for raw in samples[base.name]:
        coords = raw.get("POP_COORDONNEES")
        if coords and coords["lat"]:
            seen += 1
            assert 41.0 <= coords["lat"] <= 51.5 and -5.5 <= coords["lon"] <= 10.0
            assert raw["POP_CONTIENT_GEOLOCALISATION"] == "oui"
    assert seen > 0


# --- hidden fields and quirks --------------------------------------------------------------------------------
@pytest.mark.parametrize("base", ALL_BASES, ids=IDS)
def test_hidden_fields_present_and_never_public(base, samples):
    hidden_seen = Counter()
    for raw in samples[base.name]:
        notice = validate_notice(base, raw)
        hidden_seen.update(code for code in notice.fields if code in base.hidden_codes)
        assert not set(public_view(base, notice.fields)) & base.hidden_codes
    assert hidden_seen, f"no hidden field in {base.name} demo notices"


@pytest.mark.parametrize("name, codes", [
    ("palissy", {"ADRS2", "COM2", "EDIF2", "EMPL2", "INSEE2", "LBASE2"}),
    ("mnr", {"SALLES", "RCL", "NET", "CARTELS"}),
])
def test_non_diffusable_fields_filled(name, codes, samples):
    base = BASES[name]
    assert codes <= {f.code for f in base.fields if f.visibility == "non_diffusable"}
    filled = Counter(code for raw in samples[name] for code, value in normalize(base, raw).items() if code in codes)
    assert set(filled) == codes
    assert all(n < PER_BASE // 2 for n in filled.values())  # some notices, not all


def test_quirks_present(samples):
    everything = [(name, raw) for name, notices in samples.items() for raw in notices]
    assert any(value == [""] for _, raw in everything for value in raw.values())
    assert any(value == "" for _, raw in everything for value in raw.values())
    assert any(raw.get("POP_COORDONNEES") == {"lat": 0, "lon": 0} for _, raw in everything)
    assert any(isinstance(v, str) and v and v != v.strip() for _, raw in everything for v in raw.values())
    assert any(isinstance(raw.get("WADRS"), str) for raw in samples["memoire"])
    assert any(isinstance(raw.get("WADRS"), list) for raw in samples["memoire"])
    # …at low rates: most notices are clean where it matters.
    zero = sum(raw.get("POP_COORDONNEES") == {"lat": 0, "lon": 0} for raw in samples["joconde"])
    assert 0 < zero < PER_BASE * 0.3


def test_quirks_are_normalized_away(samples):
    base = BASES["memoire"]
    for raw in samples["memoire"]:
        fields = validate_notice(base, raw).fields
        assert all(value not in ("", [""], []) for value in fields.values())
        if "WADRS" in fields:
            assert isinstance(fields["WADRS"], list)


# --- generate_all --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("count", [0, 1, 5, 8, 9, 1000, 12_345])
def test_generate_all_counts(count):
    plan = shares(count)
    assert sum(plan.values()) == count
    got = Counter(base.name for base, _ in generate_all(count, seed=1))
    assert sum(got.values()) == count
    assert {name: n for name, n in plan.items() if n} == dict(got)
    if count >= len(BASES):
        assert set(got) == set(BASES)


def test_generate_all_proportions():
    plan = shares(1_000_000)
    assert sum(plan.values()) == 1_000_000
    large, small = ("joconde", "merimee", "palissy", "memoire"), ("museo", "autor", "enluminures", "mnr")
    assert min(plan[n] for n in large) > 5 * max(plan[n] for n in small)
    assert sum(plan[n] for n in large) > 0.9 * 1_000_000
    assert abs(sum(PROPORTIONS.values()) - 1) < 1e-9
    for name, n in plan.items():
        assert abs(n - 1_000_000 * PROPORTIONS[name]) <= 1


def test_generate_all_respects_capacities():
    plan = shares(5_000_000)
    assert sum(plan.values()) == 5_000_000
    assert plan["museo"] == capacity(BASES["museo"])
    with pytest.raises(ValueError):
        shares(sum(capacity(b) for b in ALL_BASES) + 1)


def test_generate_all_uses_generate():
    pairs = list(generate_all(500, seed=9))
    for base in ALL_BASES:
        mine = [raw for b, raw in pairs if b is base]
        assert mine == list(generate(base, len(mine), seed=9))
    assert dumps(raw for _, raw in pairs) == dumps(raw for _, raw in generate_all(500, seed=9))
