"""The `pop` command line: deletions, demo data, and one-line failures."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from app.cli import cli
from store.models import NoticeRow

ROOT = Path(__file__).resolve().parent.parent.parent


def test_notice_delete_leaves_tombstones_and_reports_unknown_refs(runner, db, tmp_path):
    path = tmp_path / "j.jsonl"
    path.write_text(json.dumps({"REF": "000PE000001", "TICO": "Vase"}) + "\n", encoding="utf-8")
    runner.invoke(cli, ["import", str(path), "--base", "joconde"])
    result = runner.invoke(cli, ["notice", "delete", "joconde", "000PE000001", "000PE999999"])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == ["deleted: 1, already deleted: 0, rejected: 1",
                                          "rejected 000PE999999: no joconde notice has this REF"]
    with db.session() as session:
        assert session.execute(select(NoticeRow.deleted)).scalar_one() is True


def test_demo_load_fills_all_eight_bases_deterministically(runner, db):
    result = runner.invoke(cli, ["demo", "load", "--size", "400", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "created: 400, updated: 0, unchanged: 0, rejected: 0"
    with db.session() as session:
        rows = session.execute(select(NoticeRow.base, NoticeRow.ref, NoticeRow.content_hash)).all()
    assert {base for base, _, _ in rows} == {"joconde", "merimee", "palissy", "memoire", "mnr", "museo", "autor",
                                             "enluminures"}
    again = runner.invoke(cli, ["demo", "load", "--size", "400", "--seed", "3"])
    assert again.stdout.splitlines()[-1] == "created: 0, updated: 0, unchanged: 400, rejected: 0"


def run_pop(*args, env=None):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("POP_") and k != "DATABASE_URL"}
    environment.update(env or {})
    return subprocess.run([sys.executable, "-m", "app", *args], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=120)


def test_a_missing_secret_in_production_is_a_one_line_startup_error(tmp_path):
    result = run_pop("db", "upgrade", env={"DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"})
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        result.stderr.strip().splitlines()[0]] and "POP_SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unreachable_database_is_a_one_line_error(tmp_path):
    result = run_pop("db", "upgrade", env={"POP_SECRET_KEY": "k",
                                           "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/nothing"})
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and result.stderr.startswith("Error: database error:")


def test_upgrade_then_import_with_the_console_entry_point(tmp_path):
    env = {"POP_SECRET_KEY": "k", "DATABASE_URL": f"sqlite:///{tmp_path}/pop.sqlite3"}
    assert run_pop("db", "upgrade", env=env).returncode == 0
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"REF": "OR000001", "NOM": "Abit"}) + "\n", encoding="utf-8")
    result = run_pop("import", str(path), "--base", "autor", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "created: 1, updated: 0, unchanged: 0, rejected: 0"


def test_demo_load_in_process_gives_the_same_notices_as_with_workers(runner, db):
    result = runner.invoke(cli, ["demo", "load", "--size", "120", "--seed", "4", "--workers", "0"])
    assert result.exit_code == 0, result.output
    with db.session() as session:
        in_process = session.execute(select(NoticeRow.ref, NoticeRow.content_hash).order_by(NoticeRow.ref)).all()
    again = runner.invoke(cli, ["demo", "load", "--size", "120", "--seed", "4", "--workers", "2"])
    assert again.stdout.splitlines()[-1] == "created: 0, updated: 0, unchanged: 120, rejected: 0"
    assert len(in_process) == 120
