"""Hypothesis strategies for hostile input: text with what XML, UTF-8 and databases cannot carry (NUL, controls,
U+FFFE, lone surrogates), very long values, raw bytes that are not UTF-8, and JSON of every shape."""
from __future__ import annotations

from datetime import datetime

from hypothesis import strategies as st

# What breaks parsers, encoders, databases and XML: NUL and other controls, the non-characters, lone
# surrogates (sent as invalid UTF-8), markup, separators of URLs and set specs, line separators, emoji.
NASTY = ["\x00", "\x01", "\x08", "\x0b", "\x1f", "\x7f", "\x85", "\ufffe", "\uffff", "\ud800", "\udfff", "\ufeff",
         "\u2028", "&", "<", ">", '"', "'", ":", "%", "+", "=", "&amp;", "]]>", " ", "\t", "\n", "\r", "é", "ß",
         "\U0001f600", "\u202e", "\\", "/", "*", "*/", "'; --", "\u0130"]

pieces = st.one_of(st.sampled_from(NASTY), st.characters(codec=None, exclude_categories=()))
hostile_text = st.lists(pieces, max_size=12).map("".join)
# Longer than any limit (POP_OAI_MAX_ARGUMENT_BYTES: 2048): built, not drawn character by character.
long_text = st.builds(lambda piece, count: piece * count, st.sampled_from(["x", "é", "\x00", "%", "\ud800"]),
                      st.integers(min_value=1000, max_value=9000))
# Bytes that are no UTF-8 at all: a stray continuation byte, an overlong NUL, a surrogate's 3 bytes, 0xFF.
raw_bytes = st.one_of(st.sampled_from([b"\xff", b"\xc0\x80", b"\xed\xa0\x80", b"\x80abc", b"\xe9t\xe9"]),
                      st.binary(max_size=16))


def values(*known: str) -> st.SearchStrategy:
    """A value as the fuzz sends it: mostly a known (legal or near-legal) one, else hostile text, a known value
    spoilt by a hostile character, a very long value or raw bytes."""
    spoilt = st.builds(lambda value, char, at: value[:at] + char + value[at:],
                       st.sampled_from(known), st.sampled_from(NASTY), st.integers(0, 40)) if known else st.nothing()
    return st.one_of(st.sampled_from(known) if known else st.nothing(), hostile_text, spoilt, long_text, raw_bytes)


def dates() -> st.SearchStrategy:
    """OAI or ISO dates at both granularities, of any year the calendar has, with odd edges and near misses."""
    moments = st.datetimes(min_value=datetime(1, 1, 1))
    formatted = st.one_of(moments.map(lambda m: m.strftime("%Y-%m-%dT%H:%M:%SZ").rjust(20, "0")),
                          moments.map(lambda m: m.strftime("%Y-%m-%d").rjust(10, "0")))
    edges = st.sampled_from(["0001-01-01", "9999-12-31", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
                             "0000-01-01", "2024-02-30", "2024-13-01", "2024-1-1", "2024-03-01T24:00:00Z",
                             "2024-03-01T08:00:00+01:00", "2024-03-01T08:00:00.5Z", "2024-03-01T08:00:00",
                             "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "+2024-03-01", "2024-03-01 "])
    return st.one_of(formatted, edges, values("2024-03-01", "2024-03-01T08:00:00Z"))


json_scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
                         st.floats(allow_nan=True, allow_infinity=True), hostile_text, long_text)
json_values = st.recursive(json_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(hostile_text, inner, max_size=4)), max_leaves=12)
