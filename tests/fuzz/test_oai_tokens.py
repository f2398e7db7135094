"""Resumption tokens from anywhere: tampered (bits flipped, cut short, base64 junk spliced in), expired, signed
with another key, or forged with the repository's own key around hostile payloads (wrong types and lengths,
negative cursors, ids past 64 bits, dates out of range, unknown formats and sets, another verb). /oai answers
each with what its own codec says of the token (badResumptionToken for every token it refuses), else a page
or noRecordsMatch — never a 5xx, always a valid OAI-PMH document."""
from __future__ import annotations

import time

import pytest
from hypothesis import assume, event, given
from hypothesis import strategies as st
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from formats.registry import FORMATS
from protocols.oaipmh.errors import NOT_XML, OAIError
from protocols.oaipmh.tokens import TokenCodec

from .strategies import hostile_text, json_values
from .support import PARTNER, SETS, assert_oai, error_code, fuzz, query_string

LISTS = ("ListRecords", "ListIdentifiers")
BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."


@pytest.fixture(scope="module")
def codec(fuzz_app) -> TokenCodec:
    settings = fuzz_app.extensions["pop"].settings
    return TokenCodec(settings.secret_key, settings.oai_token_lifetime)


@pytest.fixture(scope="module")
def genuine(fuzz_client, schemas) -> dict[str, str]:
    """A token /oai handed out, per list verb."""
    tokens = {}
    for verb, prefix in zip(LISTS, ("oai_dc", "pop")):
        root = assert_oai(fuzz_client.get(f"/oai?verb={verb}&metadataPrefix={prefix}"), schemas)
        tokens[verb] = root.findtext(".//{http://www.openarchives.org/OAI/2.0/}resumptionToken")
        assert tokens[verb]
    return tokens


def _expected(codec: TokenCodec, token: bytes, verb: str) -> str | None:
    """What the repository makes of the token as the server decodes it: an error code, or None. (A character
    XML cannot carry makes it an illegal argument before it is a token at all.)"""
    text = token.decode("utf-8", "replace")
    if NOT_XML.search(text):
        return "badArgument"
    try:
        codec.decode(text, verb)
    except OAIError as error:
        return error.code
    return None


def _send(client, schemas, verb: str, token: bytes | str) -> str | None:
    return error_code(assert_oai(client.get("/oai", query_string=query_string(
        [("verb", verb), ("resumptionToken", token)])), schemas))


def _check(client, schemas, codec, verb: str, token: bytes | str) -> None:
    code = _send(client, schemas, verb, token)
    event(f"answer: {code or 'a page'}")  # --hypothesis-show-statistics
    expected = _expected(codec, token.encode() if isinstance(token, str) else token, verb)
    if expected is not None:
        assert code == expected, (token, code)
    else:  # a legal payload: its page, or the list has nothing there
        assert code in (None, "noRecordsMatch", "badResumptionToken"), (token, code)


mutations = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, 10_000), st.integers(0, 7)),
    st.tuples(st.just("cut"), st.integers(0, 10_000), st.just(0)),
    st.tuples(st.just("splice"), st.integers(0, 10_000), st.text(BASE64, min_size=1, max_size=8)),
    st.tuples(st.just("replace"), st.integers(0, 10_000), st.text(BASE64 + "=+/%", min_size=1, max_size=4)),
)


def _mutate(token: str, mutation) -> bytes:
    kind, at, extra = mutation
    data = bytearray(token.encode())
    at %= len(data)
    if kind == "flip":
        data[at] ^= 1 << extra
    elif kind == "cut":
        del data[at:]
    elif kind == "splice":
        data[at:at] = extra.encode()
    else:
        data[at:at + len(extra)] = extra.encode()
    return bytes(data)


@given(verb=st.sampled_from(LISTS), mutation=mutations, asked=st.sampled_from(LISTS))
@fuzz(120)
def test_tampered_tokens_are_bad_resumption_tokens(fuzz_client, schemas, codec, genuine, verb, mutation, asked):
    tampered = _mutate(genuine[verb], mutation)
    assume(tampered != genuine[verb].encode())
    _check(fuzz_client, schemas, codec, asked, tampered)


class _Backdated(TimestampSigner):
    age = 0

    def get_timestamp(self) -> int:
        return int(time.time()) - self.age


@given(verb=st.sampled_from(LISTS), age=st.integers(1, 20 * 365 * 86_400), key=hostile_text)
@fuzz(40)
def test_expired_and_foreign_tokens_are_bad_resumption_tokens(fuzz_client, schemas, codec, genuine, verb, age, key):
    payload = codec.serializer.loads(genuine[verb])
    _Backdated.age = codec.lifetime + age
    expired = URLSafeTimedSerializer(codec.serializer.secret_keys[-1], salt=codec.serializer.salt,
                                     signer=_Backdated).dumps(payload)
    assert _send(fuzz_client, schemas, verb, expired) == "badResumptionToken"
    assume(key.encode("utf-8", "surrogatepass") != codec.serializer.secret_keys[-1])
    foreign = URLSafeTimedSerializer(key.encode("utf-8", "surrogatepass"), salt=codec.serializer.salt).dumps(payload)
    assert _send(fuzz_client, schemas, verb, foreign) == "badResumptionToken"


# Forged payloads: a legal one (around the stock: pages exist there) with up to three slots spoilt by a hostile
# value (wrong types, out of range, unknown), or the wrong length, or not a list at all.
_STAMP = st.one_of(st.sampled_from(["20240301075900", "20240301080100", "20240302080000", "20300101000000"]),
                   st.datetimes().map(lambda moment: moment.strftime("%Y%m%d%H%M%S").rjust(14, "0")))
legal = st.tuples(st.sampled_from(LISTS), st.sampled_from(list(FORMATS)),
                  st.one_of(st.sampled_from([None, "joconde", "partner", f"partner:{PARTNER}"]), st.sampled_from(SETS)),
                  st.one_of(st.none(), _STAMP), st.one_of(st.just("20300101000000"), _STAMP), _STAMP,
                  st.integers(0, 60), st.integers(0, 100), st.integers(0, 100))
_BAD_STAMPS = st.one_of(st.none(), st.sampled_from(["00000101000000", "99991231235959", "2024", "", "20240230000000",
                                                    "2024030108000Z", "20240301080000 "]), json_values)
_BAD_NUMBERS = st.one_of(st.integers(-(2**70), 2**70), st.sampled_from([-1, 2**31, 2**63 - 1, 2**63, 2**64]),
                         st.sampled_from(["12", " 3", "1e3", "-0", float("inf"), float("nan"), 1e300, True]),
                         json_values)
_BAD = (st.one_of(st.sampled_from(["GetRecord", "Identify", "listrecords"]), json_values),
        st.one_of(st.sampled_from(["marc21", "oai dc", "oai_dc\x00"]), json_values),
        st.one_of(st.sampled_from(["nobase", "joconde:", "joconde:a:b", "partner:", "joconde:\x00"]), json_values),
        _BAD_STAMPS, _BAD_STAMPS, _BAD_STAMPS, _BAD_NUMBERS, _BAD_NUMBERS, _BAD_NUMBERS)
spoils = st.lists(st.integers(0, 8).flatmap(lambda slot: st.tuples(st.just(slot), _BAD[slot])), min_size=1,
                  max_size=3)


def _spoilt(drawn) -> list:
    payload, spoilt = list(drawn[0]), drawn[1]
    for slot, value in spoilt:
        payload[slot] = value
    return payload


payloads = st.one_of(
    legal.map(list),
    st.tuples(legal, spoils).map(_spoilt),
    st.tuples(legal, st.integers(0, 8)).map(lambda drawn: list(drawn[0][:drawn[1]])),  # too short
    legal.map(lambda drawn: [*drawn, "extra"]),
    json_values,
)


@given(payload=payloads, other_verb=st.booleans())
@fuzz(200)
def test_forged_tokens_signed_with_our_key_never_break_the_answer(fuzz_client, schemas, codec, payload, other_verb):
    verb = payload[0] if isinstance(payload, list) and payload and payload[0] in LISTS else "ListRecords"
    asked = LISTS[(LISTS.index(verb) + other_verb) % 2]
    try:
        forged = codec.serializer.dumps(payload)
    except UnicodeEncodeError:  # a lone surrogate: itsdangerous cannot sign it, so no client can send it
        assume(False)
    _check(fuzz_client, schemas, codec, asked, forged)
