"""Bearer tokens of the admin API: only each token's sha256 is kept, with its name and scope.

A scope says what a token may do: `read` (every GET of the admin API) or `admin` (changes too). Names are
what operators list and revoke tokens by, so at most one live token bears a name. Callers get `TokenInfo`
values, never the value or the digest of a token.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from .clock import utcnow
from .models import ApiToken

SCOPES = ("read", "admin")
# last use is noted at most this often: a script polling every second does not write every second
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenError(ValueError):
    """A token cannot be created or revoked as asked; the message says why."""


@dataclass(frozen=True)
class TokenInfo:
    name: str
    scope: str
    created: datetime
    last_used: datetime | None
    revoked: bool

    @property
    def may_change(self) -> bool:
        return self.scope == "admin"


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def _info(row: ApiToken) -> TokenInfo:
    return TokenInfo(name=row.name, scope=row.scope, created=row.created, last_used=row.last_used,
                     revoked=row.revoked)


def create_token(session: Session, name: str, scope: str = "admin") -> str:
    """A new token named `name` with `scope`; the value is returned once and never stored."""
    if scope not in SCOPES:
        raise TokenError(f"unknown scope {scope!r} (known: {', '.join(SCOPES)})")
    if not name.strip() or len(name) > 128:
        raise TokenError("a token's name is 1 to 128 characters")
    if session.execute(select(ApiToken.id).where(ApiToken.name == name, ApiToken.revoked.is_(False))).first():
        raise TokenError(f"a live token is named {name!r}: revoke it first (`pop token revoke {name}`)")
    value = secrets.token_urlsafe(32)
    session.add(ApiToken(name=name, token_hash=_digest(value), scope=scope, created=utcnow(), revoked=False))
    return value


def authenticate(session: Session, value: str) -> TokenInfo | None:
    """The live token with this value (its last use noted), or None."""
    digest = _digest(value)
    row = session.execute(select(ApiToken).where(ApiToken.token_hash == digest)).scalar_one_or_none()
    # the lookup is by digest, which tells an attacker nothing; the comparison is constant-time all the same
    if row is None or not hmac.compare_digest(row.token_hash, digest) or row.revoked:
        return None
    now = utcnow()
    if row.last_used is None or now - row.last_used >= LAST_USED_RESOLUTION:
        row.last_used = now
    return _info(row)


def list_tokens(session: Session) -> list[TokenInfo]:
    """Every token, revoked ones too, oldest first."""
    return [_info(row) for row in session.execute(select(ApiToken).order_by(ApiToken.id)).scalars()]


def revoke_token(session: Session, name: str) -> TokenInfo:
    """Revoke the live token named `name`: it is refused from the next request on."""
    rows = session.execute(select(ApiToken).where(ApiToken.name == name, ApiToken.revoked.is_(False))).scalars().all()
    if not rows:
        raise TokenError(f"no live token named {name!r} (see `pop token list`)")
    for row in rows:  # stores from before names were unique may hold several
        row.revoked = True
    return _info(rows[-1])
