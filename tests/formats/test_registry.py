"""The metadata-format registry and `Renderers`: options are bound into a store's renderers, never set on the
registry, and renderers cross to worker processes as their options."""
from __future__ import annotations

import pickle

from formats import rights
from formats.bases import get_base
from formats.notice import validate_notice
from formats.registry import FORMATS, RENDERERS, Renderers, RenderOptions, get_format, public_notice

PDM = "http://creativecommons.org/publicdomain/mark/1.0/"


def joconde():
    return validate_notice(get_base("joconde"), {"REF": "000PE000001", "TICO": "Vase", "DENO": ["vase"]})


def test_formats_are_listed_in_the_registry_s_order():
    assert list(FORMATS) == ["oai_dc", "pop", "lido", "edm"]
    assert all(fmt.prefix == prefix for prefix, fmt in FORMATS.items())


def test_renderers_bind_their_options_and_leave_the_registry_alone():
    notice = joconde()
    chosen = Renderers(RenderOptions(edm_default_rights=PDM))
    assert f'rdf:resource="{PDM}"' in chosen.render_all(notice)["edm"]
    assert PDM not in get_format("edm").render(public_notice(notice))
    assert PDM not in RENDERERS.render_all(notice)["edm"]
    assert RENDERERS.options.edm_default_rights == rights.DEFAULT_RIGHTS


def test_render_in_renders_only_the_formats_asked_that_the_base_offers():
    notice = joconde()
    assert set(RENDERERS.render_in(notice, ["oai_dc", "edm"])) == {"oai_dc", "edm"}
    museo = validate_notice(get_base("museo"), {"REF": "M5031", "NOMOFF": "Musée"})
    assert "edm" not in RENDERERS.render_in(museo, ["oai_dc", "edm"])


def test_render_one_format_of_a_public_notice():
    public = public_notice(joconde())
    assert RENDERERS.render("oai_dc", public) == get_format("oai_dc").render(public)
    assert RENDERERS.render("no-such-format", public) is None
    museo = public_notice(validate_notice(get_base("museo"), {"REF": "M5031", "NOMOFF": "Musée"}))
    assert RENDERERS.render("lido", museo) is None  # museo does not offer LIDO


def test_renderers_pickle_as_their_options_for_worker_processes():
    chosen = Renderers(RenderOptions(edm_default_rights=PDM))
    copy = pickle.loads(pickle.dumps(chosen))
    assert copy.options == chosen.options and copy.prefixes == chosen.prefixes
    assert copy.render_all(joconde()) == chosen.render_all(joconde())
    assert len(pickle.dumps(chosen)) < 400  # the options travel, not the formats
