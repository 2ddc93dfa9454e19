"""History on every curated model: who changed what, field-level diffs, revert, public page."""

import pytest
from django.urls import reverse

from curation import services
from funding.models import Award, FundingEdition
from initiatives.models import Involvement
from tests.factories import make_actor, make_initiative, make_scheme, make_sector

from .conftest import form_data, logged_in


@pytest.mark.parametrize("factory", [make_initiative, make_actor, make_scheme, make_sector])
def test_every_curated_model_keeps_history(db, factory):
    obj = factory()
    obj.name = "Nouveau nom"
    obj.save()
    assert obj.history.count() == 2
    assert obj.history.first().name == "Nouveau nom"
    assert obj.history.last().name != "Nouveau nom"


def test_involvements_editions_and_awards_keep_history(db):
    initiative, actor, scheme = make_initiative(), make_actor(), make_scheme()
    involvement = Involvement.objects.create(initiative=initiative, actor=actor, role="carrier")
    involvement.role = "funder"
    involvement.save()
    edition = FundingEdition.objects.create(scheme=scheme, label="2024")
    award = Award.objects.create(edition=edition, initiative=initiative)
    award_id = award.pk
    award.delete()
    assert [r.history_type for r in involvement.history.all()] == ["~", "+"]
    assert edition.history.count() == 1
    assert [r.history_type for r in Award.history.filter(id=award_id)] == ["-", "+"]


def test_sectors_are_versioned_with_the_initiative(db):
    initiative, sector = make_initiative(), make_sector(name="Géodonnées")
    initiative.sectors.add(sector)
    latest, first = initiative.history.first(), initiative.history.last()
    assert [row.sector for row in latest.sectors.all()] == [sector]
    assert list(first.sectors.all()) == []
    changes = services.record_changes(latest, first)
    assert ("secteurs", "—", "Géodonnées") in changes


def test_admin_edit_records_the_author_and_the_diff(client, curator):
    initiative = make_initiative(summary="Ancien résumé")
    client = logged_in(client, curator)
    url = reverse("admin:initiatives_initiative_change", args=[initiative.pk])
    data = form_data(client, url)
    data["summary"] = "Nouveau résumé"
    assert client.post(url, data).status_code == 302
    record = initiative.history.first()
    assert record.history_user == curator
    assert record.summary == "Nouveau résumé"
    page = client.get(reverse("admin:initiatives_initiative_history", args=[initiative.pk])).text
    assert "Résumé :</strong> Ancien résumé" in page
    assert "Nouveau résumé" in page
    assert curator.username in page


def test_revert_restores_content_but_not_workflow(client, curator, editor):
    initiative = make_initiative(summary="Version 1", website="https://v1.example.org")
    sector = make_sector()
    initiative.sectors.add(sector)
    first_with_sector = initiative.history.first()
    initiative.summary, initiative.website = "Version 2", "https://v2.example.org"
    initiative.save()
    initiative.sectors.clear()
    initiative.publication_status = "in_review"
    initiative.save()
    initiative = services.apply_transition(initiative, "publish", editor)
    version_before = initiative.version

    client = logged_in(client, curator)
    response = client.post(
        reverse("admin:initiatives_initiative_revert", args=[initiative.pk, first_with_sector.history_id]), follow=True
    )
    assert response.status_code == 200
    initiative.refresh_from_db()
    assert initiative.summary == "Version 1"
    assert initiative.website == "https://v1.example.org"
    assert list(initiative.sectors.all()) == [sector]
    # Reverting old content does not unpublish the entry nor rewind its version.
    assert initiative.publication_status == "published"
    assert initiative.version > version_before
    record = initiative.history.first()
    assert record.history_user == curator
    assert record.history_change_reason.startswith("Retour à la version du")


def test_revert_needs_change_permission(client, roles):
    from django.contrib.auth.models import User

    viewer = User.objects.create_user("lecteur", password="x", is_staff=True)
    initiative = make_initiative(summary="A")
    initiative.summary = "B"
    initiative.save()
    response = logged_in(client, viewer).post(
        reverse("admin:initiatives_initiative_revert", args=[initiative.pk, initiative.history.last().history_id])
    )
    assert response.status_code == 403
    initiative.refresh_from_db()
    assert initiative.summary == "B"


def test_revert_of_an_involvement(client, curator):
    involvement = Involvement.objects.create(initiative=make_initiative(), actor=make_actor(), role="carrier")
    involvement.role = "user"
    involvement.save()
    logged_in(client, curator).post(
        reverse("admin:initiatives_involvement_revert", args=[involvement.pk, involvement.history.last().history_id])
    )
    involvement.refresh_from_db()
    assert involvement.role == "carrier"


def test_history_version_view_is_read_only(client, curator):
    initiative = make_initiative(summary="A")
    initiative.summary = "B"
    initiative.save()
    client = logged_in(client, curator)
    old = initiative.history.last()
    url = reverse("admin:initiatives_initiative_simple_history", args=[initiative.pk, old.history_id])
    page = client.get(url)
    assert page.status_code == 200 and "Restaurer cette version" in page.text
    # simple-history's own "revert by posting the old form" is closed.
    assert client.post(url, {"name": "X"}).status_code == 405
    initiative.refresh_from_db()
    assert initiative.summary == "B"


def test_public_history_page_lists_fields_without_personal_data(client, curator, editor):
    initiative = make_initiative(publication_status="in_review", summary="Avant")
    initiative = services.apply_transition(initiative, "publish", editor)
    client_admin = logged_in(client, curator)
    url = reverse("admin:initiatives_initiative_change", args=[initiative.pk])
    data = form_data(client_admin, url)
    data["summary"] = "Après"
    data["website"] = "https://exemple.fr"
    assert client_admin.post(url, data).status_code == 302
    actor = make_actor(name="Ville de Brest", publication_status="published")
    Involvement.objects.create(initiative=initiative, actor=actor, role="user")
    client.logout()

    response = client.get(reverse("curation:history", args=[initiative.slug]))
    assert response.status_code == 200
    page = response.text
    assert page.count("<h1") == 1
    assert "résumé" in page and "site web" in page
    assert "Implication : Ville de Brest (Utilisateur)" in page
    assert "statut de publication" in page
    for private in (curator.username, curator.email, editor.username, editor.email):
        assert private not in page
    # Changed while published: the old and the new value are both public.
    assert "<del>Avant</del>" in page and "<ins>Après</ins>" in page


def test_public_history_names_no_unpublished_actor_or_scheme(client, db):
    initiative = make_initiative(publication_status="published")
    public_actor = make_actor(name="Ville de Brest", publication_status="published")
    draft_actor = make_actor(name="Association en brouillon")
    Involvement.objects.create(initiative=initiative, actor=public_actor, role="user")
    Involvement.objects.create(initiative=initiative, actor=draft_actor, role="carrier")
    public_edition = FundingEdition.objects.create(
        scheme=make_scheme(name="Appel public", publication_status="published"), label="2024"
    )
    draft_edition = FundingEdition.objects.create(scheme=make_scheme(name="Fonds en préparation"), label="2025")
    Award.objects.create(edition=public_edition, initiative=initiative)
    Award.objects.create(edition=draft_edition, initiative=initiative)

    page = client.get(reverse("curation:history", args=[initiative.slug])).text
    assert "Implication : Ville de Brest (Utilisateur)" in page
    assert "Financement : Appel public — 2024" in page
    assert "Association en brouillon" not in page
    assert "Fonds en préparation" not in page


def test_history_of_a_malformed_id_is_a_404(client, curator):
    client = logged_in(client, curator)
    assert client.get("/admin/initiatives/initiative/abc/history/").status_code == 404
    initiative = make_initiative()
    page = client.get(reverse("admin:initiatives_initiative_history", args=[initiative.pk]))
    assert f"Historique : {initiative.name}" in page.content.decode()


def test_revert_of_a_scheme_restores_its_operators(client, curator):
    scheme, dinum, ademe = make_scheme(), make_actor(name="DINUM"), make_actor(name="ADEME")
    scheme.operators.add(dinum)
    with_dinum = scheme.history.first()
    scheme.operators.set([ademe])
    logged_in(client, curator).post(
        reverse("admin:funding_fundingscheme_revert", args=[scheme.pk, with_dinum.history_id])
    )
    assert list(scheme.operators.all()) == [dinum]
