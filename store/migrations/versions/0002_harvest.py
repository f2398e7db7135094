"""partner.full_next: the next run harvests everything (the partner's URL, format, sets or mapping changed)

Revision ID: 0002_harvest
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = '0002_harvest'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('partner', schema=None) as batch_op:
        batch_op.add_column(sa.Column('full_next', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('partner', schema=None) as batch_op:
        batch_op.drop_column('full_next')
