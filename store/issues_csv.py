"""The CSV of a run's quarantined records (`id, identifier, reason, created, raw`, in id order) that the console
downloads: written by PostgreSQL (COPY) on PostgreSQL, by Python's csv module elsewhere (SQLite), the same bytes
either way, streamed in chunks with memory flat whatever the quarantine. Raw XML is most of the bytes, and
Python's csv writer looks at each character (~45 ms for 2,000 records of 650 bytes, against ~10 ms by COPY).

Why the bytes are the same (as for exports, store/exports/copy.py):
- COPY quotes a cell exactly when `csv.writer` does (QUOTE_MINIMAL: the delimiter, `"`, CR or LF in it; quotes
  doubled), except an empty text, which COPY quotes and Python does not: empty texts are selected as NULL, an
  empty unquoted cell for both (as is a NULL identifier or raw record).
- COPY ends rows with LF, csv.writer with CRLF: libpq hands COPY's output over one row at a time, and each row
  gets its CRLF here (line breaks inside a quoted cell stay as they are, in both).
- `created` is written as Python's `isoformat()` + `Z`: microseconds only when there are some.
tests/app/test_console.py compares both writers on hostile values.
"""
from __future__ import annotations

import csv
import io
from typing import Iterator

from psycopg import sql
from sqlalchemy.orm import Session

from .console import issue_batches

HEADER = ("id", "identifier", "reason", "created", "raw")
ROWS_PER_CHUNK = 500
# the cells, as csv.writer writes the Python values (see the module's docstring)
_CELLS = """id, NULLIF(identifier, ''), NULLIF(reason, ''),
    to_char(created, 'YYYY-MM-DD"T"HH24:MI:SS')
    || CASE WHEN extract(microseconds FROM created)::bigint % 1000000 <> 0 THEN to_char(created, '.US') ELSE '' END
    || 'Z',
    NULLIF(raw, '')"""


def issues_csv_chunks(session: Session, run_id: int, *, reason: str = "") -> Iterator[bytes]:
    """The run's issues (only those of `reason` when given) as CSV chunks, the header first."""
    yield _header()
    if session.get_bind().dialect.name == "postgresql":
        yield from copy_rows(session, run_id, reason=reason)
    else:
        yield from python_rows(session, run_id, reason=reason)


def _header() -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(HEADER)
    return buffer.getvalue().encode()


def python_rows(session: Session, run_id: int, *, reason: str = "") -> Iterator[bytes]:
    """The rows by Python's csv module: one `writerows` and one chunk per keyset batch (None: an empty cell)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # RFC 4180 quoting: reasons and XML hold commas, quotes and newlines
    for batch in issue_batches(session, run_id, reason=reason, batch=ROWS_PER_CHUNK):
        writer.writerows((issue_id, identifier, text, f"{created.isoformat()}Z", raw)
                         for issue_id, identifier, text, created, raw in batch)
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()


def copy_rows(session: Session, run_id: int, *, reason: str = "") -> Iterator[bytes]:
    """The rows by PostgreSQL: COPY within the session's transaction (one snapshot), ROWS_PER_CHUNK a chunk."""
    condition = sql.SQL("run_id = {}").format(sql.Literal(run_id))
    if reason:
        condition = sql.SQL("{} AND reason = {}").format(condition, sql.Literal(reason))
    statement = sql.SQL("COPY (SELECT {} FROM harvest_issue WHERE {} ORDER BY id) TO STDOUT WITH (FORMAT csv)")
    statement = statement.format(sql.SQL(_CELLS), condition)
    rows: list[bytes] = []
    with session.connection().connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
        for data in copy:  # one row at a time, LF-terminated
            rows.append(bytes(data)[:-1])
            if len(rows) >= ROWS_PER_CHUNK:
                yield b"\r\n".join(rows) + b"\r\n"
                rows.clear()
    if rows:
        yield b"\r\n".join(rows) + b"\r\n"
