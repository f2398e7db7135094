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
