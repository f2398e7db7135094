"""Who may use the admin API: bearer tokens (store/tokens.py) and their scopes.

Every request needs `Authorization: Bearer <token>`: none, or an unknown or revoked token, is a 401; a
`read` token asking for a change (any method but GET, HEAD, OPTIONS) is a 403.
"""
from __future__ import annotations

from flask import request

from store.tokens import authenticate

from .. import pop
from .admin_http import problem

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _unauthorized(detail: str, error: str | None = None):
    challenge = 'Bearer realm="pop-admin"' + (f', error="{error}"' if error else "")
    return problem(401, detail, headers={"WWW-Authenticate": challenge})


def check_request():
    """A before_request hook: None to let the request through, or the problem that refuses it."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not value:
        return _unauthorized("send Authorization: Bearer <token> (create one with `pop token create`)")
    with pop().db.session() as session:
        token = authenticate(session, value)
    if token is None:
        return _unauthorized("unknown or revoked token", "invalid_token")
    if request.method not in READ_METHODS and not token.may_change:
        return problem(403, f"token {token.name!r} has the {token.scope} scope: it may read, not change "
                            "(create an admin token with `pop token create NAME --scope admin`)")
    return None
