"""export snapshots: how many of the notices a build read its file leaves out (GeoJSON: those without a place)

Revision ID: 0012_snapshot_left_out
Revises: 0011_partner_url_trust
"""
from alembic import op
import sqlalchemy as sa

revision = '0012_snapshot_left_out'
down_revision = '0011_partner_url_trust'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('export_snapshot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('left_out', sa.BigInteger(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('export_snapshot', schema=None) as batch_op:
        batch_op.drop_column('left_out')
