"""CSV exports made by PostgreSQL: `COPY (SELECT …) TO STDOUT WITH (FORMAT csv)` writes the rows, Python only
passes them on. Byte for byte what `protocols.export.csv_encoder.CsvEncoder` writes from the same notices.

Why it is the same bytes:
- COPY quotes a cell exactly when `csv.writer` does (QUOTE_MINIMAL: it holds the delimiter, `"`, CR or LF;
  quotes doubled), and writes NULL as an empty unquoted cell; a stored notice has no empty value (validation
  drops them), so every empty cell is NULL. COPY ends rows with LF: each row is turned into CRLF here.
- the cells are computed from the jsonb text of each field, as `formats.tabular` encodes the parsed value:
  a text as is (`->>`); a list of texts joined by `|` (`["a", "b"]` → `a|b`, a `|` inside a value escaped
  as `\\|`); a list of numbers likewise; an object or a list of objects as compact JSON (jsonb's `": "` and
  `", "` separators outside strings tightened by one regular expression). These are exact when the JSON
  text of the lists and objects holds no backslash (no escaped character: a string is its text between
  quotes) and only numbers that Python writes back as jsonb wrote them (no float with a fraction ending in
  0 other than `.0`, 16 digits or more, or below 1e-4: see `_UNSAFE`). Texts are exact whatever they hold.
- a notice that does not meet that (few: a `"` or a line break inside a value of a list) is written by
  Python: its row carries the notice's JSON (hex-encoded, so COPY never quotes it) in a first column that
  is empty for every other row, and `CsvEncoder` encodes it as it encodes any notice.
- tombstones (`deleted=include`): REF and the `_deleted` marker, as the encoder writes them.
tests/app/test_export_copy.py checks both writers agree on the demo notices and on adversarial values.
"""
from __future__ import annotations

from typing import Iterator

import orjson
from psycopg import sql
from sqlalchemy.orm import Session

from formats.bases import Field
from protocols.export.query import ExportQuery
from protocols.export.csv_encoder import CsvEncoder

from ..selection import postgresql_text
from .reader import ExportRow, export_selection

# When PostgreSQL's cells for objects and numbers may differ from the encoder's (matched on their JSON text,
# strings included: a false alarm only sends a notice down the Python path): a backslash (an escaped
# character), a run of 16 digits and points (a float Python writes in another form), a float below 1e-4
# (`0.0000…`, which Python writes with an exponent), a fraction ending in 0 other than `.0`.
_UNSAFE = r'\\|[0-9.]{17}|0\.0000|\.[0-9]*[0-9]0[^0-9]'
ROWS_PER_CHUNK = 512  # rows joined into one chunk of the HTTP response


def _json_text(spec: Field) -> sql.Composable:
    return sql.SQL("(fields->{})::text").format(sql.Literal(spec.code))


def _cell(spec: Field) -> sql.Composable:
    if spec.kind == "object":
        # compact JSON: drop the space jsonb writes after `:` and `,`, outside strings (matched whole, so
        # never touched: with no backslash, a string is `"` … `"`).
        return sql.SQL("""regexp_replace({}, '("[^"]*")|([:,]) ', '\\1\\2', 'g')""").format(_json_text(spec))
    if spec.kind == "number" and spec.multi:
        return sql.SQL("left(substr(replace({}, ', ', '|'), 2), -1)").format(_json_text(spec))  # [1, 2] → 1|2
    if spec.multi:
        # ["a", "b"] → a|b: `|` in values escaped as `\|`, then the `", "` between values made `|` (a value's
        # `"` would be `\"`: with no backslash in the JSON text, `", "` only separates values)
        return sql.SQL("left(substr(replace(replace({}, '|', '\\|'), '\", \"', '|'), 3), -2)").format(
            _json_text(spec))
    return sql.SQL("fields->>{}").format(sql.Literal(spec.code))


def copy_statement(query: ExportQuery) -> sql.Composed:
    """The COPY of an export query: a first column with the hex JSON of notices Python must write (NULL for
    the others), then the layout's cells (and the `_deleted` marker), in (datestamp, id) order."""
    layout = query.layout
    field_map = query.base.field_map
    lists = [_json_text(field_map[code]) for code in layout.columns
             if field_map[code].kind == "string" and field_map[code].multi]
    objects = [_json_text(field_map[code]) for code in layout.columns if field_map[code].kind != "string"]
    checks = [sql.SQL("strpos(concat({}), '\\') > 0").format(sql.SQL(", ").join(lists))] if lists else []
    if objects:
        checks.append(sql.SQL("concat({}) ~ {}").format(sql.SQL(", ").join(objects), sql.Literal(_UNSAFE)))
    unsafe = sql.SQL(" OR ").join(checks) if checks else sql.SQL("false")
    fallback = sql.SQL("CASE WHEN {} THEN encode(convert_to(fields::text, 'UTF8'), 'hex') END").format(unsafe)
    cells = []
    for code in layout.columns:
        cell = _cell(field_map[code])
        if layout.include_deleted:
            cell = (sql.SQL("CASE WHEN deleted THEN ref ELSE {} END") if code == "REF"
                    else sql.SQL("CASE WHEN NOT deleted THEN {} END")).format(cell)
        cells.append(cell)
    if layout.include_deleted:
        fallback = sql.SQL("CASE WHEN NOT deleted THEN {} END").format(fallback)
        cells.append(sql.SQL("CASE WHEN deleted THEN 'true' END"))
    # the WHERE of every reader (store/selection.py), inlined: SQLAlchemy does not build COPY statements
    conditions = sql.SQL(postgresql_text(export_selection(query)))
    return sql.SQL(
        "COPY (SELECT {fallback}, {cells} FROM notice WHERE {conditions} ORDER BY datestamp, id) "
        "TO STDOUT WITH (FORMAT csv, DELIMITER {delimiter})"
    ).format(fallback=fallback, cells=sql.SQL(", ").join(cells), conditions=conditions,
             delimiter=sql.Literal(query.delimiter))


def csv_stream(session: Session, query: ExportQuery, encoder: CsvEncoder) -> Iterator[bytes]:
    """The CSV export of `query` as byte chunks: `encoder.head()`, then rows made by PostgreSQL (COPY within
    the session's transaction: one consistent snapshot, streamed, memory flat)."""
    yield encoder.head()
    connection = session.connection().connection.driver_connection
    statement = copy_statement(query)
    with connection.cursor() as cursor:
        # JIT compiling a hundred cell expressions costs more than it saves here (seconds per base)
        cursor.execute("SET LOCAL jit = off")
        yield from _rows(cursor, statement, query, encoder)


def _rows(cursor, statement: sql.Composed, query: ExportQuery, encoder: CsvEncoder) -> Iterator[bytes]:
    """The rows of the COPY, CRLF-terminated, ROWS_PER_CHUNK to a chunk."""
    delimiter = query.delimiter.encode()
    rows: list[bytes] = []
    with cursor.copy(statement) as copy:
        for data in copy:  # libpq hands COPY's output over one row at a time, LF-terminated
            row = bytes(data)
            if row[0] == delimiter[0]:  # the first column is empty: PostgreSQL's own row
                rows.append(row[1:-1])
            else:  # the notice's JSON, for the Python encoder
                fields = orjson.loads(bytes.fromhex(row.partition(delimiter)[0].decode()))
                rows.append(encoder.rows([ExportRow(fields.get("REF"), fields, False)])[:-2])
            if len(rows) >= ROWS_PER_CHUNK:
                yield b"\r\n".join(rows) + b"\r\n"
                rows.clear()
    if rows:
        yield b"\r\n".join(rows) + b"\r\n"
