"""partner URLs: credentials kept apart (partner.credentials), and where the URL came from (partner.trusted_url)

The user info of existing partners' URLs (`https://user:secret@host/oai`) moves to `credentials`, the URL keeps the
rest. Existing partners are untrusted (`trusted_url` false: the address rules of URLs from the web apply to their
runs), since nothing says whether an operator or an API token registered them; an operator allows their networks
or hosts (POP_HARVEST_ALLOWED_NETWORKS, POP_HARVEST_ALLOWED_HOSTS) if they are internal.

Revision ID: 0011_partner_url_trust
Revises: 0010_images
"""
from urllib.parse import urlsplit, urlunsplit

from alembic import op
import sqlalchemy as sa

revision = '0011_partner_url_trust'
down_revision = '0010_images'
branch_labels = None
depends_on = None


def _split(url: str) -> tuple[str, str | None]:
    # as harvest/urls.py split_credentials did at this revision (a migration never imports the code it migrates)
    try:
        parts = urlsplit(url)
    except ValueError:
        return url, None
    userinfo, at, hostport = parts.netloc.rpartition('@')
    if not at:
        return url, None
    return urlunsplit(parts._replace(netloc=hostport)), userinfo or None


def upgrade() -> None:
    with op.batch_alter_table('partner', schema=None) as batch_op:
        batch_op.add_column(sa.Column('credentials', sa.String(length=1024), nullable=True))
        batch_op.add_column(sa.Column('trusted_url', sa.Boolean(), server_default=sa.false(), nullable=False))
    connection = op.get_bind()
    for partner_id, url in connection.execute(sa.text('SELECT id, url FROM partner')).all():
        bare, credentials = _split(url)
        if credentials is not None:
            connection.execute(sa.text('UPDATE partner SET url = :url, credentials = :credentials WHERE id = :id'),
                               {'url': bare, 'credentials': credentials, 'id': partner_id})


def downgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.text('SELECT id, url, credentials FROM partner WHERE credentials IS NOT NULL'))
    for partner_id, url, credentials in rows.all():
        parts = urlsplit(url)
        connection.execute(sa.text('UPDATE partner SET url = :url WHERE id = :id'),
                           {'url': urlunsplit(parts._replace(netloc=f'{credentials}@{parts.netloc}')), 'id': partner_id})
    with op.batch_alter_table('partner', schema=None) as batch_op:
        batch_op.drop_column('trusted_url')
        batch_op.drop_column('credentials')
