"""Partner URLs as people may see them: credentials written into a URL (`https://user:secret@host/oai`, which
the harvester sends as HTTP basic auth) are masked wherever a URL is shown — the admin API, `pop harvest
list|show` — so a listing never hands out a partner's password."""
from __future__ import annotations

from urllib.parse import unquote, urlsplit, urlunsplit

MASK = "***"


def redact_url(url: str) -> str:
    """`url` with the password of its user info replaced by `***` (`https://user:***@host/oai`); a URL without
    credentials, or one that cannot be read, comes back unchanged."""
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unbalanced IPv6 bracket: nothing we can locate, so nothing to mask
        return url
    userinfo, at, hostport = parts.netloc.rpartition("@")
    if not at:
        return url
    user, colon, _password = userinfo.partition(":")
    # a token given as the user alone (https://TOKEN@host/) is a secret too
    masked = f"{user}:{MASK}" if colon else MASK
    return urlunsplit(parts._replace(netloc=f"{masked}@{hostport}"))


def split_credentials(url: str) -> tuple[str, str | None]:
    """(`url` without its user info, the user info as written — `user:secret`, still percent-encoded — or None):
    POP stores a partner's credentials apart from its URL, and sends them as HTTP basic auth."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url, None
    userinfo, at, hostport = parts.netloc.rpartition("@")
    if not at:
        return url, None
    return urlunsplit(parts._replace(netloc=hostport)), userinfo or None


def basic_auth(credentials: str | None) -> tuple[str, str] | None:
    """The (user, password) of stored user info, decoded as requests decodes a URL's; a token alone is a user
    with an empty password."""
    if not credentials:
        return None
    user, _colon, password = credentials.partition(":")
    return unquote(user), unquote(password)


def display_url(url: str, credentials: str | None) -> str:
    """A partner's URL as people may see it: its credentials, if any, shown masked (`https://user:***@host/oai`)."""
    if not credentials:
        return redact_url(url)  # and any left in the URL itself
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    return redact_url(urlunsplit(parts._replace(netloc=f"{credentials}@{parts.netloc}")))


def unmask(given: str | None, stored: str | None) -> str | None:
    """The credentials a changed URL means: the masked form POP answers (`user:***`, `***`) stands for the stored
    secret of that same user, so a script that sends back the URL it read keeps the secret."""
    if given is None or stored is None:
        return given
    user, colon, password = given.partition(":")
    stored_user, stored_colon, _password = stored.partition(":")
    if (colon and password == MASK and stored_colon and user == stored_user) or (
            not colon and given == MASK and not stored_colon):
        return stored
    return given
