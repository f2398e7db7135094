"""Bearer tokens of the admin API: only each token's sha256 is kept."""
from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from .clock import utcnow
from .models import ApiToken


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def create_token(session: Session, name: str) -> str:
    """A new token named `name`; the value is returned once and never stored."""
    value = secrets.token_urlsafe(32)
    session.add(ApiToken(name=name, token_hash=_digest(value), created=utcnow()))
    return value


def authenticate(session: Session, value: str) -> ApiToken | None:
    """The live token with this value (its last use noted), or None."""
    row = session.execute(select(ApiToken).where(ApiToken.token_hash == _digest(value),
                                                 ApiToken.revoked.is_(False))).scalar_one_or_none()
    if row is not None:
        row.last_used = utcnow()
    return row
