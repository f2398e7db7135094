"""Export filters: what each parameter accepts, and the problem (naming the parameter) for what it refuses."""
from __future__ import annotations

from datetime import datetime

import pytest

from protocols.export.query import ExportProblem, parse_query


def test_no_parameter_is_the_full_snapshot():
    query = parse_query("joconde.csv.gz", {})
    assert (query.base.name, query.format, query.gzip, query.is_full) == ("joconde", "csv", True, True)
    assert query.filename == "joconde.csv.gz"


def test_filters_are_parsed_to_utc_bounds_and_slugs():
    query = parse_query("merimee.jsonl", {"producer": "Monuments Historiques", "since": "2024-05-01",
                                          "until": "2024-05-02", "fields": "TICO, DENO", "deleted": "include"})
    assert query.producer_slug == "monuments-historiques"
    assert query.since == datetime(2024, 5, 1)
    assert query.until == datetime(2024, 5, 2, 23, 59, 59)  # a date alone means the whole day
    assert set(query.layout.columns) == {"REF", "TICO", "DENO"}
    assert query.include_deleted and not query.is_full and query.filename == "merimee-filtered.jsonl"


def test_datetimes_with_offsets_become_utc():
    query = parse_query("mnr.json", {"since": "2024-05-01T12:00:00+02:00", "until": "2024-05-01T12:00:00Z"})
    assert query.since == datetime(2024, 5, 1, 10) and query.until == datetime(2024, 5, 1, 12)


@pytest.mark.parametrize("args, parameter", [
    ({"since": "yesterday"}, "since"),
    ({"until": "2024-13-01"}, "until"),
    ({"since": "2024-05-02", "until": "2024-05-01"}, "until"),
    ({"fields": "TICO,NOPE"}, "fields"),
    ({"fields": "ADRS2"}, "fields"),  # palissy's hidden location: not a published field
    ({"fields": ","}, "fields"),
    ({"deleted": "yes"}, "deleted"),
    ({"producer": " "}, "producer"),
    ({"sep": "\t"}, "sep"),
    ({"bom": "maybe"}, "bom"),
    ({"prodcer": "x"}, "prodcer"),
])
def test_invalid_filters_are_problems_naming_the_parameter(args, parameter):
    with pytest.raises(ExportProblem) as caught:
        parse_query("palissy.csv", args)
    assert caught.value.status == 400 and caught.value.parameter == parameter
    assert caught.value.as_json()["parameter"] == parameter


def test_csv_options_are_refused_for_json():
    with pytest.raises(ExportProblem) as caught:
        parse_query("palissy.json", {"sep": ";"})
    assert caught.value.parameter == "sep"


@pytest.mark.parametrize("name", ["nope.csv", "joconde.xml", "joconde", "joconde.csv.zip"])
def test_unknown_exports_are_404(name):
    with pytest.raises(ExportProblem) as caught:
        parse_query(name, {})
    assert caught.value.status == 404


@pytest.mark.parametrize("parameter, value", [
    ("since", "9999-12-31T23:59:59-14:00"),  # after 9999 once in UTC
    ("until", "0001-01-01T00:00:00+14:00"),  # before year 1 once in UTC
])
def test_datetimes_outside_the_representable_years_are_problems(parameter, value):
    with pytest.raises(ExportProblem) as caught:
        parse_query("joconde.jsonl", {parameter: value})
    assert caught.value.status == 400 and caught.value.parameter == parameter


def test_the_extreme_representable_days_parse():
    query = parse_query("joconde.jsonl", {"since": "0001-01-01", "until": "9999-12-31"})
    assert query.since == datetime(1, 1, 1) and query.until == datetime(9999, 12, 31, 23, 59, 59)


@pytest.mark.parametrize("parameter", ["producer", "since", "fields", "deleted"])
def test_repeated_parameters_are_problems_not_first_one_wins(parameter):
    value = {"producer": "a", "since": "2024-01-01", "fields": "TICO", "deleted": "include"}[parameter]
    with pytest.raises(ExportProblem) as caught:
        parse_query("joconde.csv", [(parameter, value), ("until", "2025-01-01"), (parameter, value)])
    assert caught.value.status == 400 and caught.value.parameter == parameter


def test_pairs_given_once_parse_as_a_mapping_does():
    pairs = [("producer", "MUSEE"), ("since", "2024-05-01")]
    assert parse_query("joconde.csv", pairs) == parse_query("joconde.csv", dict(pairs))
