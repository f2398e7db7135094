"""The admin API under generated bodies: POST /api/admin/partners and PATCH /api/admin/partners/{name} with any
JSON (wrong types, nested junk, huge strings, NUL, lone surrogates, numbers past 64 bits), with an admin
token — never a 5xx, every 4xx an RFC 9457 problem, every success a partner.

No request leaves the process, whatever URL a body names (the answers hold whether or not an address is
allowed): the remote check gets a client that refuses every fetch, every socket the test's Python opens is
refused, and names other than the database's host do not resolve.
"""
from __future__ import annotations

import json
import socket
from urllib.parse import urlsplit

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from app.views import admin
from formats.bases import BASES
from harvest.client import HarvestError, OAIClient
from harvest.mappings import MAPPINGS
from harvest.partner import parse_config
from store.partners import save_partner
from store.tokens import create_token

from .strategies import hostile_text, json_values, long_text, raw_bytes
from .support import PARTNER, assert_problem, fuzz

PARTNERS = "/api/admin/partners"
URLS = ("https://partner.invalid/oai", "http://127.0.0.1:1/oai", "http://[::1]/oai", "http://10.0.0.1/oai",
        "http://169.254.169.254/latest/meta-data", "https://user:secret@partner.invalid/oai", "ftp://partner.invalid",
        "http://partner.invalid:99999/", "https://xn--n3h.invalid/oai", "http://0x7f000001/", "https://", "oai")
KNOWN = {
    "name": ("new-partner", PARTNER, "Bad Name", "-x", "a" * 64, ""),
    "url": URLS, "metadata_prefix": ("oai_dc", "pop", "lido", "bad prefix"), "base": (*BASES, "nope"),
    "mapping": (*MAPPINGS, "nope"), "sets": ([], ["joconde"], ["a:b"], ["bad set"], [1], ["x"] * 101),
    "every": ("1d", "30m", "0m", "367d", "1", "\u00b2", None), "enabled": (True, False, "yes", 1),
    "notes": ("", "note", None, "\x00", "\ud800", "é" * 10_001), "refs": ("identifier", "mint", "nope"),
    "licence": ("CC-BY-4.0", "https://creativecommons.org/licenses/by/4.0/", "", None, "CC BY", "\x00"),
    "granularity": ("YYYY-MM-DD",), "created": ("2024-01-01T00:00:00Z",),
}
bodies = st.one_of(
    st.fixed_dictionaries({}, optional={field: st.sampled_from(known) for field, known in KNOWN.items()}),
    st.fixed_dictionaries({}, optional={field: st.one_of(st.sampled_from(known), json_values, long_text)
                                        for field, known in KNOWN.items()}),
    json_values,
    st.dictionaries(hostile_text, json_values, max_size=3),
)

# Bodies a creation could accept, so the remote check is reached (and refused) too.
creations = st.fixed_dictionaries(
    {"name": st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}", fullmatch=True), "url": st.sampled_from(URLS),
     "metadata_prefix": st.sampled_from(["oai_dc", "pop", "lido"]), "base": st.sampled_from(list(BASES))},
    optional={field: st.sampled_from(KNOWN[field]) for field in ("sets", "every", "enabled", "notes", "licence")})


class RefusingClient(OAIClient):
    """The harvester's client, but every request fails as an unreachable partner does."""

    def request(self, **params: str):
        event("remote check: refused")
        raise HarvestError("refused: the tests never contact a partner")


def _refuse(*args, **kwargs):
    raise OSError("refused: the tests never open a network connection")


@pytest.fixture(scope="module")
def authorization(fuzz_app, store_url):
    """An admin token's header, the stock's partner registered, and the network out of reach."""
    database_host = urlsplit(store_url).hostname
    resolve = socket.getaddrinfo

    def resolve_database_only(host, *args, **kwargs):
        if host != database_host:
            raise socket.gaierror(socket.EAI_NONAME, "refused: the tests resolve no name")
        return resolve(host, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(admin, "OAIClient", RefusingClient)
        patch.setattr(socket.socket, "connect", _refuse)
        patch.setattr(socket.socket, "connect_ex", _refuse)
        patch.setattr(socket, "getaddrinfo", resolve_database_only)
        db = fuzz_app.extensions["pop"].db
        with db.session() as session:
            token = create_token(session, "fuzz")
            save_partner(session, parse_config(PARTNER, "https://partner.invalid/oai", "oai_dc", "joconde"),
                         granularity="YYYY-MM-DD")
        yield {"Authorization": f"Bearer {token}"}


def _body(body) -> bytes:
    return body if isinstance(body, bytes) else json.dumps(body).encode()


def _assert_answer(response) -> None:
    event(f"status: {response.status_code}")  # --hypothesis-show-statistics
    assert response.status_code < 500, (response.status, response.data[:500])
    if response.status_code >= 400:
        assert_problem(response)
    else:
        assert isinstance(response.get_json()["name"], str)


@given(body=st.one_of(creations, bodies, raw_bytes))
@fuzz(120)
def test_creating_a_partner_from_any_body_is_never_a_server_error(fuzz_client, authorization, body):
    _assert_answer(fuzz_client.post(PARTNERS, data=_body(body), content_type="application/json",
                                    headers=authorization))


@given(body=st.one_of(bodies, raw_bytes), name=st.sampled_from([PARTNER, "nobody"]))
@fuzz(120)
def test_changing_a_partner_with_any_body_is_never_a_server_error(fuzz_client, authorization, body, name):
    _assert_answer(fuzz_client.patch(f"{PARTNERS}/{name}", data=_body(body), content_type="application/json",
                                     headers=authorization))
