"""The production checks: Chromium against a server started as a deployer starts it (`make production-check`).

They read PRODUCTION_URL (the server's base URL). Without it they are not even collected, so that
`make test`, which collects tests/ whole, neither runs nor skips them; `make production-check`
(and CI through it) starts the server and runs this folder on its own.
"""

import os

import pytest

from tests.browser.conftest import browser  # noqa: F401 (the same Chromium fixture as the browser tests)

PRODUCTION_URL = os.environ.get("PRODUCTION_URL", "").rstrip("/")

collect_ignore_glob = [] if PRODUCTION_URL else ["test_*.py"]

# Reported by the page itself: console messages do not always name a blocked resource.
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline code"}`);
});
"""


def pytest_collection_modifyitems(items):
    # Called with every collected item, not only this folder's.
    for item in items:
        if "tests/production/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def base_url():
    return PRODUCTION_URL


@pytest.fixture
def page(browser, base_url):  # noqa: F811
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900}, base_url=base_url)
    context.add_init_script(RECORD_CSP_VIOLATIONS)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.problems = []
    page.on("console", lambda message: message.type == "error" and page.problems.append(f"console: {message.text}"))
    page.on("pageerror", lambda error: page.problems.append(f"script error: {error}"))
    page.on("requestfailed", lambda request: page.problems.append(f"failed: {request.url} {request.failure}"))
    page.on(
        "response",
        lambda response: response.status >= 400 and page.problems.append(f"HTTP {response.status}: {response.url}"),
    )
    yield page
    context.close()
