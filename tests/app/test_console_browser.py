"""The console in a real browser: Debian's Chromium driven by Playwright over real HTTP. Sign in, add a partner
(the partner is asked: its answer shows next to the fields), run it through the worker, see the run with its
charts and quarantined records, edit and disable it; a read-only token changes nothing. Screenshots of the
pages visited are written under the test's tmp folder when it fails. Skipped when Chromium or Playwright is
missing, unless CI=true."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.cli import cli

from ..conftest import serve
from ..harvest.oai_partner import PartnerServer, ScriptedPartner
from ..harvest.records import joconde_notices, pages_of, pop_record
from .console_helpers import console_app, create_token

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]


def _missing(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"the console's browser tests run under CI=true: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    """One Chromium for the module."""
    if not CHROMIUM.exists():
        _missing("no /usr/bin/chromium (apt-get install -y chromium; `make test` does it as root)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def partner_url():
    records = [pop_record(n) for n in joconde_notices(3)]
    bad = pop_record(joconde_notices(1, start=50)[0])
    bad.metadata = bad.metadata.replace(b"</pop:notice>", b'<pop:field name="NOPE">x</pop:field></pop:notice>')
    with PartnerServer(ScriptedPartner(pages_of([*records, bad], 2))) as url:
        yield url


class Pages:
    """A browser tab that remembers the pages it visited, to screenshot them all when the test fails."""

    def __init__(self, context, folder: Path):
        self.page, self.folder, self.visited = context.new_page(), folder, {}
        self.page.on("load", lambda page: self.visited.setdefault(page.url, len(self.visited)))

    def screenshots(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(self.folder / "failed.png"), full_page=True)
        for url, n in list(self.visited.items()):
            self.page.goto(url)
            self.page.screenshot(path=str(self.folder / f"{n:02d}.png"), full_page=True)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_administrator_registers_runs_watches_and_changes_a_partner(browser, database_url, tmp_path, partner_url):
    app = console_app(database_url, tmp_path)
    admin, reader = create_token(app, "admin"), create_token(app, "watcher", "read")
    with serve(app) as url:
        context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
        tab = Pages(context, tmp_path / "screenshots")
        page = tab.page
        try:
            page.goto(f"{url}/admin/partners/")
            assert "/admin/sign-in" in page.url  # signed out: sent to sign-in
            page.get_by_label("Token").fill(admin)
            page.get_by_role("button", name="Sign in").click()
            assert page.get_by_role("heading", name="Partners", exact=True).is_visible()  # back where it asked

            page.get_by_role("link", name="Add a partner").click()
            page.get_by_label("Name", exact=True).fill("museum")
            page.get_by_label("OAI-PMH base URL").fill(partner_url)
            page.get_by_label("Metadata prefix").fill("lido")
            page.get_by_label("Target base").select_option("joconde")
            page.get_by_label("Schedule", exact=True).fill("1d")
            page.get_by_role("button", name="Add the partner").click()
            # the partner's own answer, next to the field
            assert "'lido' is not offered (offered: pop)" in page.locator("#metadata_prefix-error").inner_text()
            page.get_by_label("Metadata prefix").fill("pop")
            page.get_by_role("button", name="Add the partner").click()
            assert page.get_by_role("heading", name="Partner museum").is_visible()
            assert "granularity YYYY-MM-DDThh:mm:ssZ" in page.get_by_role("status").inner_text()

            page.get_by_role("button", name="Run now").click()
            assert "queued" in page.get_by_role("status").inner_text()
            result = app.test_cli_runner().invoke(cli, ["worker", "--once"])
            assert result.exit_code == 0, result.output
            page.reload()
            assert page.locator("#records-chart svg").count() == 1
            assert page.locator("#duration-chart svg").count() == 1
            page.get_by_role("link", name="#1").click()
            assert page.get_by_role("heading", name="Run #1 of museum").is_visible()
            assert "3 created" in page.locator(".facts").inner_text()
            issue = page.locator(".issues li").first
            assert "NOPE: is not a field of this base" in issue.inner_text()
            raw = issue.locator("details pre")
            assert not raw.is_visible()
            issue.locator("summary").click()  # collapsible raw XML, shown as text
            assert '<pop:field name="NOPE">x</pop:field>' in raw.inner_text()
            csv_link = page.get_by_role("link", name="Download these issues as CSV").get_attribute("href")
            download = page.request.get(url + csv_link)  # the session's cookie goes with it
            assert download.headers["content-type"].startswith("text/csv") and "NOPE" in download.text()

            page.get_by_role("link", name="Partner museum").click()
            page.get_by_role("link", name="Edit").click()
            page.get_by_label("Schedule", exact=True).fill("12h")
            page.get_by_role("button", name="Save").click()
            assert "every 12h" in page.locator(".facts").inner_text()
            page.get_by_role("button", name="Disable").click()
            assert page.get_by_role("button", name="Enable").is_visible()

            page.goto(f"{url}/admin/partners/?sort=notices&order=desc")
            row = page.locator("table.partners tbody tr").first
            assert "museum" in row.inner_text() and "succeeded" in row.inner_text()
            page.goto(f"{url}/admin/")
            assert page.locator("figure.chart svg").count() == 1

            page.get_by_role("button", name="Sign out").click()
            page.goto(f"{url}/admin/partners/museum")
            assert "/admin/sign-in" in page.url
            page.get_by_label("Token").fill(reader)  # read-only: sees, changes nothing
            page.get_by_role("button", name="Sign in").click()
            assert page.get_by_role("heading", name="Partner museum").is_visible()
            assert page.get_by_role("button", name="Run now").count() == 0
            page.goto(f"{url}/admin/partners/museum/edit")
            assert page.get_by_role("heading", name="Not allowed").is_visible()
        except Exception:
            tab.screenshots()
            raise
        finally:
            context.close()
    app.extensions["pop"].db.dispose()
