"""Demo notices: realistic, deterministic raw notices of the eight POP bases, for `pop demo load` and benchmarks.

`generate(base, count, seed, start)` yields raw notices shaped like POP's real exports (see
../shared/pop-bases/samples), quirks included: `[""]` arrays, `""` strings, `{lat: 0, lon: 0}` for "no
coordinates", empty GeoJSON polygons, surrounding whitespace, and Mémoire's multi-valued WADRS given as one
string. Every notice passes `formats.notice.validate_notice`. Some carry the fields that must never be published
(Palissy's masked location ADRS2/COM2/EDIF2/EMPL2/INSEE2/LBASE2, MNR's NET/SALLES/CARTELS/RCL, and the internal
POP_FLAGS/POP_IMPORT/HISTORIQUE), so tests can prove that no output leaks them.

This module is the generic part: the registry of builders, the quirks every base shares, the blocks of the random
stream, the split of a load between bases, and the batches of `pop demo load`. Each base's builder is a module of
this package (joconde.py, merimee.py...: one `build(rnd, index, base)` and its REF scheme's `CAPACITY`), what they
share is in common.py, and the words they draw from are in data/*.json.

Determinism: notice `index` of a base depends only on (base, seed, index). Notices are generated in blocks of
`_BLOCK` consecutive indexes from one `random.Random` seeded with (base, seed, block); a call that starts inside a
block replays the block's first notices and drops them. REFs are derived from the index (never drawn at random),
so they are unique within a base; each base's REF scheme has a capacity and `generate` raises `ValueError` past it.

Standard library only, and fast (tens of thousands of notices a second): the tables are loaded once and
precomputed, a draw is `seq[int(rnd() * len(seq))]`, and a notice is a handful of dict literals.
"""
from __future__ import annotations

import random
from typing import Any, Callable, Iterator

from formats.bases import BASES, Base
from formats.registry import Renderers

from . import autor, enluminures, joconde, memoire, merimee, mnr, museo, palissy
from .common import POP_FLAGS, historique

__all__ = ["generate", "generate_all", "shares", "capacity", "PROPORTIONS", "demo_batches", "prepare_demo_batch"]

_BLOCK = 64

# Share of each base in a demo load: the real platform's shape (Mémoire, Joconde, Palissy and Mérimée hold
# nearly everything; the other four are small).
PROPORTIONS: dict[str, float] = {
    "memoire": 0.34,
    "joconde": 0.30,
    "palissy": 0.16,
    "merimee": 0.15,
    "enluminures": 0.025,
    "autor": 0.015,
    "mnr": 0.006,
    "museo": 0.004,
}

# One builder module per base: adding a base is one module and one line here.
_MODULES = {
    "joconde": joconde, "merimee": merimee, "palissy": palissy, "memoire": memoire,
    "mnr": mnr, "museo": museo, "autor": autor, "enluminures": enluminures,
}
_BUILDERS: dict[str, Callable[[Callable[[], float], int, Base], dict[str, Any]]] = {
    name: module.build for name, module in _MODULES.items()
}
# How many distinct REFs each base's scheme can make (REFs are derived from the index).
_CAPACITY: dict[str, int] = {name: module.CAPACITY for name, module in _MODULES.items()}


def capacity(base: Base) -> int:
    """How many distinct demo notices (REFs) `base` can have."""
    return _CAPACITY[base.name]


class _Quirks:
    """Per base: the empty fields the real exports carry, the internal fields, where to put stray whitespace."""

    def __init__(self, base: Base):
        builder_codes = {"REF", "BASE", "PRODUCTEUR"}
        fillable = [f for f in base.fields if f.code not in builder_codes and f.kind != "object" and f.published]
        rng = random.Random(f"quirks:{base.name}")
        # A few shapes of "all the other fields, empty", like the samples; each notice gets one of them.
        self.empties = tuple(
            tuple((f.code, f.multi) for f in rng.sample(fillable, min(len(fillable), rng.randint(4, 12))))
            for _ in range(16)
        )
        self.blank_list_rate = 0.5 if base.name == "memoire" else 0.15  # [""] rather than []
        codes = base.field_map
        self.flags = "POP_FLAGS" in codes
        self.imports = "POP_IMPORT" in codes
        self.tout = "TOUT" in codes
        self.historique = "HISTORIQUE" in codes
        self.pad = tuple(c for c in ("TICO", "TITR", "LOCA", "NOM", "LEG", "NOMOFF", "SUJET", "EDIF") if c in codes
                         and not codes[c].multi)


_QUIRKS = {name: _Quirks(base) for name, base in BASES.items()}


def _finish(rnd, d: dict[str, Any], q: _Quirks) -> dict[str, Any]:
    for code, multi in q.empties[int(rnd() * 16)]:
        if code not in d:
            d[code] = ([""] if rnd() < q.blank_list_rate else []) if multi else ""
    x = rnd()
    if x < 0.15 and q.flags:
        k = int(rnd() * 10)
        d["POP_FLAGS"] = [POP_FLAGS[k], POP_FLAGS[(k + 1 + int(x * 60)) % 10]][: 1 + int(x * 13.4)]
    elif x < 0.2 and q.imports:
        d["POP_IMPORT"] = [f"{0x5c000000 + int(rnd() * 0x3000000):08x}{int(rnd() * 2**63):016x}"[:24]]
    elif x < 0.26 and q.historique:
        d["HISTORIQUE"] = historique(rnd, d.get("DMAJ") or "2020-01-01")
    elif x < 0.3 and q.tout:
        d["TOUT"] = "   "
    y = rnd()
    if y < 0.04 and q.pad:
        code = q.pad[int(y * 25 * len(q.pad))]
        value = d.get(code)
        if isinstance(value, str) and value:
            d[code] = f" {value}  " if y < 0.02 else f"{value}\n"
    return d


def _iterate(base: Base, count: int, seed: int, start: int) -> Iterator[dict[str, Any]]:
    build = _BUILDERS[base.name]
    quirks = _QUIRKS[base.name]
    rng = random.Random()
    rnd = rng.random
    end = start + count
    index = start - start % _BLOCK
    while index < end:
        # One seed per block of consecutive indexes: notice i depends only on (base, seed, i).
        rng.seed(f"pop-demo:{base.name}:{seed}:{index // _BLOCK}")
        stop = min(index + _BLOCK, end)
        while index < stop:
            notice = _finish(rnd, build(rnd, index, base), quirks)
            if index >= start:
                yield notice
            index += 1


def generate(base: Base, count: int, seed: int = 0, start: int = 0) -> Iterator[dict[str, Any]]:
    """Yield `count` raw demo notices of `base` (the shape of ../shared/pop-bases/samples, quirks included),
    deterministic for (base, seed, index): notice i is the same whatever count/start are.

    Raises ValueError (at the call, not at the first notice) for a negative count or start, an unknown base,
    or indexes past what the base's REF scheme can number (`capacity(base)`, e.g. 10,000 for Muséofile)."""
    if count < 0 or start < 0:
        raise ValueError(f"count and start must be >= 0 (got count={count}, start={start})")
    if base.name not in _BUILDERS:
        raise ValueError(f"no demo generator for base {base.name!r}")
    cap = _CAPACITY[base.name]
    if start + count > cap:
        raise ValueError(f"{base.name} demo REFs ({base.ref_pattern}) number at most {cap:,} notices; "
                         f"asked for indexes {start}–{start + count - 1}")
    return _iterate(base, count, seed, start)


def shares(count: int) -> dict[str, int]:
    """How many of `count` demo notices each base gets: `PROPORTIONS` by largest remainders, at least one per base
    when `count` allows, never more than a base's capacity (the excess goes to the others, in proportion)."""
    if count < 0:
        raise ValueError(f"count must be >= 0 (got {count})")
    names = [name for name in BASES if name in PROPORTIONS]
    total_capacity = sum(_CAPACITY[name] for name in names)
    if count > total_capacity:
        raise ValueError(f"at most {total_capacity:,} demo notices (asked for {count:,})")
    result = dict.fromkeys(names, 0)
    open_names, remaining = list(names), count
    while remaining > 0:
        weight = sum(PROPORTIONS[n] for n in open_names)
        exact = {n: remaining * PROPORTIONS[n] / weight for n in open_names}
        alloc = {n: int(exact[n]) for n in open_names}
        for n in sorted(open_names, key=lambda n: alloc[n] - exact[n])[: remaining - sum(alloc.values())]:
            alloc[n] += 1
        remaining = 0
        for n in list(open_names):
            room = _CAPACITY[n] - result[n]
            if alloc[n] >= room:
                remaining += alloc[n] - room
                result[n] += room
                open_names.remove(n)
            else:
                result[n] += alloc[n]
    if count >= len(names):  # every base shows up, taken from the largest
        for n in names:
            if result[n] == 0:
                largest = max(names, key=lambda m: result[m])
                result[largest] -= 1
                result[n] = 1
    return result


def generate_all(count: int, seed: int = 0) -> Iterator[tuple[Base, dict]]:
    """Spread `count` notices over the eight bases in realistic proportions (joconde, merimee, palissy, memoire
    largest; museo, autor, enluminures, mnr small), each base's notices from generate()."""
    plan = shares(count)
    return _iterate_all(plan, seed)


def _iterate_all(plan: dict[str, int], seed: int) -> Iterator[tuple[Base, dict]]:
    for name, n in plan.items():
        base = BASES[name]
        for notice in generate(base, n, seed=seed):
            yield base, notice


# --- bulk loading (`pop demo load`) -------------------------------------------------------------------------
def demo_batches(count: int, seed: int = 0, batch_size: int = 1000) -> list[tuple[str, int, int, int]]:
    """The work of loading `count` demo notices, as (base, start, count, seed) batches of one base each."""
    return [(name, start, min(batch_size, n - start), seed)
            for name, n in shares(count).items() for start in range(0, n, batch_size)]


def prepare_demo_batch(task: tuple[str, int, int, int], renderers: Renderers | None = None) -> list:
    """Generate, validate, hash and render one batch (runs in a worker process). `renderers`: the store's
    (`Database.renderers`, sent with the task); without, the store renders the notices when it writes them."""
    from formats.notice import validate_notice

    from ..notices import prepare

    name, start, count, seed = task
    base = BASES[name]
    return [prepare(validate_notice(base, raw), renderers) for raw in generate(base, count, seed=seed, start=start)]
