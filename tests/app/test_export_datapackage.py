"""Data Packages of the CSV exports: `frictionless validate` passes on each base's package with its real CSV
snapshot (every column typed from the field dictionary), and the all-bases package lists every base."""
from __future__ import annotations

import json

import pytest
import requests
from frictionless import Package, validate

from app.cli import cli
from formats.bases import BASES, get_base

from .export_helpers import stock


@pytest.fixture
def built(db, runner):
    stock(db)
    result = runner.invoke(cli, ["export", "build"])
    assert result.exit_code == 0, result.output


def test_each_base_package_validates_with_its_real_csv(built, live_server, tmp_path):
    for base_name in BASES:
        package = requests.get(f"{live_server}/exports/{base_name}/datapackage.json", timeout=30).json()
        (resource,) = package["resources"]
        assert [f["name"] for f in resource["schema"]["fields"]] == [f.code for f in get_base(base_name).published_fields]
        assert resource["schema"]["primaryKey"] == ["REF"] and resource["hash"].startswith("sha256:")
        # frictionless reads the file beside the descriptor (as a reuser who downloaded both would)
        data = requests.get(resource["path"].replace("http://testserver", live_server), timeout=30).content
        assert len(data) == resource["bytes"]
        (tmp_path / f"{base_name}.csv").write_bytes(data)
        resource["path"] = f"{base_name}.csv"
        descriptor = tmp_path / f"{base_name}.datapackage.json"
        descriptor.write_text(json.dumps(package), encoding="utf-8")
        report = validate(str(descriptor))
        assert report.valid, (base_name, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5])
        rows = Package(str(descriptor)).resources[0].read_rows()
        assert len(rows) == 7


def test_multi_valued_fields_document_their_separator_and_licences_are_stated(built, live_server):
    package = requests.get(f"{live_server}/exports/datapackage.json", timeout=30).json()
    assert [r["name"] for r in package["resources"]] == list(BASES)
    fields = {f["name"]: f for f in package["resources"][1]["schema"]["fields"]}  # merimee
    assert fields["DENO"]["type"] == "list" and fields["DENO"]["delimiter"] == "|"
    assert "|" in fields["DENO"]["description"] and fields["DENO"]["title"]
    assert fields["POP_DATE"]["itemType"] == "number" and fields["POP_COORDONNEES"]["type"] == "object"
    assert package["licenses"] and all(r["licenses"] for r in package["resources"])
    assert requests.get(f"{live_server}/exports/nope/datapackage.json", timeout=30).status_code == 404
