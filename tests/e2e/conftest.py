"""Real-browser tests: Playwright driving Debian's Chromium against a live server.

Screenshots of the key screens go to test-artifacts/screenshots/ (kept by CI as artifacts).
Chromium is installed by `make` (system-deps); where it is missing these tests fail in CI and
skip elsewhere.
"""

import os
import shutil
from pathlib import Path

import pytest

from tests.incidents.conftest import categories, file_incident, to_state  # noqa: F401  (shared fixtures)

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

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
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_as(browser, live_server):
    """open_as("office", phone=False) → a page signed in as that demo person."""
    from tests.conftest import PASSWORD

    contexts = []

    def _open(username, *, phone=False):
        context = browser.new_context(viewport={"width": 390, "height": 844} if phone else {"width": 1280, "height": 900})
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
