"""Playwright (sync API) with Debian's Chromium (or CHROMIUM_PATH's) against pytest-django's live_server."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.conftest import chromium_path

# Playwright's sync API runs an event loop in this thread; Django's ORM (used by the
# tests themselves while the browser is open) would otherwise refuse to run here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IN_CI = os.environ.get("CI", "").lower() == "true"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    chromium = chromium_path()
    if not Path(chromium).exists():
        message = f"Chromium not found at {chromium} (apt-get install chromium, or set CHROMIUM_PATH)"
        if IN_CI:
            pytest.fail(f"browser tests are required in CI: {message}")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def demo(transactional_db):
    """The demo fixtures; the browser journeys are written against them."""
    if not list((Path(settings.BASE_DIR) / "fixtures").glob("*.json")):
        if IN_CI:
            pytest.fail("demo fixtures missing in CI")
        pytest.skip("no demo fixtures in fixtures/ yet")
    call_command("load_demo_data", verbosity=0)
