"""The data-quality page: published entries missing key fields or not reviewed for a year."""

import html
import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from curation.views_admin import quality_report
from initiatives.models import Initiative, Involvement
from tests.factories import make_actor, make_initiative, make_scheme, make_sector

from .conftest import logged_in


def _complete_initiative(**fields):
    initiative = make_initiative(
        publication_status="published",
        summary="Résumé",
        website="https://exemple.fr",
        licence="MIT",
        sources=[{"document": "Rapport", "url": "", "note": ""}],
        reviewed_at=timezone.now(),
        **fields,
    )
    initiative.sectors.add(make_sector())
    Involvement.objects.create(initiative=initiative, actor=make_actor(), role="carrier")
    return initiative


def _problems(model_name):
    for opts, rows in quality_report():
        if opts.model_name == model_name:
            return {obj.slug: problems for obj, _, problems in rows}
    raise AssertionError(model_name)


def test_complete_recent_entries_are_not_listed(db):
    complete = _complete_initiative()
    assert complete.slug not in _problems("initiative")


def test_missing_fields_and_stale_reviews_are_listed(db):
    bare = make_initiative(publication_status="published")
    stale = _complete_initiative(name="Ancienne")
    type(stale).objects.filter(pk=stale.pk).update(reviewed_at=timezone.now() - timedelta(days=400))
    draft = make_initiative()  # drafts are not the public's problem yet
    problems = _problems("initiative")
    assert set(problems[bare.slug]) >= {
        "résumé manquant",
        "ni site ni dépôt de code",
        "licence manquante",
        "aucun secteur",
        "aucun porteur",
        "non relue depuis 12 mois",
        "aucune source",
    }
    assert problems[stale.slug] == ["non relue depuis 12 mois"]
    assert draft.slug not in problems


def test_actors_and_schemes(db):
    actor = make_actor(publication_status="published")
    scheme = make_scheme(publication_status="published")
    assert "site web manquant" in _problems("actor")[actor.slug]
    assert "aucun opérateur" in _problems("fundingscheme")[scheme.slug]


def test_page_links_each_entry_and_marking_reviewed_clears_it(client, curator):
    stale = _complete_initiative(name="Ancienne")
    type(stale).objects.filter(pk=stale.pk).update(reviewed_at=timezone.now() - timedelta(days=400))
    client = logged_in(client, curator)
    page = html.unescape(client.get(reverse("admin:curation_data_quality")).content.decode())
    assert reverse("admin:initiatives_initiative_change", args=[stale.pk]) in page
    client.post(
        reverse("admin:initiatives_initiative_changelist"),
        {
            "action": "action_mark_reviewed",
            "_selected_action": [stale.pk],
        },
    )
    assert stale.slug not in _problems("initiative")


def test_page_requires_staff_with_view_permission(client, db):
    from django.contrib.auth.models import User

    nobody = User.objects.create_user("personne", password="x", is_staff=True)
    assert logged_in(client, nobody).get(reverse("admin:curation_data_quality")).status_code == 403


def test_imported_entries_missing_key_fields_are_listed_with_their_source_drafts_included(client, curator, settings):
    from django.conf import settings as django_settings
    from django.core.management import call_command

    settings.CATALOGUE_PUBLICATION = {**django_settings.CATALOGUE_PUBLICATION, "sill": "draft"}
    call_command("import_sill", str(django_settings.DATA_DIR / "sill" / "codegouvfr-sill-api" / "software.csv"))
    seven_zip = Initiative.objects.get(sill_id=1)
    assert seven_zip.publication_status == "draft"

    page = html.unescape(logged_in(client, curator).get(reverse("admin:curation_data_quality")).content.decode())

    imported = page[page.index("Fiches importées à compléter") :]
    row = re.search(
        rf'<tr><td><a href="{reverse("admin:initiatives_initiative_change", args=[seven_zip.pk])}">7zip</a></td>'
        r"<td>Brouillon</td><td>([^<]*)</td><td>([^<]*)</td></tr>",
        imported,
    )
    assert row, "7zip is listed among the imported entries"
    assert row[1].startswith("Socle interministériel de logiciels libres")
    assert "aucun secteur" in row[2] and "aucun porteur" in row[2]
    assert "licence manquante" not in row[2]  # the SILL gave it
