"""axe-core finds no violation on the main pages."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command

from actors.models import Actor
from funding.models import FundingScheme
from initiatives.models import Initiative, Sector
from territories.models import Territory

AXE = Axe()


def audit(page, path):
    page.goto(path)
    page.wait_for_load_state("networkidle")
    results = AXE.run(page)
    assert results.violations_count == 0, f"{path}\n{results.generate_report()}"


def first_published(model, **filters):
    entry = model.objects.published().filter(**filters).order_by("name").first()
    assert entry is not None, f"no published {model.__name__} in the demo data"
    return entry


@pytest.mark.parametrize("mobile", [False, True], ids=["desktop", "mobile"])
def test_main_pages_have_no_axe_violation(page, demo, mobile):
    if mobile:
        page.set_viewport_size({"width": 375, "height": 800})
    sector = Sector.objects.filter(initiatives__publication_status="published").order_by("name").first()
    initiative = Initiative.objects.published().get(slug="fabrique-des-geocommuns")
    actor = first_published(Actor, slug="ign")
    scheme = first_published(FundingScheme)
    for path in [
        "/",
        f"/initiatives/?sector={sector.slug}&kind=software&kind=data&q=commun",
        initiative.get_absolute_url(),
        actor.get_absolute_url(),
        "/financements/",
        scheme.get_absolute_url(),
        "/acteurs/",
        sector.get_absolute_url(),
        "/a-propos/",
        # The public histories: a list per version, nothing that scrolls sideways at 375 px.
        f"/initiatives/{initiative.slug}/historique/",
        f"/acteurs/{actor.slug}/historique/",
        f"/financements/{scheme.slug}/historique/",
        "/initiatives/nexiste-pas/",
        # Messages, pagination and empty results have their own markup.
        "/initiatives/?sector=nexiste-pas&page=999",
        "/initiatives/?q=zzzzzz",
        "/acteurs/?kind=agency&q=a",
        "/financements/?availability=open&ordering=deadline",
    ]:
        audit(page, path)


@pytest.mark.parametrize("mobile", [False, True], ids=["desktop", "mobile"])
def test_english_pages_have_no_axe_violation(page, demo, mobile):
    # The same pages under /en/: the language switch open or not, the entered content marked
    # lang="fr", an English description from a source and a French one marked as such.
    if mobile:
        page.set_viewport_size({"width": 375, "height": 800})
    sector = Sector.objects.filter(initiatives__publication_status="published").order_by("name").first()
    geocommuns = Initiative.objects.published().get(slug="fabrique-des-geocommuns")
    from_sill = Initiative.objects.published().get(slug="asqatasun")
    actor = first_published(Actor, slug="ign")
    scheme = first_published(FundingScheme)
    territory = Territory.objects.get(code="reg-53")
    paths = [geocommuns.get_absolute_url(), from_sill.get_absolute_url(), actor.get_absolute_url()]
    paths += [scheme.get_absolute_url(), sector.get_absolute_url(), territory.get_absolute_url()]
    paths += [f"/initiatives/?sector={sector.slug}&kind=software&kind=data&q=commun", "/initiatives/?q=zzzzzz"]
    paths += ["/", "/acteurs/", "/financements/", "/territoires/", "/statistiques/", "/label/", "/a-propos/"]
    paths += ["/proposer/", f"/initiatives/{geocommuns.slug}/historique/", "/initiatives/nexiste-pas/"]
    for path in paths:
        audit(page, f"/en{path}")


def test_paginated_list_has_no_axe_violation(page, transactional_db):
    for index in range(45):
        Initiative.objects.create(
            name=f"Commun {index:02}", slug=f"commun-{index:02}", kind="software", publication_status="published"
        )
    audit(page, "/initiatives/?page=2")
    assert page.get_by_role("link", name="Page suivante").is_visible()


def test_territory_map_has_no_axe_violation(page, transactional_db):
    """The map of France on the home page and /territoires/ (desktop width), with every official
    territory loaded as `make run` does, and a territory page."""
    call_command("import_territories", verbosity=0)
    initiative = Initiative.objects.create(
        name="Commun brestois", slug="commun-brestois", kind="software", publication_status="published"
    )
    initiative.territories.set([Territory.objects.get(code="com-29019")])
    for path in ["/", "/territoires/", "/territoires/reg-53/"]:
        audit(page, path)
    # Each area is a link named with its count, reached from the keyboard, leading to its page.
    page.goto("/territoires/")
    area = page.locator('svg[data-level="departement"]').get_by_role("link", name="Finistère : 1 commun")
    area.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/territoires/dep-29/")
    assert page.get_by_role("heading", level=1).inner_text() == "Finistère"


@pytest.mark.parametrize("mobile", [False, True], ids=["desktop", "mobile"])
def test_statistics_page_has_no_axe_violation(page, demo, mobile):
    if mobile:
        page.set_viewport_size({"width": 375, "height": 800})
    audit(page, "/statistiques/")
    # Each chart is a section with its heading (a table when the demo data gives it numbers), and a
    # bar's link leads to the list it counts.
    assert page.locator("section.annuaire-chart h2").count() == 9
    assert page.locator("table caption").count() >= 5
    page.get_by_role("table", name="Communs par type").get_by_role("link").first.click()
    assert "/initiatives/?kind=" in page.url
