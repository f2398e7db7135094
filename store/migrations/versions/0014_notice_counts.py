"""notice counts: an index on (base, source, deleted), so that the console's grouped count of the notices per base
and per source (store/console.notice_counts, once per store version) reads this small index, not the heap

Revision ID: 0014_notice_counts
Revises: 0013_snapshot_coverage
"""
from alembic import op

revision = '0014_notice_counts'
down_revision = '0013_snapshot_coverage'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.create_index('ix_notice_base_source_deleted', ['base', 'source', 'deleted'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.drop_index('ix_notice_base_source_deleted')
