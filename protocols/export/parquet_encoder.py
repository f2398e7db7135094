"""The Parquet export encoder: one typed column per published field, in dictionary order, as DuckDB, pandas
and Spark read them.

Column types come from the field dictionary (`formats.bases.Field`):
- a single-valued text field is `string`; a multi-valued one `list<string>` (no separator to split on);
- a number is `double` (`list<double>` when multi-valued): the dictionary does not tell integers apart;
- an object field (coordinates, polygons, MEMOIRE links) is `string` holding its compact JSON, the CSV's
  cell (`formats.tabular.json_text`): nested shapes differ from notice to notice, JSON keeps them whole;
- an absent field is null; with `deleted=include` a trailing `_deleted` boolean column (true for tombstones,
  which carry only REF).
Each column carries the field's French label in its metadata (`label`), the schema the base's name (`base`).

Parquet is written front to back (row groups, then the footer), so it streams like the text formats: rows are
converted to Arrow per batch (compact memory) and written as one row group every `ROW_GROUP_ROWS` notices.
A batch is converted by Arrow itself: the notices' field dicts as one struct array of the typed (non-object)
columns, which Arrow's C++ reads key by key (fields outside the columns ignored), the object columns made JSON
text beside it; a batch Arrow refuses (a value of another kind than its column's: validation makes it rare) is
converted notice by notice, value by value (`_batch`), to the same columns;
`rows()` returns the bytes written since the last call (often none), `tail()` the last row group and the
footer. Memory stays flat at any size: one row group at most. Compression: zstd, per column page.
"""
from __future__ import annotations

import io
from typing import Any, Callable, Sequence

import pyarrow as pa
import pyarrow.parquet as pq

from formats.bases import Base, Field
from formats.tabular import json_text

from .layout import DELETED_MARKER, ExportedNotice, Layout

ROW_GROUP_ROWS = 16_384  # notices per row group: big enough for fast scans, small enough to keep memory flat
CONVERT_ROWS = 1024  # notices converted to Arrow together (held as dicts until then)
COMPRESSION = "zstd"


def arrow_type(spec: Field) -> pa.DataType:
    """The Parquet (Arrow) type of a field's column."""
    if spec.kind == "object":
        return pa.string()
    scalar = pa.float64() if spec.kind == "number" else pa.string()
    return pa.list_(scalar) if spec.multi else scalar


def arrow_schema(layout: Layout) -> pa.Schema:
    """The columns of a Parquet export: the layout's fields (and `_deleted` when tombstones are included)."""
    field_map = layout.base.field_map
    columns = [pa.field(code, arrow_type(field_map[code]), metadata={"label": field_map[code].label})
               for code in layout.columns]
    if layout.include_deleted:
        columns.append(pa.field(DELETED_MARKER, pa.bool_()))
    return pa.schema(columns, metadata={"base": layout.base.name})


def _converter(spec: Field) -> Callable[[Any], Any]:
    """A stored value as its column holds it (validation guarantees the kinds; numbers as floats)."""
    if spec.kind == "object":
        return json_text
    if spec.kind == "number":
        if spec.multi:
            return lambda value: [float(v) for v in value] if isinstance(value, list) else [float(value)]
        return float
    if spec.multi:
        return lambda value: ([v if isinstance(v, str) else str(v) for v in value] if isinstance(value, list)
                              else [str(value)])
    return lambda value: value if isinstance(value, str) else str(value)


class _Drain(io.RawIOBase):
    """The writer's output file: keeps what was written since the last `take()`, and the total position (the
    Parquet writer asks `tell()` for the offsets it records in the footer)."""

    def __init__(self) -> None:
        super().__init__()
        self._chunks: list[bytes] = []
        self._position = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        data = bytes(data)
        self._chunks.append(data)
        self._position += len(data)
        return len(data)

    def tell(self) -> int:
        return self._position

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


class ParquetEncoder:
    """Encodes notices as one Parquet file (see the module's docstring)."""

    def __init__(self, layout: Layout, *, row_group_rows: int = ROW_GROUP_ROWS):
        self.layout = layout
        self.schema = arrow_schema(layout)
        self.row_group_rows = row_group_rows
        field_map = layout.base.field_map
        # code → (column position, converter): only the layout's columns, all published
        self._plan = {code: (position, _converter(field_map[code])) for position, code in enumerate(layout.columns)}
        self._texts = {code: position for code, (position, _) in self._plan.items()
                       if field_map[code].kind == "string" and not field_map[code].multi}
        self._lists = {code: position for code, (position, _) in self._plan.items()
                       if field_map[code].kind == "string" and field_map[code].multi}
        self._ref = layout.columns.index("REF")
        # the fast conversion: the typed columns as one struct, the object columns (JSON text) apart
        self._typed = pa.struct([field for field in self.schema if field.name in field_map
                                 and field_map[field.name].kind != "object"])
        self._objects = [field.name for field in self.schema if field.name in field_map
                         and field_map[field.name].kind == "object"]
        self._rows: list[ExportedNotice] = []  # converted to Arrow CONVERT_ROWS at a time (fewer, longer arrays)
        self._sink = _Drain()
        self._writer: pq.ParquetWriter | None = None
        self._pending: list[pa.RecordBatch] = []
        self._pending_rows = 0

    def head(self) -> bytes:
        self._writer = pq.ParquetWriter(self._sink, self.schema, compression=COMPRESSION)
        return self._sink.take()

    def _fast_batch(self, notices: Sequence[ExportedNotice]) -> pa.RecordBatch:
        """`_batch`'s columns, converted by Arrow (see the module's docstring); ArrowInvalid or ArrowTypeError
        for a batch holding a value of another kind than its column's."""
        records = [{"REF": notice.ref} if notice.deleted else notice.fields for notice in notices]
        typed = dict(zip(self._typed.names, pa.array(records, type=self._typed).flatten()))
        for code in self._objects:
            typed[code] = pa.array([None if (value := record.get(code)) is None else json_text(value)
                                    for record in records], type=pa.string())
        arrays = [typed[code] for code in self.layout.columns]
        if self.layout.include_deleted:
            arrays.append(pa.array([notice.deleted for notice in notices], type=pa.bool_()))
        return pa.RecordBatch.from_arrays(arrays, schema=self.schema)

    def _batch(self, notices: Sequence[ExportedNotice]) -> pa.RecordBatch:
        width = len(self.layout.columns)
        columns: list[list[Any]] = [[None] * len(notices) for _ in range(width)]
        texts, lists, plan = self._texts, self._lists, self._plan
        for row, notice in enumerate(notices):
            if notice.deleted:
                columns[self._ref][row] = notice.ref
                continue
            for code, value in notice.fields.items():
                # the common cases inlined: a text, a list (of texts: validation says so; `_array` checks)
                kind = value.__class__
                if kind is str:
                    position = texts.get(code)
                    if position is not None:
                        columns[position][row] = value
                        continue
                elif kind is list:
                    position = lists.get(code)
                    if position is not None:
                        columns[position][row] = value
                        continue
                step = plan.get(code)
                if step is not None and value is not None:
                    columns[step[0]][row] = step[1](value)
        arrays = [self._array(values, position) for position, values in enumerate(columns)]
        if self.layout.include_deleted:
            arrays.append(pa.array([notice.deleted for notice in notices], type=pa.bool_()))
        return pa.RecordBatch.from_arrays(arrays, schema=self.schema)

    def _array(self, values: list[Any], position: int) -> pa.Array:
        field = self.schema.field(position)
        try:
            return pa.array(values, type=field.type)
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # a value the fast path passed as is: convert each one
            convert = self._plan[field.name][1]
            return pa.array([None if v is None else convert(v) for v in values], type=field.type)

    def _convert(self) -> None:
        if self._rows:
            try:
                batch = self._fast_batch(self._rows)
            except (pa.ArrowInvalid, pa.ArrowTypeError):  # a value of another kind: converted one by one
                batch = self._batch(self._rows)
            self._pending.append(batch)
            self._pending_rows += len(self._rows)
            self._rows = []

    def _flush(self) -> None:
        self._convert()
        if self._pending:
            table = pa.Table.from_batches(self._pending, schema=self.schema)
            self._writer.write_table(table, row_group_size=max(table.num_rows, 1))
            self._pending.clear()
            self._pending_rows = 0

    def row(self, notice: ExportedNotice) -> bytes:
        return self.rows([notice])

    def rows(self, notices: Sequence[ExportedNotice]) -> bytes:
        self._rows.extend(notices)
        if len(self._rows) >= CONVERT_ROWS:
            self._convert()
            if self._pending_rows >= self.row_group_rows:
                self._flush()
        return self._sink.take()

    def tail(self) -> bytes:
        self._flush()
        self._writer.close()
        return self._sink.take()


def base_schema(base: Base) -> pa.Schema:
    """The schema of a base's Parquet snapshot (every published field)."""
    return arrow_schema(Layout.full(base))
