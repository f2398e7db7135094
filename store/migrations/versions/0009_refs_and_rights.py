"""REF policy and rights of partners: partner.refs (identifier | mint), partner.licence, notice.licence, and the
minted_ref table (the REFs POP minted for partners' source identifiers)

Existing partners keep today's rule (refs = identifier) and state no licence; their notices keep licence NULL.

Revision ID: 0009_refs_and_rights
Revises: 0008_provenance
"""
from alembic import op
import sqlalchemy as sa

revision = '0009_refs_and_rights'
down_revision = '0008_provenance'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('partner', schema=None) as batch_op:
        batch_op.add_column(sa.Column('refs', sa.String(length=16), server_default='identifier', nullable=False))
        batch_op.add_column(sa.Column('licence', sa.String(length=256), nullable=True))
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('licence', sa.String(length=256), nullable=True))
    op.create_table(
        'minted_ref',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
        sa.Column('base', sa.String(length=32), nullable=False),
        sa.Column('ref', sa.String(length=64), nullable=False),
        sa.Column('number', sa.BigInteger(), nullable=False),
        sa.Column('source', sa.String(length=64), nullable=False),
        sa.Column('source_identifier', sa.String(length=512), nullable=False),
        sa.Column('created', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_minted_ref')),
        sa.UniqueConstraint('base', 'ref', name=op.f('uq_minted_ref_base_ref')),
        sa.UniqueConstraint('base', 'number', name=op.f('uq_minted_ref_base_number')),
        sa.UniqueConstraint('source', 'base', 'source_identifier',
                            name=op.f('uq_minted_ref_source_base_source_identifier')),
    )


def downgrade() -> None:
    op.drop_table('minted_ref')
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.drop_column('licence')
    with op.batch_alter_table('partner', schema=None) as batch_op:
        batch_op.drop_column('licence')
        batch_op.drop_column('refs')
