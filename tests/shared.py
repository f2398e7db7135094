"""Where the tests find the files of ../shared: the official schemas and the real samples.

These are public standards' files and public data that every developer and CI keep beside the checkout; the
project never copies them. Two settings, read here and nowhere else in the tests:

- `POP_SHARED_DIR`: the shared folder, holding `samples/` (real OAI-PMH, LIDO and EDM documents) and
  `pop-bases/` (the field dictionary `fields.json` and one real notice per base in `samples/<base>-1.json`).
  Default: `../shared` beside the checkout.
- `POP_SCHEMA_DIR`: the official schemas (OAI-PMH, oai_dc, LIDO, EDM, Schematron), the setting the app reads
  too (app/settings.py). Default: `schemas/` of the shared folder.

A test that needs a file that is not there is skipped with a one-line reason naming the setting, so a plain
clone passes the rest of its suite; under `CI=true` it fails instead, so CI never goes green by skipping.
Every helper resolves its path when a test calls it, never at import, so collecting a module never reads
these files.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, NoReturn

import pytest

CHECKOUT = Path(__file__).resolve().parent.parent
SHARED_SETTING = "POP_SHARED_DIR"
SCHEMA_SETTING = "POP_SCHEMA_DIR"


def shared_root() -> Path:
    """The shared folder: POP_SHARED_DIR, else ../shared beside the checkout (it may not exist)."""
    return Path(os.environ.get(SHARED_SETTING) or CHECKOUT.parent / "shared")


def schema_root() -> Path:
    """The schemas folder: POP_SCHEMA_DIR, else schemas/ of the shared folder (it may not exist)."""
    return Path(os.environ.get(SCHEMA_SETTING) or shared_root() / "schemas")


def missing(reason: str) -> NoReturn:
    """Skip the calling test, or fail it under CI=true where every shared file must be present."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (required under CI=true)", pytrace=False)
    pytest.skip(reason)


def _require(root: Path, relative: str, setting: str, what: str) -> Path:
    # The reason names the folder when the whole folder is absent (the plain clone: one summary line per
    # setting), the file when only that file is missing.
    if not root.is_dir():
        missing(f"{what} not found at {root}: set {setting}")
    path = root / relative
    if not path.exists():
        missing(f"{path} not found in {what}: set {setting}")
    return path


def shared(relative: str = "") -> Path:
    """A file or folder of the shared folder, e.g. shared("samples/lido"); skips when it is absent."""
    return _require(shared_root(), relative, SHARED_SETTING, "the shared files (samples, pop-bases)")


def schema(relative: str = "") -> Path:
    """A file or folder of the official schemas, e.g. schema("dc/oai_dc.xsd"); skips when it is absent."""
    return _require(schema_root(), relative, SCHEMA_SETTING, "the official schemas")


def pop_sample(base: str) -> dict[str, Any]:
    """The real sample notice of a base, raw as POP exports it (pop-bases/samples/<base>-1.json)."""
    return json.loads(shared(f"pop-bases/samples/{base}-1.json").read_text(encoding="utf-8"))

