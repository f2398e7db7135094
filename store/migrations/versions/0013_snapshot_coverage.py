"""export snapshots: the temporal coverage of the base a build read (earliest and latest years its objects date from)

Revision ID: 0013_snapshot_coverage
Revises: 0012_snapshot_left_out
"""
from alembic import op
import sqlalchemy as sa

revision = '0013_snapshot_coverage'
down_revision = '0012_snapshot_left_out'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('export_snapshot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('coverage_start', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('coverage_end', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('export_snapshot', schema=None) as batch_op:
        batch_op.drop_column('coverage_end')
        batch_op.drop_column('coverage_start')
