"""packed renditions: each rendition stored as a Zstandard frame compressed with a dictionary of its format, trained
here on the store's own renditions (store/packing.py; docs/operations.md, "Storage")

The table is rewritten, not altered (a dropped column keeps its bytes on disk until the table is rewritten):
`rendition_packed` is filled in notice-id order, in batches, then takes the place and the constraint names of
`rendition`. A store of N notices holds ~4 N renditions: ~2 s a format to train its dictionary, then ~35 µs a
rendition (~2.5 minutes a million notices).

Revision ID: 0016_packed_renditions
Revises: 0015_storage
"""
import secrets

import sqlalchemy as sa
import zstandard
from alembic import op

revision = '0016_packed_renditions'
down_revision = '0015_storage'
branch_labels = None
depends_on = None

LEVEL = 3  # as store/packing.py
DICTIONARY_BYTES = 110 * 1024
SAMPLES = 5_000
MIN_SAMPLES = 1_000
BATCH = 5_000
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _dictionaries(bind) -> dict[str, zstandard.ZstdCompressor]:
    """A dictionary per format with enough renditions to train one, stored; {format: its compressor}."""
    compressors = {}
    formats = bind.execute(sa.text("SELECT format, count(*) FROM rendition GROUP BY format")).all()
    for prefix, total in formats:
        if total < MIN_SAMPLES:
            continue
        step = max(1, total // SAMPLES)
        samples = [xml.encode("utf-8") for xml in bind.execute(sa.text(
            "SELECT xml FROM rendition WHERE format = :format AND notice_id % :step = 0 LIMIT :count"),
            {"format": prefix, "step": step, "count": SAMPLES}).scalars()]
        if len(samples) < MIN_SAMPLES:
            continue
        dictionary_id = secrets.randbelow(2**31 - 1) + 1
        trained = zstandard.train_dictionary(DICTIONARY_BYTES, samples, dict_id=dictionary_id, level=LEVEL)
        bind.execute(sa.text("INSERT INTO rendition_dictionary (id, format, data, samples, created_at) "
                             "VALUES (:id, :format, :data, :samples, CURRENT_TIMESTAMP)"),
                     {"id": dictionary_id, "format": prefix, "data": trained.as_bytes(), "samples": len(samples)})
        trained.precompute_compress(level=LEVEL)
        compressors[prefix] = zstandard.ZstdCompressor(level=LEVEL, dict_data=trained, write_content_size=True)
    return compressors


def _rewrite(bind, source: str, target: str, columns: str, convert) -> None:
    """Copy `source` into `target` in (notice_id, format) order, batch by batch, `convert`ing each row."""
    last = (-1, "")
    while True:
        rows = bind.execute(sa.text(
            f"SELECT notice_id, format, version, {columns} FROM {source} "
            "WHERE (notice_id, format) > (:id, :format) "
            "ORDER BY notice_id, format LIMIT :limit"), {"id": last[0], "format": last[1], "limit": BATCH}).all()
        if not rows:
            return
        bind.execute(sa.text(f"INSERT INTO {target} (notice_id, format, version, value) "
                             "VALUES (:notice_id, :format, :version, :value)"),
                     [{"notice_id": row[0], "format": row[1], "version": row[2], "value": convert(row[1], row[3])}
                      for row in rows])
        last = (rows[-1][0], rows[-1][1])


def _swap(new_table: str, value_column: str) -> None:
    """Make `new_table` (filled) the `rendition` table."""
    op.drop_table("rendition")
    op.rename_table(new_table, "rendition")
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(f"ALTER TABLE rendition RENAME CONSTRAINT pk_{new_table} TO pk_rendition")
        op.execute(f"ALTER TABLE rendition RENAME CONSTRAINT fk_{new_table}_notice_id_notice "
                   "TO fk_rendition_notice_id_notice")
    op.execute(f"ALTER TABLE rendition RENAME COLUMN value TO {value_column}")


def _new_table(name: str, value_type) -> None:
    op.create_table(
        name,
        sa.Column("notice_id", BigId, nullable=False),
        sa.Column("format", sa.String(32), nullable=False),
        sa.Column("version", sa.String(16), nullable=False),
        sa.Column("value", value_type, nullable=False),
        sa.ForeignKeyConstraint(["notice_id"], ["notice.id"], name=f"fk_{name}_notice_id_notice", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("notice_id", "format", name=f"pk_{name}"),
    )


def upgrade() -> None:
    bind = op.get_bind()
    op.create_table(
        "rendition_dictionary",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("format", sa.String(32), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("samples", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_rendition_dictionary"),
    )
    compressors = _dictionaries(bind)
    plain = zstandard.ZstdCompressor(level=LEVEL, write_content_size=True)
    _new_table("rendition_packed", sa.LargeBinary())
    _rewrite(bind, "rendition", "rendition_packed", "xml",
             lambda prefix, xml: compressors.get(prefix, plain).compress(xml.encode("utf-8")))
    _swap("rendition_packed", "packed")


def downgrade() -> None:
    bind = op.get_bind()
    dictionaries = {row[0]: zstandard.ZstdDecompressor(dict_data=zstandard.ZstdCompressionDict(row[1]))
                    for row in bind.execute(sa.text("SELECT id, data FROM rendition_dictionary")).all()}
    plain = zstandard.ZstdDecompressor()

    def unpacked(_prefix, frame):
        frame = bytes(frame)
        dictionary_id = zstandard.get_frame_parameters(frame).dict_id
        return (dictionaries[dictionary_id] if dictionary_id else plain).decompress(frame).decode("utf-8")

    _new_table("rendition_text", sa.Text())
    _rewrite(bind, "rendition", "rendition_text", "packed", unpacked)
    _swap("rendition_text", "xml")
    if bind.dialect.name == "postgresql":
        op.execute("ALTER TABLE rendition ALTER COLUMN xml SET STORAGE MAIN")  # as 0015 left it
    op.drop_table("rendition_dictionary")
