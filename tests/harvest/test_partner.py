"""A partner's configuration: checked on its own, then against the partner."""
from __future__ import annotations

import pytest

from harvest.client import ClientSettings, OAIClient
from harvest.partner import InvalidPartner, check_remote, parse_config

from .oai_partner import PartnerServer, ScriptedPartner


def test_a_good_configuration():
    config = parse_config("musee-valence", "https://collections.example/oai", "lido", "joconde", every="1d",
                          sets=["peintures"])
    assert (config.mapping_name, config.interval_seconds, config.sets) == ("lido", 86400, ("peintures",))


def test_every_mistake_is_named_at_once():
    with pytest.raises(InvalidPartner) as caught:
        parse_config("Musée", "ftp://x", "marc21", "louvre")
    assert set(caught.value.errors) == {"name", "url", "base", "metadata_prefix"}
    with pytest.raises(InvalidPartner, match="'local' is the source of imported notices"):
        parse_config("local", "http://x/oai", "pop", "joconde")
    with pytest.raises(InvalidPartner, match="at least one minute"):
        parse_config("x", "http://x/oai", "pop", "joconde", every="30s")


def test_check_remote_learns_the_granularity_and_checks_format_and_sets():
    partner = ScriptedPartner([], prefixes=("oai_dc", "lido"), sets=("a", "b"), granularity="YYYY-MM-DD")
    with PartnerServer(partner) as url:
        client = OAIClient(url, ClientSettings(timeout=2, max_attempts=1))
        assert check_remote(parse_config("x", url, "lido", "joconde", sets=["a"]), client) == "YYYY-MM-DD"
        with pytest.raises(InvalidPartner) as caught:
            check_remote(parse_config("x", url, "pop", "joconde", sets=["a", "c"]), client)
    assert caught.value.errors == {"metadata_prefix": ["'pop' is not offered (offered: oai_dc, lido)"],
                                   "sets": ["unknown set(s): c"]}
