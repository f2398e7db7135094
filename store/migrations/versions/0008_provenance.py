"""provenance of harvested notices: the partner's base URL, the metadata namespace, the partner's own chain

Notices harvested before this revision get their partner's base URL (credentials removed) and the namespace
of its metadataPrefix, so /oai publishes their provenance at once: a re-harvest that changes nothing does not
write a notice again. The partner's own provenance chain of those records is not known (NULL).

Revision ID: 0008_provenance
Revises: 0006_token_scope
"""
from urllib.parse import urlsplit, urlunsplit

from alembic import op
import sqlalchemy as sa

revision = '0008_provenance'
down_revision = '0006_token_scope'
branch_labels = None
depends_on = None

# The formats POP reads, as they were at this revision (a migration never imports the code it migrates)
_NAMESPACES = {
    'oai_dc': 'http://www.openarchives.org/OAI/2.0/oai_dc/',
    'lido': 'http://www.lido-schema.org',
    'pop': 'https://pop.culture.gouv.fr/ns/pop/1.0',
}


def _without_credentials(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    _userinfo, at, hostport = parts.netloc.rpartition('@')
    return urlunsplit(parts._replace(netloc=hostport)) if at else url


def upgrade() -> None:
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_base_url', sa.String(length=1024), nullable=True))
        batch_op.add_column(sa.Column('source_namespace', sa.String(length=512), nullable=True))
        batch_op.add_column(sa.Column('source_provenance', sa.Text(), nullable=True))
    connection = op.get_bind()
    partners = connection.execute(sa.text('SELECT name, url, metadata_prefix, mapping FROM partner')).all()
    for name, url, prefix, mapping in partners:
        connection.execute(
            sa.text('UPDATE notice SET source_base_url = :url, source_namespace = :namespace '
                    'WHERE source = :name AND source_base_url IS NULL'),
            {'url': _without_credentials(url), 'name': name,
             'namespace': _NAMESPACES.get(prefix) or _NAMESPACES.get(mapping or '')})


def downgrade() -> None:
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.drop_column('source_provenance')
        batch_op.drop_column('source_namespace')
        batch_op.drop_column('source_base_url')
