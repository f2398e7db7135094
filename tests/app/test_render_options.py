"""POP_EDM_DEFAULT_RIGHTS reaches every rendering of the store — writes, /oai reading the backlog, worker
processes of `pop renditions render` and `pop demo load`, `pop renditions rebuild` — through the store's
renderers, and never changes the process-wide registry (two apps with different options coexist)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app import create_app
from app.cli import cli
from formats.bases import get_base
from formats.notice import validate_notice
from formats.registry import RENDERERS
from store.models import NoticeRow, Rendition
from store.notices import write_notices

from ..conftest import make_settings

PDM = "http://creativecommons.org/publicdomain/mark/1.0/"
CNE = "http://rightsstatements.org/vocab/CNE/1.0/"
RESOURCE = f'<edm:rights rdf:resource="{PDM}"/>'


@pytest.fixture
def pdm_app(database_url, tmp_path):
    app = create_app(make_settings(database_url, tmp_path, edm_default_rights=PDM))
    yield app
    app.extensions["pop"].db.dispose()


def vase(ref: str = "000PE000001", title: str = "Vase"):
    return validate_notice(get_base("joconde"), {"REF": ref, "TICO": title, "DENO": ["vase"]})


def stored_edm(db) -> dict[str, str]:
    with db.session() as session:
        return {ref: db.packer.unpack_text(frame) for ref, frame in session.execute(
            select(NoticeRow.ref, Rendition.packed).join(Rendition, Rendition.notice_id == NoticeRow.id)
            .where(Rendition.format == "edm")).all()}


def get_edm(app, ref: str) -> str:
    response = app.test_client().get("/oai", query_string={
        "verb": "GetRecord", "metadataPrefix": "edm", "identifier": f"oai:pop.culture.gouv.fr:joconde:{ref}"})
    return response.get_data(as_text=True)


def test_written_notices_are_rendered_with_the_app_s_default_rights(pdm_app):
    db = pdm_app.extensions["pop"].db
    with db.session() as session:
        write_notices(session, [vase()])
    assert RESOURCE in stored_edm(db)["000PE000001"]
    assert PDM not in RENDERERS.render_all(vase())["edm"]  # the registry's defaults are untouched


@pytest.mark.parametrize("workers", ["0", "1"])  # in this process, or in a worker process
def test_backlog_notices_are_served_and_stored_with_the_app_s_default_rights(pdm_app, workers):
    db = pdm_app.extensions["pop"].db
    with db.session() as session:
        write_notices(session, [vase()], render=False)
    served = get_edm(pdm_app, "000PE000001")
    assert RESOURCE in served and CNE not in served
    result = pdm_app.test_cli_runner().invoke(cli, ["renditions", "render", "--workers", workers])
    assert result.exit_code == 0, result.output
    assert RESOURCE in stored_edm(db)["000PE000001"]


def test_demo_load_renders_in_worker_processes_with_the_app_s_default_rights(pdm_app, monkeypatch):
    from store.demo import generator

    generate = generator.generate

    def stating_no_rights(*args, **kwargs):  # demo notices all state theirs: keep what names the object only
        for raw in generate(*args, **kwargs):
            yield {code: value for code, value in raw.items() if code in ("REF", "TICO", "TITR", "DENO")}

    monkeypatch.setattr(generator, "generate", stating_no_rights)  # forked workers inherit it
    result = pdm_app.test_cli_runner().invoke(cli, ["demo", "load", "--size", "40", "--workers", "1"])
    assert result.exit_code == 0, result.output
    renditions = stored_edm(pdm_app.extensions["pop"].db)
    assert renditions and all(RESOURCE in xml and CNE not in xml for xml in renditions.values())


def test_rebuild_brings_renditions_in_line_with_new_options(database_url, tmp_path, pdm_app):
    before = create_app(make_settings(database_url, tmp_path))
    with before.extensions["pop"].db.session() as session:
        write_notices(session, [vase()])
    before.extensions["pop"].db.dispose()
    assert CNE in stored_edm(pdm_app.extensions["pop"].db)["000PE000001"]
    result = pdm_app.test_cli_runner().invoke(cli, ["renditions", "rebuild", "--format", "edm"])
    assert result.exit_code == 0, result.output
    assert RESOURCE in stored_edm(pdm_app.extensions["pop"].db)["000PE000001"]
