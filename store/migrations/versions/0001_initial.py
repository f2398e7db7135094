"""notices, renditions, partners, harvest runs, tokens, export snapshots

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 02:01:31.294435
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_token',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created', sa.DateTime(), nullable=False),
    sa.Column('last_used', sa.DateTime(), nullable=True),
    sa.Column('revoked', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_token_token_hash'))
    )
    op.create_table('export_snapshot',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('base', sa.String(length=32), nullable=False),
    sa.Column('format', sa.String(length=16), nullable=False),
    sa.Column('path', sa.String(length=1024), nullable=False),
    sa.Column('records', sa.BigInteger(), nullable=False),
    sa.Column('bytes', sa.BigInteger(), nullable=False),
    sa.Column('gzip_bytes', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('gzip_sha256', sa.String(length=64), nullable=False),
    sa.Column('generated_at', sa.DateTime(), nullable=False),
    sa.Column('high_water', sa.DateTime(), nullable=True),
    sa.Column('state_version', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_export_snapshot')),
    sa.UniqueConstraint('base', 'format', name=op.f('uq_export_snapshot_base_format'))
    )
    op.create_table('notice',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('base', sa.String(length=32), nullable=False),
    sa.Column('ref', sa.String(length=64), nullable=False),
    sa.Column('fields', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('producer', sa.String(length=128), nullable=True),
    sa.Column('producer_slug', sa.String(length=128), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('source_identifier', sa.String(length=512), nullable=True),
    sa.Column('source_datestamp', sa.String(length=32), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('fields_hash', sa.String(length=64), nullable=False),
    sa.Column('created', sa.DateTime(), nullable=False),
    sa.Column('datestamp', sa.DateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice')),
    sa.UniqueConstraint('base', 'ref', name=op.f('uq_notice_base_ref'))
    )
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.create_index('ix_notice_base_datestamp_id', ['base', 'datestamp', 'id'], unique=False)
        batch_op.create_index('ix_notice_base_producer_datestamp_id', ['base', 'producer_slug', 'datestamp', 'id'], unique=False)
        batch_op.create_index('ix_notice_datestamp_id', ['datestamp', 'id'], unique=False)
        batch_op.create_index('ix_notice_source_datestamp_id', ['source', 'datestamp', 'id'], unique=False)

    op.create_table('partner',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('url', sa.String(length=1024), nullable=False),
    sa.Column('metadata_prefix', sa.String(length=64), nullable=False),
    sa.Column('sets', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('base', sa.String(length=32), nullable=False),
    sa.Column('mapping', sa.String(length=64), nullable=False),
    sa.Column('interval_seconds', sa.Integer(), nullable=True),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('granularity', sa.String(length=32), nullable=True),
    sa.Column('created', sa.DateTime(), nullable=False),
    sa.Column('updated', sa.DateTime(), nullable=False),
    sa.Column('next_run_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partner')),
    sa.UniqueConstraint('name', name=op.f('uq_partner_name'))
    )
    op.create_table('store_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_store_state'))
    )
    op.create_table('harvest_run',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('full', sa.Boolean(), nullable=False),
    sa.Column('started', sa.DateTime(), nullable=False),
    sa.Column('finished', sa.DateTime(), nullable=True),
    sa.Column('heartbeat', sa.DateTime(), nullable=True),
    sa.Column('from_date', sa.String(length=32), nullable=True),
    sa.Column('response_date', sa.String(length=32), nullable=True),
    sa.Column('resumption_token', sa.Text(), nullable=True),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('created', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('deleted', sa.Integer(), nullable=False),
    sa.Column('quarantined', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], name=op.f('fk_harvest_run_partner_id_partner'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_harvest_run'))
    )
    with op.batch_alter_table('harvest_run', schema=None) as batch_op:
        batch_op.create_index('ix_harvest_run_partner_id_started', ['partner_id', 'started'], unique=False)

    op.create_table('rendition',
    sa.Column('notice_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('format', sa.String(length=32), nullable=False),
    sa.Column('version', sa.String(length=16), nullable=False),
    sa.Column('xml', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['notice_id'], ['notice.id'], name=op.f('fk_rendition_notice_id_notice'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('notice_id', 'format', name=op.f('pk_rendition'))
    )
    op.create_table('harvest_issue',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('run_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('identifier', sa.String(length=512), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('raw', sa.Text(), nullable=True),
    sa.Column('created', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], name=op.f('fk_harvest_issue_partner_id_partner'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['run_id'], ['harvest_run.id'], name=op.f('fk_harvest_issue_run_id_harvest_run'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_harvest_issue'))
    )
    with op.batch_alter_table('harvest_issue', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_harvest_issue_partner_id'), ['partner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_harvest_issue_run_id'), ['run_id'], unique=False)
    op.execute("INSERT INTO store_state (id, version) VALUES (1, 0)")


def downgrade() -> None:
    with op.batch_alter_table('harvest_issue', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_harvest_issue_run_id'))
        batch_op.drop_index(batch_op.f('ix_harvest_issue_partner_id'))

    op.drop_table('harvest_issue')
    op.drop_table('rendition')
    with op.batch_alter_table('harvest_run', schema=None) as batch_op:
        batch_op.drop_index('ix_harvest_run_partner_id_started')

    op.drop_table('harvest_run')
    op.drop_table('store_state')
    op.drop_table('partner')
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.drop_index('ix_notice_source_datestamp_id')
        batch_op.drop_index('ix_notice_datestamp_id')
        batch_op.drop_index('ix_notice_base_producer_datestamp_id')
        batch_op.drop_index('ix_notice_base_datestamp_id')

    op.drop_table('notice')
    op.drop_table('export_snapshot')
    op.drop_table('api_token')
