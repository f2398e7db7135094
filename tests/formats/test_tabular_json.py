"""Object cells: `json_text` writes exactly what `json.dumps(value, ensure_ascii=False, separators=(",", ":"))`
writes — the CSV export and `pop import` rely on it — whatever numbers and texts the object holds."""
from __future__ import annotations

import json
import math
import random

from formats.tabular import json_text

TEXTS = ["", "plain", "é à 🎨", 'quote " and \\ backslash', "\n\r\t\b\f\x00\x1f\x7f\u2028", "\ud800", "e-1 0.0000"]


def reference(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def random_float(rnd: random.Random) -> float:
    return rnd.choice([
        rnd.uniform(-180, 180), rnd.random() * 10.0 ** rnd.randint(-330, 308),
        -rnd.random() * 10 ** rnd.randint(-8, 20),
        float(rnd.randint(-10**6, 10**6)), 0.0, -0.0, 5e-324, 1e-05, 1e-07, 1e16, 1e22, 0.0001, 1.5e-4,
    ])


def random_value(rnd: random.Random, depth: int = 0):
    kind = rnd.randrange(8 if depth < 3 else 5)
    if kind == 0:
        return random_float(rnd)
    if kind == 1:
        return rnd.choice([0, -1, 2**63 - 1, -(2**63), 2**64, 10**30, rnd.randint(-10**9, 10**9)])
    if kind == 2:
        return rnd.choice(TEXTS)
    if kind == 3:
        return rnd.choice([True, False, None])
    if kind == 4:
        return {"lat": random_float(rnd), "lon": random_float(rnd)}
    if kind in (5, 6):
        return {rnd.choice(TEXTS + ["type", "coordinates"]): random_value(rnd, depth + 1) for _ in range(3)}
    return [random_value(rnd, depth + 1) for _ in range(rnd.randint(0, 4))]


def test_object_cells_are_the_json_modules_text():
    rnd = random.Random(20261122)
    for _ in range(20_000):
        value = random_value(rnd)
        assert json_text(value) == reference(value), value


def test_floats_orjson_writes_differently_are_written_as_python_does():
    for value in (1e-05, 1.5e-05, 1e-07, 1e-300, -2.5e-06, 1e16, 1.7976931348623157e308, math.pi):
        assert json_text({"lat": value}) == reference({"lat": value})
