"""The site as deployed (DEBUG off, collectstatic, gunicorn, PostgreSQL, Redis), seen in Chromium.

Run by `make production-check` (tests/production/run), which starts that server and sets PRODUCTION_URL.
"""

import json
import urllib.request

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.production.conftest import PRODUCTION_URL

AXE = Axe()
BLUE_FRANCE = "rgb(0, 0, 145)"  # #000091, the DSFR's primary colour


def first_entry_page(endpoint):
    """The public page of the first entry the API lists, as a client of the API would find it."""
    with urllib.request.urlopen(f"{PRODUCTION_URL}/api/v1/{endpoint}/?page_size=1", timeout=10) as response:
        results = json.load(response)["results"]
    assert results, f"no published entry at /api/v1/{endpoint}/: was the demo data loaded?"
    return results[0]["html_url"].removeprefix(PRODUCTION_URL)


def visit(page, path):
    response = page.goto(path)
    assert response.status == 200, f"{path}: HTTP {response.status}"
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready")
    return response


def assert_clean(page, path):
    violations = page.evaluate("window.__cspViolations")
    assert violations == [], f"{path}: Content-Security-Policy violations {violations}"
    assert page.problems == [], f"{path}: {page.problems}"


DSFR_PAGES = [
    pytest.param(lambda: "/", id="home"),
    pytest.param(lambda: "/initiatives/?kind=software&kind=data", id="initiative-list"),
    pytest.param(lambda: first_entry_page("initiatives"), id="initiative"),
    pytest.param(lambda: first_entry_page("actors"), id="actor"),
    pytest.param(lambda: "/financements/", id="funding-list"),
]


@pytest.mark.parametrize("path", DSFR_PAGES)
def test_the_page_has_the_state_design_system_and_no_error(page, path):
    path = path()
    response = visit(page, path)
    # The DSFR stylesheets passed their integrity check and apply: Marianne, loaded, and the DSFR's blue.
    assert "Marianne" in page.evaluate("getComputedStyle(document.body).fontFamily"), path
    assert page.evaluate("document.fonts.check('1em Marianne')"), f"{path}: the Marianne font did not load"
    button = page.locator(".fr-header .fr-btn").first
    assert button.evaluate("element => getComputedStyle(element).color") == BLUE_FRANCE, path
    # The DSFR's JavaScript ran (it marks the page as enhanced).
    assert page.evaluate("document.documentElement.dataset.frJs") == "true", path
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert_clean(page, path)
    results = AXE.run(page)
    assert results.violations_count == 0, f"{path}\n{results.generate_report()}"


def test_the_api_docs_show_the_operations(page):
    response = visit(page, "/api/v1/docs/")
    assert page.evaluate("window.__cspViolations") == [], "Swagger UI's start-up script was blocked"
    page.locator(".opblock").first.wait_for()
    assert page.locator(".swagger-ui .info .title").inner_text().startswith("API de l'annuaire des communs")
    # Swagger UI's stylesheet applies (its own sans-serif, not the browser's Times).
    font = page.locator(".swagger-ui .info .title").evaluate("element => getComputedStyle(element).fontFamily")
    assert font == "sans-serif", font
    assert page.locator(".opblock-summary-path", has_text="/api/v1/initiatives/").count() >= 1
    assert "'nonce-" in response.headers["content-security-policy"]
    assert_clean(page, "/api/v1/docs/")
    # No axe audit here: Swagger UI's own markup and colours fail five rules (contrast, heading order,
    # lang, nested controls, landmarks) that only a change upstream or a restyled page would fix.


def test_the_security_headers_are_sent(page):
    headers = visit(page, "/").headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    # DEBUG is off: an unknown page is the site's 404 page, not Django's debug page.
    response = page.goto("/initiatives/nexiste-pas/")
    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Page introuvable"
    assert "Traceback" not in page.content()
