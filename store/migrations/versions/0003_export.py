"""export snapshots: a per-base fingerprint of the published notices they were built from

Revision ID: 0003_export
Revises: 0002_harvest
"""
from alembic import op
import sqlalchemy as sa

revision = '0003_export'
down_revision = '0002_harvest'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('export_snapshot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fingerprint', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('export_snapshot', schema=None) as batch_op:
        batch_op.drop_column('fingerprint')
