"""What users rely on is documented: every setting, every command."""
from __future__ import annotations

import re
from pathlib import Path

import click

from app.cli import cli

ROOT = Path(__file__).resolve().parent.parent.parent


def test_every_setting_read_from_the_environment_is_documented():
    source = (ROOT / "app" / "settings.py").read_text(encoding="utf-8")
    documented = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    names = set(re.findall(r'"((?:POP|DATABASE)_[A-Z_]+)"', source))
    assert names, "no setting found"
    assert sorted(name for name in names if f"`{name}`" not in documented) == []


def test_every_setting_says_where_it_goes_in_a_deployment_of_several_nodes():
    from app.settings import SETTINGS

    deployment = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    assert sorted(s.variable for s in SETTINGS if f"`{s.variable}`" not in deployment) == []


def test_the_settings_table_is_the_one_the_declarations_produce():
    from tools.settings_doc import TARGET, with_table

    committed = TARGET.read_text(encoding="utf-8")
    assert with_table(committed) == committed, "docs/configuration.md is stale: run python tools/settings_doc.py"


def test_the_settings_table_keeps_the_prose_around_it():
    from tools.settings_doc import BEGIN, END, with_table

    document = f"# Title\n\nProse.\n\n{BEGIN}\nold table\n{END}\n\nMore prose.\n"
    assert with_table(document, "| new |\n") == f"# Title\n\nProse.\n\n{BEGIN}\n| new |\n{END}\n\nMore prose.\n"


def test_every_command_is_in_the_cli_reference():
    reference = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")

    def paths(group: click.Group, prefix: str):
        for name, command in group.commands.items():
            if isinstance(command, click.Group):
                yield from paths(command, f"{prefix}{name} ")
            else:
                yield f"{prefix}{name}"

    assert sorted(p for p in paths(cli, "pop ") if f"`{p}" not in reference) == []
