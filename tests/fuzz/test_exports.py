"""/exports/ downloads under generated parameters (producer, since, until, fields, deleted, sep, bom, unknown
and repeated ones, hostile values) and, after `pop export build`, snapshot downloads under generated Range,
If-Match, If-None-Match, If-Range, If-Modified-Since and If-Unmodified-Since headers: only 2xx, 206, 304 and
4xx, every 4xx an RFC 9457 problem, every 206 the bytes its Content-Range names."""
from __future__ import annotations

import re
from urllib.parse import quote_from_bytes

import pytest
from hypothesis import event, given
from hypothesis import strategies as st
from werkzeug.http import http_date

from app.cli import cli
from formats.bases import BASES
from protocols.export.query import PARAMETERS
from protocols.export.writers import EXPORT_FORMATS

from .strategies import dates, hostile_text, values
from .support import assert_problem, fuzz, producer_slugs, query_string, wire

# Every base in every export format, with a `.gz` — not all of them exist: the catalog says which snapshots do.
EXPORTS = [fmt.filename(base, gzip) for base in BASES for fmt in EXPORT_FORMATS.values() for gzip in (False, True)]
NAMES = (*EXPORTS, "joconde", "joconde.xml", "nobase.csv", "joconde.csv.gz.gz", ".csv", "joconde.CSV", "fields")
KNOWN = {
    "producer": (*producer_slugs(), "Monuments Historiques", "MUSEE", "nobody", " ", "-"),
    "fields": ("TICO", "REF,TICO", "TICO,,DENO", "DENO, TICO ", ",", "NOPE", "REF", "POP_FLAGS"),
    "deleted": ("include", "exclude", "INCLUDE", ""), "sep": (",", ";", "|", ""), "bom": ("0", "1", "true", "no"),
    "bbox": ("2.2,48.8,2.5,48.9", "-180,-90,180,90", "5,45,4,44", "1,2,3", "a,b,c,d", "nan,0,1,1", "inf,0,1,1",
             "1e400,0,1,1", "200,0,0,0", " 1, 2, 3, 4 "),
}


def _known(name: str) -> tuple[str, ...]:
    return KNOWN.get(name) or ("", "x")  # a parameter this file does not know yet: some value


def _parameter(name: str) -> st.SearchStrategy:
    return st.tuples(st.just(name), dates() if name in ("since", "until") else values(*_known(name)))


def _legal(name: str) -> st.SearchStrategy:
    return st.tuples(st.just(name), st.sampled_from(("2024-03-01", "2024-03-01T08:01:00Z", "2030-01-01"))
                     if name in ("since", "until") else st.sampled_from(_known(name)))


# Any name without "/" (another path is another route; any other character goes, percent-encoded), any
# parameters; or a real export with parameters among the known values, so live streams are read to their end.
anything = st.tuples(
    st.one_of(st.sampled_from(NAMES), hostile_text.filter(lambda name: "/" not in name)),
    st.lists(st.one_of(st.sampled_from(PARAMETERS).flatmap(_parameter),
                       st.tuples(values("format", "page", "Producer", "since[]"), hostile_text)), max_size=4))
plausible = st.tuples(st.sampled_from(EXPORTS), st.lists(st.sampled_from(PARAMETERS).flatmap(_legal), max_size=3,
                                                         unique_by=lambda pair: pair[0]))


@pytest.fixture(scope="module")
def snapshots(fuzz_app, fuzz_client) -> dict[str, tuple[bytes, str]]:
    """`pop export build` on the stock; each snapshot the catalog lists: its bytes, as served whole, and its ETag."""
    result = fuzz_app.test_cli_runner().invoke(cli, ["export", "build"])
    assert result.exit_code == 0, result.output
    downloads = [download for base in fuzz_client.get("/exports/catalog.json").get_json()["bases"]
                 for download in base["downloads"] if download["snapshot"]]
    urls = [download["url"] for download in downloads] + [download["gzip_url"] for download in downloads
                                                          if download.get("gzip_bytes")]
    served = {}
    for name in (url.rsplit("/", 1)[1] for url in urls):
        response = fuzz_client.get(f"/exports/{name}")
        assert response.status_code == 200 and response.headers["ETag"], name
        served[name] = response.data, response.headers["ETag"].strip('"')
    assert len(served) >= len(BASES), served.keys()
    return served


def _assert_answer(response) -> None:
    status = response.status_code
    event(f"status: {status}")  # --hypothesis-show-statistics
    assert status in (200, 206, 304) or 400 <= status < 500, (status, response.data[:300])
    if status >= 400:
        assert_problem(response)


@given(request=st.one_of(anything, plausible))
@fuzz(150)
def test_export_parameters_are_served_or_refused_as_problems(fuzz_client, snapshots, request):
    name, pairs = request
    path = "/exports/" + quote_from_bytes(wire(name), safe="")
    response = fuzz_client.get(path, query_string=query_string(pairs))
    _assert_answer(response)


# --- Range and preconditions on snapshot downloads --------------------------------------------------------
_POSITION = st.one_of(st.none(), st.integers(0, 3000), st.sampled_from([10**20, 2**64]))
ranges = st.one_of(
    st.builds(lambda start, end: f"bytes={'' if start is None else start}-{'' if end is None else end}",
              _POSITION, _POSITION),
    st.sampled_from(["bytes=0-0,5-9", "bytes=-0", "items=0-5", "bytes=5-1", "bytes=", "bytes=--1", "bytes 0-5",
                     "bytes=0-5, 7-", "bytes=1-2-3", "bytes=0x10-"]),
)
header_text = st.text(st.characters(max_codepoint=255, exclude_characters="\r\n"), max_size=40)
moments = st.datetimes().map(http_date)


def _validators(etag: str):
    tags = st.sampled_from([f'"{etag}"', f'W/"{etag}"', "*", '"nope"', f'"nope", "{etag}"', etag, '""'])
    return st.one_of(tags, header_text)


@given(data=st.data())
@fuzz(200)
def test_snapshot_ranges_and_preconditions_are_rfc_9110_answers(fuzz_client, snapshots, data):
    name = data.draw(st.sampled_from(sorted(snapshots)))
    whole, etag = snapshots[name]
    preconditions = st.fixed_dictionaries({}, optional={
        "If-Match": _validators(etag), "If-None-Match": _validators(etag),
        "If-Range": st.one_of(_validators(etag), moments), "If-Modified-Since": st.one_of(moments, header_text),
        "If-Unmodified-Since": st.one_of(moments, header_text)})
    headers = {**data.draw(st.one_of(st.just({}), preconditions)),
               "Range": data.draw(st.one_of(ranges, header_text, st.none()))}
    headers = {key: value for key, value in headers.items() if value is not None}
    response = fuzz_client.get(f"/exports/{name}", headers=headers)
    _assert_answer(response)
    status = response.status_code
    assert status in (200, 206, 304, 412, 416), status
    if status == 200:
        assert response.data == whole
    elif status == 206:
        start, end, size = map(int, re.fullmatch(r"bytes (\d+)-(\d+)/(\d+)", response.headers["Content-Range"])
                               .groups())
        assert size == len(whole) and response.data == whole[start:end + 1]
    elif status == 416:
        assert response.headers["Content-Range"] == f"bytes */{len(whole)}"
    elif status == 304:
        assert response.data == b""
