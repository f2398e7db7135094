"""A real IIIF viewer opens our manifest: Mirador (its UMD build, from the npm registry, cached in .cache/mirador)
on a page of another origin, in Debian's headless Chromium driven by Playwright, loads a manifest served by the
app over real HTTP and draws its image, fetched from a local image server. Skipped when Chromium, Playwright or
npm is missing, unless CI=true."""
from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import tarfile
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from app import create_app
from app.cli import cli
from formats.bases import get_base
from formats.notice import validate_notice
from store.notices import write_notices

from ..conftest import make_settings, serve
from .iiif_images import ImageServer

MIRADOR = "4.0.0"  # ships dist/mirador.min.js, a UMD build with React bundled: no bundler needed
CACHE = Path(__file__).resolve().parents[2] / ".cache" / "mirador"
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
RED = (200, 30, 40)  # the colour of the local server's images (iiif_images._image)
# Pixels of the viewer's canvases near RED, and how many there are (OpenSeadragon draws on a 2D canvas)
_DRAWN = """() => {
  let drawn = 0;
  for (const canvas of document.querySelectorAll('canvas')) {
    const context = canvas.width && canvas.height && canvas.getContext('2d');
    if (!context) continue;
    const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 0; i < data.length; i += 4)
      if (data[i + 3] > 200 && Math.abs(data[i] - %d) < 20 && Math.abs(data[i + 1] - %d) < 20
          && Math.abs(data[i + 2] - %d) < 20) drawn++;
  }
  return drawn;
}""" % RED


def _missing(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"the IIIF viewer test runs under CI=true: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def mirador() -> Path:
    """Mirador's dist/mirador.min.js, fetched once with `npm pack` (one tarball, none of its dependencies: the
    UMD build bundles them) into the git-ignored .cache/mirador; a lock keeps parallel workers from racing."""
    target = CACHE / f"mirador-{MIRADOR}.min.js"
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not target.exists():
            npm = shutil.which("npm")
            if npm is None:
                _missing("npm is not installed (apt-get install -y npm)")
            packed = subprocess.run([npm, "pack", f"mirador@{MIRADOR}", "--pack-destination", str(CACHE),
                                     "--silent"], capture_output=True, text=True, timeout=300)
            tarball = CACHE / f"mirador-{MIRADOR}.tgz"
            if packed.returncode or not tarball.exists():
                _missing(f"npm pack mirador@{MIRADOR} failed: {packed.stderr[-500:]}")
            with tarfile.open(tarball) as archive:
                source = archive.extractfile("package/dist/mirador.min.js")
                target.with_suffix(".tmp").write_bytes(source.read())
            target.with_suffix(".tmp").rename(target)
            tarball.unlink()
    return target


@pytest.fixture
def browser(tmp_path):
    """Chromium with a fresh profile (Playwright takes the profile folder as user_data_dir)."""
    if not CHROMIUM.exists():
        _missing("no /usr/bin/chromium (apt-get install -y chromium; `make test` does it as root)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=str(CHROMIUM), args=ARGS, headless=True,
            viewport={"width": 1000, "height": 700})
        yield context
        context.close()


class StaticSite:
    """A page of another origin than the app's (viewers live on other sites): the viewer and Mirador."""

    def __init__(self, folder: Path):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(folder)))
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_mirador_draws_the_image_of_a_manifest(mirador, browser, database_url, tmp_path):
    images = ImageServer()
    app = create_app(make_settings(database_url, tmp_path, image_base_url=images.url))
    db = app.extensions["pop"].db
    with db.session() as session:
        write_notices(session, [validate_notice(get_base("joconde"), {
            "REF": "000PE000001", "TICO": "Vase rouge", "DENO": ["vase"], "IMG": ["a.jpg"]})])
    assert app.test_cli_runner().invoke(cli, ["images", "probe"]).exit_code == 0
    images.requests.clear()
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(mirador, site / "mirador.min.js")
    try:
        with serve(app) as url:
            manifest = f"{url}/iiif/joconde/000PE000001/manifest"
            # crossOriginPolicy: the image is fetched with CORS, so its pixels may be read back below
            (site / "index.html").write_text(f"""<!doctype html><html><head><meta charset="utf-8"></head><body>
<div id="viewer" style="position:absolute;inset:0"></div><script src="mirador.min.js"></script>
<script>Mirador.viewer({{id: "viewer", windows: [{{manifestId: "{manifest}"}}],
  osdConfig: {{crossOriginPolicy: "Anonymous"}}}});</script></body></html>""", encoding="utf-8")
            static = StaticSite(site)
            page = browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            try:
                page.goto(f"{static.url}/index.html")
                page.get_by_text("Vase rouge").first.wait_for(timeout=60_000)  # the manifest's label
                page.wait_for_function(f"({_DRAWN})() > 10000", timeout=60_000)
            except Exception:
                page.screenshot(path=str(tmp_path / "mirador.png"))
                raise
            finally:
                static.close()
    finally:
        db.dispose()
        images.close()
    assert images.requests.get("a.jpg", 0) >= 1  # the viewer fetched the image the manifest paints
    assert not errors, errors
