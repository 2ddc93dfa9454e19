"""Public suggestions without an account, their anti-spam rules, and the curators' queue."""

import html

import pytest
from django.urls import reverse

from curation import services
from curation.models import Suggestion
from initiatives.models import Initiative
from tests.factories import make_initiative

from .conftest import logged_in

PROPOSAL = {
    "name": "Cartes libres de Plouzané",
    "acronym": "",
    "kind_of_initiative": "data",
    "summary": "Des cartes ouvertes de la commune.",
    "website": "https://cartes.example.org",
    "repository_url": "",
    "message": "Portée par la mairie.",
    "submitter_name": "Camille",
    "submitter_email": "camille@example.org",
    "nickname": "",
}


def text(response):
    return html.unescape(response.content.decode())


def test_propose_page_is_public_and_accessible(client, db):
    response = client.get(reverse("curation:propose"))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("<h1") == 1
    for field in ("name", "kind_of_initiative", "summary", "website", "message", "submitter_email"):
        assert f'for="id_{field}"' in page and f'id="id_{field}"' in page
    # The honeypot is out of sight and out of the accessibility tree.
    assert 'aria-hidden="true"' in page and 'tabindex="-1"' in page


def test_proposal_lands_in_the_queue_with_private_contact(client, db):
    response = client.post(reverse("curation:propose"), PROPOSAL)
    assert response.status_code == 302
    suggestion = Suggestion.objects.get()
    assert (suggestion.kind, suggestion.status, suggestion.name) == ("new", "pending", PROPOSAL["name"])
    assert suggestion.submitter_email == "camille@example.org"
    assert not Initiative.objects.exists()  # nothing public until a curator accepts
    assert "bien reçue" in text(client.get(response["Location"]))


def test_correction_form_on_a_published_initiative(client, db):
    initiative = make_initiative(publication_status="published", website="https://old.example.org")
    url = reverse("curation:correction", args=[initiative.slug])
    page = client.get(url)
    assert page.status_code == 200 and text(page).count("<h1") == 1
    response = client.post(url, {"message": "Le site a changé.", "website": "https://new.example.org", "nickname": ""})
    assert response.status_code == 302
    suggestion = Suggestion.objects.get()
    assert (suggestion.kind, suggestion.initiative, suggestion.website) == (
        "correction",
        initiative,
        "https://new.example.org",
    )


@pytest.mark.parametrize(
    "data,message,status",
    [
        ({**PROPOSAL, "nickname": "http://spam.example"}, "réservé à la détection des robots", 400),
        (
            {**PROPOSAL, "message": "voir http://a.example http://b.example http://c.example www.d.example"},
            "trop de liens",
            400,
        ),
        ({**PROPOSAL, "message": "x" * 5001}, "trop long", 400),
        ({**PROPOSAL, "summary": "x" * 201}, "200 caractères", 400),
        ({"nickname": ""}, "obligatoire", 400),
        ({**PROPOSAL, "summary": "", "message": "", "website": ""}, "presque vide", 400),
        ({**PROPOSAL, "website": "pas une adresse"}, "URL valide", 400),
    ],
)
def test_spam_and_bad_proposals_are_refused_with_a_reason(client, db, data, message, status):
    response = client.post(reverse("curation:propose"), data)
    assert response.status_code == status
    assert message in text(response)
    assert not Suggestion.objects.exists()


def test_oversized_request_is_refused(client, db, settings):
    settings.CURATION_SUGGESTION_MAX_BYTES = 1000
    response = client.post(reverse("curation:propose"), {**PROPOSAL, "message": "x" * 2000})
    assert response.status_code == 413
    assert "trop volumineux" in text(response)
    assert not Suggestion.objects.exists()


def test_empty_correction_is_refused(client, db):
    initiative = make_initiative(publication_status="published")
    response = client.post(reverse("curation:correction", args=[initiative.slug]), {"message": "  ", "nickname": ""})
    assert response.status_code == 400
    assert "signalement est vide" in text(response)
    assert not Suggestion.objects.exists()


def test_rate_limit_per_address(client, db, settings):
    settings.CURATION_SUGGESTION_RATE = (2, 3600)
    url = reverse("curation:propose")
    for i in range(2):
        assert client.post(url, {**PROPOSAL, "name": f"Commun {i}"}, REMOTE_ADDR="203.0.113.7").status_code == 302
    response = client.post(url, {**PROPOSAL, "name": "Commun 3"}, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 429
    assert "trop de propositions" in text(response)
    # Another address is not affected.
    assert client.post(url, {**PROPOSAL, "name": "Commun 4"}, REMOTE_ADDR="198.51.100.2").status_code == 302
    assert Suggestion.objects.count() == 3


def test_rate_limit_counts_refused_attempts_too(client, db, settings):
    settings.CURATION_SUGGESTION_RATE = (2, 3600)
    url = reverse("curation:propose")
    for _ in range(2):
        client.post(url, {**PROPOSAL, "nickname": "robot"}, REMOTE_ADDR="203.0.113.9")
    assert client.post(url, PROPOSAL, REMOTE_ADDR="203.0.113.9").status_code == 429


def test_proposal_of_an_existing_initiative_shows_it_first(client, db):
    existing = make_initiative(name="Décidim", publication_status="published")
    hidden = make_initiative(name="Decidim brouillon", publication_status="draft")  # never shown publicly
    url = reverse("curation:propose")
    response = client.post(url, {**PROPOSAL, "name": "decidim"})
    assert response.status_code == 200
    page = text(response)
    assert "peut-être déjà dans l'annuaire" in page
    assert existing.get_absolute_url() in page
    assert hidden.name not in page
    assert not Suggestion.objects.exists()
    response = client.post(url, {**PROPOSAL, "name": "decidim", "confirm_not_duplicate": "on"})
    assert response.status_code == 302
    assert Suggestion.objects.count() == 1


def test_editor_accepts_a_proposal_as_a_draft(client, editor):
    suggestion = Suggestion.objects.create(kind="new", **{k: v for k, v in PROPOSAL.items() if k != "nickname"})
    client = logged_in(client, editor)
    page = client.get(reverse("admin:curation_suggestion_change", args=[suggestion.pk]))
    assert "camille@example.org" in text(page)  # curators see the contact
    response = client.post(reverse("admin:curation_suggestion_accept", args=[suggestion.pk]))
    initiative = Initiative.objects.get()
    assert response["Location"] == reverse("admin:initiatives_initiative_change", args=[initiative.pk])
    assert (initiative.name, initiative.kind, initiative.publication_status) == (PROPOSAL["name"], "data", "draft")
    assert initiative.slug == "cartes-libres-de-plouzane"
    # The contact never reaches the entry nor its history.
    assert "camille" not in str(initiative.sources).lower()
    assert initiative.history.first().history_user == editor
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.initiative, suggestion.handled_by) == ("accepted", initiative, editor)
    # Handled once only.
    with pytest.raises(services.TransitionError):
        services.accept_suggestion(suggestion, editor)


def test_editor_accepts_a_correction(editor):
    initiative = make_initiative(publication_status="published", website="https://old.example.org", summary="Ancien")
    suggestion = Suggestion.objects.create(kind="correction", initiative=initiative, website="https://new.example.org")
    services.accept_suggestion(suggestion, editor)
    initiative.refresh_from_db()
    assert initiative.website == "https://new.example.org"
    assert initiative.summary == "Ancien"  # fields left blank are not applied
    assert initiative.publication_status == "published"
    assert "Correction depuis la suggestion" in initiative.history.first().history_change_reason


def test_editor_rejects(client, editor):
    suggestion = Suggestion.objects.create(kind="new", name="Spam")
    logged_in(client, editor).post(
        reverse("admin:curation_suggestion_reject", args=[suggestion.pk]), {"curator_note": "Hors sujet"}
    )
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.curator_note, suggestion.handled_by) == ("rejected", "Hors sujet", editor)
    assert not Initiative.objects.exists()


def test_queue_lists_pending_suggestions(client, curator):
    Suggestion.objects.create(kind="new", name="À traiter")
    Suggestion.objects.create(kind="new", name="Déjà refusée", status="rejected")
    page = text(
        logged_in(client, curator).get(reverse("admin:curation_suggestion_changelist") + "?status__exact=pending")
    )
    assert "À traiter" in page and "Déjà refusée" not in page


def test_forwarded_for_is_trusted_only_when_configured(client, db, settings):
    settings.CURATION_SUGGESTION_RATE = (1, 3600)
    url = reverse("curation:propose")
    # Without trusted proxies, a forged header does not buy a fresh quota.
    assert client.post(url, PROPOSAL, HTTP_X_FORWARDED_FOR="1.1.1.1").status_code == 302
    assert client.post(url, PROPOSAL, HTTP_X_FORWARDED_FOR="2.2.2.2").status_code == 429
    # Behind one proxy, the client is the address the proxy appended (rightmost).
    settings.CURATION_TRUSTED_PROXY_COUNT = 1
    assert client.post(url, PROPOSAL, HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.1").status_code == 302
    assert client.post(url, PROPOSAL, HTTP_X_FORWARDED_FOR="8.8.8.8, 203.0.113.1").status_code == 429
    assert client.post(url, PROPOSAL, HTTP_X_FORWARDED_FOR="203.0.113.2").status_code == 302


def test_initiative_change_page_links_its_pending_corrections(client, editor):
    initiative = make_initiative(publication_status="published")
    Suggestion.objects.create(kind="correction", initiative=initiative, message="Erreur")
    Suggestion.objects.create(kind="correction", initiative=initiative, message="Traitée", status="rejected")
    client = logged_in(client, editor)
    page = text(client.get(reverse("admin:initiatives_initiative_change", args=[initiative.pk])))
    link = (
        reverse("admin:curation_suggestion_changelist")
        + f"?initiative__id__exact={initiative.pk}&status__exact=pending"
    )
    assert "1 signalement du public à traiter" in page and link in page
    assert client.get(link).context["cl"].result_count == 1
