"""Settings come from the environment, with clear errors."""
from __future__ import annotations

import pytest

from app.settings import ConfigurationError, Settings


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
    try:
        create_app(Settings.from_env({"POP_SECRET_KEY": "k", "POP_EDM_DEFAULT_RIGHTS": pdm}, instance_path=tmp_path))
        assert f'rdf:resource="{pdm}"' in get_format("edm").render(notice)
    finally:
        create_app(Settings.from_env({"POP_SECRET_KEY": "k"}, instance_path=tmp_path))
    assert "vocab/CNE/1.0/" in get_format("edm").render(notice)


def test_the_harvest_reader_is_a_process_unless_told_otherwise(tmp_path):
    env = {"POP_ENV": "testing"}
    assert Settings.from_env(env, instance_path=tmp_path).harvest_reader == "process"
    assert Settings.from_env({**env, "POP_HARVEST_READER": "thread"}, instance_path=tmp_path).harvest_reader == "thread"
    with pytest.raises(ConfigurationError, match="POP_HARVEST_READER must be one of process, thread"):
        Settings.from_env({**env, "POP_HARVEST_READER": "fork"}, instance_path=tmp_path)
