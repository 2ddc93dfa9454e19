"""An agent's journeys, in a real browser."""

import re

from django.db.models import Count
from playwright.sync_api import expect

from initiatives.models import Initiative, Sector


def test_search_from_home_reaches_the_fabrique(page, demo):
    page.goto("/")
    page.get_by_label("Rechercher un commun, un sigle, un acteur").fill("geocommuns")
    page.get_by_label("Rechercher un commun, un sigle, un acteur").press("Enter")
    expect(page).to_have_url(re.compile(r"/initiatives/\?q=geocommuns"))
    page.get_by_role("link", name=re.compile("Fabrique des géocommuns")).first.click()
    expect(page).to_have_url(re.compile(r"/initiatives/fabrique-des-geocommuns/$"))
    expect(page.locator("h1")).to_contain_text("Fabrique des géocommuns")


def test_sector_facet_changes_the_count_and_is_removable(page, demo):
    total = Initiative.objects.published().count()
    # The sector the facet lists first (the most commons): the facet folds away its smallest options.
    sector = (
        Sector.objects.filter(initiatives__publication_status="published")
        .annotate(entries=Count("initiatives"))
        .order_by("-entries", "name")
        .first()
    )
    in_sector = sector.initiatives.published().count()
    assert 0 < in_sector < total

    page.goto("/initiatives/")
    count = page.locator("#resultats")
    expect(count).to_have_text(re.compile(rf"^{total} résultats"))
    facet = page.locator("#facette-sector")
    # The DSFR draws the box over the label: a user clicks the label.
    facet.locator("label", has_text=re.compile(rf"^{re.escape(sector.name)} \({in_sector}\)")).click()
    expect(facet.get_by_label(re.compile(rf"^{re.escape(sector.name)} "))).to_be_checked()
    page.get_by_role("button", name="Appliquer les filtres").click()
    expect(page).to_have_url(re.compile(rf"sector={sector.slug}"))
    expect(count).to_have_text(re.compile(rf"^{in_sector} résultats?"))
    # The live region that announces the count.
    expect(page.locator('[role="status"]').filter(has=count)).to_have_count(1)

    # The list's search box submits the same form: the facet is kept.
    page.get_by_label("Rechercher un commun, un sigle, un acteur, un mot-clé").fill("commun")
    page.get_by_label("Rechercher un commun, un sigle, un acteur, un mot-clé").press("Enter")
    expect(page).to_have_url(re.compile(rf"(?=.*sector={sector.slug})(?=.*q=commun)"))
    page.get_by_role("link", name="Retirer le filtre Recherche : « commun »").click()
    expect(count).to_have_text(re.compile(rf"^{in_sector} résultats?"))

    page.get_by_role("link", name=f"Retirer le filtre Secteur : {sector.name}").click()
    expect(count).to_have_text(re.compile(rf"^{total} résultats"))
    assert "sector=" not in page.url
    # The back button returns to the filtered state: it is all in the URL.
    page.go_back()
    expect(page).to_have_url(re.compile(rf"sector={sector.slug}"))
    expect(count).to_have_text(re.compile(rf"^{in_sector} résultats?"))


def test_hostile_description_is_shown_as_text_and_runs_nothing(page, transactional_db):
    Initiative.objects.create(
        name="Commun piégé",
        slug="commun-piege",
        kind="software",
        publication_status="published",
        description=(
            '<script>window.__pwned = "script"</script>\n\n'
            '<img src="x" onerror="window.__pwned = \'onerror\'">\n\n'
            "<a href=\"javascript:window.__pwned='href'\">cliquez</a>\n\n"
            "Texte **normal**."
        ),
    )
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto("/initiatives/commun-piege/")
    description = page.get_by_test_id("description")
    expect(description.locator("strong")).to_have_text("normal")
    assert description.locator("script, img, [onerror]").count() == 0
    page.get_by_text("cliquez").click()
    page.wait_for_timeout(200)
    assert page.evaluate("window.__pwned") is None
    assert dialogs == []


def test_mobile_menu_opens_with_the_local_dsfr_script(page, transactional_db):
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto("/")
    financements = page.locator("#navigation").get_by_role("link", name="Financements")
    expect(financements).to_be_hidden()
    page.get_by_role("button", name="Menu").click()
    expect(financements).to_be_visible()
    financements.click()
    expect(page.locator("h1")).to_have_text("Trouver un financement pour un commun")
