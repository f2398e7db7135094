"""Partner URLs as people may see them: credentials written into a URL (`https://user:secret@host/oai`, which
the harvester sends as HTTP basic auth) are masked wherever a URL is shown — the admin API, `pop harvest
list|show` — so a listing never hands out a partner's password."""
from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

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
