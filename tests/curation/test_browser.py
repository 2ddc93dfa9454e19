"""The public suggestion and history pages in a real browser: the journey works and
axe-core finds no accessibility violation, errors and warnings included."""

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from curation.models import Suggestion
from tests.conftest import chromium_path
from tests.factories import make_initiative

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop runs in this thread
pytestmark = pytest.mark.browser


def in_browser(live_server, journey):
    """Run `journey(page)` in its own thread with its own Playwright.

    Playwright's sync API refuses to start where another sync Playwright is running
    (tests/browser keeps one for the whole session), so this one lives in a thread.
    """
    chromium = chromium_path()
    if not Path(chromium).exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("browser tests are required in CI: Chromium missing")
        pytest.skip(f"Chromium not found at {chromium} (apt-get install chromium, or set CHROMIUM_PATH)")

    def run():
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium,
                headless=True,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                ],
            )
            try:
                page = browser.new_context(locale="fr-FR", base_url=live_server.url).new_page()
                page.set_default_timeout(15_000)
                journey(page)
            finally:
                browser.close()

    with ThreadPoolExecutor(max_workers=1) as executor:
        executor.submit(run).result()  # re-raises the journey's assertion errors here


def audit(page):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


def submit(page):
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def test_propose_journey_is_accessible(live_server, transactional_db):
    make_initiative(name="Base Adresse Nationale", publication_status="published")
    in_browser(live_server, propose_journey)
    assert Suggestion.objects.get().name == "base adresse nationale"


def propose_journey(page):
    page.goto("/proposer/")
    audit(page)
    submit(page)  # empty: errors on the fields
    assert page.get_by_text("Votre envoi n'a pas été enregistré").is_visible()
    audit(page)
    page.get_by_label("Nom du commun ou de l'initiative").fill("base adresse nationale")
    page.get_by_label("Type").select_option("data")
    page.get_by_label("Résumé en une phrase").fill("Les adresses de France.")
    submit(page)  # the likely duplicate is shown first
    assert page.get_by_role("link", name="Base Adresse Nationale").is_visible()
    audit(page)
    # DSFR draws the checkbox through its label, which is what a person clicks.
    page.locator("label[for=id_confirm_not_duplicate]").click()
    assert page.get_by_label("Ma proposition est différente des initiatives ci-dessus").is_checked()
    submit(page)
    assert page.get_by_text("Merci, votre proposition est bien reçue").is_visible()
    audit(page)


def test_correction_and_history_pages_are_accessible(live_server, transactional_db):
    initiative = make_initiative(name="Decidim", publication_status="published", summary="Participation")
    initiative.summary = "Participation citoyenne"
    initiative.save()
    in_browser(live_server, lambda page: correction_journey(page, initiative.slug))
    assert Suggestion.objects.get().message == "Le dépôt a déménagé."


def correction_journey(page, slug):
    page.goto(f"/initiatives/{slug}/signaler/")
    audit(page)
    page.get_by_label("Ce qui est inexact ou manquant").fill("Le dépôt a déménagé.")
    submit(page)
    assert page.get_by_text("Merci, votre signalement est bien reçu").is_visible()
    audit(page)
    page.goto(f"/initiatives/{slug}/historique/")
    assert page.locator("dt", has_text="résumé").is_visible()
    assert page.locator("ins", has_text="Participation citoyenne").is_visible()
    audit(page)


def test_history_page_reads_on_a_phone(live_server, transactional_db):
    long_url = "https://forge.example.org/" + "sous-dossier/" * 12 + "depot"
    initiative = make_initiative(
        name="Decidim", publication_status="published", description="Une plateforme de participation."
    )
    initiative.repository_url = long_url
    initiative.description = "Une plateforme libre de participation citoyenne."
    initiative.save()
    in_browser(live_server, lambda page: phone_history_journey(page, initiative.slug))


def phone_history_journey(page, slug):
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"/initiatives/{slug}/historique/")
    page.wait_for_load_state("networkidle")
    assert page.locator("ins", has_text="libre").is_visible()
    assert page.locator("dd", has_text="sous-dossier/sous-dossier").is_visible()
    # Nothing scrolls sideways (axe's scrollable-region-focusable came from the old table).
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    audit(page)
