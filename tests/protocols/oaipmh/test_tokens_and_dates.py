"""Resumption tokens and OAI dates, without a server."""
from datetime import datetime

import pytest
from itsdangerous import URLSafeTimedSerializer

from protocols.oaipmh.dates import format_datestamp, parse_date_argument
from protocols.oaipmh.errors import OAIError
from protocols.oaipmh.tokens import ResumptionToken, TokenCodec

TOKEN = ResumptionToken("ListRecords", "oai_dc", "joconde:musee", datetime(2024, 1, 1), datetime(2024, 5, 1, 12),
                        datetime(2024, 2, 3, 4, 5, 6), 4242, 200, 1234)


def test_a_token_round_trips_with_its_keyset_position_and_frozen_until():
    codec = TokenCodec("secret", 86_400)
    assert codec.decode(codec.encode(TOKEN), "ListRecords") == TOKEN


@pytest.mark.parametrize("mangle", [
    lambda t: t[:-2] + ("xx" if not t.endswith("xx") else "yy"),
    lambda t: TokenCodec("another secret", 86_400).encode(TOKEN),
    lambda t: URLSafeTimedSerializer("secret", salt="pop.oaipmh.resumption-token.v1").dumps(["ListRecords"]),
    lambda t: "",
])
def test_altered_foreign_or_malformed_tokens_are_bad_resumption_tokens(mangle):
    codec = TokenCodec("secret", 86_400)
    with pytest.raises(OAIError) as raised:
        codec.decode(mangle(codec.encode(TOKEN)), "ListRecords")
    assert raised.value.code == "badResumptionToken"


LEGAL = ["ListRecords", "oai_dc", None, None, "20240501120000", "20240203040506", 4242, 200, 1234]


@pytest.mark.parametrize("slot, value", [
    (1, ["oai_dc"]), (2, 7), (2, "joconde:\x00"), (4, None), (6, float("inf")), (6, 2**63), (7, -1), (8, -5),
])
def test_a_signed_payload_of_another_shape_is_a_malformed_token(slot, value):
    """A token signed with our key (a leaked key, another release) but not as encode() writes it."""
    serializer = URLSafeTimedSerializer("secret", salt="pop.oaipmh.resumption-token.v1")
    payload = [*LEGAL[:slot], value, *LEGAL[slot + 1:]]
    with pytest.raises(OAIError, match="malformed") as raised:
        TokenCodec("secret", 86_400).decode(serializer.dumps(payload), "ListRecords")
    assert raised.value.code == "badResumptionToken"


def test_a_token_only_continues_its_own_verb():
    codec = TokenCodec("secret", 86_400)
    with pytest.raises(OAIError, match="continues ListRecords"):
        codec.decode(codec.encode(TOKEN), "ListIdentifiers")


def test_dates_at_both_granularities_with_inclusive_bounds():
    assert parse_date_argument("from", "2024-01-02", upper=False).moment == datetime(2024, 1, 2)
    assert parse_date_argument("until", "2024-01-02", upper=True).moment == datetime(2024, 1, 2, 23, 59, 59)
    until = parse_date_argument("until", "2024-01-02T03:04:05Z", upper=True)
    assert until.moment == datetime(2024, 1, 2, 3, 4, 5) and not until.day
    assert format_datestamp(datetime(2024, 1, 2, 3, 4, 5)) == "2024-01-02T03:04:05Z"
    for bad in ("2024-1-2", "2024-01-02T03:04:05", "2024-02-30", "2024-01-02T03:04:05+01:00", "yesterday"):
        with pytest.raises(OAIError) as raised:
            parse_date_argument("from", bad, upper=False)
        assert raised.value.code == "badArgument"
