"""Real-browser tests: Playwright driving Debian's Chromium against a live server.

Screenshots of the key screens go to test-artifacts/screenshots/ (kept by CI as artifacts).
Chromium is installed by `make` (system-deps); where it is missing these tests fail in CI and
skip elsewhere.
"""

import os
import shutil
import threading
from pathlib import Path

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connection
from django.test.testcases import LiveServerThread

from tests.incidents.conftest import categories, file_incident, to_state  # noqa: F401  (shared fixtures)

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


class OneAtATimeWSGIServer(ThreadedWSGIServer):
    """Requests still arrive on threads (Chromium keeps idle connections open), but the portal
    answers one at a time. On SQLite the request threads share the test database's single
    in-memory connection, and two requests at once (the dashboard's four charts) can deadlock
    in it: one thread in a query that calls back into Python (Django's date functions), the
    other holding the GIL while it waits for the connection."""

    lock = threading.Lock()

    def set_app(self, application):
        def one_at_a_time(environ, start_response):
            with self.lock:  # the response is read and closed here too: both may touch the database
                response = application(environ, start_response)
                try:
                    return list(response)
                finally:
                    getattr(response, "close", lambda: None)()

        super().set_app(one_at_a_time)


if connection.vendor == "sqlite":
    LiveServerThread.server_class = OneAtATimeWSGIServer

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail("CI must have Debian's chromium (make installs it)")
        pytest.skip("needs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # A Chinese browser, as the bureau's staff use: with chromium-l10n installed, LANG makes
        # date fields read 年/月/日 instead of mm/dd/yyyy (the screenshots of the README show them).
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, env={**os.environ, "LANG": "zh_CN.UTF-8"})
        yield chromium
        chromium.close()


@pytest.fixture
def open_as(browser, live_server):
    """open_as("office", phone=False, **context) → a page signed in as that demo person; context
    options go to Playwright's new_context (e.g. timezone_id="Europe/London")."""
    from tests.conftest import PASSWORD

    contexts = []

    def _open(username, *, phone=False, **options):
        viewport = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
        context = browser.new_context(viewport=viewport, **options)
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        with page.expect_navigation():
            page.click("button[type=submit]")
        page.base = live_server.url
        return page

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def shot():
    SHOTS.mkdir(parents=True, exist_ok=True)

    def _shot(page, name):
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    return _shot


def click_and_confirm(page, target):
    """Press a button that asks first (data-confirm, static/js/confirm.js) and answer yes: the
    dialog must open, and its confirm button sends the form. Call inside page.expect_navigation()."""
    (page.locator(target) if isinstance(target, str) else target).click()
    page.locator("#confirm-dialog").wait_for(state="visible")
    page.locator("#confirm-dialog [data-confirm-ok]").click()
