"""storage: on PostgreSQL, renditions kept compressed in their row, and notices' fields compressed with lz4
(docs/operations.md, "Storage")

Revision ID: 0015_storage
Revises: 0014_notice_counts
"""
from alembic import op

revision = '0015_storage'
down_revision = '0014_notice_counts'
branch_labels = None
depends_on = None


def _lz4(bind) -> bool:
    """Whether the server compresses columns with lz4 (PostgreSQL 14+, built with it)."""
    return bind.exec_driver_sql(
        "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'").scalar() is True


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return  # SQLite stores rows as they are
    # Both apply to the values written from now on; those already stored stay as they are until written again.
    # A rendition compressed past 2 kB stays in its row (MAIN) instead of moving to TOAST: no TOAST lookup to
    # read it, no chunk overhead (a third of the LIDO renditions of the demo data).
    op.execute("ALTER TABLE rendition ALTER COLUMN xml SET STORAGE MAIN")
    if _lz4(bind):
        # pglz barely compresses JSONB (1,427 → 1,359 bytes on average, when a row is large enough to be
        # compressed at all), lz4 a fifth (→ 1,109), and decompresses several times faster.
        op.execute("ALTER TABLE notice ALTER COLUMN fields SET COMPRESSION lz4")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    if _lz4(bind):
        op.execute("ALTER TABLE notice ALTER COLUMN fields SET COMPRESSION default")
    op.execute("ALTER TABLE rendition ALTER COLUMN xml SET STORAGE EXTENDED")
