"""Screenshots of the main pages (`make screenshots` writes them to docs/screenshots/).

In an ordinary test run they go to a temporary folder, so that running the suite
does not rewrite the files in the repository.
"""

import os
from pathlib import Path

from django.conf import settings

from funding.models import FundingScheme
from initiatives.models import Sector

DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 390, "height": 844}


def test_screenshots_of_the_main_pages(page, demo, tmp_path):
    folder = Path(settings.BASE_DIR, "docs", "screenshots") if os.environ.get("SCREENSHOTS") else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    sector = (
        Sector.objects.get(slug="geodonnees")
        if Sector.objects.filter(slug="geodonnees").exists()
        else (Sector.objects.filter(initiatives__publication_status="published").order_by("name").first())
    )
    scheme = FundingScheme.objects.published().order_by("name").first()
    shots = [
        ("accueil", "/", DESKTOP, False),
        ("recherche-geocommuns", "/initiatives/?q=geocommuns", DESKTOP, False),
        ("communs-filtres", f"/initiatives/?sector={sector.slug}", DESKTOP, False),
        ("commun-fabrique-des-geocommuns", "/initiatives/fabrique-des-geocommuns/", DESKTOP, True),
        ("acteur-ign", "/acteurs/ign/", DESKTOP, False),
        ("financements", "/financements/", DESKTOP, False),
        ("dispositif", scheme.get_absolute_url(), DESKTOP, False),
        ("secteur", sector.get_absolute_url(), DESKTOP, False),
        ("accueil-mobile", "/", MOBILE, False),
        ("commun-mobile", "/initiatives/fabrique-des-geocommuns/", MOBILE, False),
    ]
    for name, path, viewport, full_page in shots:
        page.set_viewport_size(viewport)
        response = page.goto(path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        target = folder / f"{name}.png"
        page.screenshot(path=str(target), full_page=full_page)
        assert target.stat().st_size > 10_000, target
