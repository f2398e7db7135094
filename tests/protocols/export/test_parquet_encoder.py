"""The Parquet encoder's conversion: Arrow reading a batch's field dicts at once gives the columns the value by
value conversion gives, for every base's quirky notices, tombstones and column subsets; a batch Arrow refuses
(a value of another kind than its column's) is converted value by value, to the same types."""
from __future__ import annotations

import io
from typing import NamedTuple

import pyarrow.parquet as pq
import pytest

from formats.bases import BASES
from formats.notice import validate_notice
from protocols.export.layout import Layout, columns_of
from protocols.export.parquet_encoder import ParquetEncoder
from protocols.export.writers import stream

from .data import variants


class Row(NamedTuple):
    ref: str
    fields: dict
    deleted: bool = False


def notices(base, count: int = 12) -> list:
    return [validate_notice(base, raw) for raw in variants(base, count)]


@pytest.mark.parametrize("base", BASES.values(), ids=lambda base: base.name)
def test_arrow_converts_a_batch_as_the_value_by_value_conversion_does(base):
    items = notices(base)
    with_tombstones = items[:4] + [Row(items[4].ref, {"REF": items[4].ref}, True)] + items[5:]
    subset = columns_of(base, [f.code for f in base.published_fields[1::3]])
    for layout, batch in ((Layout.full(base), items), (Layout.full(base, include_deleted=True), with_tombstones),
                          (Layout(base, subset), items)):
        encoder = ParquetEncoder(layout)
        assert encoder._fast_batch(batch).equals(encoder._batch(batch)), base.name


def test_a_batch_arrow_refuses_is_converted_value_by_value():
    base = BASES["merimee"]
    odd = dict(notices(base, 1)[0].fields)
    odd.update({"TICO": 1854, "DENO": "église", "POP_DATE": [1400, "1500"]})  # a number, a text, a text number
    encoder = ParquetEncoder(Layout.full(base))
    data = b"".join(stream(encoder, [Row(odd["REF"], odd)]))
    (row,) = pq.read_table(io.BytesIO(data)).to_pylist()
    assert (row["TICO"], row["DENO"], row["POP_DATE"]) == ("1854", ["église"], [1400.0, 1500.0])
