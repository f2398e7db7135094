"""Partner URLs as shown to people: credentials masked, everything else as written."""
from __future__ import annotations

import pytest

from harvest.urls import redact_url


@pytest.mark.parametrize("url, shown", [
    ("https://user:secret@host.example/oai", "https://user:***@host.example/oai"),
    ("https://user:p%40ss:word@host.example:8443/oai?verb=Identify", "https://user:***@host.example:8443/oai?verb=Identify"),
    ("https://TOKEN@host.example/oai", "https://***@host.example/oai"),
    ("https://host.example/oai?from=a@b", "https://host.example/oai?from=a@b"),
    ("http://host.example/oai", "http://host.example/oai"),
    ("http://[::1/oai", "http://[::1/oai"),  # unreadable: nothing to locate, shown as is
])
def test_redact_url_masks_credentials_only(url, shown):
    assert redact_url(url) == shown


def test_credentials_are_split_from_the_url_decoded_for_basic_auth_and_shown_masked():
    from harvest.urls import basic_auth, display_url, split_credentials, unmask

    url, credentials = split_credentials("https://user:p%40ss@host.example:8443/oai?a=b@c")
    assert (url, credentials) == ("https://host.example:8443/oai?a=b@c", "user:p%40ss")
    assert split_credentials("http://host.example/oai") == ("http://host.example/oai", None)
    assert basic_auth(credentials) == ("user", "p@ss") and basic_auth("TOKEN") == ("TOKEN", "")
    assert display_url(url, credentials) == "https://user:***@host.example:8443/oai?a=b@c"
    assert display_url(url, None) == url
    # the masked form POP answers, sent back, stands for the stored secret of that user only
    assert unmask("user:***", credentials) == credentials and unmask("***", "TOKEN") == "TOKEN"
    assert unmask("other:***", credentials) == "other:***" and unmask(None, credentials) is None
