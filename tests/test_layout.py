"""The layout's rules (docs/architecture.md): every module imports on its own, and the dependency rule
`app → store → protocols, harvest → formats` holds — no lower package loads Flask or a package above it."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("formats", "protocols", "harvest", "store", "app")
# What each lower package may load of ours (besides itself); Flask never.
ALLOWED = {
    "formats": set(),
    "protocols": {"formats"},
    "harvest": {"formats"},
    "store": {"formats", "protocols", "harvest"},
}


def modules(package: str) -> list[str]:
    names = []
    for path in sorted((ROOT / package).rglob("*.py")):
        if "migrations" in path.parts:  # Alembic loads these itself, with its context
            continue
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names.append(".".join(parts))
    return names


def _python(code: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "POP_ENV": "testing"}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_every_module_imports_on_its_own():
    """Each module in an interpreter where nothing of ours is loaded yet (a child forked from a parent that
    has only the third-party libraries loaded: the same as a fresh interpreter for our import order)."""
    names = [name for package in PACKAGES for name in modules(package)]
    result = _python(f"""
        import os, sys, traceback
        import flask, sqlalchemy, lxml.etree, marshmallow, click, orjson, psycopg  # third parties, once
        failures = []
        for name in {names!r}:
            pid = os.fork()
            if pid == 0:
                try:
                    __import__(name)
                except BaseException:
                    traceback.print_exc()
                    os._exit(1)
                os._exit(0)
            _, status = os.waitpid(pid, 0)
            if status:
                failures.append(name)
        print("FAILED:", failures)
        sys.exit(1 if failures else 0)
    """)
    assert result.returncode == 0, result.stdout + result.stderr[-4000:]


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_lower_packages_load_neither_flask_nor_the_packages_above_them(package):
    result = _python(f"""
        import sys
        for name in {modules(package)!r}:
            __import__(name)
        ours = {{name.split(".")[0] for name in sys.modules}} & {set(PACKAGES)!r}
        print(sorted(ours - {{{package!r}}}), "flask" in sys.modules)
    """)
    assert result.returncode == 0, result.stderr[-4000:]
    loaded, flask_loaded = result.stdout.strip().rsplit(" ", 1)
    assert flask_loaded == "False", f"importing {package} loads flask"
    assert set(eval(loaded)) <= ALLOWED[package], f"{package} loads {loaded}"
