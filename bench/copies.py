"""Copies of a store's notices made in SQL, up to a size: a database of millions of notices in minutes, where the
write path (validation, four renderings) takes hours. Used by bench/full_size.py.

`copy_up_to(url, size)`: each base gets the notices `store.demo.generator.shares(size)` gives it (Muséofile stops
at its REF capacity, as in a demo load), made from the notices already there (the seed, e.g. `pop demo load`).
Copy k of a seed notice gets

- a new id: id + k · max(id);
- a REF of its base's pattern: `COPY_REFS` (a prefix no demo REF has, a number past the seed's: unique), checked
  against the base's REF pattern before and after;
- that REF in its fields, and in place of the old REF in every text column of its row and of the rows that
  reference it, and inside its renditions (packed: unpacked, rewritten and packed again in Python, with the
  store's dictionaries, store/packing.py);
- its timestamps k days earlier (never in the future; whole seconds kept);
- every other column as it is (content_hash/fields_hash too: the store's Python hashes, nothing served reads them).

The columns come from store/models at run time, the indexes and constraints from the database: those are dropped
while copying and built again after (PostgreSQL's advice for populating a database), with autovacuum off on the
tables meanwhile. Copies are one transaction each, `jobs` connections at a time, read from unlogged snapshots of
the seed (the tables grow as they are copied into and keep no index to find the seed by). Then checks: the count
of each base, every REF within its base's pattern and equal to the one in its fields.
"""
from __future__ import annotations

import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext

import psycopg
from psycopg import sql

# A copy's REF: prefix + its number zero-padded to width digits, within the base's REF pattern. No demo REF starts
# with ZK; Muséofile's demo REFs are M0000 upwards, so its copies go on counting.
COPY_REFS = {"joconde": ("ZK", 9), "merimee": ("ZK", 8), "palissy": ("ZK", 8), "memoire": ("ZK", 8),
             "mnr": ("ZK", 6), "museo": ("M", 4), "autor": ("ZK", 8), "enluminures": ("ZK-", 8)}
SEED = "_bench_seed_"  # the seed snapshots' prefix (unlogged tables, dropped after the copies)


def tables():
    """The notice table, its key's name, and for each table referencing it (table, its column referencing it)."""
    from store.models import Model, NoticeRow

    notice = NoticeRow.__table__
    (key,) = notice.primary_key.columns
    dependents = []
    for table in Model.metadata.sorted_tables:
        links = [fk for fk in table.foreign_keys if fk.column.table is notice]
        if any(fk.column is not key for fk in links) or len(links) > 1:
            raise SystemExit(f"{table.name} references notice otherwise than by one column to its id: "
                             "bench/copies.py does not know how to copy it")
        if links:
            dependents.append((table, links[0].parent.name))
    return notice, key.name, dependents


def plan(size: int, seed_counts: dict[str, int]) -> dict[str, tuple[int, str, int]]:
    """Per base: (notices at the end, copy REF prefix, width), checked against the base's REF pattern."""
    from formats.bases import BASES
    from store.demo.generator import shares

    result = {}
    for base, target in shares(size).items():
        prefix, width = COPY_REFS[base]
        seed = seed_counts.get(base, 0)
        if target > seed and (seed == 0 or target > 10**width):
            raise SystemExit(f"{base}: cannot copy {seed} seed notices up to {target} (REFs {prefix} + {width} digits)")
        for number in {seed, target - 1} if target > seed else ():
            if not BASES[base].ref_regex.match(f"{prefix}{number:0{width}d}"):
                raise SystemExit(f"{base}: copy REF {prefix}{number:0{width}d} outside {BASES[base].ref_pattern}")
        result[base] = (target, prefix, width)
    return result


def _value(column, offset: str) -> str:
    """What a copy's `column` holds, from the seed row `s` (its REF `s._ref`, the copy's `s._new`, copy `%(k)s`)."""
    from sqlalchemy.dialects import postgresql

    name = f's."{column.name}"'
    kind = column.type.compile(dialect=postgresql.dialect()).split("(")[0]
    if column.name == offset:
        return f"{name} + %(k)s * %(top)s"
    if kind == "JSONB":
        return (f"CASE WHEN jsonb_typeof({name}) = 'object' AND {name} ? 'REF' "
                f"THEN jsonb_set({name}, '{{REF}}', to_jsonb(s._new)) ELSE {name} END")
    if kind.startswith("TIMESTAMP"):
        return f"{name} - %(k)s * interval '1 day'"
    if kind in ("VARCHAR", "TEXT"):
        return f"replace({name}, s._ref, s._new)"
    return name


# Columns holding packed renditions (store/packing.py): SQL cannot see into them, so their copies are made in Python.
PACKED = {"rendition": "packed"}
PACKED_BATCH = 5_000


def _rows_of(table, offset: str) -> str:
    """The seed rows of part %(part)s of copy %(k)s of `table`, as `_copy_statement` makes them, the packed column
    as it is, then the seed's REF and the copy's (for the packed column's rewrite)."""
    statement = _copy_statement(table, offset)
    _, rows = statement.split(" OVERRIDING SYSTEM VALUE SELECT ", 1)
    return "SELECT " + rows.replace(" FROM (SELECT *,", ", s._ref, s._new FROM (SELECT *,", 1)


def _packed_copy(connection, table, offset: str, task: dict, packer) -> None:
    """Copy part of `table`'s seed rows whose packed column holds a rendition naming the seed's REF."""
    column = PACKED[table.name]
    names = [c.name for c in table.columns if c.computed is None]
    at = names.index(column)
    prefix_at = names.index("format")
    with connection.cursor(name=f"packed_{task['k']}_{task['part']}") as rows, connection.cursor() as out:
        rows.execute(_rows_of(table, offset), task)
        statement = f'COPY "{table.name}" ({", ".join(chr(34) + n + chr(34) for n in names)}) FROM STDIN'
        while batch := rows.fetchmany(PACKED_BATCH):
            with out.copy(statement) as copy:
                for *values, old, new in batch:
                    xml = packer.unpack(values[at]).replace(old.encode(), new.encode())
                    values[at] = packer.pack(values[prefix_at], xml)
                    copy.write_row(values)


def _copy_statement(table, offset: str) -> str:
    """INSERT of part %(part)s of %(parts)s of copy %(k)s of `table`'s seed rows; `offset`: its column holding a
    notice id."""
    from sqlalchemy import Integer

    (first, *more) = table.primary_key.columns
    serial = not more and not first.foreign_keys and first.name != offset and isinstance(first.type, Integer)
    columns = [c for c in table.columns if c.computed is None and not (serial and c is first)]  # new serials
    return (f'INSERT INTO "{table.name}" ({", ".join(chr(34) + c.name + chr(34) for c in columns)}) '
            f"OVERRIDING SYSTEM VALUE SELECT {', '.join(_value(c, offset) for c in columns)} "
            f"FROM (SELECT *, s._prefix || lpad((s._c * %(k)s + s._i)::text, s._width, '0') AS _new "
            f'FROM "{SEED}{table.name}" s WHERE s._c * %(k)s + s._i < s._target AND mod(s._i, %(parts)s) = %(part)s) s')


def _snapshot_seed(connection, plans: dict, notice, key: str, dependents: list) -> None:
    """Unlogged copies of the seed rows, each with its REF, its rank in its base, the base's seed count and plan."""
    bases = list(plans)
    connection.execute(
        f'CREATE UNLOGGED TABLE "{SEED}{notice.name}" AS SELECT n.*, n.ref AS _ref, '
        f"row_number() OVER (PARTITION BY n.base ORDER BY n.{key}) - 1 AS _i, "
        f"count(*) OVER (PARTITION BY n.base) AS _c, p.target AS _target, p.prefix AS _prefix, "
        f"p.width AS _width FROM {notice.name} n JOIN unnest(%s::text[], %s::bigint[], %s::text[], "
        f"%s::int[]) AS p(base, target, prefix, width) ON p.base = n.base ORDER BY n.{key}",
        [bases, *([plans[b][i] for b in bases] for i in range(3))])
    clash = connection.execute(
        f'SELECT _ref FROM "{SEED}{notice.name}" WHERE CASE WHEN _ref ~ (%s || _prefix || %s || _width || %s) '
        f"THEN substr(_ref, length(_prefix) + 1)::bigint >= _c END LIMIT 1", ["^", "[0-9]{", "}$"]).fetchone()
    if clash:
        raise SystemExit(f"seed REF {clash[0]} is of the copies' form: change COPY_REFS")
    for table, column in dependents:
        connection.execute(
            f'CREATE UNLOGGED TABLE "{SEED}{table.name}" AS SELECT d.*, s._ref, s._i, s._c, s._target, s._prefix, '
            f's._width FROM "{table.name}" d JOIN "{SEED}{notice.name}" s ON s.{key} = d."{column}" '
            f'ORDER BY d."{column}"')


def _schema(connection, names: list[str]) -> dict[str, list[tuple[str, str, str]]]:
    """Keys (primary, unique, exclusion), plain indexes and foreign keys on or into `names`: (table, name, SQL)."""
    on = "ANY(%(t)s::text[]::regclass[])"
    keys = connection.execute(
        f"SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        f"WHERE conrelid = {on} AND contype IN ('p', 'u', 'x') ORDER BY contype", {"t": names}).fetchall()
    foreign = connection.execute(
        f"SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        f"WHERE contype = 'f' AND (conrelid = {on} OR confrelid = {on})", {"t": names}).fetchall()
    indexes = connection.execute(
        f"SELECT indrelid::regclass::text, indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index i "
        f"WHERE indrelid = {on} AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = i.indexrelid "
        f"AND c.contype IN ('p', 'u', 'x'))", {"t": names}).fetchall()
    return {"keys": keys, "indexes": indexes, "foreign": foreign}


def _drop(connection, schema: dict, names: list[str]) -> None:
    for kind in ("foreign", "indexes", "keys"):
        for table, name, _ in schema[kind]:
            connection.execute(sql.SQL("DROP INDEX {}").format(sql.SQL(name)) if kind == "indexes" else
                               sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(sql.SQL(table),
                                                                                   sql.Identifier(name)))
    for name in names:
        connection.execute(f'ALTER TABLE "{name}" SET (autovacuum_enabled = off, toast.autovacuum_enabled = off)')


def _rebuild(connection, schema: dict, names: list[str]) -> None:
    for name in names:
        connection.execute(f'DROP TABLE "{SEED}{name}"')
        connection.execute(f'ALTER TABLE "{name}" RESET (autovacuum_enabled, toast.autovacuum_enabled)')
    connection.execute("SET maintenance_work_mem = '1GB'")
    for kind in ("keys", "indexes", "foreign"):
        for table, name, definition in schema[kind]:
            connection.execute(sql.SQL(definition) if kind == "indexes" else
                               sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
                                   sql.SQL(table), sql.Identifier(name), sql.SQL(definition)))


def _copy_all(url: str, statements: list, copies: int, top: int, jobs: int) -> None:
    """Each copy in `jobs` parts (one transaction each), `jobs` connections at once: both cores even for one copy.
    A statement is SQL, or a (table, offset column) whose packed renditions are copied in Python."""
    from sqlalchemy import create_engine

    from store.packing import Packer

    local = threading.local()
    tasks = [{"k": k, "part": part, "parts": jobs, "top": top} for k in range(1, copies + 1) for part in range(jobs)]
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1)) if any(
        not isinstance(statement, str) for statement in statements) else None

    def one(task: dict) -> None:
        if not hasattr(local, "connection"):
            local.connection = psycopg.connect(url)
            local.connection.execute("SET synchronous_commit = off")
            local.packer = Packer(engine) if engine is not None else None
        for statement in statements:
            if isinstance(statement, str):
                local.connection.execute(statement, task)
            else:
                _packed_copy(local.connection, *statement, task, local.packer)
        local.connection.commit()

    started = time.perf_counter()
    with ThreadPoolExecutor(jobs) as pool:
        for done, _ in enumerate(pool.map(one, tasks), 1):
            print(f"\r  copies: {done / jobs:g} of {copies}, {time.perf_counter() - started:,.0f} s", end="",
                  file=sys.stderr, flush=True)
    print(file=sys.stderr)


def _check(connection, plans: dict, notice) -> None:
    from formats.bases import BASES

    bases = list(plans)
    in_fields = "n.fields->>'REF' IS DISTINCT FROM n.ref" if "fields" in notice.c else "false"
    found = {base: (count, bad, other) for base, count, bad, other in connection.execute(
        f"SELECT n.base, count(*), count(*) FILTER (WHERE n.ref !~ p.pattern), count(*) FILTER (WHERE {in_fields}) "
        f"FROM {notice.name} n JOIN unnest(%s::text[], %s::text[]) AS p(base, pattern) USING (base) GROUP BY n.base",
        [bases, [BASES[b].ref_pattern for b in bases]])}
    for base in bases:
        count, bad, other = found.get(base, (0, 0, 0))
        if (count, bad, other) != (plans[base][0], 0, 0):
            raise SystemExit(f"{base}: {count} notices (planned {plans[base][0]}), {bad} REFs outside its pattern, "
                             f"{other} REFs unlike the one in their fields")


def copy_up_to(url: str, size: int, jobs: int = 2, phase=lambda name: nullcontext()) -> dict:
    """Copy the notices of `url` up to `size` (see the module's docstring); `phase(name)`: a context around each
    step (bench/full_size.py times them). Returns the number of copies and the notices of each base."""
    notice, key, dependents = tables()
    names = [notice.name] + [t.name for t, _ in dependents]
    with psycopg.connect(url, autocommit=True) as connection:
        seed_counts = dict(connection.execute(f"SELECT base, count(*) FROM {notice.name} GROUP BY base").fetchall())
        plans = plan(size, seed_counts)
        with phase("load: seed snapshots"):
            _snapshot_seed(connection, plans, notice, key, dependents)
            top = connection.execute(f"SELECT max({key}) FROM {notice.name}").fetchone()[0]
            copies = max(-(-target // seed_counts[b]) for b, (target, _, _) in plans.items() if target) - 1
        with phase("load: drop indexes"):
            schema = _schema(connection, names)
            _drop(connection, schema, names)
        with phase("load: copies"):
            statements = [_copy_statement(notice, key)] + [
                (t, c) if t.name in PACKED else _copy_statement(t, c) for t, c in dependents]
            _copy_all(url, statements, copies, top, jobs)
        with phase("load: rebuild indexes"):
            _rebuild(connection, schema, names)
            connection.execute(f"SELECT setval(pg_get_serial_sequence('{notice.name}', '{key}'), "
                               f"(SELECT max({key}) FROM {notice.name}))")
            connection.execute("UPDATE store_state SET version = version + 1")
        with phase("load: checks"):
            _check(connection, plans, notice)
    return {"copies": copies, "per_base": {base: target for base, (target, _, _) in plans.items()}}
