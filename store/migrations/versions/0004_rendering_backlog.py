"""rendering backlog: notices written without their renditions (harvests defer them)

Revision ID: 0004_rendering_backlog
Revises: 0003_export
"""
from alembic import op
import sqlalchemy as sa

revision = '0004_rendering_backlog'
down_revision = '0003_export'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rendered', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.create_index('ix_notice_unrendered', ['id'], unique=False,
                              postgresql_where=sa.text('NOT rendered'), sqlite_where=sa.text('NOT rendered'))


def downgrade() -> None:
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.drop_index('ix_notice_unrendered', postgresql_where=sa.text('NOT rendered'),
                            sqlite_where=sa.text('NOT rendered'))
        batch_op.drop_column('rendered')
