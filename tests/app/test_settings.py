"""Settings come from the environment, with clear errors."""
from __future__ import annotations

import dataclasses

import pytest

from app.settings import SETTINGS, ConfigurationError, Settings, settings_table


def test_defaults_to_a_sqlite_file_in_the_instance_folder(tmp_path):
    settings = Settings.from_env({"POP_SECRET_KEY": "k"}, instance_path=tmp_path)
    assert settings.database_url == f"sqlite:///{tmp_path / 'pop.sqlite3'}"
    assert settings.repository_identifier == "pop.culture.gouv.fr"


def test_postgres_urls_use_psycopg_3(tmp_path):
    settings = Settings.from_env({"POP_SECRET_KEY": "k", "DATABASE_URL": "postgres://u@h/db"}, instance_path=tmp_path)
    assert settings.database_url == "postgresql+psycopg://u@h/db"


def test_production_needs_a_secret_and_development_keeps_one(tmp_path):
    with pytest.raises(ConfigurationError, match="POP_SECRET_KEY"):
        Settings.from_env({}, instance_path=tmp_path)
    first = Settings.from_env({"POP_ENV": "development"}, instance_path=tmp_path).secret_key
    assert first == Settings.from_env({"POP_ENV": "development"}, instance_path=tmp_path).secret_key


def test_bad_numbers_are_named(tmp_path):
    with pytest.raises(ConfigurationError, match="POP_OAI_PAGE_SIZE"):
        Settings.from_env({"POP_SECRET_KEY": "k", "POP_OAI_PAGE_SIZE": "lots"}, instance_path=tmp_path)


def test_edm_default_rights_is_a_setting_checked_against_europeana_s_list(tmp_path):
    from app import create_app
    from formats.bases import get_base
    from formats.notice import validate_notice
    from formats.registry import get_format, public_notice

    with pytest.raises(ConfigurationError, match="POP_EDM_DEFAULT_RIGHTS"):
        Settings.from_env({"POP_SECRET_KEY": "k", "POP_EDM_DEFAULT_RIGHTS": "Licence Ouverte"}, instance_path=tmp_path)
    notice = public_notice(validate_notice(get_base("joconde"), {"REF": "000PE000001", "TICO": "Vase"}))
    pdm = "http://creativecommons.org/publicdomain/mark/1.0/"
    app = create_app(Settings.from_env({"POP_SECRET_KEY": "k", "POP_EDM_DEFAULT_RIGHTS": pdm}, instance_path=tmp_path))
    # The store renders with the app's options; the process-wide registry is left as it is.
    assert f'rdf:resource="{pdm}"' in app.extensions["pop"].db.renderers.render("edm", notice)
    default = create_app(Settings.from_env({"POP_SECRET_KEY": "k"}, instance_path=tmp_path))
    assert "vocab/CNE/1.0/" in default.extensions["pop"].db.renderers.render("edm", notice)
    assert "vocab/CNE/1.0/" in get_format("edm").render(notice)


def test_the_harvest_reader_is_a_process_unless_told_otherwise(tmp_path):
    env = {"POP_ENV": "testing"}
    assert Settings.from_env(env, instance_path=tmp_path).harvest_reader == "process"
    assert Settings.from_env({**env, "POP_HARVEST_READER": "thread"}, instance_path=tmp_path).harvest_reader == "thread"
    with pytest.raises(ConfigurationError, match="POP_HARVEST_READER must be one of process, thread"):
        Settings.from_env({**env, "POP_HARVEST_READER": "fork"}, instance_path=tmp_path)


def test_each_setting_is_declared_once_and_fills_its_own_field():
    variables = [declared.variable for declared in SETTINGS]
    attributes = [declared.attribute for declared in SETTINGS]
    assert len(set(variables)) == len(variables) and len(set(attributes)) == len(attributes)
    names = {f.name for f in dataclasses.fields(Settings)}
    assert set(attributes) <= names
    # The only fields the environment does not set are the ones said to be so in app/settings.py.
    assert names - set(attributes) == {"harvest_backoff", "extra"}


def test_plain_defaults_are_both_the_field_default_and_the_environment_default(tmp_path):
    settings = Settings.from_env({"POP_SECRET_KEY": "k"}, instance_path=tmp_path)
    defaults = {f.name: f.default for f in dataclasses.fields(Settings)}
    for declared in SETTINGS:
        if declared.derive is None:
            assert getattr(settings, declared.attribute) == declared.default == defaults[declared.attribute]
    assert settings.harvest_timeout == 60 and settings.harvest_max_response_bytes == 64 * 1024 * 1024
    assert settings.export_dir == str(tmp_path / "exports")


def test_every_value_set_in_the_environment_lands_in_its_field(tmp_path):
    env = {"POP_SECRET_KEY": "s3cret", "POP_BASE_URL": "https://pop.example/", "POP_CACHE_URL": "redis://h:6379/0",
           "POP_OAI_PAGE_SIZE": "7", "POP_HARVEST_TIMEOUT": "5", "POP_WORKER_POLL": "1",
           "POP_EXPORT_DIR": str(tmp_path / "out"), "POP_SCHEMA_DIR": str(tmp_path / "schemas")}
    settings = Settings.from_env(env, instance_path=tmp_path)
    assert (settings.secret_key, settings.base_url, settings.cache_url) == ("s3cret", "https://pop.example",
                                                                            "redis://h:6379/0")
    assert (settings.oai_page_size, settings.harvest_timeout, settings.worker_poll) == (7, 5, 1)
    assert (settings.export_dir, settings.schema_dir) == (str(tmp_path / "out"), str(tmp_path / "schemas"))


def test_an_empty_variable_means_the_default(tmp_path):
    settings = Settings.from_env({"POP_SECRET_KEY": "k", "POP_OAI_PAGE_SIZE": "", "POP_HARVEST_READER": "",
                                  "POP_EDM_DEFAULT_RIGHTS": "", "POP_ENV": ""}, instance_path=tmp_path)
    assert (settings.oai_page_size, settings.harvest_reader, settings.env) == (500, "process", "production")
    assert settings.edm_default_rights == "http://rightsstatements.org/vocab/CNE/1.0/"


def test_pop_env_accepts_only_its_three_modes(tmp_path):
    with pytest.raises(ConfigurationError, match="POP_ENV must be one of production, development, testing"):
        Settings.from_env({"POP_SECRET_KEY": "k", "POP_ENV": "staging"}, instance_path=tmp_path)
    assert Settings.from_env({"POP_ENV": "testing"}, instance_path=tmp_path).env == "testing"
    assert (tmp_path / "development-secret-key").exists()


def test_settings_stay_a_frozen_dataclass_that_replace_and_copies_keep(tmp_path):
    settings = Settings.from_env({"POP_SECRET_KEY": "k"}, instance_path=tmp_path)
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.oai_page_size = 1  # type: ignore[misc]
    assert dataclasses.replace(settings, harvest_timeout=3).harvest_timeout == 3
    assert Settings(**{**settings.__dict__, "oai_page_size": 9}).oai_page_size == 9


def test_the_table_has_one_row_per_setting_with_its_default():
    rows = settings_table().splitlines()[2:]
    assert [row.split(" | ")[0] for row in rows] == [f"| `{declared.variable}`" for declared in SETTINGS]
    assert any(row.startswith("| `POP_OAI_PAGE_SIZE` | records per ListRecords page.") and row.endswith("| `500` |")
               for row in rows)
    assert any(row.startswith("| `POP_SECRET_KEY`") and row.endswith("| none (required in production) |")
               for row in rows)
