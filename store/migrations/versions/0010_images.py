"""image: the media type and pixel size of each image the notices link to (IIIF manifests)

Revision ID: 0010_images
Revises: 0009_refs_and_rights
"""
from alembic import op
import sqlalchemy as sa

revision = '0010_images'
down_revision = '0009_refs_and_rights'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'image',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
        sa.Column('url', sa.Text(), nullable=False),
        sa.Column('media_type', sa.String(length=64), nullable=True),
        sa.Column('width', sa.Integer(), nullable=True),
        sa.Column('height', sa.Integer(), nullable=True),
        sa.Column('bytes', sa.BigInteger(), nullable=True),
        sa.Column('checked', sa.DateTime(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('reason', sa.String(length=512), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_image')),
        sa.UniqueConstraint('url', name=op.f('uq_image_url')),
    )


def downgrade() -> None:
    op.drop_table('image')
