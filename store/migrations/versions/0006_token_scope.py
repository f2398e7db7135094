"""token scope: read-only or admin tokens (tokens created before scopes keep being admins)

Revision ID: 0006_token_scope
Revises: 0004_rendering_backlog
"""
from alembic import op
import sqlalchemy as sa

revision = '0006_token_scope'
down_revision = '0004_rendering_backlog'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope', sa.String(length=16), server_default='admin', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_column('scope')
